import { type Condition, compileRules, type RuleInput } from '@rapport/core';
import {
  handwrittenRules,
  RULES_WORKLOAD_END_MS,
  RULES_WORKLOAD_START_MS,
  type RulesWorkloadFact,
  rulesWorkloadFacts,
  rulesWorkloadRules,
  toJsonRulesEngine,
} from '@rapport/testkit/rules-workload';
import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';

const SEED = 7;
const OPERATORS = new Set(['equal', 'notEqual', 'lessThan', 'greaterThanInclusive', 'in', 'contains']);

/** Leaf conditions of a tree. */
function leaves(condition: Condition): Array<Extract<Condition, { path: string }>> {
  if ('all' in condition) return condition.all.flatMap(leaves);
  if ('any' in condition) return condition.any.flatMap(leaves);
  if ('not' in condition) return leaves(condition.not);
  if ('aggregate' in condition) throw new Error('no aggregates in the workload');
  return [condition];
}

/** Whether a tree uses `all`, `any` or `not` anywhere. */
function connectives(condition: Condition, into = new Set<string>()): Set<string> {
  if ('all' in condition) {
    into.add('all');
    for (const c of condition.all) connectives(c, into);
  } else if ('any' in condition) {
    into.add('any');
    for (const c of condition.any) connectives(c, into);
  } else if ('not' in condition) {
    into.add('not');
    connectives(condition.not, into);
  }
  return into;
}

describe('rulesWorkloadFacts', () => {
  it('is deterministic, and shorter runs are prefixes of longer ones', () => {
    const a = rulesWorkloadFacts(3000, SEED);
    expect(rulesWorkloadFacts(3000, SEED)).toEqual(a);
    expect(rulesWorkloadFacts(1000, SEED)).toEqual(a.slice(0, 1000));
    expect(rulesWorkloadFacts(1000, SEED + 1)).not.toEqual(a.slice(0, 1000));
    expect(rulesWorkloadFacts(0, SEED)).toEqual([]);
    expect(() => rulesWorkloadFacts(-1, SEED)).toThrow(RangeError);
  });

  it('draws facts of the documented shape with skewed distributions', () => {
    const facts = rulesWorkloadFacts(20_000, SEED);
    const customers = new Set(facts.map((f) => f.customer));
    expect(customers.size).toBeGreaterThan(1000);
    expect(customers.size).toBeLessThan(facts.length / 4);
    const malformed = facts.filter(
      ({ interaction: i, customer: c }) =>
        !['twitter', 'email', 'forum', 'mastodon'].includes(i.channel) ||
        !['mention', 'reply', 'dm', 'post', 'like', 'share'].includes(i.kind) ||
        !(Number.isInteger(i.textLength) && i.textLength >= 0) ||
        !(i.sentiment >= -1 && i.sentiment <= 1) ||
        Object.is(i.sentiment, -0) ||
        !/^[a-z]{2}$/.test(i.language) ||
        !(i.occurredAt >= RULES_WORKLOAD_START_MS && i.occurredAt < RULES_WORKLOAD_END_MS) ||
        !['free', 'pro', 'enterprise'].includes(c.tier) ||
        !(Number.isInteger(c.engagementScore) && c.engagementScore >= 0 && c.engagementScore <= 100) ||
        !(c.lifetimeValue >= 0) ||
        c.segments.filter((s) => ['amer', 'emea', 'apac'].includes(s)).length !== 1 ||
        !c.tags.every((t) => typeof t === 'string') ||
        !(Number.isInteger(c.followerCount) && c.followerCount >= 0) ||
        typeof c.isAdvocate !== 'boolean' ||
        !(Number.isInteger(c.openCases) && c.openCases >= 0),
    );
    expect(malformed.slice(0, 3)).toEqual([]);
    const share = (p: (c: RulesWorkloadFact['customer']) => boolean) =>
      [...customers].filter(p).length / customers.size;
    expect(share((c) => c.tier === 'free')).toBeGreaterThan(0.7);
    expect(share((c) => c.tier === 'enterprise')).toBeLessThan(0.1);
    expect(share((c) => c.openCases === 0)).toBeGreaterThan(0.6);
    const followers = [...customers].map((c) => c.followerCount).sort((a, b) => a - b);
    const median = followers[followers.length >> 1]!;
    expect(median).toBeLessThan(200);
    expect(followers[followers.length - 1]!).toBeGreaterThan(100 * median); // heavy tail
  });
});

