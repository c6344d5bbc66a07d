import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Condition, compileRules, type RuleInput } from '../src/index.js';

const NOW = Date.UTC(2024, 5, 1);
const paths = ['a', 'b.c', 'b.d', 'b.c.length', 'tags', 'when', 'x-y.z'];
const scalar = fc.oneof(
  fc.constantFrom('p', 'q', 'pq', ''),
  fc.integer({ min: -3, max: 3 }),
  fc.double({ min: -2, max: 2, noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const factValue = fc.oneof(
  scalar,
  fc.constant(undefined),
  fc.array(fc.constantFrom('p', 'q', 1, 2), { maxLength: 3 }),
  fc.constant(new Date(NOW - 1000)),
  fc.constant(new Date(NOW).toISOString()),
  fc.record({ c: scalar, d: scalar }),
);
const facts = fc.record(
  {
    a: factValue,
    b: fc.oneof(fc.record({ c: factValue, d: factValue }), scalar),
    tags: factValue,
    when: factValue,
    'x-y': fc.record({ z: factValue }),
  },
  { requiredKeys: [] },
);

/** A leaf with a value its operator accepts (refs and timeZone included, for the fallbacks). */
const leaf = fc.oneof(
  fc.record({
    path: fc.constantFrom(...paths),
    operator: fc.constantFrom('equal', 'notEqual', 'contains'),
    value: scalar,
  }),
  fc.record({
    path: fc.constantFrom(...paths),
    operator: fc.constantFrom('lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'),
    value: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant('2024-05-31T00:00:00Z')),
  }),
  fc.record({
    path: fc.constantFrom(...paths),
    operator: fc.constantFrom('in', 'notIn', 'containsAny'),
    value: fc.array(scalar, { minLength: 1, maxLength: 12 }),
  }),
  fc.record({
    path: fc.constantFrom(...paths),
    operator: fc.constant('startsWith'),
    value: fc.constantFrom('p', ''),
  }),
  fc.record({
    path: fc.constantFrom(...paths),
    operator: fc.constant('exists'),
    value: fc.option(fc.boolean(), { nil: undefined }),
  }),
  fc.record({
    path: fc.constantFrom(...paths),
    operator: fc.constant('matches'),
    value: fc.constantFrom('^p', 'q$'),
  }),
  fc.record({
    path: fc.constantFrom(...paths),
    operator: fc.constant('between'),
    value: fc.constant([-1, 1]),
  }),
  fc.record({
    path: fc.constantFrom(...paths),
    operator: fc.constant('withinLast'),
    value: fc.constant('1h'),
    timeZone: fc.constant('UTC'),
  }),
  fc.record({
    path: fc.constantFrom(...paths),
    operator: fc.constantFrom('equal', 'lessThan'),
    value: fc.record({ ref: fc.constantFrom(...paths) }),
  }),
  fc.record({
    aggregate: fc.constant({ fn: 'count' as const }),
    operator: fc.constant('greaterThan'),
    value: fc.integer({ min: 0, max: 2 }),
  }),
);

const tree = fc.letrec<{ node: Condition }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf as fc.Arbitrary<Condition>,
    fc.record({ all: fc.array(tie('node'), { maxLength: 6 }) }),
    fc.record({ any: fc.array(tie('node'), { maxLength: 6 }) }),
    fc.record({ not: tie('node') }),
  ),
})).node;

const ruleList = fc.array(
  fc.record({ conditions: tree, priority: fc.integer({ min: 0, max: 3 }), stopProcessing: fc.boolean() }),
  { minLength: 1, maxLength: 6 },
);

describe('generated matchers', () => {
  it('fire exactly what the closures fire, on any rules and facts', () => {
    fc.assert(
      fc.property(ruleList, fc.array(facts, { minLength: 1, maxLength: 8 }), (specs, factList) => {
        const rules: RuleInput[] = specs.map((s, i) => ({
          id: `r${i}`,
          name: `r${i}`,
          trigger: { event: 'interaction.received' },
          actions: [{ type: 'tag', tag: 't' }],
          ...s,
        }));
        const set = compileRules(rules);
        const history = [{ occurredAt: NOW - 10 }, { occurredAt: NOW - 20 }];
        for (const f of factList) {
          const generated = set.match('interaction.received', f, NOW, history).map((r) => r.id);
          const closures = set.matchWithClosures('interaction.received', f, NOW, history).map((r) => r.id);
          expect(generated).toEqual(closures);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('quotes property names that are not identifiers and cannot be made to run code', () => {
    const set = compileRules([
      {
        id: 'odd',
        name: 'odd',
        trigger: { event: 'interaction.received' },
        conditions: { path: 'x-y.a:b', operator: 'equal', value: "'); globalThis.pwned=2; ('\u2028\"" },
        actions: [{ type: 'tag', tag: 't' }],
      },
    ]);
    expect(
      set.match('interaction.received', { 'x-y': { 'a:b': "'); globalThis.pwned=2; ('\u2028\"" } }, NOW),
    ).toHaveLength(1);
    expect(set.match('interaction.received', { 'x-y': { 'a:b': 'other' } }, NOW)).toHaveLength(0);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });
});
