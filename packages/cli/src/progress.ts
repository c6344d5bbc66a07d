import type { IngestCounts } from '@rapport/core';
import cliProgress from 'cli-progress';
import { count, rate } from './format.js';
import type { CliIO } from './io.js';

/** Where an import stands: items handed to the store so far and what became of them. */
export interface ImportProgress {
  processed: number;
  counts: IngestCounts;
}

/** Shows an import's progress; `stop` before printing anything else. */
export interface ProgressReporter {
  update(progress: ImportProgress): void;
  stop(): void;
}

/** Options of {@link createProgressReporter}. */
export interface ProgressOptions {
  /** Off: nothing is shown (`--no-progress`). */
  enabled: boolean;
  /** Without a terminal, a plain line is printed each time this many more items are done. */
  every: number;
  /** Milliseconds since the import started; injectable so tests get stable rates. */
  now?: () => number;
}

function describe(progress: ImportProgress, elapsedMs: number): string {
  const { processed, counts } = progress;
  return (
    `${count(processed)} items (${count(counts.created)} created, ${count(counts.updated)} updated, ` +
    `${count(counts.duplicate)} duplicate, ${count(counts.rejected)} rejected), ` +
    `${count(rate(processed, elapsedMs))} items/s`
  );
}

/**
 * A live bar on a terminal; plain lines every `every` items otherwise, so logs and CI output
 * show that a long import is moving. The total is not known in advance (loaders stream, and
 * some read their file twice), so the bar counts up rather than filling to 100%.
 */
export function createProgressReporter(io: CliIO, options: ProgressOptions): ProgressReporter {
  if (!options.enabled) return { update() {}, stop() {} };
  const now = options.now ?? (() => performance.now());
  const started = now();

  if (io.terminal) {
    const bar = new cliProgress.SingleBar({
      stream: io.terminal,
      hideCursor: true,
      clearOnComplete: true,
      // The summary printed next repeats the final numbers; a stale bar line would only add noise.
      format: (_options, params, payload: { line?: string }) =>
        `importing ${payload.line ?? `${count(params.value)} items`}`,
    });
    bar.start(0, 0, { line: 'reading…' });
    return {
      update(progress) {
        bar.update(progress.processed, { line: describe(progress, now() - started) });
      },
      stop() {
        bar.stop();
      },
    };
  }

  let nextAt = options.every;
  return {
    update(progress) {
      if (progress.processed < nextAt) return;
      nextAt = (Math.floor(progress.processed / options.every) + 1) * options.every;
      io.stderr(`importing: ${describe(progress, now() - started)}\n`);
    },
    stop() {},
  };
}
