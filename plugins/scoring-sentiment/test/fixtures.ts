import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { VaderScores } from '../src/index.js';

/** The repository's VADER test data (see fixtures/vader/README.md). */
const dir = fileURLToPath(new URL('../../../fixtures/vader/', import.meta.url));
const read = (file: string) => readFileSync(`${dir}${file}`, 'utf8');

/** One tweet of tweets_GroundTruth.txt with its mean human rating (−4 … +4). */
export interface Tweet {
  id: string;
  humanMean: number;
  text: string;
}

/** A text with the scores the Python reference gives it. */
export interface ReferenceCase {
  /** Where the case comes from, for failure messages. */
  label: string;
  text: string;
  expected: VaderScores;
}

/** The 4,200 tweets (`id \t mean \t text`; the file has CRLF line ends). */
export function tweets(): Tweet[] {
  return read('tweets_GroundTruth.txt')
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => {
      const [id, mean, ...rest] = line.split('\t');
      return { id: id!, humanMean: Number(mean), text: rest.join('\t') };
    });
}

/** Python VADER's scores for the tweets, by tweet id. */
export function tweetReferenceScores(): Map<string, VaderScores> {
  const [header, ...lines] = read('reference_scores_tweets.tsv').trim().split(/\r?\n/);
  const columns = header!.split('\t');
  const at = (name: string) => columns.indexOf(name);
  return new Map(
    lines.map((line) => {
      const fields = line.split('\t');
      const value = (name: string) => Number(fields[at(name)]);
      return [
        fields[at('id')]!,
        { neg: value('neg'), neu: value('neu'), pos: value('pos'), compound: value('compound') },
      ];
    }),
  );
}

/** The tweets with their reference scores. */
export function tweetCases(): ReferenceCase[] {
  const reference = tweetReferenceScores();
  return tweets().map((tweet) => {
    const expected = reference.get(tweet.id);
    if (!expected) throw new Error(`no reference score for tweet ${tweet.id}`);
    return { label: `tweet ${tweet.id}`, text: tweet.text, expected };
  });
}

/** Texts written to exercise VADER's rules, scored by the Python reference. */
export function extraCases(): ReferenceCase[] {
  return read('reference_scores_extra.jsonl')
    .trim()
    .split('\n')
    .map((line, i) => {
      const { text, neg, neu, pos, compound } = JSON.parse(line) as VaderScores & { text: string };
      return { label: `extra line ${i + 1}`, text, expected: { neg, neu, pos, compound } };
    });
}

/** An example of the reference's README. */
export interface ReadmeExample {
  text: string;
  /** As printed in the README (some lines predate later releases). */
  readme: VaderScores;
  /** The reference at the pinned commit. */
  recomputed_HEAD: VaderScores;
  match: boolean;
}

export function readmeExamples(): ReadmeExample[] {
  return (JSON.parse(read('readme_examples.json')) as { examples: ReadmeExample[] }).examples;
}

/** Fields on which `got` is further than `tolerance` from `expected`. */
export function differingFields(
  got: VaderScores,
  expected: VaderScores,
  tolerance: number,
): Array<keyof VaderScores> {
  return (['neg', 'neu', 'pos', 'compound'] as const).filter(
    (key) => !(Math.abs(got[key] - expected[key]) <= tolerance),
  );
}

/** Pearson's correlation coefficient. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}
