/**
 * Engagement scoring speed (`@rapport/scoring-engagement`) on 1,000,000 synthetic interactions
 * (RAPPORT_BENCH_ENGAGEMENT_INTERACTIONS to change it), seeded: one customer's timeline over about
 * three years (exponential gaps), kinds drawn from the whole default table plus a custom kind, one in five outbound,
 * one in fifty from a bot the options exclude by handle. Measured in the same run:
 *
 * - `recompute` with the default options, the timeline streamed newest first as the host streams it;
 * - `recompute` with the Orbit preset;
 * - the same interactions through `update` in batches of 1,000 at moving update times, each batch
 *   carrying the previous score forward; the result must agree with the recompute to 1e-9 (relative)
 *   or the run fails.
 *
 * Timed figures are the median of RAPPORT_BENCH_PASSES passes (default 3) after a warm-up; the
 * generation of the interaction objects is not timed.
 */
import type { Interaction, Score } from '@rapport/core';
import { engagementScoring, orbitPreset } from '@rapport/scoring-engagement';

/** One row of the scoring benchmark table. */
export interface ScoringMeasurement {
  name: string;
  size: string;
  seconds: number;
  rate?: string;
  note?: string;
}

const PASSES = Number.parseInt(process.env.RAPPORT_BENCH_PASSES ?? '3', 10);
const COUNT = Number.parseInt(process.env.RAPPORT_BENCH_ENGAGEMENT_INTERACTIONS ?? '1000000', 10);
const BATCH = 1000;
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

/** mulberry32: a small seeded generator, so every run scores the same timeline. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A full collection between passes when the run has --expose-gc (`npm run bench` passes it). */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Median seconds of `PASSES` runs of `fn` after a warm-up run, and the warm-up's result. */
async function time<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const result = await fn();
  const seconds: number[] = [];
  for (let p = 0; p < PASSES; p++) {
    collect();
    const started = performance.now();
    await fn();
    seconds.push((performance.now() - started) / 1000);
  }
  return { seconds: median(seconds), result };
}

async function* newestFirst(items: readonly Interaction[]): AsyncIterable<Interaction> {
  for (const item of items) yield item;
}

const rate = (count: number, seconds: number) =>
  `${Math.round(count / seconds).toLocaleString('en-US')} interactions/s`;

/** Times engagement recomputes and incremental updates; see the file comment. */
export async function measure(): Promise<ScoringMeasurement[]> {
  const next = random(20240101);
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
  const rows: ScoringMeasurement[] = [];

  const engagement = engagementScoring({ exclude });
  const recompute = await time(() =>
    engagement.recompute({ tenantId: 'default', customerId: 'c1', interactions: newestFirst(timeline), now }),
  );
  const full = recompute.result[0]!.value;
  rows.push({
    name: 'recompute (default weights, 90-day half-life)',
    size,
    seconds: recompute.seconds,
    rate: rate(COUNT, recompute.seconds),
    note: `engagement ${full.toFixed(2)}, level ${engagement.options.levels[recompute.result[1]!.value]!.name}`,
  });

  const love = engagementScoring({ ...orbitPreset(), exclude });
  const orbit = await time(() =>
    love.recompute({ tenantId: 'default', customerId: 'c1', interactions: newestFirst(timeline), now }),
  );
  rows.push({
    name: 'recompute (Orbit preset)',
    size,
    seconds: orbit.seconds,
    rate: rate(COUNT, orbit.seconds),
    note: `love ${orbit.result[0]!.value.toFixed(2)}, ${love.options.levels[orbit.result[1]!.value]!.name}`,
  });

  // Batches in arrival order (oldest first), each update a little after its newest interaction
  // and never before the previous update, ending at `now`.
  const incremental = await time(async () => {
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
  });
  const gap = Math.abs(incremental.result - full) / Math.max(1, Math.abs(full));
  if (!(gap <= 1e-9)) {
    throw new Error(
      `scoring-engagement: incremental ${incremental.result} and recompute ${full} differ by ${gap}`,
    );
  }
  rows.push({
    name: `update in batches of ${BATCH.toLocaleString('en-US')}`,
    size,
    seconds: incremental.seconds,
    rate: rate(COUNT, incremental.seconds),
    note: `agrees with recompute to ${gap.toExponential(1)} (relative)`,
  });
  return rows;
}
