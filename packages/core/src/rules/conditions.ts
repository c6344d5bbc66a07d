import type { ErrorPath } from '../errors/rapport-error.js';
import { parseDuration, toEpochMs } from './duration.js';
import type { OperatorDefinition } from './operators.js';
import { ValueRejection } from './operators.js';
import { checkPath, compilePath, type Getter } from './paths.js';
import type { AggregateCondition, Condition, FactCondition } from './schema.js';

/**
 * A compiled condition. `root` is the facts object (or, inside an aggregate's `where`, one past
 * interaction); `aux` is the history (or, inside `where`, the facts that `ref` values read).
 * Three positional arguments and no context object, so evaluating allocates nothing.
 */
export type Evaluator = (root: unknown, now: number, aux: unknown) => boolean;

/** One past interaction as aggregates see it: anything with an `occurredAt`. */
export interface HistoryItem {
  readonly occurredAt: Date | number | string;
}

/** How one condition of a rule came out, with the values it saw. */
export interface ConditionExplanation {
  type: 'all' | 'any' | 'not' | 'fact' | 'aggregate';
  passed: boolean;
  /** Where the condition is in the rule, e.g. `$.conditions.all[1]`. */
  at: string;
  path?: string;
  operator?: string;
  /** The value compared with (for a `ref`, the value read). */
  expected?: unknown;
  /** The fact value seen (for an aggregate, its result). */
  actual?: unknown;
  aggregate?: { fn: string; within?: string; matched: number };
  children?: ConditionExplanation[];
}

type Explainer = (root: unknown, now: number, aux: unknown) => ConditionExplanation;

/** A condition compiled for evaluation and for explanation, sharing the same tests. */
export interface CompiledCondition {
  test: Evaluator;
  explain: Explainer;
  /** Longest aggregate window in ms (Infinity for all history); -1 when no aggregate is used. */
  historyMs: number;
}

/** A problem found while compiling, with its path inside the rule. */
export interface CompileProblem {
  path: ErrorPath;
  message: string;
  hint?: string;
}

interface CompileContext {
  operators: ReadonlyMap<string, OperatorDefinition<unknown, unknown>>;
  problems: CompileProblem[];
  /** `facts`: paths read the facts; `item`: paths read one past interaction (inside `where`). */
  scope: 'facts' | 'item';
}

const UNUSABLE: CompiledCondition = {
  test: () => true,
  explain: () => ({ type: 'all', passed: true, at: '$' }),
  historyMs: -1,
};

function jsonPathOf(path: ErrorPath): string {
  let out = '$';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : `.${s}`;
  return out;
}

function isRef(value: unknown): value is { ref: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { ref?: unknown }).ref === 'string'
  );
}

/** Combines children with `&&` or `||`, unrolled for the short lists rules mostly have. */
function combine(children: Evaluator[], all: boolean): Evaluator {
  const [a, b, c, d] = children;
  if (all) {
    switch (children.length) {
      case 0:
        return () => true;
      case 1:
        return a!;
      case 2:
        return (r, n, x) => a!(r, n, x) && b!(r, n, x);
      case 3:
        return (r, n, x) => a!(r, n, x) && b!(r, n, x) && c!(r, n, x);
      case 4:
        return (r, n, x) => a!(r, n, x) && b!(r, n, x) && c!(r, n, x) && d!(r, n, x);
      default:
        return (r, n, x) => {
          for (let i = 0; i < children.length; i++) if (!children[i]!(r, n, x)) return false;
          return true;
        };
    }
  }
  switch (children.length) {
    case 0:
      return () => false;
    case 1:
      return a!;
    case 2:
      return (r, n, x) => a!(r, n, x) || b!(r, n, x);
    case 3:
      return (r, n, x) => a!(r, n, x) || b!(r, n, x) || c!(r, n, x);
    case 4:
      return (r, n, x) => a!(r, n, x) || b!(r, n, x) || c!(r, n, x) || d!(r, n, x);
    default:
      return (r, n, x) => {
        for (let i = 0; i < children.length; i++) if (children[i]!(r, n, x)) return true;
        return false;
      };
  }
}

/**
 * Resolves an operator and its value: literal values are checked and prepared once; `ref` values
 * are read from the facts and prepared at each evaluation.
 */
