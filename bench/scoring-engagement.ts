/**
 * Engagement scoring speed (`@rapport/scoring-engagement`) on 1,000,000 synthetic interactions
 * (RAPPORT_BENCH_ENGAGEMENT_INTERACTIONS to change it), seeded: one customer's timeline over about
 * three years (exponential gaps), kinds drawn from the whole default table plus a custom kind, one in five outbound,
 * one in fifty from a bot the options exclude by handle. Measured in the same run:
 *
 * - `recompute` with the default options, the timeline streamed newest first as the host streams it;
 * - the limit: one tight loop over the same objects, newest first, adding up
 *   `weight × 2^(−(now − t)/h)` with a fixed weight and the default half-life: the arithmetic
 *   any decayed score must do per interaction, without weights by kind, exclusions or the
 *   asynchronous stream;
 * - the same interactions through `update` in batches of 1,000 at moving update times, each batch
 *   carrying the previous score forward; the result must agree with the recompute to 1e-9 (relative)
 *   or the run fails;
 * - `recompute` with the Orbit preset.
 *
 * The first three are timed in interleaved passes (`timeInterleaved`), so the ratios between them
 * are measured under the same load.
 *
 * Ratios (throughput over throughput, on the same interactions):
 * `engagement_recompute_vs_decay_loop`, the default recompute against the limit, and
 * `engagement_incremental_vs_recompute`, all the batched updates together against that recompute.
 *
 * Timed figures are the median of RAPPORT_BENCH_PASSES passes (default 3) after a warm-up, a full
 * GC before each; the generation of the interaction objects is not timed.
 */
import type { Interaction, Score } from '@rapport/core';
import { type EngagementLevel, engagementScoring, levelOf, orbitPreset } from '@rapport/scoring-engagement';
import { type Measurement, type SectionResult, seededRandom, timeAsync, timeInterleaved } from './harness.js';

const PASSES = Number.parseInt(process.env.RAPPORT_BENCH_PASSES ?? '3', 10);
const COUNT = Number.parseInt(process.env.RAPPORT_BENCH_ENGAGEMENT_INTERACTIONS ?? '1000000', 10);
const BATCH = 1000;
/** The weight every interaction gets in the limit loop (any constant: only the arithmetic counts). */
const FIXED_WEIGHT = 3;
const DAY = 86_400_000;
const END = Date.parse('2025-01-01T00:00:00Z');
const SPAN = 3 * 365 * DAY;

const KINDS = [
  'reaction',
  'share',
  'mention',
  'message',
  'post',
  'reply',
  'review',
  'answer',
  'referral',
  'purchase',
  'vote',
];
const CHANNELS = ['email', 'mastodon', 'forum'];

/** A stored interaction with the fields the scorer reads set, the others at neutral values. */
function storedInteraction(n: number, occurredAt: Date, next: () => number): Interaction {
  const kind = KINDS[Math.floor(next() * KINDS.length)]!;
  const outbound = next() < 0.2;
  const bot = next() < 0.02;
  return {
    id: `i${n}`,
    tenantId: 'default',
    channel: CHANNELS[n % CHANNELS.length]!,
    account: 'community',
    externalId: `x${n}`,
    version: 1,
    direction: outbound ? 'outbound' : 'inbound',
    kind,
    effort:
      kind === 'reaction' || kind === 'share' || kind === 'vote'
        ? 'signal'
        : kind === 'purchase'
          ? 'transaction'
          : 'contribution',
    text: null,
    language: null,
    occurredAt,
    receivedAt: occurredAt,
    customerId: 'c1',
    identityId: 'id1',
    actorExternalId: bot ? 'helper-bot' : outbound ? 'agent' : 'ada',
    actorHandle: bot ? 'helper-bot' : 'ada',
    conversationId: null,
    thread: null,
    parent: null,
    amount: null,
    currency: null,
    referredIdentityId: null,
    referredCustomerId: null,
    scores: [],
    metadata: {},
  };
}

async function* newestFirst(items: readonly Interaction[]): AsyncIterable<Interaction> {
  for (const item of items) yield item;
}

/** The name of the level a score falls in (the host records levels; the plugin declares them). */
const levelName = (score: number, levels: readonly EngagementLevel[]) => levels[levelOf(score, levels)]!.name;

const rate = (count: number, seconds: number) =>
  `${Math.round(count / seconds).toLocaleString('en-US')} interactions/s`;

