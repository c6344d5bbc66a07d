import type { z } from 'zod';
import { RapportError, toJsonPath, type ValidationIssue } from '../errors/rapport-error.js';
import { type PreparedAction, prepareAction } from './actions.js';
import { generateMatcher, type Matcher } from './codegen.js';
import {
  type CompileProblem,
  type ConditionExplanation,
  compileCondition,
  type Evaluator,
  type HistoryItem,
} from './conditions.js';
import { type ParsedDuration, parseDuration } from './duration.js';
import type { ActionDefinition, RuleExtension } from './extension.js';
import { builtInOperators, type OperatorDefinition } from './operators.js';
import {
  type Rule,
  type RuleAction,
  ruleFileSchema,
  ruleHints,
  ruleInputSchema,
  type Trigger,
} from './schema.js';

/** How a compiled rule is triggered. */
export type CompiledTrigger =
  | { kind: 'event'; key: string }
  | {
      kind: 'timer';
      /** The event that starts (or, `per` customer/conversation, restarts) the timer. */
      key: string;
      delay: ParsedDuration;
      per: 'occurrence' | 'customer' | 'conversation';
      /** Only inbound interactions restart it (`inactiveFor`). */
      inboundOnly: boolean;
    };

/** A rule compiled into closures. */
export interface CompiledRule {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly priority: number;
  readonly stopProcessing: boolean;
  readonly enabled: boolean;
  readonly trigger: CompiledTrigger;
  /** The rule as validated, with defaults filled in. */
  readonly definition: Rule;
  readonly actions: readonly PreparedAction[];
  /** Longest history window its aggregates need, in ms (Infinity: all); -1 when none. */
  readonly historyMs: number;
  /** True when the conditions hold for `facts` at `now` with the customer's `history`. */
  readonly test: Evaluator;
  /** @internal */
  readonly explainConditions: (facts: unknown, now: number, history: unknown) => ConditionExplanation;
}

/** Result of {@link RuleSet.explain}. */
export interface RuleExplanation {
  ruleId: string;
  version: number;
  name: string;
  enabled: boolean;
  trigger: string;
  /** True when the conditions hold (an enabled rule with this trigger would fire). */
  passed: boolean;
  conditions: ConditionExplanation;
  actions: string[];
}

/** Options of {@link compileRules}. */
export interface CompileRulesOptions {
  /** Plugins adding operators and actions. */
  extensions?: readonly RuleExtension[];
}

/** Options of explain and match calls. */
export interface EvaluationOptions {
  /** Evaluation time (default: now). Backtests pass the time of the replayed event. */
  now?: Date | number;
  /** The customer's past interactions, for aggregates (any order). */
  history?: readonly HistoryItem[];
}

const EMPTY: readonly CompiledRule[] = Object.freeze([]);

function triggerOf(
  trigger: Trigger,
  path: Array<string | number>,
  problems: CompileProblem[],
): CompiledTrigger | null {
  if ('inactiveFor' in trigger) {
    const delay = parseDuration(trigger.inactiveFor);
    if (typeof delay === 'string') {
      problems.push({ path: [...path, 'inactiveFor'], message: delay });
      return null;
    }
    return { kind: 'timer', key: 'interaction.received', delay, per: 'customer', inboundOnly: true };
  }
  let key: string = trigger.event;
  if (trigger.event === 'custom') {
    if (!trigger.name) {
      problems.push({
        path: [...path, 'name'],
        message: 'a custom trigger needs the `name` its `emit` action uses',
      });
      return null;
    }
    key = `custom:${trigger.name}`;
  } else if (trigger.name !== undefined) {
    problems.push({
      path: [...path, 'name'],
      message: '`name` is only for `custom` events',
      hint: 'remove `name`',
    });
  }
  if (trigger.after === undefined) {
    if (trigger.per !== undefined) {
      problems.push({
        path: [...path, 'per'],
        message: '`per` needs `after`',
        hint: 'add `after`, e.g. "30m"',
      });
    }
    return { kind: 'event', key };
  }
  const delay = parseDuration(trigger.after);
  if (typeof delay === 'string') {
    problems.push({ path: [...path, 'after'], message: delay });
    return null;
  }
  return { kind: 'timer', key, delay, per: trigger.per ?? 'occurrence', inboundOnly: false };
}

