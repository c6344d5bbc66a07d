import { isRapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import {
  activeContributors,
  contributionsPerMember,
  gini,
  participationShares,
  retentionCohorts,
} from '../src/index.js';
import { input, stored } from './helpers.js';

describe('gini', () => {
  it('matches the reference values of metrics.md', () => {
    expect(gini([5, 5, 5, 5])).toBe(0);
    expect(gini([0, 0, 0, 7])).toBeCloseTo(3 / 4, 15);
    expect(gini([0, 0, 0, 0, 0, 0, 0, 0, 0, 1])).toBeCloseTo(9 / 10, 15);
    expect(gini([1, 2, 3, 4, 10])).toBeCloseTo(0.4, 15);
  });

  it('does not depend on the order, and agrees with the mean absolute difference', () => {
    expect(gini([10, 4, 1, 3, 2])).toBeCloseTo(0.4, 15);
    // [1, 3]: Σ|xi − xj| over ordered pairs = 4; G = 4 / (2·n²·mean) = 4 / 16.
    expect(gini([3, 1])).toBeCloseTo(0.25, 15);
    expect(gini(new Set([7]))).toBe(0);
  });

  it('is 0 with nothing to share, and rejects negative values', () => {
    expect(gini([])).toBe(0);
    expect(gini([0, 0])).toBe(0);
    try {
      gini([1, -2]);
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_INPUT')).toBe(true);
      expect((error as { path: unknown }).path).toEqual([1]);
    }
    expect(() => gini([Number.NaN])).toThrow(/gini/);
  });
});

describe('participationShares', () => {
  it('splits 100 members 1 / 9 / 90', () => {
    const shares = participationShares([...Array(90).fill(1), ...Array(9).fill(5), 50]);
    expect(shares).toEqual({
      members: 100,
      contributions: 185,
      top: { members: 1, contributions: 50, share: 50 / 185 },
      next: { members: 9, contributions: 45, share: 45 / 185 },
      rest: { members: 90, contributions: 90, share: 90 / 185 },
    });
  });

  it('rounds group sizes up: ⌈n/100⌉ and ⌈n/10⌉ − ⌈n/100⌉', () => {
    const sizes = (n: number) => {
      const s = participationShares(Array(n).fill(1));
      return [s.top.members, s.next.members, s.rest.members];
    };
    expect(sizes(1)).toEqual([1, 0, 0]);
    expect(sizes(5)).toEqual([1, 0, 4]);
    expect(sizes(20)).toEqual([1, 1, 18]);
    expect(sizes(101)).toEqual([2, 9, 90]);
    expect(sizes(1000)).toEqual([10, 90, 900]);
    expect(sizes(0)).toEqual([0, 0, 0]);
  });

  it('gives the same shares whichever tied member falls in which group', () => {
    // 20 members: top 1, next 1, rest 18; the three members with 4 tie across the boundaries.
    const values = [4, 4, 4, ...Array(17).fill(0)];
    const a = participationShares(values);
    const b = participationShares([...values].reverse());
    expect(a).toEqual(b);
    expect([a.top.share, a.next.share, a.rest.share]).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('reads maps and records, and takes other cut points', () => {
    const map = new Map([
      ['a', 6],
      ['b', 3],
      ['c', 1],
      ['d', 0],
    ]);
    const custom = participationShares(map, { topFraction: 0.25, activeFraction: 0.5 });
    expect([custom.top.share, custom.next.share, custom.rest.share]).toEqual([0.6, 0.3, 0.1]);
    expect(
      participationShares({ a: 6, b: 3, c: 1, d: 0 }, { topFraction: 0.25, activeFraction: 0.5 }),
    ).toEqual(custom);
  });

  it('gives zero shares when nobody contributed, and validates options', () => {
    const none = participationShares([0, 0, 0]);
    expect([none.top.share, none.next.share, none.rest.share]).toEqual([0, 0, 0]);
    try {
      participationShares([1], { topFraction: 0.2, activeFraction: 0.1 });
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_OPTIONS')).toBe(true);
      expect((error as { path: unknown }).path).toEqual(['activeFraction']);
    }
  });
});

const at = (iso: string) => ({ occurredAt: `${iso}T12:00:00Z` });

describe('contributionsPerMember and activeContributors', () => {
  const items = [
    input('1', 'post', 'alice', { text: 'hello', ...at('2024-01-01') }),
    input('2', 'reply', 'alice', { text: 'again', ...at('2024-01-20') }),
    input('3', 'reply', 'bob', { text: 'hi', ...at('2024-01-10') }),
    input('4', 'post', 'carol', { text: 'old', ...at('2023-12-01') }),
    // Not contributions: a signal, an empty post, the organization, an anonymous voter.
    input('5', 'reaction', 'dave', { parent: '1', ...at('2024-01-15') }),
    input('6', 'post', 'erin', at('2024-01-15')),
    input('7', 'reply', 'brand', { text: 'thanks', direction: 'outbound', ...at('2024-01-16') }),
    input('8', 'answer', 'anonymous-voter', { text: 'x', ...at('2024-01-17') }),
  ];

  it('counts inbound contributions per member', () => {
    expect(contributionsPerMember(items)).toEqual(
      new Map([
        ['forum:alice', 2],
        ['forum:bob', 1],
        ['forum:carol', 1],
      ]),
    );
    expect(contributionsPerMember(items, { contributionKinds: ['reaction'] })).toEqual(
      new Map([['forum:dave', 1]]),
    );
    expect(
      contributionsPerMember([
        stored('s1', 'review', 'c1'),
        stored('s2', 'reaction', 'c1', { effort: 'signal' }),
      ]),
    ).toEqual(new Map([['c1', 1]]));
  });

  it('counts members active in (now − window, now]', async () => {
    const result = activeContributors(items, { window: '30d', now: new Date('2024-01-31T12:00:00Z') });
    // 2024-01-01T12:00 is exactly 30 days before: the window's start is excluded.
    expect(result).toEqual({
      from: new Date('2024-01-01T12:00:00Z'),
      to: new Date('2024-01-31T12:00:00Z'),
      count: 2,
      members: ['forum:alice', 'forum:bob'],
      contributions: 2,
    });
    async function* stream() {
      yield* items;
    }
    const wide = await activeContributors(stream(), { window: 'P3M', now: '2024-01-31T12:00:00Z' });
    expect(wide.members).toEqual(['forum:alice', 'forum:bob', 'forum:carol']);
    expect(
      activeContributors(items, { window: '1d', now: new Date('2024-01-10T13:00:00Z') }).members,
    ).toEqual(['forum:bob']);
  });

  it('rejects a window that is not a duration', () => {
    try {
      activeContributors(items, { window: 'a month' });
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_OPTIONS')).toBe(true);
      expect((error as { path: unknown }).path).toEqual(['window']);
    }
  });
});

describe('retentionCohorts', () => {
  const items = [
    input('1', 'post', 'alice', { text: 'a', ...at('2024-01-01') }),
    input('2', 'post', 'alice', { text: 'a', ...at('2024-01-07') }),
    input('3', 'post', 'bob', { text: 'b', ...at('2024-01-03') }),
    input('4', 'post', 'alice', { text: 'a', ...at('2024-02-08') }),
    input('5', 'post', 'carol', { text: 'c', ...at('2024-02-20') }),
    input('6', 'post', 'carol', { text: 'c', ...at('2024-03-05') }),
    input('7', 'post', 'alice', { text: 'a', ...at('2024-04-30') }),
  ];

  it('builds monthly cohorts by first contribution', () => {
    // January: alice and bob; alice is back in February and April. February: carol, back in March.
    const table = retentionCohorts(items, { period: 'month' });
    expect(table.period).toBe('month');
    expect(
      table.cohorts.map(({ cohort, members, active, retention }) => ({ cohort, members, active, retention })),
    ).toEqual([
      { cohort: '2024-01', members: 2, active: [2, 1, 0, 1], retention: [1, 0.5, 0, 0.5] },
      { cohort: '2024-02', members: 1, active: [1, 1, 0], retention: [1, 1, 0] },
      { cohort: '2024-03', members: 0, active: [0, 0], retention: [0, 0] },
      { cohort: '2024-04', members: 0, active: [0], retention: [0] },
    ]);
    expect(table.cohorts[0]!.start).toEqual(new Date('2024-01-01T00:00:00Z'));
  });

  it('builds weekly cohorts from Mondays, and stops at `now`', async () => {
    // 2024-01-01 is a Monday; the 7th is the Sunday of the same week.
    const january = items.slice(0, 3);
    const weekly = retentionCohorts(
      [...january, input('8', 'post', 'bob', { text: 'b', ...at('2024-01-08') })],
      {
        period: 'week',
      },
    );
    expect(weekly.cohorts.map((c) => [c.cohort, c.members, c.active])).toEqual([
      ['2024-01-01', 2, [2, 1]],
      ['2024-01-08', 0, [0]],
    ]);
    async function* stream() {
      yield* items;
    }
    const cut = await retentionCohorts(stream(), { now: new Date('2024-02-29T00:00:00Z') });
    expect(cut.cohorts.map((c) => [c.cohort, c.active])).toEqual([
      ['2024-01', [2, 1]],
      ['2024-02', [1]],
    ]);
    expect(retentionCohorts([])).toEqual({ period: 'month', cohorts: [] });
  });
});
