import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One printed row of a benchmark table. */
export type BenchRow = Record<string, string | number>;

/** What a benchmark returns: rows for the table, ratios measured side by side, anything else worth keeping. */
export interface BenchResult {
  rows: BenchRow[];
  ratios: Record<string, number>;
  details?: Record<string, unknown>;
}

/** A benchmark module exports `run`. */
export type Benchmark = () => Promise<BenchResult>;

const here = dirname(fileURLToPath(import.meta.url));

/** Prints rows as an aligned table. */
export function printTable(rows: BenchRow[]): void {
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined) =>
    v === undefined
      ? ''
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? v.toLocaleString('en-US')
          : v.toFixed(3)
        : v;
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padStart(widths[i]!)).join('  ');
  console.log(line(columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(columns.map((c) => cell(row[c]))));
}

/** Writes `bench/results/<name>.json` with at least `{ benchmark, ratios }`. */
export function writeResult(name: string, result: BenchResult): string {
  const file = join(here, 'results', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  const payload = {
    benchmark: name,
    ratios: result.ratios,
    rows: result.rows,
    ...result.details,
    environment: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      at: new Date().toISOString(),
    },
  };
  writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
  return file;
}

/** Samples the process's memory while `fn` runs and returns the peak RSS and heap (MB). */
export async function withMemoryPeak<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; peakRssMb: number; peakHeapMb: number }> {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 50);
  try {
    const value = await fn();
    sample();
    return { value, peakRssMb: peakRss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/**
 * One measurement of a benchmark made of sections (see scoring.bench.ts), printed as one row:
 * what ran, on which input (`size`, always shown, so a figure is never read without its input),
 * the seconds it took, and optionally a throughput and a note.
 */
export interface Measurement {
  name: string;
  size: string;
  seconds: number;
  rate?: string;
  note?: string;
}

/** What one section of such a benchmark returns: its rows and the ratios it measured side by side. */
export interface SectionResult {
  measurements: Measurement[];
  ratios: Record<string, number>;
}

/**
 * The median of `values` (the mean of the two middle ones when their number is even). Benchmarks
 * keep the median of their passes: one pass slowed down by a neighbour on a shared machine moves
 * a mean, not a median.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A full garbage collection, so that a timed pass does not pay for the garbage the previous one
 * left behind. It needs `--expose-gc`, which `npm run bench` passes; without it this does nothing
 * (the figures are then noisier, not wrong).
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** What `timeSync`, `timeAsync` and `timeInterleaved` measured (of each function). */
export interface Timed<T> {
  /** The median of the timed passes, in seconds. */
  seconds: number;
  /** Each timed pass, in seconds, in the order they ran. */
  passes: number[];
  /** What the warm-up run returned (every pass does the same work, so it stands for all of them). */
  result: T;
}

/**
 * Times a synchronous `fn`: one untimed warm-up run (so that the hot path is compiled and anything
 * built lazily on first use is built), then `passes` timed runs, each preceded by
 * `collectGarbage()`; reports their median. `fn` should return something derived from its work
 * (a count, a checksum, the result) so that the work cannot be optimised away and can be checked.
 */
export function timeSync<T>(fn: () => T, passes: number): Timed<T> {
  const result = fn();
  const seconds: number[] = [];
  for (let p = 0; p < passes; p++) {
    collectGarbage();
    const started = performance.now();
    fn();
    seconds.push((performance.now() - started) / 1000);
  }
  return { seconds: median(seconds), passes: seconds, result };
}

/** `timeSync` for an asynchronous `fn`: each run is awaited inside its own timing. */
export async function timeAsync<T>(fn: () => Promise<T>, passes: number): Promise<Timed<T>> {
  const result = await fn();
  const seconds: number[] = [];
  for (let p = 0; p < passes; p++) {
    collectGarbage();
    const started = performance.now();
    await fn();
    seconds.push((performance.now() - started) / 1000);
  }
  return { seconds: median(seconds), passes: seconds, result };
}

/**
 * Times several functions side by side, for a ratio between them: one untimed warm-up run of each,
 * then `passes` rounds in which each runs once, timed after `collectGarbage()`, the order rotating
 * from round to round so that none always runs first; reports each one's median, as `timeSync`
 * does. On a shared machine a burst of load from a neighbour then falls on every side of the ratio
 * rather than on whichever happened to be running. A function may be asynchronous: a returned
 * promise is awaited inside its timing.
 */
export async function timeInterleaved<F extends Record<string, () => unknown>>(
  fns: F,
  passes: number,
): Promise<{ [K in keyof F]: Timed<Awaited<ReturnType<F[K]>>> }> {
  const names = Object.keys(fns) as Array<keyof F & string>;
  const results = new Map<string, unknown>();
  for (const name of names) results.set(name, await fns[name]!());
  const seconds = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(p + i) % names.length]!;
      const fn = fns[name]!;
      collectGarbage();
      const started = performance.now();
      const returned = fn();
      if (returned instanceof Promise) await returned;
      seconds.get(name)!.push((performance.now() - started) / 1000);
    }
  }
  const timed: Record<string, Timed<unknown>> = {};
  for (const name of names) {
    const passesOf = seconds.get(name)!;
    timed[name] = { seconds: median(passesOf), passes: passesOf, result: results.get(name) };
  }
  return timed as { [K in keyof F]: Timed<Awaited<ReturnType<F[K]>>> };
}

/**
 * Times one run of `fn` after a full collection, with no warm-up: for work too long to repeat,
 * whose single run is long enough that compilation is a small part of it.
 */
export function timeOnce<T>(fn: () => T): { seconds: number; result: T } {
  collectGarbage();
  const started = performance.now();
  const result = fn();
  return { seconds: (performance.now() - started) / 1000, result };
}

/**
 * A small, fast seeded generator of uniform numbers in [0, 1) (mulberry32), so that a benchmark's
 * synthetic input, and the samples it draws, are the same on every run and every machine. Not for
 * anything that needs statistical quality beyond that, nor for secrets.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