function toIssue(problem: CompileProblem): ValidationIssue {
  return {
    path: problem.path,
    jsonPath: toJsonPath(problem.path),
    message: problem.message,
    hint: problem.hint ?? 'Fix the rule at this path; docs/rules.md describes the format.',
  };
}

function zodProblems(error: z.ZodError, prefix: Array<string | number>): CompileProblem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...(issue.path as Array<string | number>)];
    const field = issue.path.filter((p) => typeof p === 'string')[0];
    const hint = field ? ruleHints[field as keyof typeof ruleHints] : undefined;
    // A union failing on a condition says little; name the shapes that are allowed.
    const message =
      issue.code === 'invalid_union' && path.includes('conditions')
        ? 'is not a condition'
        : issue.code === 'invalid_union' && path.includes('trigger')
          ? 'is not a trigger'
          : issue.message;
    return { path, message, hint };
  });
}

/** Operators and actions available to a rule set: the built-ins plus every extension's. */
function registries(extensions: readonly RuleExtension[]) {
  const operators = new Map<string, OperatorDefinition<unknown, unknown>>();
  for (const op of builtInOperators) operators.set(op.name, op);
  const actions = new Map<string, ActionDefinition<unknown>>();
  const problems: CompileProblem[] = [];
  extensions.forEach((extension, i) => {
    for (const op of extension.operators ?? []) {
      if (operators.has(op.name)) {
        problems.push({
          path: ['extensions', i, 'operators', op.name],
          message: `operator "${op.name}" is already defined`,
        });
      } else operators.set(op.name, op);
    }
    for (const action of extension.actions ?? []) {
      if (actions.has(action.type) || action.type in ruleHints) {
        problems.push({
          path: ['extensions', i, 'actions', action.type],
          message: `action "${action.type}" is already defined`,
        });
      } else actions.set(action.type, action);
    }
  });
  return { operators, actions, problems };
}

/** Compiles one parsed rule; problems go to `problems` with paths prefixed by `at`. */
function compileOne(
  rule: Rule,
  at: Array<string | number>,
  reg: ReturnType<typeof registries>,
  problems: CompileProblem[],
): CompiledRule | null {
  const before = problems.length;
  const trigger = triggerOf(rule.trigger, [...at, 'trigger'], problems);
  const condition = compileCondition(rule.conditions, [...at, 'conditions'], reg.operators, problems);
  const actions: PreparedAction[] = [];
  rule.actions.forEach((action, i) => {
    const prepared = prepareAction(
      action as RuleAction & Record<string, unknown>,
      i,
      [...at, 'actions', i],
      reg.actions,
      problems,
    );
    if (prepared) actions.push(prepared);
  });
  if (problems.length > before || !trigger) return null;
  return {
    id: rule.id,
    name: rule.name,
    version: rule.version,
    priority: rule.priority,
    stopProcessing: rule.stopProcessing,
    enabled: rule.enabled,
    trigger,
    definition: rule,
    actions,
    historyMs: condition.historyMs,
    test: condition.test,
    explainConditions: condition.explain,
  };
}

/** Outcome of {@link validateRules}: the compiled set, or every problem found. */
export type RuleValidation = { ok: true; ruleSet: RuleSet } | { ok: false; issues: ValidationIssue[] };

/**
 * Validates and compiles rules without throwing: every problem of every rule is reported, each
 * with its JSON path (`$[2].conditions.all[0].operator`) and a hint.
 */
export function validateRules(input: unknown, options: CompileRulesOptions = {}): RuleValidation {
  const problems: CompileProblem[] = [];
  const file = ruleFileSchema.safeParse(input);
  if (!file.success) {
    return {
      ok: false,
      issues: [
        toIssue({
          path: [],
          message: 'a rule file is an array of rules or an object with a `rules` array',
          hint: 'write `[{ "id": …, "trigger": …, "actions": […] }]`',
        }),
      ],
    };
  }
  const list = Array.isArray(file.data) ? file.data : file.data.rules;
  const prefix: Array<string | number> = Array.isArray(file.data) ? [] : ['rules'];
  const reg = registries(options.extensions ?? []);
  problems.push(...reg.problems);
  const compiled: CompiledRule[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw, i) => {
    const at = [...prefix, i];
    const parsed = ruleInputSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, at));
      return;
    }
    const rule = parsed.data as Rule;
    const first = seen.get(rule.id);
    if (first !== undefined) {
      problems.push({
        path: [...at, 'id'],
        message: `duplicate rule id "${rule.id}" (also at ${toJsonPath([...prefix, first])})`,
        hint: 'give every rule its own id; bump `version` to change a rule',
      });
      return;
    }
    seen.set(rule.id, i);
    const one = compileOne(rule, at, reg, problems);
    if (one) compiled.push(one);
  });
  if (problems.length > 0) return { ok: false, issues: problems.map(toIssue) };
  return { ok: true, ruleSet: new RuleSet(compiled, reg.operators) };
}

