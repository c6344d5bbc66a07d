import { z } from 'zod';
import { parseDuration, toEpochMs } from './duration.js';
import type { Getter } from './paths.js';
import { checkRegex } from './regex-safety.js';

/** Returned by {@link OperatorDefinition.prepare} to refuse a value with a message. */
export class ValueRejection {
  constructor(readonly message: string) {}
}

/** Refuses an operator's value at compile time; the rule fails to load with this message. */
export function rejectValue(message: string): ValueRejection {
  return new ValueRejection(message);
}

/** Options of a fact condition that operators may use. */
export interface OperatorOptions {
  /** IANA time zone for calendar durations. */
  timeZone?: string;
}

/** A compiled test of one fact. */
export type FactTest = (root: unknown, now: number) => boolean;

/**
 * An operator: the schema of its value, how the value is prepared once at compile time, and the
 * test. Plugins add operators with the same shape (see `RuleExtension`).
 *
 * Conventions every built-in follows, and plugin operators should too: `test` never throws; a
 * missing, null or wrongly typed fact makes a positive operator false and a negated one
 * (`notEqual`, `notIn`) true, as in json-rules-engine.
 */
export interface OperatorDefinition<V = unknown, P = V> {
  readonly name: string;
  /** Schema of the condition's `value`. */
  readonly value: z.ZodType<V>;
  /** Whether `value` may be `{ "ref": "path" }`, read from the facts at evaluation (default true). */
  readonly acceptsRef?: boolean;
  /** Turns the value into what `test` compares against (a Set, a RegExp); may refuse it. */
  prepare?(value: V, options: OperatorOptions): P | ValueRejection;
  /** True when the fact value passes. `now` is the evaluation time in epoch milliseconds. */
  test(actual: unknown, expected: P, now: number): boolean;
  /** Optional fused closure for a literal value: saves a call per evaluation on hot operators. */
  compile?(get: Getter, expected: P): FactTest;
}

/** Declares an operator with its types inferred. */
export function defineOperator<V, P = V>(definition: OperatorDefinition<V, P>): OperatorDefinition<V, P> {
  return definition;
}

const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);
type Primitive = z.infer<typeof primitive>;
const primitiveList = z.array(primitive).max(10_000);

/** A number, or a date given as an ISO 8601 string: what ordered comparisons take. */
const orderable = z.union([z.number().finite(), z.string().min(1)]);

/** Prepared bound of an ordered comparison: numbers compare as numbers, date strings as instants. */
interface Bound {
  date: boolean;
  value: number;
}

function prepareBound(value: number | string): Bound | ValueRejection {
  if (typeof value === 'number') return { date: false, value };
  const ms = Date.parse(value);
  return Number.isNaN(ms)
    ? rejectValue(`"${value}" is neither a number nor an ISO 8601 date`)
    : { date: true, value: ms };
}

/** The fact as a number comparable with the bound, or NaN. */
function comparable(actual: unknown, bound: Bound): number {
  if (!bound.date) return typeof actual === 'number' ? actual : Number.NaN;
  return actual === null || typeof actual === 'boolean' ? Number.NaN : toEpochMs(actual);
}

function ordered(name: string, holds: (a: number, b: number) => boolean) {
  return defineOperator<number | string, Bound>({
    name,
    value: orderable,
    prepare: prepareBound,
    test: (actual, bound) => holds(comparable(actual, bound), bound.value),
    compile: (get, bound) => {
      const b = bound.value;
      if (bound.date) return (root) => holds(comparable(get(root), bound), b);
      // The common numeric case, fused: NaN comparisons are false, so no type check is needed
      // beyond excluding non-numbers.
      return (root) => {
        const a = get(root);
        return typeof a === 'number' && holds(a, b);
      };
    },
  });
}

function isEqual(actual: unknown, expected: Primitive): boolean {
  if (actual === expected) return true;
  // Dates in facts equal the same instant written as an ISO string or epoch milliseconds.
  return actual instanceof Date && expected !== null && typeof expected !== 'boolean'
    ? actual.getTime() === toEpochMs(expected)
    : false;
}

/** A list prepared for membership tests: a Set once it is long enough to be worth hashing. */
type Members = { has(value: unknown): boolean };

function members(values: readonly Primitive[]): Members {
  if (values.length > 8) return new Set<unknown>(values);
  return { has: (v) => values.includes(v as Primitive) };
}

const inOperator = defineOperator<Primitive[], Members>({
  name: 'in',
  value: primitiveList,
  prepare: members,
  test: (actual, list) => list.has(actual),
  compile: (get, list) => (root) => list.has(get(root)),
});

