/**
 * Scoring on ingest: the full pipeline into SQLite with incremental engagement scoring on every
 * stored interaction (the interactions read back, the customers' latest scores read, the new
 * scores and any level changes written to the score log), against the same pipeline without
 * scoring, in the same run and on the same seeded stream. What keeping scores live costs.
 *
 * Size: RAPPORT_BENCH_INTERACTIONS (default 50000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRapport } from '@rapport/core';
import { engagementScoring } from '@rapport/scoring-engagement';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { syntheticStream } from '@rapport/testkit';
import type { BenchResult, BenchRow } from './harness.js';

const SEED = 7;
const N = Number.parseInt(process.env.RAPPORT_BENCH_INTERACTIONS ?? '50000', 10);

async function ingest(dir: string, name: string, scoring: boolean) {
  const rapport = createRapport({
    storage: sqliteStorage({ filename: join(dir, `${name}.db`) }),
    scoring: scoring ? [engagementScoring()] : [],
  });
  let levelChanges = 0;
  rapport.events.on('level.changed', () => levelChanges++);
  await rapport.start();
  const started = performance.now();
  await rapport.ingestStream(syntheticStream({ seed: SEED, interactions: N }), { batchSize: 1000 });
  // Scoring runs behind the pipeline; the work is done when it has caught up.
  await rapport.settle();
  const seconds = (performance.now() - started) / 1000;
  const stats = await rapport.stats();
  await rapport.stop();
  return { seconds, customers: stats.customers, levelChanges };
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-scoring-ingest-'));
  try {
    // Alternate, so both see the same machine state on average.
    const plain: number[] = [];
    const scored: number[] = [];
    let customers = 0;
    let levelChanges = 0;
    for (let round = 0; round < 2; round++) {
      plain.push((await ingest(dir, `plain-${round}`, false)).seconds);
      const withScoring = await ingest(dir, `scored-${round}`, true);
      scored.push(withScoring.seconds);
      customers = withScoring.customers;
      levelChanges = withScoring.levelChanges;
    }
    const best = (xs: number[]) => Math.min(...xs);
    const rows: BenchRow[] = [
      { pipeline: 'without scoring', interactions: N, 'interactions/s': Math.round(N / best(plain)) },
      {
        pipeline: 'with engagement scoring (incremental, levels)',
        interactions: N,
        'interactions/s': Math.round(N / best(scored)),
        customers,
        'level changes': levelChanges,
      },
    ];
    return {
      rows,
      ratios: { with_scoring_vs_without: best(plain) / best(scored) },
      details: { interactions: N, customers, levelChanges },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
