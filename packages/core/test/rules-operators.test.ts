import { describe, expect, it } from 'vitest';
import { compileRules, isRapportError, type RapportError } from '../src/index.js';

const NOW = Date.UTC(2024, 2, 31, 12, 0, 0);

/** True when one condition holds for the facts. */
function holds(condition: Record<string, unknown>, facts: unknown, now = NOW): boolean {
  const set = compileRules([
    {
      id: 'r',
      name: 'r',
      trigger: { event: 'interaction.received' },
      conditions: condition,
      actions: [{ type: 'tag', tag: 't' }],
    },
  ]);
  return set.match('interaction.received', facts, now).length === 1;
}

function compileError(condition: Record<string, unknown>): RapportError {
  try {
    holds(condition, {});
  } catch (error) {
    if (isRapportError(error)) return error;
    throw error;
  }
  throw new Error('expected the rule to be rejected');
}

const c = (path: string, operator: string, value?: unknown) => ({ path, operator, value });

describe('operators', () => {
  const facts = {
    interaction: {
      channel: 'email',
      text: 'I want a REFUND now',
      sentiment: -0.6,
      occurredAt: new Date(NOW - 3_600_000),
    },
    customer: {
      tags: ['vip', 'beta'],
      attributes: { tier: 'pro', ltv: 120, since: '2023-05-01T00:00:00Z', nothing: null },
    },
  };

  it('equal and notEqual compare strictly, and dates by instant', () => {
    expect(holds(c('interaction.channel', 'equal', 'email'), facts)).toBe(true);
    expect(holds(c('customer.attributes.ltv', 'equal', '120'), facts)).toBe(false);
    expect(holds(c('interaction.occurredAt', 'equal', new Date(NOW - 3_600_000).toISOString()), facts)).toBe(
      true,
    );
    expect(holds(c('interaction.channel', 'notEqual', 'forum'), facts)).toBe(true);
    expect(holds(c('customer.attributes.nothing', 'equal', null), facts)).toBe(true);
  });

  it('ordered comparisons take numbers or ISO dates and refuse other types', () => {
    expect(holds(c('interaction.sentiment', 'lessThan', -0.5), facts)).toBe(true);
    expect(holds(c('interaction.sentiment', 'lessThan', -0.6), facts)).toBe(false);
    expect(holds(c('interaction.sentiment', 'lessThanInclusive', -0.6), facts)).toBe(true);
    expect(holds(c('customer.attributes.ltv', 'greaterThan', 100), facts)).toBe(true);
    expect(holds(c('customer.attributes.ltv', 'greaterThanInclusive', 120), facts)).toBe(true);
    expect(holds(c('customer.attributes.since', 'lessThan', '2024-01-01'), facts)).toBe(true);
    // A string fact is not a number, whatever it looks like.
    expect(holds(c('customer.attributes.tier', 'greaterThan', 0), facts)).toBe(false);
    expect(compileError(c('customer.attributes.ltv', 'lessThan', 'soon')).path).toEqual([
      0,
      'conditions',
      'value',
    ]);
  });

  it('in, notIn, contains and containsAny work on lists and strings', () => {
    expect(holds(c('interaction.channel', 'in', ['email', 'chat']), facts)).toBe(true);
    expect(holds(c('interaction.channel', 'notIn', ['email', 'chat']), facts)).toBe(false);
    const many = Array.from({ length: 20 }, (_, i) => `ch${i}`);
    expect(holds(c('interaction.channel', 'in', [...many, 'email']), facts)).toBe(true);
    expect(holds(c('customer.tags', 'contains', 'vip'), facts)).toBe(true);
    expect(holds(c('interaction.text', 'contains', 'REFUND'), facts)).toBe(true);
    expect(holds(c('customer.tags', 'containsAny', ['gold', 'beta']), facts)).toBe(true);
    expect(holds(c('interaction.text', 'containsAny', ['cancel', 'now']), facts)).toBe(true);
    expect(holds(c('customer.tags', 'containsAny', ['gold']), facts)).toBe(false);
    expect(compileError(c('customer.tags', 'in', 'vip')).code).toBe('RAPPORT_INVALID_RULE');
  });

  it('startsWith, matches and exists', () => {
    expect(holds(c('interaction.text', 'startsWith', 'I want'), facts)).toBe(true);
    expect(holds(c('interaction.text', 'matches', { pattern: '\\brefund\\b', flags: 'i' }), facts)).toBe(
      true,
    );
    expect(holds(c('interaction.text', 'matches', '\\brefund\\b'), facts)).toBe(false);
    expect(holds(c('customer.attributes.tier', 'exists'), facts)).toBe(true);
    expect(holds(c('customer.attributes.nothing', 'exists'), facts)).toBe(false);
    expect(holds(c('customer.attributes.missing', 'exists', false), facts)).toBe(true);
    expect(holds(c('interaction.text.length', 'greaterThan', 10), facts)).toBe(true);
  });

  it('between is inclusive on both ends, for numbers and dates', () => {
    expect(holds(c('customer.attributes.ltv', 'between', [100, 120]), facts)).toBe(true);
    expect(holds(c('customer.attributes.ltv', 'between', [121, 200]), facts)).toBe(false);
    expect(holds(c('customer.attributes.since', 'between', ['2023-01-01', '2023-12-31']), facts)).toBe(true);
    expect(compileError(c('customer.attributes.ltv', 'between', [5, 1])).message).toMatch(/lower bound/);
    expect(compileError(c('customer.attributes.ltv', 'between', [1, '2024-01-01'])).message).toMatch(/both/);
  });

  it('withinLast reads durations as shorthand or ISO 8601 and never looks into the future', () => {
    expect(holds(c('interaction.occurredAt', 'withinLast', '2h'), facts)).toBe(true);
    expect(holds(c('interaction.occurredAt', 'withinLast', '30m'), facts)).toBe(false);
    expect(holds(c('interaction.occurredAt', 'withinLast', 'PT61M'), facts)).toBe(true);
    const future = { interaction: { occurredAt: new Date(NOW + 60_000) } };
    expect(holds(c('interaction.occurredAt', 'withinLast', '1d'), future)).toBe(false);
    expect(
      holds(c('interaction.occurredAt', 'withinLast', '1d'), { interaction: { occurredAt: 'not a date' } }),
    ).toBe(false);
    expect(compileError(c('interaction.occurredAt', 'withinLast', 'soon')).message).toMatch(/not a duration/);
  });

  it('withinLast counts calendar days in a time zone across a DST change', () => {
    // Europe/Paris moved clocks forward on 2024-03-31 at 01:00 UTC: that day has 23 hours.
    const now = Date.UTC(2024, 2, 31, 12, 0, 0);
    const facts23h30 = { interaction: { occurredAt: new Date(now - 23.5 * 3_600_000) } };
    const fixed = { path: 'interaction.occurredAt', operator: 'withinLast', value: 'P1D' };
    expect(holds(fixed, facts23h30, now)).toBe(true);
    expect(holds({ ...fixed, timeZone: 'Europe/Paris' }, facts23h30, now)).toBe(false);
    expect(
      holds(
        { ...fixed, timeZone: 'Europe/Paris' },
        { interaction: { occurredAt: new Date(now - 22.5 * 3_600_000) } },
        now,
      ),
    ).toBe(true);
    expect(compileError({ ...fixed, timeZone: 'Mars/Olympus' }).message).toMatch(/unknown time zone/);
  });

  it('missing paths, null and type mismatches make positive operators false and negated ones true', () => {
    const positive = [
      c('customer.missing', 'equal', 'x'),
      c('customer.missing', 'lessThan', 1),
      c('customer.missing', 'greaterThanInclusive', 1),
      c('customer.missing', 'in', ['x']),
      c('customer.missing', 'contains', 'x'),
      c('customer.missing', 'containsAny', ['x']),
      c('customer.missing', 'startsWith', 'x'),
      c('customer.missing', 'matches', 'x'),
      c('customer.missing', 'between', [0, 1]),
      c('customer.missing', 'withinLast', '1d'),
      c('nothing.at.all.here.deep', 'equal', 1),
      c('customer.attributes.nothing.deeper', 'equal', 1),
      c('customer.tags', 'startsWith', 'v'),
      c('customer.attributes.ltv', 'contains', 1),
    ];
    for (const condition of positive) expect(holds(condition, facts), JSON.stringify(condition)).toBe(false);
    expect(holds(c('customer.missing', 'notEqual', 'x'), facts)).toBe(true);
    expect(holds(c('customer.missing', 'notIn', ['x']), facts)).toBe(true);
    expect(holds(c('customer.missing', 'equal', 1), null)).toBe(false);
  });

  it('values can be refs to other facts', () => {
    const refFacts = {
      interaction: { channel: 'email' },
      customer: { attributes: { preferredChannel: 'email', limit: 3 }, openCases: 4 },
    };
    expect(
      holds(c('interaction.channel', 'equal', { ref: 'customer.attributes.preferredChannel' }), refFacts),
    ).toBe(true);
    expect(
      holds(c('customer.openCases', 'greaterThan', { ref: 'customer.attributes.limit' }), refFacts),
    ).toBe(true);
    expect(holds(c('customer.openCases', 'lessThan', { ref: 'customer.attributes.missing' }), refFacts)).toBe(
      false,
    );
    expect(
      compileError(c('interaction.text', 'matches', { ref: 'customer.attributes.pattern' })).message,
    ).toMatch(/literal/);
  });

  it('refuses regexes open to catastrophic backtracking, naming the attack', () => {
    const error = compileError(c('interaction.text', 'matches', '^(a+)+$'));
    expect(error.code).toBe('RAPPORT_INVALID_RULE');
    expect(error.path).toEqual([0, 'conditions', 'value']);
    expect(error.message).toMatch(/catastrophic backtracking: exponential/);
    expect(compileError(c('interaction.text', 'matches', '(x+x+)+y')).message).toMatch(/exponential/);
    expect(compileError(c('interaction.text', 'matches', '([a')).message).toMatch(/does not compile/);
    expect(compileError(c('interaction.text', 'matches', { pattern: 'a', flags: 'g' })).message).toMatch(
      /flags/,
    );
    // Linear and quadratic patterns are fine.
    expect(
      holds(c('interaction.text', 'matches', '^[^@\\s]+@[^@\\s]+$'), { interaction: { text: 'a@b' } }),
    ).toBe(true);
  });

  it('refuses paths that reach prototypes and unknown operators, with a hint listing the known ones', () => {
    expect(compileError(c('customer.__proto__.x', 'equal', 1)).message).toMatch(/not allowed/);
    const unknown = compileError(c('customer.tier', 'looksLike', 'x'));
    expect(unknown.path).toEqual([0, 'conditions', 'operator']);
    expect(unknown.hint).toMatch(/equal, notEqual/);
  });
});