function containsValue(actual: unknown, value: Primitive): boolean {
  if (Array.isArray(actual)) return actual.includes(value);
  return typeof actual === 'string' && typeof value === 'string' && actual.includes(value);
}

const durationValue = z.string().min(1);

interface RegexValue {
  pattern: string;
  flags?: string;
}

/** The operators every rule can use. */
export const builtInOperators: readonly OperatorDefinition<unknown, unknown>[] = [
  defineOperator<Primitive>({
    name: 'equal',
    value: primitive,
    test: isEqual,
    compile: (get, expected) => (root) => {
      const a = get(root);
      return a === expected || isEqual(a, expected);
    },
  }),
  defineOperator<Primitive>({
    name: 'notEqual',
    value: primitive,
    test: (actual, expected) => !isEqual(actual, expected),
    compile: (get, expected) => (root) => {
      const a = get(root);
      return a !== expected && !isEqual(a, expected);
    },
  }),
  ordered('lessThan', (a, b) => a < b),
  ordered('lessThanInclusive', (a, b) => a <= b),
  ordered('greaterThan', (a, b) => a > b),
  ordered('greaterThanInclusive', (a, b) => a >= b),
  inOperator,
  defineOperator<Primitive[], Members>({
    name: 'notIn',
    value: primitiveList,
    prepare: members,
    test: (actual, list) => !list.has(actual),
    compile: (get, list) => (root) => !list.has(get(root)),
  }),
  defineOperator<Primitive>({
    name: 'contains',
    value: primitive,
    test: containsValue,
    compile: (get, value) => (root) => containsValue(get(root), value),
  }),
  defineOperator<Primitive[], { list: Primitive[]; set: Members }>({
    name: 'containsAny',
    value: primitiveList.min(1),
    prepare: (list) => ({ list, set: members(list) }),
    test: (actual, { list, set }) => {
      if (Array.isArray(actual)) return actual.some((v) => set.has(v));
      if (typeof actual !== 'string') return false;
      return list.some((v) => typeof v === 'string' && actual.includes(v));
    },
  }),
  defineOperator<string>({
    name: 'startsWith',
    value: z.string(),
    test: (actual, prefix) => typeof actual === 'string' && actual.startsWith(prefix),
  }),
  defineOperator<string | RegexValue, RegExp>({
    name: 'matches',
    value: z.union([
      z.string().min(1),
      z
        .object({
          pattern: z.string().min(1),
          flags: z
            .string()
            .regex(/^[imsu]*$/, 'flags may only be i, m, s and u (g and y keep state between tests)')
            .optional(),
        })
        .strict(),
    ]),
    acceptsRef: false,
    prepare: (value) => {
      const { pattern, flags = '' } = typeof value === 'string' ? { pattern: value } : value;
      let regex: RegExp;
      try {
        regex = new RegExp(pattern, flags);
      } catch (error) {
        return rejectValue(`the pattern does not compile: ${(error as Error).message}`);
      }
      const verdict = checkRegex(pattern, flags);
      if (!verdict.safe)
        return rejectValue(`the pattern is open to catastrophic backtracking: ${verdict.reason}`);
      return regex;
    },
    test: (actual, regex) => typeof actual === 'string' && regex.test(actual),
  }),
  defineOperator<boolean | undefined, boolean>({
    name: 'exists',
    value: z.boolean().optional(),
    acceptsRef: false,
    prepare: (value) => value ?? true,
    test: (actual, expected) => (actual !== undefined && actual !== null) === expected,
  }),
  defineOperator<[number | string, number | string], [Bound, Bound]>({
    name: 'between',
    value: z.tuple([orderable, orderable]),
    prepare: ([low, high]) => {
      const a = prepareBound(low);
      const b = prepareBound(high);
      if (a instanceof ValueRejection) return a;
      if (b instanceof ValueRejection) return b;
      if (a.date !== b.date) return rejectValue('both bounds must be numbers, or both dates');
      if (a.value > b.value) return rejectValue('the lower bound comes first: [low, high]');
      return [a, b];
    },
    test: (actual, [low, high]) => {
      const a = comparable(actual, low);
      return a >= low.value && a <= high.value;
    },
  }),
  defineOperator<string, (now: number) => number>({
    name: 'withinLast',
    value: durationValue,
    acceptsRef: false,
    prepare: (text, { timeZone }) => {
      const duration = parseDuration(text, timeZone);
      return typeof duration === 'string' ? rejectValue(duration) : (now) => duration.before(now);
    },
    test: (actual, cutoff, now) => {
      if (actual === null || actual === undefined || typeof actual === 'boolean') return false;
      const at = toEpochMs(actual);
      return at >= cutoff(now) && at <= now;
    },
  }),
];
