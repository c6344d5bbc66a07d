/**
 * Scoring benchmark: each scoring plugin's hot path with its input size, and where a library a
 * user would otherwise pick exists, that library on the same input in the same run.
 *
 * - CLV: BG/NBD, Pareto/NBD and Gamma-Gamma fits on CDNOW, and BG/NBD on 100k simulated customers;
 * - engagement: an effort-weighted, decayed recompute over 1M interactions, and the same through
 *   incremental updates (which must agree);
 * - sentiment: VADER texts/s over the tweets corpus repeated to ~100k texts;
 * - influence: graph build, PageRank, personalized PageRank and HITS on 1M edges, against
 *   graphology + graphology-metrics on the same graph.
 *
 * Sections: RAPPORT_BENCH_SCORING (comma-separated: clv, engagement, sentiment, influence), default all.
 */
import type { BenchResult, BenchRow } from './harness.js';
import { measure as measureClv } from './scoring-clv.js';
import { measure as measureEngagement } from './scoring-engagement.js';
import { measure as measureInfluence } from './scoring-influence.js';
import { measure as measureSentiment } from './scoring-sentiment.js';

const sections = {
  clv: measureClv,
  engagement: measureEngagement,
  sentiment: measureSentiment,
  influence: measureInfluence,
} as const;

const chosen = (process.env.RAPPORT_BENCH_SCORING ?? Object.keys(sections).join(','))
  .split(',')
  .map((s) => s.trim()) as Array<keyof typeof sections>;

export async function run(): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  const bySection: Record<string, Array<{ name: string; seconds: number }>> = {};
  for (const section of chosen) {
    const measure = sections[section];
    if (!measure)
      throw new Error(`unknown scoring section "${section}"; pick from ${Object.keys(sections).join(', ')}`);
    console.log(`scoring: ${section}…`);
    const measured = await measure();
    bySection[section] = measured;
    for (const m of measured) {
      rows.push({
        section,
        name: m.name,
        size: m.size,
        seconds: m.seconds,
        ...(m.rate ? { rate: m.rate } : {}),
        ...(m.note ? { note: m.note } : {}),
      });
    }
  }
  const ratios: Record<string, number> = {};
  const influence = bySection.influence;
  if (influence) {
    const ours = influence.find((m) => m.name.startsWith('pagerank (ours'));
    const peer = influence.find((m) => m.name.startsWith('graphology-metrics pagerank'));
    if (ours && peer) ratios.pagerank_speedup_vs_graphology_metrics = peer.seconds / ours.seconds;
    const build = influence.find((m) => m.name.startsWith('graph build'));
    const peerBuild = influence.find((m) => m.name.startsWith('graphology DirectedGraph build'));
    if (build && peerBuild) ratios.graph_build_speedup_vs_graphology = peerBuild.seconds / build.seconds;
  }
  const clv = bySection.clv;
  if (clv) {
    const bgnbd = clv.find((m) => m.name === 'fitBgNbd (CDNOW)');
    // The goal: a CDNOW fit within a second.
    if (bgnbd) ratios.bgnbd_cdnow_fit_seconds_vs_one_second = bgnbd.seconds / 1;
  }
  return { rows, ratios, details: { sections: chosen } };
}
