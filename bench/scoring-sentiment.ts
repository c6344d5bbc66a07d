/**
 * Sentiment scoring speed: VADER (`@rapport/scoring-sentiment`) over the 4,200 tweets of
 * fixtures/vader/tweets_GroundTruth.txt, repeated to about 100,000 texts
 * (RAPPORT_BENCH_TEXTS to change it). Measured in the same run:
 *
 * - building the lexicon on first use (what the first scored interaction pays);
 * - `vader(text)` on every text;
 * - the plugin's `annotate(interaction)`, as the ingest pipeline calls it (a tenth of the
 *   interactions tagged `en`, the rest untagged, all scored);
 * - the whole corpus as one text (356 KB, joined with " but "), which must stay linear: the
 *   reference's "but" rule is quadratic when followed literally.
 *
 * Each timed figure is the median of RAPPORT_BENCH_PASSES passes (default 5) after a warm-up.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Interaction } from '@rapport/core';
import { sentimentScoring, vader } from '@rapport/scoring-sentiment';
import { storedInteraction } from '@rapport/testkit';

/** One row of the scoring benchmark table. */
export interface ScoringMeasurement {
  name: string;
  size: string;
  seconds: number;
  rate?: string;
  note?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const TEXTS = Number.parseInt(process.env.RAPPORT_BENCH_TEXTS ?? '100800', 10);
const PASSES = Number.parseInt(process.env.RAPPORT_BENCH_PASSES ?? '5', 10);

function loadTweets(): string[] {
  return readFileSync(join(here, '..', 'fixtures', 'vader', 'tweets_GroundTruth.txt'), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => line.split('\t').slice(2).join('\t'));
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

/** Median seconds of `passes` runs of `fn` after one warm-up run. */
function time(fn: () => number, passes = PASSES): { seconds: number; check: number } {
  let check = fn();
  const seconds: number[] = [];
  for (let p = 0; p < passes; p++) {
    collect();
    const started = performance.now();
    check += fn();
    seconds.push((performance.now() - started) / 1000);
  }
  return { seconds: median(seconds), check };
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
export async function measure(): Promise<ScoringMeasurement[]> {
  const tweets = loadTweets();
  const texts = Array.from({ length: TEXTS }, (_, i) => tweets[i % tweets.length]!);
  const characters = texts.reduce((sum, text) => sum + text.length, 0);
  const size = `${TEXTS.toLocaleString('en-US')} texts (${tweets.length.toLocaleString('en-US')} tweets repeated, ${(characters / 1e6).toFixed(1)} M chars)`;
  const rows: ScoringMeasurement[] = [];

  // Both lexicons are built on the first call in this process; time that call alone.
  const coldStart = performance.now();
  vader('warm up');
  rows.push({
    name: 'vader lexicon load (first call)',
    size: '7,520 lexicon lines, 1,212 emoji',
    seconds: (performance.now() - coldStart) / 1000,
  });

  const scored = time(() => {
    let sum = 0;
    for (const text of texts) sum += vader(text).compound;
    return sum;
  });
  rows.push({
    name: 'vader(text)',
    size,
    seconds: scored.seconds,
    rate: rate(TEXTS, scored.seconds, 'texts'),
    note: `median of ${PASSES} passes`,
  });

  const plugin = sentimentScoring();
  const interactions = texts.map(interactionOf);
  const annotated = time(() => {
    let count = 0;
    for (const interaction of interactions) count += plugin.annotate!(interaction)?.length ?? 0;
    return count;
  });
  rows.push({
    name: 'sentimentScoring().annotate(interaction)',
    size,
    seconds: annotated.seconds,
    rate: rate(TEXTS, annotated.seconds, 'interactions'),
    note: `median of ${PASSES} passes`,
  });

  const corpus = tweets.join(' but ');
  const long = time(() => vader(corpus).compound, 3);
  rows.push({
    name: 'vader(one long text)',
    size: `${(corpus.length / 1e3).toFixed(0)} KB, ${corpus.split(' ').length.toLocaleString('en-US')} words, one text`,
    seconds: long.seconds,
    rate: rate(corpus.length / 1e6, long.seconds, 'M chars'),
    note: 'the 4,200 tweets joined with " but ": the "but" rule on a long text',
  });

  if (!Number.isFinite(scored.check + annotated.check + long.check)) {
    throw new Error('scoring-sentiment: a benchmark produced a non-finite checksum');
  }
  return rows;
}
