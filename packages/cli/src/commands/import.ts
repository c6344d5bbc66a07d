import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IngestCounts, IngestItemResult, InteractionInput } from '@rapport/core';
import {
  type DatasetFormat,
  datasetFormatNames,
  datasetFormats,
  type LoadSummary,
  type SkippedRecord,
  stackExchangeKinds,
} from '@rapport/datasets';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, CliExit, exitCodes } from '../errors.js';
import { count, json, oneLine, rate, table } from '../format.js';
import type { CliIO } from '../io.js';
import { parseCommandInput, storeLocationOptions, storeOptionsShape, wholeNumberOption } from '../options.js';
import { createProgressReporter } from '../progress.js';
import { storeLocation, withStore } from '../store.js';

/** How many rejected items and loader skips the summary lists; `--errors` keeps every one. */
export const SHOWN_PROBLEMS = 10;

/** Largest `--batch-size`: one batch is one unit of work held in memory. */
export const MAX_BATCH_SIZE = 100_000;

/** Options of {@link runImport}, validated. */
export interface ImportOptions {
  /** File (or, for `stackexchange`, dump folder) to import, relative to `cwd`. */
  path: string;
  format: DatasetFormat;
  /** `--db`: the SQLite file, relative to `cwd` (unless `storage` is given). */
  db: string;
  /** `--storage`: a Postgres database URL, in place of `db`. */
  storage?: string | undefined;
  tenant: string;
  /** Items per unit of work. */
  batchSize: number;
  /** Where to write every rejected item as a JSON line. */
  errors?: string | undefined;
  /** Show progress on stderr. */
  progress: boolean;
  cwd: string;
}

/** A rejected item as reported: where it was in the stream and what to fix. */
export interface RejectedItem {
  /** 0-based position among the items the loader yielded. */
  index: number;
  code: string;
  message: string;
  /** JSON path inside the item, such as `$.occurredAt`. */
  path?: string;
  hint?: string;
}

/** What `rapport import` did; this is also its `--json` output. */
export interface ImportReport {
  file: string;
  format: DatasetFormat;
  /** Where the data went: the SQLite file's path, or the Postgres URL with its password masked. */
  db: string;
  tenant: string;
  /** The loader's account of the source: records read, items yielded, filtered, skipped per reason. */
  loader: LoadSummary;
  /** Items handed to the store. */
  processed: number;
  counts: IngestCounts;
  durationMs: number;
  itemsPerSecond: number;
  /** The first {@link SHOWN_PROBLEMS} rejected items. */
  rejected: RejectedItem[];
  /** The first {@link SHOWN_PROBLEMS} records the loader skipped. */
  skipped: SkippedRecord[];
  /** The `--errors` file, when one was written. */
  errorsFile?: string;
  /** 0, or 2 when something in the input was not imported because it was invalid. */
  exitCode: number;
}

/**
 * Skip reasons that mean the record was broken, as opposed to left out by design (a tag wiki,
 * a duplicate id, a tweet with no brand to file it under). Loaders name them `malformed-*` and
 * `invalid-*`.
 */
export function isMalformedSkip(reason: string): boolean {
  return reason.startsWith('malformed-') || reason.startsWith('invalid-');
}

function checkSource(file: string, format: DatasetFormat): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch {
    throw new CliError('CLI_FILE_NOT_FOUND', `No such file or folder: ${file}`, {
      hint: 'check the path; a relative path is read from the current directory',
    });
  }
  if (format === 'stackexchange' && !isDirectory) {
    throw new CliError('CLI_NOT_A_FOLDER', `${file} is not a folder`, {
      hint: 'give --format stackexchange the folder of one site’s dump (the one holding Posts.xml)',
    });
  }
  if (format !== 'stackexchange' && isDirectory) {
    throw new CliError('CLI_NOT_A_FILE', `${file} is a folder`, { hint: `give --format ${format} a file` });
  }
}

