import type { Condition, RuleInput } from '@rapport/core';

/** A fact condition of json-rules-engine: `fact` and a JSONPath `path` into it. */
export interface JsonRulesEngineFactCondition {
  fact: string;
  /** JSONPath into the fact's value, such as `$.tags`; absent when the condition reads the whole fact. */
  path?: string;
  operator: string;
  value: unknown;
}

/** A condition tree of json-rules-engine (version 6 or later, which has `not`). */
export type JsonRulesEngineCondition =
  | { all: JsonRulesEngineCondition[] }
  | { any: JsonRulesEngineCondition[] }
  | { not: JsonRulesEngineCondition }
  | JsonRulesEngineFactCondition;

/** A json-rules-engine rule, as plain JSON: pass it to `engine.addRule`. */
export interface JsonRulesEngineRule {
  name: string;
  /** json-rules-engine runs higher priorities first, as Rapport does; it needs 1 or more. */
  priority: number;
  /** json-rules-engine needs `all`, `any` or `not` at the root. */
  conditions:
    | { all: JsonRulesEngineCondition[] }
    | { any: JsonRulesEngineCondition[] }
    | { not: JsonRulesEngineCondition };
  /** The event a firing emits: its `type` is the Rapport rule's id. */
  event: { type: string };
}

/**
 * Operators that json-rules-engine has under the same name and, on JSON facts, with the same
 * meaning as Rapport's: `equal` / `notEqual` are `===` / `!==`; `lessThan`,
 * `lessThanInclusive`, `greaterThan` and `greaterThanInclusive` compare numbers; `in` / `notIn`
 * ask whether the value (an array) includes the fact; `contains` asks whether the fact (an array)
 * includes the value.
 */
const OPERATORS = new Set([
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
]);
const NUMERIC = new Set(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);
const LISTS = new Set(['in', 'notIn']);

/** A path segment JSONPath can take after a dot; anything else is bracketed. */
const PLAIN_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Translates a Rapport rule into a json-rules-engine rule that fires on the same facts: the
 * first segment of a path names the fact (`customer.tags` becomes fact `customer`, path
 * `$.tags`), `all` / `any` / `not` keep their meaning, the event's type is the rule's id and the
 * priority is kept (json-rules-engine runs rules of equal priority in parallel, so only distinct
 * priorities give the same firing order). Run it with the facts' top-level objects as facts
 * (`engine.run({ interaction, customer })`) and `allowUndefinedFacts: true`.
 *
 * Both engines agree on JSON facts whose top-level values are objects. They differ where Rapport
 * is richer: Rapport's `contains` also finds a substring in a string fact, its comparisons also
 * take `Date` facts, and json-rules-engine compares numeric strings (`"12"`) as numbers where
 * Rapport does not.
 *
 * Throws an `Error` naming the rule and the JSON path of the part it cannot translate
 * faithfully: triggers with timers (`after`, `inactiveFor`), disabled rules, `stopProcessing`,
 * priorities below 1 (json-rules-engine rejects them, or silently runs 0 as 1), aggregates,
 * `timeZone`, references to facts as values (`{ "ref": … }`), object values with a `fact` key
 * (json-rules-engine would read them as references), an empty `any` (always true in
 * json-rules-engine, never in Rapport), operators without a json-rules-engine twin (`between`,
 * `matches`, `withinLast`, …), dates as bounds of comparisons, and `in` / `notIn` without an
 * array. It does not validate the rule otherwise: compile it with Rapport for that.
 */
export function toJsonRulesEngine(rule: RuleInput): JsonRulesEngineRule {
  const fail = (jsonPath: string, why: string): never => {
    throw new Error(`rule "${rule.id}" at ${jsonPath}: ${why}`);
  };
  if ('inactiveFor' in rule.trigger) fail('$.trigger', 'inactivity triggers have no json-rules-engine form');
  else if (rule.trigger.after !== undefined)
    fail('$.trigger.after', 'timer triggers have no json-rules-engine form');
  if (rule.enabled === false) fail('$.enabled', 'the rule is disabled: leave it out instead');
  if (rule.stopProcessing === true) {
    fail('$.stopProcessing', 'json-rules-engine can only stop from an event handler (engine.stop())');
  }
  const priority = rule.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 1) {
    fail('$.priority', `json-rules-engine needs a whole-number priority of 1 or more, not ${priority}`);
  }
  // `RuleInput` types conditions loosely (zod's input side of a recursive schema): they are read
  // as the `Condition` tree the format describes.
  const conditions = translate((rule.conditions ?? { all: [] }) as Condition, '$.conditions', fail);
  const root =
    'all' in conditions || 'any' in conditions || 'not' in conditions ? conditions : { all: [conditions] };
  return { name: rule.name, priority, conditions: root, event: { type: rule.id } };
}

function translate(
  condition: Condition,
  at: string,
  fail: (jsonPath: string, why: string) => never,
): JsonRulesEngineCondition {
  if ('all' in condition) {
    return { all: condition.all.map((c, i) => translate(c, `${at}.all[${i}]`, fail)) };
  }
  if ('any' in condition) {
    if (condition.any.length === 0) fail(`${at}.any`, 'an empty `any` is always true in json-rules-engine');
    return { any: condition.any.map((c, i) => translate(c, `${at}.any[${i}]`, fail)) };
  }
  if ('not' in condition) return { not: translate(condition.not, `${at}.not`, fail) };
  if ('aggregate' in condition) return fail(`${at}.aggregate`, 'aggregates have no json-rules-engine form');
  const { path, operator, value } = condition;
  if (condition.timeZone !== undefined) fail(`${at}.timeZone`, 'time zones have no json-rules-engine form');
  if (!OPERATORS.has(operator))
    fail(`${at}.operator`, `operator "${operator}" has no json-rules-engine twin`);
  if (value === undefined) fail(`${at}.value`, `operator "${operator}" needs a value`);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    if ('ref' in value) fail(`${at}.value`, 'references to facts are not translated');
    if ('fact' in value)
      fail(`${at}.value`, 'json-rules-engine would read an object with `fact` as a reference');
  }
  if (LISTS.has(operator) && !Array.isArray(value)) fail(`${at}.value`, `\`${operator}\` needs an array`);
  if (NUMERIC.has(operator) && typeof value !== 'number')
    fail(`${at}.value`, `\`${operator}\` needs a number (dates compare differently)`);
  const [fact, ...rest] = path.split('.');
  const translated: JsonRulesEngineFactCondition = { fact: fact!, operator, value };
  if (rest.length > 0) {
    translated.path = `$${rest.map((s) => (PLAIN_SEGMENT.test(s) ? `.${s}` : `['${s}']`)).join('')}`;
  }
  return translated;
}
