import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  backtest,
  compileRules,
  defineOperator,
  explain,
  formatExplanation,
  isRapportError,
  jsonlReplay,
  RULES_SPEC_VERSION,
  type RuleExtension,
  type RuleInput,
  validateRules,
} from '../src/index.js';
import { item } from './helpers.js';

const NOW = Date.UTC(2024, 0, 10, 12, 0, 0);
const HOUR = 3_600_000;

function rule(id: string, conditions: unknown, extra: Partial<RuleInput> = {}): RuleInput {
  return {
    id,
    name: id,
    trigger: { event: 'interaction.received' },
    conditions: conditions as RuleInput['conditions'],
    actions: [{ type: 'tag', tag: id }],
    ...extra,
  };
}

const fired = (
  rules: RuleInput[],
  facts: unknown,
  history?: Array<{ occurredAt: Date } & Record<string, unknown>>,
) =>
  compileRules(rules)
    .match('interaction.received', facts, NOW, history)
    .map((r) => r.id);

describe('condition trees', () => {
  const facts = { customer: { tier: 'pro', tags: ['a'] }, interaction: { channel: 'forum', sentiment: 0.2 } };

  it('nests all, any and not to any depth', () => {
    const tree = {
      all: [
        { path: 'customer.tier', operator: 'in', value: ['pro', 'enterprise'] },
        {
          any: [
            { path: 'interaction.sentiment', operator: 'lessThan', value: 0 },
            {
              not: {
                any: [
                  { path: 'interaction.channel', operator: 'equal', value: 'email' },
                  { path: 'customer.tags', operator: 'contains', value: 'b' },
                ],
              },
            },
          ],
        },
      ],
    };
    expect(fired([rule('deep', tree)], facts)).toEqual(['deep']);
    expect(
      fired([rule('deep', tree)], { ...facts, interaction: { channel: 'email', sentiment: 0.2 } }),
    ).toEqual([]);
    expect(
      fired([rule('deep', tree)], { ...facts, interaction: { channel: 'email', sentiment: -0.2 } }),
    ).toEqual(['deep']);
  });

  it('treats empty all as true and empty any as false, and defaults to no conditions', () => {
    expect(
      fired([rule('e-all', { all: [] }), rule('e-any', { any: [] }), rule('none', undefined)], facts).sort(),
    ).toEqual(['e-all', 'none']);
  });

  it('unrolls long lists the same as short ones', () => {
    const checks = Array.from({ length: 7 }, (_, i) => ({ path: `v.${i}`, operator: 'equal', value: i }));
    const values = { v: [0, 1, 2, 3, 4, 5, 6] };
    expect(fired([rule('all7', { all: checks })], values)).toEqual(['all7']);
    expect(fired([rule('all7', { all: checks })], { v: [0, 1, 2, 3, 4, 5, 9] })).toEqual([]);
    expect(fired([rule('any7', { any: checks })], { v: [9, 9, 9, 9, 9, 9, 6] })).toEqual(['any7']);
  });
});

describe('priorities and stop-processing', () => {
  const always = { all: [] };

  it('runs the highest priority first, then by id, whatever the order written', () => {
    const rules = [
      rule('b', always, { priority: 1 }),
      rule('c', always, { priority: 5 }),
      rule('a', always, { priority: 1 }),
    ];
    expect(fired(rules, {})).toEqual(['c', 'a', 'b']);
    expect(fired([...rules].reverse(), {})).toEqual(['c', 'a', 'b']);
  });

  it('stops after a firing rule with stopProcessing, not after one that did not fire', () => {
    const rules = [
      rule('top', { path: 'x', operator: 'equal', value: 1 }, { priority: 10, stopProcessing: true }),
      rule('mid', always, { priority: 5 }),
      rule('low', always, { priority: 1 }),
    ];
    expect(fired(rules, { x: 1 })).toEqual(['top']);
    expect(fired(rules, { x: 2 })).toEqual(['mid', 'low']);
  });

  it('skips disabled rules and indexes rules by trigger', () => {
    const set = compileRules([
      rule('off', always, { enabled: false }),
      rule('created', always, { trigger: { event: 'customer.created' } }),
      rule('custom', always, { trigger: { event: 'custom', name: 'vip.complaint' } }),
      rule('timer', always, { trigger: { event: 'case.opened', after: '30m' } }),
    ]);
    expect(set.match('interaction.received', {}, NOW)).toEqual([]);
    expect(set.match('customer.created', {}, NOW).map((r) => r.id)).toEqual(['created']);
    expect(set.match('custom:vip.complaint', {}, NOW).map((r) => r.id)).toEqual(['custom']);
    expect(set.timerRules('case.opened').map((r) => r.id)).toEqual(['timer']);
    expect(set.events.sort()).toEqual(['case.opened', 'custom:vip.complaint', 'customer.created']);
  });
});

