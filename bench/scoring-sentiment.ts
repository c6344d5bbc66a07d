/**
 * Sentiment scoring speed: VADER (`@rapport/scoring-sentiment`) over the 4,200 tweets of
 * fixtures/vader/tweets_GroundTruth.txt, repeated to about 100,000 texts
 * (RAPPORT_BENCH_TEXTS to change it). Measured in the same run:
 *
 * - building the lexicon on first use (what the first scored interaction pays);
 * - `vader(text)` on every text;
 * - the limit, in passes interleaved with `vader(text)`'s: the same texts, each lower-cased, split
 *   on whitespace and every token looked up in a Map of VADER's lexicon (built from the plugin's
 *   bundled lexicon data): the least work any lexicon scorer must do, with none of VADER's rules
 *   (punctuation, capitals, boosters, negation, "but", idioms, emoji);
 * - the plugin's `annotate(interaction)`, as the ingest pipeline calls it (a tenth of the
 *   interactions tagged `en`, the rest untagged, all scored);
 * - the whole corpus as one text (356 KB, joined with " but "), which must stay linear: the
 *   reference's "but" rule is quadratic when followed literally.
 *
 * Ratio: `sentiment_vs_tokenize_and_lookup`, VADER's texts/s over the limit's texts/s.
 *
 * Each timed figure is the median of RAPPORT_BENCH_PASSES passes (default 5; 3 for the long text)
 * after a warm-up.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Interaction } from '@rapport/core';
import { sentimentScoring, vader } from '@rapport/scoring-sentiment';
import { storedInteraction } from '@rapport/testkit';
// The package does not export its lexicon; this is the module its lexicon Map is built from.
import { VADER_LEXICON_DATA } from '../plugins/scoring-sentiment/src/lexicon/vader-lexicon.generated.js';
import { type Measurement, type SectionResult, timeInterleaved, timeSync } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const TEXTS = Number.parseInt(process.env.RAPPORT_BENCH_TEXTS ?? '100800', 10);
const PASSES = Number.parseInt(process.env.RAPPORT_BENCH_PASSES ?? '5', 10);

function loadTweets(): string[] {
  return readFileSync(join(here, '..', 'fixtures', 'vader', 'tweets_GroundTruth.txt'), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => line.split('\t').slice(2).join('\t'));
}

/** token → mean valence from `token<TAB>valence` lines; a repeated token's last line wins, as in VADER. */
function lexiconMap(data: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of data.split('\n')) {
    const tab = line.indexOf('\t');
    map.set(line.slice(0, tab), Number(line.slice(tab + 1)));
  }
  return map;
}

const WHITESPACE = /\s+/;

/** The limit: lower-case, split on whitespace, look every token up; returns the sum of the valences found. */
function tokenizeAndLookUp(texts: readonly string[], lexicon: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const text of texts) {
    for (const token of text.toLowerCase().split(WHITESPACE)) sum += lexicon.get(token) ?? 0;
  }
  return sum;
}

function interactionOf(text: string, i: number): Interaction {
  return storedInteraction({
    channel: 'bench',
    kind: 'mention',
    text,
    language: i % 10 === 0 ? 'en' : null,
    occurredAt: new Date(Date.UTC(2024, 0, 1) + i * 1000),
    actorExternalId: `user-${i}`,
  });
}

const rate = (count: number, seconds: number, unit: string) =>
  `${(count / seconds).toLocaleString('en-US', { maximumFractionDigits: count / seconds < 100 ? 1 : 0 })} ${unit}/s`;

/** Times VADER scoring; see the file comment for what each row measures. */
export async function measure(): Promise<SectionResult> {
  const tweets = loadTweets();
  const texts = Array.from({ length: TEXTS }, (_, i) => tweets[i % tweets.length]!);
  const characters = texts.reduce((sum, text) => sum + text.length, 0);
  const size = `${TEXTS.toLocaleString('en-US')} texts (${tweets.length.toLocaleString('en-US')} tweets repeated, ${(characters / 1e6).toFixed(1)} M chars)`;
  const rows: Measurement[] = [];

  // Both lexicons are built on the first call in this process; time that call alone.
  const coldStart = performance.now();
  vader('warm up');
  rows.push({
    name: 'vader lexicon load (first call)',
    size: '7,520 lexicon lines, 1,212 emoji',
    seconds: (performance.now() - coldStart) / 1000,
  });

  // VADER and the limit in interleaved passes, so that their ratio is measured under the same load.
  const lexicon = lexiconMap(VADER_LEXICON_DATA);
  const { scored, limit } = await timeInterleaved(
    {
      scored: () => {
        let sum = 0;
        for (const text of texts) sum += vader(text).compound;
        return sum;
      },
      limit: () => tokenizeAndLookUp(texts, lexicon),
    },
    PASSES,
  );
  rows.push({
    name: 'vader(text)',
    size,
    seconds: scored.seconds,
    rate: rate(TEXTS, scored.seconds, 'texts'),
    note: `median of ${PASSES} passes`,
  });

  const vaderVsLimit = limit.seconds / scored.seconds;
  rows.push({
    name: 'tokenize and look up (the limit)',
    size: `${size}, ${lexicon.size.toLocaleString('en-US')}-token lexicon Map`,
    seconds: limit.seconds,
    rate: rate(TEXTS, limit.seconds, 'texts'),
    note: `median of ${PASSES} passes; vader(text) runs at ${vaderVsLimit.toFixed(3)}× this`,
  });

  const plugin = sentimentScoring();
  const interactions = texts.map(interactionOf);
  const annotated = timeSync(() => {
    let count = 0;
    for (const interaction of interactions) count += plugin.annotate!(interaction)?.length ?? 0;
    return count;
  }, PASSES);
  rows.push({
    name: 'sentimentScoring().annotate(interaction)',
    size,
    seconds: annotated.seconds,
    rate: rate(TEXTS, annotated.seconds, 'interactions'),
    note: `median of ${PASSES} passes`,
  });

  const corpus = tweets.join(' but ');
  const long = timeSync(() => vader(corpus).compound, 3);
  rows.push({
    name: 'vader(one long text)',
    size: `${(corpus.length / 1e3).toFixed(0)} KB, ${corpus.split(' ').length.toLocaleString('en-US')} words, one text`,
    seconds: long.seconds,
    rate: rate(corpus.length / 1e6, long.seconds, 'M chars'),
    note: 'the 4,200 tweets joined with " but ": the "but" rule on a long text',
  });

  if (!Number.isFinite(scored.result + limit.result + annotated.result + long.result)) {
    throw new Error('scoring-sentiment: a benchmark produced a non-finite checksum');
  }
  return { measurements: rows, ratios: { sentiment_vs_tokenize_and_lookup: vaderVsLimit } };
}
