import type { Interaction, Score, ScoreResult } from '@rapport/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engagementScoring, orbitPreset } from '../src/index.js';
import { DAY, interaction, stream, T0 } from './helpers.js';

const kinds = [
  'reaction',
  'share',
  'mention',
  'message',
  'post',
  'reply',
  'review',
  'answer',
  'purchase',
  'vote',
];

const interactionArb = fc
  .record({
    // Up to two years around T0, to the millisecond.
    offset: fc.integer({ min: -730 * DAY, max: 730 * DAY }),
    kind: fc.constantFrom(...kinds),
    channel: fc.constantFrom('email', 'mastodon', 'forum'),
    direction: fc.constantFrom('inbound', 'inbound', 'inbound', 'outbound'),
    actor: fc.constantFrom('ada', 'ada', 'staff-1', 'helper-bot'),
  })
  .map(({ offset, kind, channel, direction, actor }) =>
    interaction({
      occurredAt: new Date(T0 + offset),
      kind,
      channel,
      direction: direction as 'inbound' | 'outbound',
      actorExternalId: actor,
      actorHandle: actor,
    }),
  );

/** Cuts `items` into consecutive batches at the given (sorted, deduplicated) positions. */
function batchesOf<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const positions = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const batches: T[][] = [];
  let start = 0;
  for (const end of [...positions, items.length]) {
    batches.push(items.slice(start, end));
    start = end;
  }
  return batches;
}

/** Stores results as the host does: computedAt is the `now` of the call that produced them. */
function asScores(results: readonly ScoreResult[], at: Date): Score[] {
  return results.map((r) => ({ tenantId: 'default', customerId: 'c1', ...r, computedAt: at }));
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

const pluginOptions = [
  {},
  {
    halfLifeDays: 7,
    channelWeights: { forum: { reply: 9, vote: 0.5 } },
    exclude: { actorExternalIds: ['staff-1'], handles: [/bot$/i] },
  },
  orbitPreset(),
];

describe('incremental updates agree with a full recompute', () => {
  for (const [index, options] of pluginOptions.entries()) {
    it(`to 1e-9, for any batching and update times (options set ${index})`, async () => {
      const plugin = engagementScoring(options);
      const name = plugin.options.scoreName;
      await fc.assert(
        fc.asyncProperty(
          fc.array(interactionArb, { maxLength: 60 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          fc.array(fc.integer({ min: 0, max: 200 * DAY }), { minLength: 11, maxLength: 11 }),
          async (items, cuts, gaps) => {
            let current: Score[] = [];
            let now = new Date(T0 - 800 * DAY);
            let incremental = Number.NaN;
            for (const [b, batch] of batchesOf(items, cuts).entries()) {
              // Update times only move forward, by random gaps; interactions may be older (late
              // arrivals) or newer than the update time.
              now = new Date(now.getTime() + gaps[b]!);
              const sorted = [...batch].sort((x, y) => x.occurredAt.getTime() - y.occurredAt.getTime());
              const results = plugin.update({
                tenantId: 'default',
                customerId: 'c1',
                interactions: sorted,
                current,
                now,
              });
              current = asScores(results, now);
              incremental = results.find((r) => r.name === name)!.value;
            }
            const newestFirst: Interaction[] = [...items].sort(
              (x, y) => y.occurredAt.getTime() - x.occurredAt.getTime(),
            );
            const full = await plugin.recompute({
              tenantId: 'default',
              customerId: 'c1',
              interactions: stream(newestFirst),
              now,
            });
            const recomputed = full.find((r) => r.name === name)!.value;
            expect(close(incremental, recomputed)).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('carries a stored score forward from its computedAt, with or without new interactions', () => {
    const plugin = engagementScoring({ halfLifeDays: 10 });
    const at = new Date(T0);
    const current = asScores(
      plugin.update({
        tenantId: 'default',
        customerId: 'c1',
        interactions: [interaction({ kind: 'answer' })],
        current: [],
        now: at,
      }),
      at,
    );
    const later = new Date(T0 + 10 * DAY);
    const carried = plugin.update({
      tenantId: 'default',
      customerId: 'c1',
      interactions: [],
      current,
      now: later,
    });
    expect(carried[0]!.value).toBeCloseTo(5, 12);
    const withNew = plugin.update({
      tenantId: 'default',
      customerId: 'c1',
      interactions: [interaction({ kind: 'reaction', occurredAt: later })],
      current,
      now: later,
    });
    expect(withNew[0]!.value).toBeCloseTo(6, 12);
  });

  it('ignores scores of other names or models among current, and starts from 0 without a score', () => {
    const plugin = engagementScoring();
    const foreign: Score[] = [
      {
        tenantId: 'default',
        customerId: 'c1',
        name: 'engagement',
        value: 1000,
        model: { id: 'someone-else', version: '1' },
        computedAt: new Date(T0),
      },
      {
        tenantId: 'default',
        customerId: 'c1',
        name: 'engagement.level',
        value: 4,
        model: plugin.models[0]!,
        computedAt: new Date(T0),
      },
    ];
    const results = plugin.update({
      tenantId: 'default',
      customerId: 'c1',
      interactions: [interaction({ kind: 'mention' })],
      current: foreign,
      now: new Date(T0),
    });
    expect(results.map((r) => r.value)).toEqual([3]);
  });
});