function prepareComparison(
  operatorName: string,
  value: unknown,
  timeZone: string | undefined,
  path: ErrorPath,
  ctx: CompileContext,
): { op: OperatorDefinition<unknown, unknown>; expected: unknown; ref: Getter | null } | null {
  const op = ctx.operators.get(operatorName);
  if (!op) {
    ctx.problems.push({
      path: [...path, 'operator'],
      message: `unknown operator "${operatorName}"`,
      hint: `use one of: ${[...ctx.operators.keys()].join(', ')}`,
    });
    return null;
  }
  if (isRef(value)) {
    if (op.acceptsRef === false) {
      ctx.problems.push({
        path: [...path, 'value'],
        message: `"${operatorName}" takes a literal value, not a ref`,
      });
      return null;
    }
    const bad = checkPath(value.ref);
    if (bad) {
      ctx.problems.push({ path: [...path, 'value', 'ref'], message: bad });
      return null;
    }
    return { op, expected: undefined, ref: compilePath(value.ref) };
  }
  const parsed = op.value.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    ctx.problems.push({
      path: [...path, 'value', ...((issue?.path ?? []) as Array<string | number>)],
      message: `invalid value for "${operatorName}": ${issue?.message ?? 'rejected'}`,
      hint: value === undefined ? `give \`value\` for "${operatorName}"` : undefined,
    });
    return null;
  }
  const expected = op.prepare ? op.prepare(parsed.data, { timeZone }) : parsed.data;
  if (expected instanceof ValueRejection) {
    ctx.problems.push({ path: [...path, 'value'], message: expected.message });
    return null;
  }
  return { op, expected, ref: null };
}

/** Marks a ref whose value the operator cannot take: the comparison is then false. */
const NO_VALUE = Symbol('no value');

/**
 * A value read through a ref, checked and prepared as a literal would be at load time: a ref to
 * an object where a number is expected makes the comparison false instead of throwing.
 */
function refValue(op: OperatorDefinition<unknown, unknown>, raw: unknown): unknown {
  const parsed = op.value.safeParse(raw);
  if (!parsed.success) return NO_VALUE;
  const value = op.prepare ? op.prepare(parsed.data, {}) : parsed.data;
  return value instanceof ValueRejection ? NO_VALUE : value;
}

/** Builds the test of one comparison: fused when the operator can, generic otherwise. */
function comparisonTest(
  getter: Getter,
  cmp: { op: OperatorDefinition<unknown, unknown>; expected: unknown; ref: Getter | null },
  refFromAux: boolean,
): Evaluator {
  const { op, expected, ref } = cmp;
  if (ref) {
    return (root, now, aux) => {
      const value = refValue(op, ref(refFromAux ? aux : root));
      return value !== NO_VALUE && op.test(getter(root), value, now);
    };
  }
  if (op.compile) return op.compile(getter, expected);
  return (root, now) => op.test(getter(root), expected, now);
}

function compileFact(node: FactCondition, path: ErrorPath, ctx: CompileContext): CompiledCondition {
  const bad = checkPath(node.path);
  if (bad) ctx.problems.push({ path: [...path, 'path'], message: bad });
  const cmp = prepareComparison(node.operator, node.value, node.timeZone, path, ctx);
  if (bad || !cmp) return UNUSABLE;
  const getter = compilePath(node.path);
  const refFromAux = ctx.scope === 'item';
  const test = comparisonTest(getter, cmp, refFromAux);
  const at = jsonPathOf(path);
  return {
    test,
    historyMs: -1,
    explain: (root, now, aux) => ({
      type: 'fact',
      passed: test(root, now, aux),
      at,
      path: node.path,
      operator: node.operator,
      expected: cmp.ref ? cmp.ref(refFromAux ? aux : root) : node.value,
      actual: getter(root),
    }),
  };
}

type Aggregator = (
  root: unknown,
  now: number,
  history: unknown,
) => { value: number | undefined; matched: number };