describe('rulesWorkloadRules', () => {
  it('are 50 rules of 2 to 6 conditions with the six operators, distinct ids and priorities', () => {
    expect(rulesWorkloadRules).toHaveLength(50);
    expect(new Set(rulesWorkloadRules.map((r) => r.id)).size).toBe(50);
    expect(new Set(rulesWorkloadRules.map((r) => r.priority)).size).toBe(50);
    const used = new Set<string>();
    const nesting = new Set<string>();
    for (const rule of rulesWorkloadRules) {
      const conditions = leaves(rule.conditions as Condition);
      expect(conditions.length, rule.id).toBeGreaterThanOrEqual(2);
      expect(conditions.length, rule.id).toBeLessThanOrEqual(6);
      for (const c of conditions) {
        expect(OPERATORS.has(c.operator), `${rule.id}: ${c.operator}`).toBe(true);
        used.add(c.operator);
        if (c.operator === 'contains') expect(['customer.tags', 'customer.segments']).toContain(c.path);
      }
      for (const c of connectives(rule.conditions as Condition)) nesting.add(c);
      expect(rule.stopProcessing).toBeUndefined();
      expect(rule.trigger).toEqual({ event: 'interaction.received' });
      expect(rule.actions).toEqual([{ type: 'tag', tag: rule.id }]);
    }
    expect(used).toEqual(OPERATORS);
    expect(nesting).toEqual(new Set(['all', 'any', 'not']));
    // Plain JSON: they survive a round trip unchanged.
    expect(JSON.parse(JSON.stringify(rulesWorkloadRules))).toEqual(rulesWorkloadRules);
  });

  it('each fires at least once and not always over 20,000 facts', () => {
    const ruleSet = compileRules(rulesWorkloadRules);
    const facts = rulesWorkloadFacts(20_000, SEED);
    const counts = new Map<string, number>(rulesWorkloadRules.map((r) => [r.id, 0]));
    const handwrittenCounts = new Map<string, number>(rulesWorkloadRules.map((r) => [r.id, 0]));
    for (const fact of facts) {
      for (const rule of ruleSet.match('interaction.received', fact)) {
        counts.set(rule.id, counts.get(rule.id)! + 1);
      }
      for (const id of handwrittenRules(fact)) handwrittenCounts.set(id, handwrittenCounts.get(id)! + 1);
    }
    expect(handwrittenCounts).toEqual(counts);
    const never = [...counts].filter(([, n]) => n === 0).map(([id]) => id);
    const always = [...counts].filter(([, n]) => n === facts.length).map(([id]) => id);
    expect(never).toEqual([]);
    expect(always).toEqual([]);
  });
});

describe('Rapport, json-rules-engine and the hand-written function', () => {
  it('fire exactly the same rules, in the same order, on every fact of the workload', async () => {
    const facts = rulesWorkloadFacts(2000, SEED);
    const ruleSet = compileRules(rulesWorkloadRules);
    const engine = new Engine(rulesWorkloadRules.map(toJsonRulesEngine), { allowUndefinedFacts: true });
    const differences: unknown[] = [];
    let firings = 0;
    for (const [index, fact] of facts.entries()) {
      const rapport = ruleSet.match('interaction.received', fact).map((r) => r.id);
      const { events } = await engine.run(fact);
      const jsonRulesEngine = events.map((e) => e.type);
      const handwritten = handwrittenRules(fact);
      firings += handwritten.length;
      if (rapport.join() !== handwritten.join() || jsonRulesEngine.join() !== handwritten.join()) {
        differences.push({ index, fact, rapport, jsonRulesEngine, handwritten });
      }
    }
    expect(differences.slice(0, 3)).toEqual([]);
    expect(firings).toBeGreaterThan(facts.length); // the comparison is not vacuous
  });
});

