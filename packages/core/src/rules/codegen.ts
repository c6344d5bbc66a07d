import { compileCondition, type Evaluator } from './conditions.js';
import { toEpochMs } from './duration.js';
import type { OperatorDefinition } from './operators.js';
import { ValueRejection } from './operators.js';
import type { CompiledRule } from './rule-set.js';
import type { Condition, FactCondition } from './schema.js';

/** A generated matcher: the rules of one trigger that fire on `facts`, in priority order. */
export type Matcher = (facts: unknown, now: number, history: unknown) => readonly CompiledRule[];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Property access in generated source: `.name` when it is an identifier, else a quoted key. */
function access(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** A literal in generated source; only strings, finite numbers, booleans and null get here. */
function literal(value: string | number | boolean | null): string {
  return typeof value === 'number' ? `(${JSON.stringify(value)})` : JSON.stringify(value);
}

function isRef(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'ref' in value;
}

type Primitive = string | number | boolean | null;
const isPrimitive = (v: unknown): v is Primitive =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v));

const ORDERED: Record<string, string> = {
  lessThan: '<',
  lessThanInclusive: '<=',
  greaterThan: '>',
  greaterThanInclusive: '>=',
};

/**
 * Writes the rules of one trigger as one JavaScript function, as a developer would by hand: each
 * fact path is read once into a local through named property accesses, and each rule is an `if`
 * over inlined comparisons. The V8 inline caches of named accesses are what make this several
 * times faster than a tree of closures sharing one keyed access.
 *
 * Nothing from a rule is pasted into the source but property names (quoted unless they are plain
 * identifiers) and JSON literals; everything else (sets, regexes, closures for aggregates, refs
 * and plugin operators) is passed in as constants. Semantics are those of the closures in
 * `conditions.ts`, which remain the reference (explain uses them; tests compare both).
 */
export function generateMatcher(
  rules: readonly CompiledRule[],
  operators: ReadonlyMap<string, OperatorDefinition<unknown, unknown>>,
): Matcher {
  const constants: unknown[] = [];
  const paths = new Map<string, string>();
  const constant = (value: unknown) => {
    constants.push(value);
    return `K[${constants.length - 1}]`;
  };
  const fallback = (node: Condition): string => {
    const closure: Evaluator = compileCondition(node, [], operators, []).test;
    return `${constant(closure)}(f, now, h)`;
  };
  const pathVar = (path: string): string => {
    let name = paths.get(path);
    if (name === undefined) {
      name = `v${paths.size}`;
      paths.set(path, name);
    }
    return name;
  };

  const leaf = (node: FactCondition): string => {
    const { operator, value } = node;
    if (isRef(value) || node.timeZone !== undefined) return fallback(node);
    const v = pathVar(node.path);
    switch (operator) {
      case 'equal':
      case 'notEqual': {
        if (!isPrimitive(value)) return fallback(node);
        const ms = value === null || typeof value === 'boolean' ? Number.NaN : toEpochMs(value);
        const test = Number.isNaN(ms)
          ? `${v} === ${literal(value)}`
          : `(${v} === ${literal(value)} || (${v} instanceof Date && ${v}.getTime() === ${ms}))`;
        return operator === 'equal' ? `(${test})` : `!(${test})`;
      }
      case 'lessThan':
      case 'lessThanInclusive':
      case 'greaterThan':
      case 'greaterThanInclusive':
        if (typeof value !== 'number' || !Number.isFinite(value)) return fallback(node);
        return `(typeof ${v} === 'number' && ${v} ${ORDERED[operator]} ${literal(value)})`;
      case 'in':
      case 'notIn': {
        const op = operators.get(operator)!;
        const parsed = op.value.safeParse(value);
        const prepared = parsed.success && op.prepare ? op.prepare(parsed.data, {}) : undefined;
        if (!prepared || prepared instanceof ValueRejection) return fallback(node);
        return `${operator === 'in' ? '' : '!'}${constant(prepared)}.has(${v})`;
      }
      case 'contains':
        if (!isPrimitive(value)) return fallback(node);
        return `(Array.isArray(${v}) ? ${v}.includes(${literal(value)}) : ${
          typeof value === 'string' ? `typeof ${v} === 'string' && ${v}.includes(${literal(value)})` : 'false'
        })`;
      case 'startsWith':
        if (typeof value !== 'string') return fallback(node);
        return `(typeof ${v} === 'string' && ${v}.startsWith(${literal(value)}))`;
      case 'exists':
        if (value !== undefined && typeof value !== 'boolean') return fallback(node);
        return value === false
          ? `(${v} === undefined || ${v} === null)`
          : `(${v} !== undefined && ${v} !== null)`;
      default:
        return fallback(node);
    }
  };

  const expression = (node: Condition): string => {
    if ('all' in node) return node.all.length === 0 ? 'true' : `(${node.all.map(expression).join(' && ')})`;
    if ('any' in node) return node.any.length === 0 ? 'false' : `(${node.any.map(expression).join(' || ')})`;
    if ('not' in node) return `!(${expression(node.not)})`;
    if ('aggregate' in node) return fallback(node);
    return leaf(node);
  };

  const body: string[] = [];
  rules.forEach((rule, i) => {
    const stop = rule.stopProcessing ? ' return out;' : '';
    body.push(`if (${expression(rule.definition.conditions)}) { (out ??= []).push(R[${i}]);${stop} }`);
  });
  const reads: string[] = [];
  for (const [path, name] of paths) {
    const steps = path
      .split('.')
      .map((key) =>
        key === 'length'
          ? `o = o !== null && typeof o === 'object' ? o.length : typeof o === 'string' ? o.length : undefined;`
          : `o = o !== null && typeof o === 'object' ? o${access(key)} : undefined;`,
      );
    reads.push(`let ${name}; { let o = f; ${steps.join(' ')} ${name} = o; }`);
  }
  const source = `"use strict"; return function match(f, now, h) { let out; ${reads.join('\n')}\n${body.join('\n')}\nreturn out ?? E; };`;
  const factory = new Function('K', 'R', 'E', source) as (
    k: unknown[],
    r: readonly CompiledRule[],
    e: readonly CompiledRule[],
  ) => Matcher;
  return factory(constants, rules, EMPTY);
}

const EMPTY: readonly CompiledRule[] = Object.freeze([]);