describe('validation', () => {
  it('reports every problem with a stable code, its JSON path and a hint', () => {
    const result = validateRules({
      rules: [
        {
          id: 'ok',
          name: 'ok',
          trigger: { event: 'interaction.received' },
          actions: [{ type: 'tag', tag: 'x' }],
        },
        {
          id: 'bad id!',
          name: 'x',
          trigger: { event: 'interaction.received' },
          actions: [{ type: 'tag', tag: 'x' }],
        },
        { id: 'no-actions', name: 'x', trigger: { event: 'interaction.received' }, actions: [] },
        {
          id: 'bad-action',
          name: 'x',
          trigger: { event: 'interaction.received' },
          actions: [{ type: 'sendFax' }],
        },
        {
          id: 'bad-trigger',
          name: 'x',
          trigger: { event: 'customer.created', per: 'customer' },
          actions: [{ type: 'tag', tag: 'x' }],
        },
        {
          id: 'ok',
          name: 'dup',
          trigger: { event: 'interaction.received' },
          actions: [{ type: 'tag', tag: 'x' }],
        },
        {
          id: 'bad-timer',
          name: 'x',
          trigger: { inactiveFor: 'forever' },
          actions: [{ type: 'tag', tag: 'x' }],
        },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = Object.fromEntries(result.issues.map((i) => [i.jsonPath, i]));
    expect(Object.keys(byPath)).toEqual(
      expect.arrayContaining([
        '$.rules[1].id',
        '$.rules[2].actions',
        '$.rules[3].actions[0].type',
        '$.rules[4].trigger.per',
        '$.rules[5].id',
        '$.rules[6].trigger.inactiveFor',
      ]),
    );
    expect(byPath['$.rules[3].actions[0].type']!.hint).toMatch(/tag, untag/);
    expect(byPath['$.rules[5].id']!.message).toMatch(/duplicate/);
    expect(byPath['$.rules[2].actions']!.hint).toMatch(/at least one action/);
  });

  it('throws RAPPORT_INVALID_RULE from compileRules with the first problem on the error', () => {
    try {
      compileRules([rule('x', { path: 'a', operator: 'equal' })]);
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error) && error.code).toBe('RAPPORT_INVALID_RULE');
      if (!isRapportError(error)) return;
      expect(error.path).toEqual([0, 'conditions', 'value']);
      expect(error.hint).toMatch(/give `value`/);
    }
    expect(validateRules('nope')).toMatchObject({ ok: false, issues: [{ jsonPath: '$' }] });
  });

  it('checks action options and templates', () => {
    const result = validateRules([
      rule('r', undefined, {
        actions: [
          { type: 'setPriority', priority: 'whenever' },
          { type: 'webhook', url: 'ftp://example.test' },
          { type: 'reply', template: 'Hi {{customer.__proto__}}' },
        ],
      }),
    ]);
    expect(result.ok ? [] : result.issues.map((i) => i.jsonPath)).toEqual([
      '$[0].actions[0].priority',
      '$[0].actions[1].url',
      '$[0].actions[2].template',
    ]);
  });
});

describe('aggregates', () => {
  const history = [
    { occurredAt: new Date(NOW - 1 * HOUR), channel: 'email', score: { sentiment: -0.8 }, amount: 10 },
    { occurredAt: new Date(NOW - 5 * HOUR), channel: 'email', score: { sentiment: -0.4 }, amount: null },
    { occurredAt: new Date(NOW - 20 * HOUR), channel: 'forum', score: { sentiment: -0.9 }, amount: 30 },
    { occurredAt: new Date(NOW - 30 * HOUR), channel: 'email', score: { sentiment: -0.7 }, amount: 50 },
  ];
  const negative = { path: 'score.sentiment', operator: 'lessThan', value: -0.3 };

  it('counts matching interactions within a window', () => {
    const three = rule('three-negative', {
      aggregate: { fn: 'count', within: '24h', where: negative },
      operator: 'greaterThanInclusive',
      value: 3,
    });
    expect(fired([three], {}, history)).toEqual(['three-negative']);
    expect(fired([three], {}, history.slice(1))).toEqual([]);
    expect(fired([three], {}, undefined)).toEqual([]);
  });

  it('compares past items with current facts through refs ("first on this channel")', () => {
    const first = rule('first-on-channel', {
      aggregate: {
        fn: 'count',
        where: { path: 'channel', operator: 'equal', value: { ref: 'interaction.channel' } },
      },
      operator: 'equal',
      value: 1,
    });
    expect(fired([first], { interaction: { channel: 'forum' } }, history)).toEqual(['first-on-channel']);
    expect(fired([first], { interaction: { channel: 'email' } }, history)).toEqual([]);
  });

  it('sums, averages and bounds a numeric path, skipping non-numbers', () => {
    const agg = (fn: string, operator: string, value: number) =>
      rule(fn, { aggregate: { fn, path: 'amount', within: '2d' }, operator, value });
    expect(fired([agg('sum', 'equal', 90)], {}, history)).toEqual(['sum']);
    expect(fired([agg('avg', 'equal', 30)], {}, history)).toEqual(['avg']);
    expect(fired([agg('min', 'equal', 10)], {}, history)).toEqual(['min']);
    expect(fired([agg('max', 'equal', 50)], {}, history)).toEqual(['max']);
    expect(
      validateRules(
        [agg('sum', 'equal', 1)].map((r) => ({
          ...r,
          conditions: { aggregate: { fn: 'sum' }, operator: 'equal', value: 1 },
        })),
      ).ok,
    ).toBe(false);
  });

  it('knows the longest window its rules need', () => {
    const set = compileRules([
      rule('a', { aggregate: { fn: 'count', within: '24h' }, operator: 'greaterThan', value: 0 }),
      rule('b', { aggregate: { fn: 'count', within: '7d' }, operator: 'greaterThan', value: 0 }),
      rule('c', { path: 'x', operator: 'exists' }),
    ]);
    expect(set.historyMs(set.rules)).toBe(7 * 24 * HOUR);
    expect(set.historyMs([set.get('c')!])).toBe(-1);
  });
});

describe('explain', () => {
  it('shows every condition with the values seen, without short-circuiting', () => {
    const r = rule('vip-complaint', {
      all: [
        { path: 'customer.tier', operator: 'equal', value: 'enterprise' },
        { not: { path: 'interaction.channel', operator: 'in', value: ['forum'] } },
        { aggregate: { fn: 'count', within: '1d' }, operator: 'greaterThan', value: 0 },
      ],
    });
    const facts = { customer: { tier: 'pro' }, interaction: { channel: 'email' } };
    const explanation = explain(r, facts, { now: NOW, history: [{ occurredAt: new Date(NOW - HOUR) }] });
    expect(explanation.passed).toBe(false);
    const [tier, not, count] = explanation.conditions.children!;
    expect(tier).toMatchObject({
      type: 'fact',
      passed: false,
      actual: 'pro',
      expected: 'enterprise',
      at: '$[0].conditions.all[0]',
    });
    expect(not).toMatchObject({ type: 'not', passed: true, children: [{ passed: false, actual: 'email' }] });
    expect(count).toMatchObject({
      type: 'aggregate',
      passed: true,
      actual: 1,
      aggregate: { fn: 'count', within: '1d', matched: 1 },
    });
    const text = formatExplanation(explanation);
    expect(text).toContain('FAIL vip-complaint v1');
    expect(text).toContain('✗ customer.tier equal "enterprise"  saw "pro"');
    expect(text).toContain('✓ count(interactions within 1d) = 1 greaterThan 0');
  });

  it('says which rule is missing', () => {
    expect(() => compileRules([rule('a', undefined)]).explain('b', {})).toThrow(/No rule "b"/);
  });
});

describe('extensions', () => {
  const extension: RuleExtension = {
    id: 'geo',
    version: '1.0.0',
    specVersion: RULES_SPEC_VERSION,
    capabilities: { operators: ['nearCity'], actions: ['notifySlack'] },
    operators: [
      defineOperator<string>({
        name: 'nearCity',
        value: z.enum(['paris', 'lyon']),
        test: (actual, city) => actual === `${city}-area`,
      }),
    ],
    actions: [
      {
        type: 'notifySlack',
        options: z.object({ channel: z.string().startsWith('#') }).strict(),
        run: () => 'sent',
      },
    ],
  };

  it('adds operators and actions, each validated by its own schema', () => {
    const r = rule(
      'geo',
      { path: 'customer.region', operator: 'nearCity', value: 'paris' },
      { actions: [{ type: 'notifySlack', channel: '#vip' }] },
    );
    const set = compileRules([r], { extensions: [extension] });
    expect(set.match('interaction.received', { customer: { region: 'paris-area' } }, NOW)).toHaveLength(1);
    expect(set.match('interaction.received', { customer: { region: 'lyon-area' } }, NOW)).toHaveLength(0);
    const bad = validateRules(
      [
        rule(
          'geo',
          { path: 'customer.region', operator: 'nearCity', value: 'rome' },
          { actions: [{ type: 'notifySlack', channel: 'vip' }] },
        ),
      ],
      { extensions: [extension] },
    );
    expect(bad.ok ? [] : bad.issues.map((i) => i.jsonPath)).toEqual([
      '$[0].conditions.value',
      '$[0].actions[0].channel',
    ]);
    expect(validateRules([r]).ok).toBe(false);
  });

  it('refuses an extension that redefines an operator', () => {
    const clash = {
      ...extension,
      operators: [defineOperator({ name: 'equal', value: z.string(), test: () => true })],
      actions: [],
    };
    expect(validateRules([rule('a', undefined)], { extensions: [clash] }).ok).toBe(false);
  });
});

describe('backtest', () => {
  const rules = [
    rule('refund', {
      path: 'interaction.text',
      operator: 'matches',
      value: { pattern: 'refund', flags: 'i' },
    }),
    rule('repeat-email', {
      aggregate: { fn: 'count', within: '1h', where: { path: 'channel', operator: 'equal', value: 'email' } },
      operator: 'greaterThanInclusive',
      value: 2,
    }),
    rule('timer', undefined, { trigger: { inactiveFor: '90d' } }),
  ];

  it('replays JSONL interactions in order, with history, and reports bad lines', async () => {
    const lines = [
      JSON.stringify(item(1, { channel: 'email', text: 'Refund please', actor: { externalId: 'ann' } })),
      JSON.stringify(item(2, { channel: 'email', text: 'hello?', actor: { externalId: 'ann' } })),
      '',
      '{ not json',
      JSON.stringify({ ...item(3), kind: undefined }),
      JSON.stringify(item(4, { channel: 'email', text: 'REFUND', actor: { externalId: 'bob' } })),
      JSON.stringify({
        interaction: {
          channel: 'email',
          text: 'refund',
          occurredAt: new Date(item(5).occurredAt as Date).toISOString(),
        },
        customer: { id: 'ann' },
      }),
    ];
    const report = await backtest(compileRules(rules), jsonlReplay(lines));
    expect(report.evaluated).toBe(4);
    expect(report.rejectedCount).toBe(2);
    expect(report.rejected.map((r) => [r.ref, r.error.code, r.error.path])).toEqual([
      ['line 4', 'RAPPORT_INVALID_INPUT', []],
      ['line 5', 'RAPPORT_INVALID_INTERACTION', ['kind']],
    ]);
    const byId = Object.fromEntries(report.rules.map((r) => [r.id, r]));
    expect(byId.refund).toMatchObject({ fired: 3, rate: 0.75, replayed: true });
    expect(byId.refund!.samples.map((s) => s.ref)).toEqual(['line 1', 'line 6', 'line 7']);
    // ann's second email within the hour fires it; bob's first does not. The facts line is ann too but on customer key "ann".
    expect(byId['repeat-email']).toMatchObject({
      fired: 1,
      samples: [{ ref: 'line 2', customerKey: 'email:ann' }],
    });
    expect(byId.timer).toMatchObject({ replayed: false, fired: 0, trigger: 'inactiveFor 90d' });
  });

  it('gives outbound items to their recipient, as ingestion does', async () => {
    const replies = [1, 2, 3].map((n) =>
      JSON.stringify(
        item(n, { direction: 'outbound', actor: { externalId: 'acme' }, recipient: { externalId: `c${n}` } }),
      ),
    );
    const orphan = JSON.stringify(item(4, { direction: 'outbound', actor: { externalId: 'acme' } }));
    const busy = rule('busy', {
      aggregate: { fn: 'count', within: '1d' },
      operator: 'greaterThanInclusive',
      value: 2,
    });
    const known = rule('known', { path: 'customer.id', operator: 'exists' });
    const report = await backtest(compileRules([busy, known]), jsonlReplay([...replies, orphan]));
    const byId = Object.fromEntries(report.rules.map((r) => [r.id, r]));
    expect(byId.busy!.fired).toBe(0);
    expect(byId.known!.fired).toBe(3);
    expect(byId.known!.samples.map((s) => s.customerKey)).toEqual([
      'mastodon:c1',
      'mastodon:c2',
      'mastodon:c3',
    ]);
  });
});
