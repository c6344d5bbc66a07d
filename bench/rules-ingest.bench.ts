/**
 * Rules on ingest: the full pipeline into SQLite with a realistic support rule set running on
 * every stored interaction (facts loaded from the store, history for an aggregate, actions and
 * firing records written), against the same pipeline without rules, in the same run and on the
 * same seeded stream. What it costs to automate routing and tagging on every interaction.
 *
 * Size: RAPPORT_BENCH_INTERACTIONS (default 50000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRapport, type RuleInput } from '@rapport/core';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { syntheticStream } from '@rapport/testkit';
import type { BenchResult, BenchRow } from './harness.js';

const SEED = 7;
const N = Number.parseInt(process.env.RAPPORT_BENCH_INTERACTIONS ?? '50000', 10);
const inbound = { path: 'interaction.direction', operator: 'equal', value: 'inbound' };

/** Five rules of the kinds a support team writes first. */
export const ingestRules: RuleInput[] = [
  {
    id: 'open-case',
    name: 'Open a case for inbound messages',
    priority: 100,
    trigger: { event: 'interaction.received' },
    conditions: {
      all: [
        inbound,
        { path: 'interaction.kind', operator: 'in', value: ['message', 'mention', 'reply', 'review'] },
      ],
    },
    actions: [{ type: 'openCase', queue: 'support' }],
  },
  {
    id: 'urgent-words',
    name: 'Urgent words raise the priority',
    priority: 50,
    trigger: { event: 'interaction.received' },
    conditions: {
      all: [
        inbound,
        {
          path: 'interaction.text',
          operator: 'matches',
          value: { pattern: '\\b(refund|broken|cancel)\\b', flags: 'i' },
        },
      ],
    },
    actions: [
      { type: 'setPriority', priority: 'high' },
      { type: 'tag', tag: 'needs-care' },
    ],
  },
  {
    id: 'busy-day',
    name: 'Five or more items in a day',
    priority: 30,
    trigger: { event: 'interaction.received' },
    conditions: { aggregate: { fn: 'count', within: '24h' }, operator: 'greaterThanInclusive', value: 5 },
    actions: [{ type: 'addToSegment', segment: 'busy' }],
  },
  {
    id: 'contribution-points',
    name: 'Contributions earn points',
    priority: 10,
    trigger: { event: 'interaction.received' },
    conditions: { all: [inbound, { path: 'interaction.effort', operator: 'equal', value: 'contribution' }] },
    actions: [{ type: 'awardPoints', points: 2 }],
  },
  {
    id: 'reviews',
    name: 'Tag reviewers',
    priority: 5,
    trigger: { event: 'interaction.received' },
    conditions: { path: 'interaction.kind', operator: 'equal', value: 'review' },
    actions: [{ type: 'tag', tag: 'reviewer' }],
  },
];

async function ingest(dir: string, name: string, rules: RuleInput[] | undefined) {
  const rapport = createRapport({
    storage: sqliteStorage({ filename: join(dir, `${name}.db`) }),
    ...(rules ? { rules: { rules, timerPollMs: 0 } } : {}),
  });
  await rapport.start();
  const started = performance.now();
  await rapport.ingestStream(syntheticStream({ seed: SEED, interactions: N }), { batchSize: 1000 });
  // Rules run behind the pipeline; the work is done when they have caught up.
  await rapport.settle();
  const seconds = (performance.now() - started) / 1000;
  let firings = 0;
  let cursor: string | null = null;
  do {
    const page = await rapport.rules.firings({}, { limit: 1000, cursor });
    firings += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  await rapport.stop();
  return { seconds, firings };
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-rules-ingest-'));
  try {
    // Alternate, so both see the same machine state on average.
    const plain: number[] = [];
    const ruled: number[] = [];
    let firings = 0;
    for (let round = 0; round < 2; round++) {
      plain.push((await ingest(dir, `plain-${round}`, undefined)).seconds);
      const withRules = await ingest(dir, `rules-${round}`, ingestRules);
      ruled.push(withRules.seconds);
      firings = withRules.firings;
    }
    const best = (xs: number[]) => Math.min(...xs);
    const rows: BenchRow[] = [
      { pipeline: 'without rules', interactions: N, 'interactions/s': Math.round(N / best(plain)) },
      {
        pipeline: `with ${ingestRules.length} rules`,
        interactions: N,
        'interactions/s': Math.round(N / best(ruled)),
        firings,
      },
    ];
    return {
      rows,
      ratios: { with_rules_vs_without: best(plain) / best(ruled) },
      details: { interactions: N, firings },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
