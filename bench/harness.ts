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