describe('toJsonRulesEngine', () => {
  const base: RuleInput = {
    id: 'r',
    name: 'R',
    priority: 5,
    trigger: { event: 'interaction.received' },
    actions: [{ type: 'tag', tag: 'r' }],
  };

  it('maps paths to a fact and a JSONPath, and keeps all / any / not, priority and id', () => {
    const rule = toJsonRulesEngine({
      ...base,
      conditions: {
        any: [
          { path: 'customer.tags', operator: 'contains', value: 'vip' },
          { not: { path: 'customer.attributes.plan-name', operator: 'in', value: ['x'] } },
          { all: [{ path: 'tier', operator: 'equal', value: 'pro' }] },
        ],
      },
    });
    expect(rule).toEqual({
      name: 'R',
      priority: 5,
      event: { type: 'r' },
      conditions: {
        any: [
          { fact: 'customer', path: '$.tags', operator: 'contains', value: 'vip' },
          { not: { fact: 'customer', path: "$.attributes['plan-name']", operator: 'in', value: ['x'] } },
          { all: [{ fact: 'tier', operator: 'equal', value: 'pro' }] },
        ],
      },
    });
    // A single condition at the root is wrapped, as json-rules-engine needs.
    expect(
      toJsonRulesEngine({ ...base, conditions: { path: 'a.b', operator: 'lessThan', value: 1 } }).conditions,
    ).toEqual({ all: [{ fact: 'a', path: '$.b', operator: 'lessThan', value: 1 }] });
  });

  it('gives json-rules-engine rules that reach nested and oddly named fields', async () => {
    const engine = new Engine(
      [
        toJsonRulesEngine({
          ...base,
          conditions: { path: 'customer.attributes.plan-name', operator: 'equal', value: 'gold' },
        }),
      ],
      { allowUndefinedFacts: true },
    );
    const fired = await engine.run({ customer: { attributes: { 'plan-name': 'gold' } } });
    expect(fired.events.map((e) => e.type)).toEqual(['r']);
    const missing = await engine.run({ customer: {} });
    expect(missing.events).toEqual([]);
  });

  it.each<[string, Partial<RuleInput>, string]>([
    ['a timer', { trigger: { event: 'case.opened', after: '30m' } }, '$.trigger.after'],
    ['an inactivity trigger', { trigger: { inactiveFor: '90d' } }, '$.trigger'],
    ['a disabled rule', { enabled: false }, '$.enabled'],
    ['stopProcessing', { stopProcessing: true }, '$.stopProcessing'],
    ['the default priority', { priority: undefined }, '$.priority'],
    ['priority 0', { priority: 0 }, '$.priority'],
    [
      'an aggregate',
      { conditions: { aggregate: { fn: 'count' }, operator: 'greaterThan', value: 1 } },
      '$.conditions.aggregate',
    ],
    [
      'an operator without a twin',
      { conditions: { all: [{ path: 'a.b', operator: 'matches', value: 'x' }] } },
      '$.conditions.all[0].operator',
    ],
    [
      'a reference',
      { conditions: { path: 'a.b', operator: 'equal', value: { ref: 'a.c' } } },
      '$.conditions.value',
    ],
    [
      'a value json-rules-engine would read as a fact',
      { conditions: { path: 'a.b', operator: 'equal', value: { fact: 'x' } } },
      '$.conditions.value',
    ],
    ['an empty any', { conditions: { not: { any: [] } } }, '$.conditions.not.any'],
    [
      'a date bound',
      { conditions: { path: 'a.b', operator: 'lessThan', value: '2024-01-01' } },
      '$.conditions.value',
    ],
    ['in without a list', { conditions: { path: 'a.b', operator: 'in', value: 'x' } }, '$.conditions.value'],
    [
      'a time zone',
      { conditions: { path: 'a.b', operator: 'equal', value: 1, timeZone: 'UTC' } },
      '$.conditions.timeZone',
    ],
  ])('throws on %s', (_, change, jsonPath) => {
    expect(() => toJsonRulesEngine({ ...base, ...change })).toThrow(`rule "r" at ${jsonPath}:`);
  });
});