function compileAggregate(node: AggregateCondition, path: ErrorPath, ctx: CompileContext): CompiledCondition {
  const { fn, within, where } = node.aggregate;
  const aggPath = [...path, 'aggregate'];
  if (ctx.scope === 'item') {
    ctx.problems.push({ path, message: 'aggregates cannot be nested inside an aggregate’s `where`' });
    return UNUSABLE;
  }
  let windowMs = Number.POSITIVE_INFINITY;
  let cutoffOf: (now: number) => number = () => Number.NEGATIVE_INFINITY;
  if (within !== undefined) {
    const duration = parseDuration(within);
    if (typeof duration === 'string') {
      ctx.problems.push({ path: [...aggPath, 'within'], message: duration });
    } else {
      windowMs = duration.fixedMs ?? Number.POSITIVE_INFINITY;
      cutoffOf = (now) => duration.before(now);
    }
  }
  let numberOf: Getter | null = null;
  if (fn === 'count') {
    if (node.aggregate.path !== undefined) {
      ctx.problems.push({
        path: [...aggPath, 'path'],
        message: '`count` takes no path',
        hint: 'remove `path`',
      });
    }
  } else if (node.aggregate.path === undefined) {
    ctx.problems.push({
      path: [...aggPath, 'path'],
      message: `\`${fn}\` needs the numeric path it aggregates`,
    });
  } else {
    const bad = checkPath(node.aggregate.path);
    if (bad) ctx.problems.push({ path: [...aggPath, 'path'], message: bad });
    else numberOf = compilePath(node.aggregate.path);
  }
  const filter = where ? compileNode(where, [...aggPath, 'where'], { ...ctx, scope: 'item' }).test : null;
  const cmp = prepareComparison(node.operator, node.value, undefined, path, ctx);
  if (!cmp) return UNUSABLE;

  const aggregate: Aggregator = (root, now, history) => {
    const items = Array.isArray(history) ? (history as HistoryItem[]) : [];
    const cutoff = cutoffOf(now);
    let matched = 0;
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let numbers = 0;
    for (const item of items) {
      const at = toEpochMs(item.occurredAt);
      if (!(at >= cutoff && at <= now)) continue;
      if (filter && !filter(item, now, root)) continue;
      matched++;
      if (numberOf) {
        const v = numberOf(item);
        if (typeof v === 'number' && Number.isFinite(v)) {
          numbers++;
          sum += v;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
    }
    let value: number | undefined;
    if (fn === 'count') value = matched;
    else if (numbers === 0) value = fn === 'sum' ? 0 : undefined;
    else value = fn === 'sum' ? sum : fn === 'avg' ? sum / numbers : fn === 'min' ? min : max;
    return { value, matched };
  };
  const evaluate: Evaluator = (root, now, history) => {
    const { value } = aggregate(root, now, history);
    if (cmp.ref) {
      const prepared = refValue(cmp.op, cmp.ref(root));
      return prepared !== NO_VALUE && cmp.op.test(value, prepared, now);
    }
    return cmp.op.test(value, cmp.expected, now);
  };
  const at = jsonPathOf(path);
  return {
    test: evaluate,
    historyMs: windowMs,
    explain: (root, now, history) => {
      const { value, matched } = aggregate(root, now, history);
      return {
        type: 'aggregate',
        passed: evaluate(root, now, history),
        at,
        operator: node.operator,
        expected: cmp.ref ? cmp.ref(root) : node.value,
        actual: value,
        aggregate: { fn, ...(within === undefined ? {} : { within }), matched },
      };
    },
  };
}

function compileNode(node: Condition, path: ErrorPath, ctx: CompileContext): CompiledCondition {
  if ('all' in node || 'any' in node) {
    const all = 'all' in node;
    const list = all ? node.all : node.any;
    const key = all ? 'all' : 'any';
    const children = list.map((child, i) => compileNode(child, [...path, key, i], ctx));
    const test = combine(
      children.map((c) => c.test),
      all,
    );
    const at = jsonPathOf(path);
    return {
      test,
      historyMs: Math.max(-1, ...children.map((c) => c.historyMs)),
      explain: (root, now, aux) => {
        // Every child is explained, not only up to the first decisive one: the reader wants the full picture.
        const explained = children.map((c) => c.explain(root, now, aux));
        return {
          type: key,
          passed: all ? explained.every((c) => c.passed) : explained.some((c) => c.passed),
          at,
          children: explained,
        };
      },
    };
  }
  if ('not' in node) {
    const child = compileNode(node.not, [...path, 'not'], ctx);
    const inner = child.test;
    const at = jsonPathOf(path);
    return {
      test: (root, now, aux) => !inner(root, now, aux),
      historyMs: child.historyMs,
      explain: (root, now, aux) => {
        const explained = child.explain(root, now, aux);
        return { type: 'not', passed: !explained.passed, at, children: [explained] };
      },
    };
  }
  if ('aggregate' in node) return compileAggregate(node, path, ctx);
  return compileFact(node, path, ctx);
}

/**
 * Compiles a condition tree into closures. Problems (unknown operators, bad values, unsafe
 * regexes, bad durations) are appended to `problems` with their path; the result is then unusable.
 */
export function compileCondition(
  node: Condition,
  path: ErrorPath,
  operators: ReadonlyMap<string, OperatorDefinition<unknown, unknown>>,
  problems: CompileProblem[],
): CompiledCondition {
  return compileNode(node, path, { operators, problems, scope: 'facts' });
}
