/**
 * Scoring benchmark: each scoring plugin's hot path with its input size, and where a library a
 * user would otherwise pick exists, that library on the same input in the same run.
 *
 * - CLV: BG/NBD, Pareto/NBD and Gamma-Gamma fits on CDNOW, and BG/NBD on 100k simulated customers;
 *   each BG/NBD fit's seconds against the one-second goal;
 * - engagement: an effort-weighted, decayed recompute over 1M interactions, against a bare decay
 *   loop over the same objects (the limit), and the same through incremental updates (which must
 *   agree) against the recompute;
 * - sentiment: VADER texts/s over the tweets corpus repeated to ~100k texts, against lower-casing,
 *   splitting and looking every token up in the lexicon (the limit);
 * - influence: graph build, PageRank, personalized PageRank and HITS on 1M edges, against
 *   graphology + graphology-metrics on the same graph.
 *
 * Each section (scoring-<section>.ts) returns its rows and its ratios; bench/README.md describes
 * every ratio.
 *
 * Sections: RAPPORT_BENCH_SCORING (comma-separated: clv, engagement, sentiment, influence), default all.
 */
import type { BenchResult, BenchRow, SectionResult } from './harness.js';
import { measure as measureClv } from './scoring-clv.js';
import { measure as measureEngagement } from './scoring-engagement.js';
import { measure as measureInfluence } from './scoring-influence.js';
import { measure as measureSentiment } from './scoring-sentiment.js';

const sections: Record<string, () => Promise<SectionResult>> = {
  clv: measureClv,
  engagement: measureEngagement,
  sentiment: measureSentiment,
  influence: measureInfluence,
};

const chosen = (process.env.RAPPORT_BENCH_SCORING ?? Object.keys(sections).join(','))
  .split(',')
  .map((s) => s.trim());

export async function run(): Promise<BenchResult> {
  // Fail before measuring anything rather than after minutes of the sections that exist.
  const unknown = chosen.filter((section) => !Object.hasOwn(sections, section));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scoring section "${unknown.join('", "')}"; pick from ${Object.keys(sections).join(', ')}`,
    );
  }
  const rows: BenchRow[] = [];
  const ratios: Record<string, number> = {};
  for (const section of chosen) {
    console.log(`scoring: ${section}…`);
    const measured = await sections[section]!();
    for (const m of measured.measurements) {
      rows.push({
        section,
        name: m.name,
        size: m.size,
        seconds: m.seconds,
        ...(m.rate ? { rate: m.rate } : {}),
        ...(m.note ? { note: m.note } : {}),
      });
    }
    // Each section measures its ratios itself, from figures taken side by side in this run.
    Object.assign(ratios, measured.ratios);
  }
  return { rows, ratios, details: { sections: chosen } };
}