/** Times engagement recomputes and incremental updates; see the file comment. */
export async function measure(): Promise<SectionResult> {
  const next = seededRandom(20240101);
  // Generated newest first with exponential gaps (a Poisson process over the span), so the
  // objects lie in memory in the order the store streams them, as a page read would leave them.
  const timeline: Interaction[] = [];
  const meanGap = SPAN / COUNT;
  let t = END;
  for (let n = 0; n < COUNT; n++) {
    t -= Math.floor(-Math.log(1 - next()) * meanGap);
    timeline.push(storedInteraction(n, new Date(t), next));
  }
  const oldestFirst = [...timeline].reverse();
  const size = `${COUNT.toLocaleString('en-US')} interactions`;
  const now = new Date(END);
  const exclude = { handles: [/bot$/i] };
  const rows: Measurement[] = [];

  const engagement = engagementScoring({ exclude });
  const nowMs = now.getTime();
  const halfLifeMs = engagement.options.halfLifeDays * DAY;
  // The default recompute, the limit and the incremental updates, in interleaved passes: the two
  // ratios between them are then measured under the same load.
  const timed = await timeInterleaved(
    {
      recompute: () =>
        engagement.recompute({
          tenantId: 'default',
          customerId: 'c1',
          interactions: newestFirst(timeline),
          now,
        }),
      // The limit: the per-interaction arithmetic of a decayed score and nothing else, over the
      // same objects in the same order, reading each one's time as the scorer does.
      decayLoop: () => {
        let sum = 0;
        for (const item of timeline)
          sum += FIXED_WEIGHT * 2 ** (-(nowMs - item.occurredAt.getTime()) / halfLifeMs);
        return sum;
      },
      // Batches in arrival order (oldest first), each update a little after its newest interaction
      // and never before the previous update, ending at `now`.
      incremental: async () => {
        let current: Score[] = [];
        let previous = Number.NEGATIVE_INFINITY;
        let value = 0;
        for (let start = 0; start < oldestFirst.length; start += BATCH) {
          const batch = oldestFirst.slice(start, start + BATCH);
          const last = start + BATCH >= oldestFirst.length;
          const at = new Date(last ? END : Math.max(previous, batch.at(-1)!.occurredAt.getTime() + 60_000));
          previous = at.getTime();
          const results = engagement.update({
            tenantId: 'default',
            customerId: 'c1',
            interactions: batch,
            current,
            now: at,
          });
          current = results.map((r) => ({ tenantId: 'default', customerId: 'c1', ...r, computedAt: at }));
          value = results[0]!.value;
        }
        return value;
      },
    },
    PASSES,
  );
  const { recompute, decayLoop, incremental } = timed;
  const full = recompute.result[0]!.value;
  if (!Number.isFinite(decayLoop.result)) throw new Error('scoring-engagement: the decay loop is not finite');
  const gap = Math.abs(incremental.result - full) / Math.max(1, Math.abs(full));
  if (!(gap <= 1e-9)) {
    throw new Error(
      `scoring-engagement: incremental ${incremental.result} and recompute ${full} differ by ${gap}`,
    );
  }
  const recomputeVsLoop = decayLoop.seconds / recompute.seconds;
  const incrementalVsRecompute = recompute.seconds / incremental.seconds;
  rows.push(
    {
      name: 'recompute (default weights, 90-day half-life)',
      size,
      seconds: recompute.seconds,
      rate: rate(COUNT, recompute.seconds),
      note: `engagement ${full.toFixed(2)}, level ${levelName(full, engagement.options.levels)}`,
    },
    {
      name: `decay loop (the limit: weight × 2^(−age/${engagement.options.halfLifeDays} d))`,
      size,
      seconds: decayLoop.seconds,
      rate: rate(COUNT, decayLoop.seconds),
      note: `recompute runs at ${recomputeVsLoop.toFixed(3)}× this; fixed weight ${FIXED_WEIGHT}, sync array loop`,
    },
    {
      name: `update in batches of ${BATCH.toLocaleString('en-US')}`,
      size,
      seconds: incremental.seconds,
      rate: rate(COUNT, incremental.seconds),
      note: `${incrementalVsRecompute.toFixed(3)}× recompute's rate; agrees with it to ${gap.toExponential(1)} (relative)`,
    },
  );

  const love = engagementScoring({ ...orbitPreset(), exclude });
  const orbit = await timeAsync(
    () => love.recompute({ tenantId: 'default', customerId: 'c1', interactions: newestFirst(timeline), now }),
    PASSES,
  );
  rows.push({
    name: 'recompute (Orbit preset)',
    size,
    seconds: orbit.seconds,
    rate: rate(COUNT, orbit.seconds),
    note: `love ${orbit.result[0]!.value.toFixed(2)}, ${levelName(orbit.result[0]!.value, love.options.levels)}`,
  });

  return {
    measurements: rows,
    ratios: {
      engagement_recompute_vs_decay_loop: recomputeVsLoop,
      engagement_incremental_vs_recompute: incrementalVsRecompute,
    },
  };
}