/**
 * Validates and compiles rules (an array, or `{ rules: [...] }`) into a {@link RuleSet}. Throws
 * `RAPPORT_INVALID_RULE` listing every problem, the first one's path and hint on the error itself.
 *
 * @example
 * ```ts
 * const rules = compileRules([{ id: 'vip', name: 'Tag VIPs', trigger: { event: 'interaction.received' },
 *   conditions: { path: 'customer.attributes.tier', operator: 'equal', value: 'enterprise' },
 *   actions: [{ type: 'tag', tag: 'vip' }] }]);
 * rules.match('interaction.received', facts).map((r) => r.id);
 * ```
 */
export function compileRules(input: unknown, options: CompileRulesOptions = {}): RuleSet {
  const result = validateRules(input, options);
  if (result.ok) return result.ruleSet;
  const first = result.issues[0]!;
  const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : '';
  throw new RapportError(
    'RAPPORT_INVALID_RULE',
    `Invalid rule at ${first.jsonPath}: ${first.message}${more}`,
    {
      path: first.path,
      hint: first.hint,
      issues: result.issues,
    },
  );
}

/**
 * A trigger in one line, for people: `interaction.received`, `custom:vip.complaint`,
 * `case.opened after 30m`, `interaction.received after 2h per customer`, `inactiveFor 90d`.
 */
export function describeTrigger(trigger: Trigger): string {
  if ('inactiveFor' in trigger) return `inactiveFor ${trigger.inactiveFor}`;
  let out = trigger.event === 'custom' ? `custom:${trigger.name ?? '?'}` : trigger.event;
  if (trigger.after !== undefined) out += ` after ${trigger.after}`;
  if (trigger.per !== undefined && trigger.per !== 'occurrence') out += ` per ${trigger.per}`;
  return out;
}