/** Writes rejected items to a JSON-lines file, one batch at a time. */
class ErrorsFile {
  private readonly fd: number;
  private lines: string[] = [];

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (cause) {
      throw new CliError('CLI_ERRORS_FILE', `Cannot write ${path}: ${(cause as Error).message}`, {
        hint: 'give --errors a path in a writable folder',
        cause,
      });
    }
  }

  add(result: IngestItemResult, item: unknown): void {
    this.lines.push(`${JSON.stringify({ index: result.index, error: result.error?.toJSON(), item })}\n`);
  }

  flush(): void {
    if (this.lines.length > 0) writeSync(this.fd, this.lines.join(''));
    this.lines = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function toRejectedItem(result: IngestItemResult): RejectedItem {
  const error = result.error;
  if (!error) return { index: result.index, code: 'RAPPORT_INVALID_INTERACTION', message: 'rejected' };
  const path = error.jsonPath;
  return {
    index: result.index,
    code: error.code,
    message: error.message,
    ...(path ? { path } : {}),
    hint: error.hint,
  };
}

/**
 * Streams a data set into the store: the format's loader feeds `ingestStream` one batch at a
 * time, so files of any size import in bounded memory. Progress goes to stderr.
 *
 * @throws CliError when the source or the `--errors` file cannot be opened; a `RapportError`
 * when the loader refuses the file (for example a CSV without the twcs columns) or the store fails.
 */
export async function runImport(options: ImportOptions, io: CliIO): Promise<ImportReport> {
  const file = resolve(options.cwd, options.path);
  checkSource(file, options.format);
  // Refuses a bad --db or --storage before anything is read.
  const location = storeLocation(options);
  const started = performance.now();
  let errorsFile: ErrorsFile | null = null;

  const skipped: SkippedRecord[] = [];
  const rejected: RejectedItem[] = [];

  const loader = datasetFormats[options.format](file, {
    onSkip: (record) => {
      if (skipped.length < SHOWN_PROBLEMS) skipped.push(record);
    },
  });
  /** The loader again, with its first item (already read) put back in front. */
  async function* source(
    first: IteratorResult<InteractionInput, LoadSummary>,
  ): AsyncGenerator<InteractionInput, LoadSummary, undefined> {
    let next = first;
    while (!next.done) {
      yield next.value;
      next = await loader.next();
    }
    return next.value;
  }

  const progress = createProgressReporter(io, { enabled: options.progress, every: options.batchSize });
  try {
    // Loaders refuse a bad file (wrong columns, unreadable) before their first item: asking for
    // it before opening the store leaves no empty database behind.
    const first = await loader.next();
    if (options.errors) errorsFile = new ErrorsFile(resolve(options.cwd, options.errors));
    const summary = await withStore(
      {
        db: options.db,
        storage: options.storage,
        tenant: options.tenant,
        cwd: options.cwd,
        ...(options.format === 'stackexchange' ? { kinds: stackExchangeKinds } : {}),
      },
      (rapport) =>
        rapport.ingestStream(source(first), {
          batchSize: options.batchSize,
          onRejected: (result, item) => {
            if (rejected.length < SHOWN_PROBLEMS) rejected.push(toRejectedItem(result));
            errorsFile?.add(result, item);
          },
          onProgress: (p) => {
            errorsFile?.flush();
            progress.update(p);
          },
        }),
    );
    progress.stop();
    const loaderSummary: LoadSummary = summary.sourceResult ?? {
      read: 0,
      emitted: 0,
      filtered: 0,
      skipped: {},
    };
    // From the first read, not from the first stored item: loaders may read the file once before
    // yielding anything (twcs resolves its threads first).
    const durationMs = performance.now() - started;
    const malformed = Object.entries(loaderSummary.skipped).some(
      ([reason, n]) => n > 0 && isMalformedSkip(reason),
    );
    return {
      file,
      format: options.format,
      db: location.display,
      tenant: options.tenant,
      loader: loaderSummary,
      processed: summary.processed,
      counts: summary.counts,
      durationMs: Math.round(durationMs),
      itemsPerSecond: rate(summary.processed, durationMs),
      rejected,
      skipped,
      ...(errorsFile ? { errorsFile: errorsFile.path } : {}),
      exitCode: summary.counts.rejected > 0 || malformed ? exitCodes.partial : exitCodes.ok,
    };
  } finally {
    progress.stop();
    errorsFile?.close();
    // Closes the loader's file when the import stopped early (a store failure).
    await loader.return({ read: 0, emitted: 0, filtered: 0, skipped: {} });
  }
}

/** The human-readable summary of an import. */
export function renderImportReport(report: ImportReport): string {
  const { counts, loader } = report;
  const skippedTotal = Object.values(loader.skipped).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(loader.skipped)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${reason} ${count(n)}`)
    .join(', ');
  const rows: string[][] = [
    ['read', count(loader.read), 'records from the source'],
    ['imported', count(report.processed), 'items handed to the store'],
    ['created', count(counts.created), ''],
    ['updated', count(counts.updated), ''],
    ['duplicate', count(counts.duplicate), 'already stored, unchanged'],
    ['stale', count(counts.stale), 'older than the stored version'],
    ['rejected', count(counts.rejected), counts.rejected > 0 ? 'invalid, not stored' : ''],
    ['suppressed', count(counts.suppressed), counts.suppressed > 0 ? 'erased customers stay erased' : ''],
    ['skipped', count(skippedTotal), skippedTotal > 0 ? `by the loader: ${reasons}` : 'by the loader'],
  ];
  if (loader.filtered > 0) rows.push(['filtered', count(loader.filtered), 'left out by an option']);
  rows.push([
    'duration',
    report.durationMs < 1000 ? `${report.durationMs} ms` : `${(report.durationMs / 1000).toFixed(1)} s`,
    `${count(report.itemsPerSecond)} items/s`,
  ]);

  let out = `Imported ${report.file} (${report.format}) into ${report.db}, tenant ${report.tenant}\n`;
  out += `${table(rows, { right: [1] })}\n`;
  if (counts.rejected > 0) {
    out += `\nRejected items (first ${Math.min(SHOWN_PROBLEMS, counts.rejected)} of ${count(counts.rejected)}; #n is the item's position, from 0):\n`;
    out += `${table(
      report.rejected.map((r) => [`#${r.index}`, r.code, r.path ?? '$', r.hint ?? oneLine(r.message, 100)]),
      { right: [0] },
    )}\n`;
  }
  if (skippedTotal > 0) {
    out += `\nSkipped records (first ${Math.min(SHOWN_PROBLEMS, skippedTotal)} of ${count(skippedTotal)}):\n`;
    out += `${table(report.skipped.map((s) => [s.ref, s.reason, oneLine(s.detail, 100)]))}\n`;
  }
  if (report.errorsFile) {
    out += `\nRejected items written to ${report.errorsFile} (${count(counts.rejected)} lines)\n`;
  } else if (counts.rejected > SHOWN_PROBLEMS) {
    out += `\nRun again with --errors <file.jsonl> to get every rejected item.\n`;
  }
  return out;
}

const importInputSchema = z.object({
  path: z.string().min(1, 'needs a file name'),
  format: z.enum(datasetFormatNames, {
    error: (issue) =>
      issue.input === undefined
        ? `is required; one of: ${datasetFormatNames.join(', ')}`
        : `must be one of: ${datasetFormatNames.join(', ')}`,
  }),
  ...storeOptionsShape,
  batchSize: wholeNumberOption(1, MAX_BATCH_SIZE),
  errors: z.string().trim().min(1, 'needs a file name').optional(),
  progress: z.boolean().default(true),
});

/** Adds `rapport import` to the program. */
export function registerImport(program: Command, io: CliIO): void {
  const command = program
    .command('import')
    .description('import a data set into the store, streaming it in batches')
    .argument('<path>', 'file to import (a dump folder for stackexchange)')
    .option('-f, --format <format>', `input format: ${datasetFormatNames.join(', ')}`);
  storeLocationOptions(command, 'SQLite database file (created when missing)')
    .option('--tenant <id>', 'tenant to import into', 'default')
    .option('--batch-size <n>', 'items per unit of work', '1000')
    .option('--errors <file.jsonl>', 'write every rejected item to this file as a JSON line')
    .option('--no-progress', 'do not show progress')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 everything stored or already there, 2 some items rejected or malformed, 1 fatal error.',
    )
    .action(async (path: string, raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, importInputSchema, { ...raw, path });
      const report = await runImport({ ...input, cwd: io.cwd }, io);
      io.stdout(input.json ? json(report) : renderImportReport(report));
      if (report.exitCode !== exitCodes.ok) throw new CliExit(report.exitCode);
    });
}