function byPriority(a: CompiledRule, b: CompiledRule): number {
  return b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function closureMatch(
  list: readonly CompiledRule[],
  facts: unknown,
  now: number,
  history: unknown,
): readonly CompiledRule[] {
  let fired: CompiledRule[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const rule = list[i]!;
    if (rule.test(facts, now, history)) {
      if (fired === undefined) fired = [];
      fired.push(rule);
      if (rule.stopProcessing) break;
    }
  }
  return fired ?? EMPTY;
}

function toMs(now: Date | number | undefined): number {
  return now === undefined ? Date.now() : typeof now === 'number' ? now : now.getTime();
}

/**
 * Compiled rules, indexed by trigger. Rules run highest priority first (then by id), so the
 * outcome never depends on the order they were written in.
 */
export class RuleSet {
  /** Every rule, in evaluation order. */
  readonly rules: readonly CompiledRule[];
  private readonly byEvent = new Map<string, CompiledRule[]>();
  private readonly timersByEvent = new Map<string, CompiledRule[]>();
  private readonly byId = new Map<string, CompiledRule>();

  private readonly matchers = new Map<string, Matcher>();

  /**
   * @param rules - compiled rules (see {@link compileRules}, which builds rule sets).
   * @param operators - the operators they were compiled with, for the generated matchers.
   * @param generate - generate one matcher function per trigger (default); false keeps the
   *   closures, for environments that forbid `new Function`, and for comparing the two.
   */
  constructor(
    rules: readonly CompiledRule[],
    private readonly operators: ReadonlyMap<string, OperatorDefinition<unknown, unknown>> = new Map(),
    private readonly generate = true,
  ) {
    this.rules = [...rules].sort(byPriority);
    for (const rule of this.rules) {
      this.byId.set(rule.id, rule);
      if (!rule.enabled) continue;
      const index = rule.trigger.kind === 'event' ? this.byEvent : this.timersByEvent;
      const list = index.get(rule.trigger.key) ?? [];
      list.push(rule);
      index.set(rule.trigger.key, list);
    }
  }

  /**
   * The enabled event rules for `event` whose conditions hold, in priority order, stopping after
   * a rule with `stopProcessing`. `now` is epoch ms (default: the wall clock).
   */
  match(
    event: string,
    facts: unknown,
    now?: number,
    history?: readonly HistoryItem[],
  ): readonly CompiledRule[] {
    const matcher = this.matchers.get(event) ?? this.matcherFor(event);
    return matcher(facts, now ?? Date.now(), history);
  }

  /** Builds (once) the matcher of an event: generated code, or the closures as a fallback. */
  private matcherFor(event: string): Matcher {
    const list = this.byEvent.get(event) ?? EMPTY;
    let matcher: Matcher | null = null;
    if (list.length === 0) matcher = () => EMPTY;
    else if (this.generate) {
      try {
        matcher = generateMatcher(list, this.operators);
      } catch {
        // `new Function` can be forbidden (a content security policy); the closures do the same work.
        matcher = null;
      }
    }
    matcher ??= (facts, now, history) => closureMatch(list, facts, now, history);
    this.matchers.set(event, matcher);
    return matcher;
  }

  /** Like {@link match}, through the closures only: the reference the generated code is tested against. */
  matchWithClosures(
    event: string,
    facts: unknown,
    now: number,
    history?: readonly HistoryItem[],
  ): readonly CompiledRule[] {
    return closureMatch(this.byEvent.get(event) ?? EMPTY, facts, now, history);
  }

  /** Event rules for `event`, enabled, in priority order. */
  eventRules(event: string): readonly CompiledRule[] {
    return this.byEvent.get(event) ?? EMPTY;
  }

  /** Time-triggered rules whose timer `event` starts, enabled, in priority order. */
  timerRules(event: string): readonly CompiledRule[] {
    return this.timersByEvent.get(event) ?? EMPTY;
  }

  /** Events that some enabled rule listens to (directly or to start a timer). */
  get events(): string[] {
    return [...new Set([...this.byEvent.keys(), ...this.timersByEvent.keys()])];
  }

  /** A rule by id (enabled or not). */
  get(id: string): CompiledRule | undefined {
    return this.byId.get(id);
  }

  /** Longest history window the rules of `event` need (Infinity: all), or -1 when none. */
  historyMs(rules: readonly CompiledRule[]): number {
    let ms = -1;
    for (const rule of rules) if (rule.historyMs > ms) ms = rule.historyMs;
    return ms;
  }

  /**
   * Explains a rule against facts: every condition with the value it saw and whether it passed.
   * Unlike `match`, nothing short-circuits, so the whole tree is shown.
   */
  explain(ruleId: string, facts: unknown, options: EvaluationOptions = {}): RuleExplanation {
    const rule = this.byId.get(ruleId);
    if (!rule) {
      throw new RapportError('RAPPORT_NOT_FOUND', `No rule "${ruleId}" in this rule set`, {
        hint: `use one of: ${[...this.byId.keys()].join(', ')}`,
      });
    }
    const conditions = rule.explainConditions(facts, toMs(options.now), options.history);
    return {
      ruleId: rule.id,
      version: rule.version,
      name: rule.name,
      enabled: rule.enabled,
      trigger:
        rule.trigger.kind === 'event'
          ? rule.trigger.key
          : `timer:${rule.trigger.key}+${rule.trigger.delay.source}`,
      passed: conditions.passed,
      conditions,
      actions: rule.actions.map((a) => a.type),
    };
  }
}

/**
 * Explains one rule against facts, compiling it on the way (see {@link RuleSet.explain}).
 * Throws `RAPPORT_INVALID_RULE` if the rule does not compile.
 */
export function explain(
  rule: unknown,
  facts: unknown,
  options: EvaluationOptions & CompileRulesOptions = {},
): RuleExplanation {
  const set = compileRules([rule], options);
  return set.explain(set.rules[0]!.id, facts, options);
}
