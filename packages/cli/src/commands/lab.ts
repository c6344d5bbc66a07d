import { resolve } from 'node:path';
import {
  compareModels,
  type LabReport,
  type LabReportJson,
  labLoaderNames,
  labModelNames,
  labReportJson,
  loadLabDataset,
  writeLabReport,
} from '@rapport/lab';
import type { Command } from 'commander';
import { z } from 'zod';
import { count, json, table, utc } from '../format.js';
import type { CliIO } from '../io.js';
import { jsonOptionSchema, parseCommandInput, tenantOptionSchema, wholeNumberOption } from '../options.js';

/** Options of {@link runLabCompare}, validated. */
export interface LabCompareOptions {
  /** `<loader>:<path>`, such as `twcs:fixtures/twcs/twcs_first5000.csv` or `sqlite:crm.db`, or a `postgres://` URL. */
  dataset: string;
  /** Model names; default: every built-in model that can score the dataset. */
  models?: string[] | undefined;
  seed: number;
  topK: number[];
  resamples: number;
  /** Tenant of a store (`sqlite:` or `postgres://`). */
  tenant: string;
  /** Folder to write scores.csv, agreement.csv, report.json and charts/ to. */
  out?: string | undefined;
  /** Render the charts when writing (`--no-charts` leaves them out). */
  charts: boolean;
  cwd: string;
}

/** What `rapport lab compare` did; its `--json` output is `report.json`'s content (plus `out`). */
export interface LabCompareResult {
  report: LabReport;
  /** The output folder and the files written there, with `--out`. */
  written?: { dir: string; files: string[] };
  /** Milliseconds to load the dataset. */
  loadMs: number;
  /** Milliseconds in all: loading, scoring, comparing and writing. */
  durationMs: number;
}

/** Loads the dataset, compares the models and, with `out`, writes the report there. */
export async function runLabCompare(options: LabCompareOptions): Promise<LabCompareResult> {
  const started = performance.now();
  const dataset = await loadLabDataset(options.dataset, { cwd: options.cwd, tenant: options.tenant });
  const loadMs = Math.round(performance.now() - started);
  const report = await compareModels({
    dataset,
    ...(options.models ? { models: options.models } : {}),
    seed: options.seed,
    topK: options.topK,
    resamples: options.resamples,
  });
  const durationMs = () => Math.round(performance.now() - started);
  if (options.out === undefined) return { report, loadMs, durationMs: durationMs() };
  const written = await writeLabReport(report, resolve(options.cwd, options.out), { charts: options.charts });
  return { report, written, loadMs, durationMs: durationMs() };
}

/** The `--json` output: the report as `report.json` holds it, and where it was written. */
export function labCompareJson(result: LabCompareResult): LabReportJson & { out?: string } {
  return {
    ...labReportJson(result.report, result.written?.files),
    ...(result.written ? { out: result.written.dir } : {}),
  };
}

const fixed = (value: number | null, digits = 3) => (value === null ? 'n/a' : value.toFixed(digits));

/** The human-readable comparison: the dataset, the models, and a table of the agreement. */
export function renderLabCompare(result: LabCompareResult): string {
  const { report } = result;
  const { manifest, dataset } = report;
  let out = `Dataset ${manifest.dataset.spec}: ${count(dataset.customers)} customers, ${count(dataset.interactions)} interactions, now ${utc(manifest.now)}\n`;
  if (dataset.excluded.length > 0) out += `  left out: ${dataset.excluded.join(', ')}\n`;
  const confidence = `${Math.round(manifest.confidence * 100)}%`;
  out += `\nModels (seed ${manifest.seed}, ${count(manifest.resamples)} resamples for ${confidence} intervals)\n`;
  out += `${table(
    report.models.map((model) => [
      model.name,
      `${model.id}@${model.version}`,
      `${count(model.distribution.nonZero)} scored above 0`,
      `${count(report.run.timings.models[model.name] ?? 0)} ms`,
    ]),
    { right: [3] },
  )}\n`;
  const ks = manifest.topK;
  out += '\nAgreement (n/a: a ranking is constant)\n';
  out += `${table(
    [
      ['pair', 'spearman', `${confidence} CI`, 'kendall', `${confidence} CI`, ...ks.map((k) => `top-${k}`)],
      ...report.agreement.map((pair) => [
        `${pair.a} / ${pair.b}`,
        fixed(pair.spearman),
        pair.spearmanInterval.low === null
          ? ''
          : `[${fixed(pair.spearmanInterval.low)}, ${fixed(pair.spearmanInterval.high)}]`,
        fixed(pair.kendallTauB),
        pair.kendallInterval.low === null
          ? ''
          : `[${fixed(pair.kendallInterval.low)}, ${fixed(pair.kendallInterval.high)}]`,
        ...pair.topK.map((t) => fixed(t.overlap, 2)),
      ]),
    ],
    { right: [1, 3, ...ks.map((_, i) => 5 + i)] },
  )}\n`;
  if (result.written) {
    out += `\nWrote ${count(result.written.files.length)} files to ${result.written.dir} (scores.csv, agreement.csv, report.json${result.written.files.some((f) => f.startsWith('charts/')) ? ', charts/' : ''})\n`;
  }
  out += `Done in ${(result.durationMs / 1000).toFixed(1)} s (loading ${(result.loadMs / 1000).toFixed(1)} s).\n`;
  return out;
}

/** `a,b , c` → `['a', 'b', 'c']`. */
const nameList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  )
  .pipe(z.array(z.string()).min(1, `needs model names separated by commas: ${labModelNames.join(', ')}`));

/** `10,50,100` → `[10, 50, 100]`. */
const topKList = z
  .string()
  .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be whole numbers separated by commas, such as 10,50,100')
  .transform((text) => text.split(',').map(Number))
  .pipe(
    z.array(z.number().int().min(1, 'must be whole numbers of 1 or more')).max(20, 'takes at most 20 values'),
  );

const labCompareInputSchema = z.object({
  dataset: z
    .string({ error: `is required: <loader>:<path>, with a loader among ${labLoaderNames.join(', ')}` })
    .trim()
    .min(1, 'needs <loader>:<path>'),
  models: nameList.optional(),
  seed: wholeNumberOption(0, 2 ** 32 - 1),
  topK: topKList,
  resamples: wholeNumberOption(0, 100_000),
  tenant: tenantOptionSchema,
  out: z.string().trim().min(1, 'needs a folder').optional(),
  charts: z.boolean().default(true),
  json: jsonOptionSchema,
});

/** Adds `rapport lab compare` to the program. */
export function registerLab(program: Command, io: CliIO): void {
  const lab = program.command('lab').description('research tools: compare scoring models on a data set');
  lab
    .command('compare')
    .description('score a data set with several models and measure how their rankings agree')
    .option(
      '--dataset <loader:path>',
      `data to score, as <loader>:<path>; loaders: ${labLoaderNames.join(', ')} (sqlite:<file> or a postgres:// URL: a Rapport store)`,
    )
    .option(
      '--models <names>',
      `models to compare, separated by commas: ${labModelNames.join(', ')} (default: every one that can score the data)`,
    )
    .option('--seed <n>', 'seed of the bootstrap resampling', '1')
    .option('--top-k <list>', 'the k of the top-k overlaps', '10,50,100')
    .option('--resamples <n>', 'bootstrap resamples for the confidence intervals (0: none)', '200')
    .option('--tenant <id>', 'tenant to read (stores)', 'default')
    .option('--out <dir>', 'write scores.csv, agreement.csv, report.json and charts/ to this folder')
    .option('--no-charts', 'with --out, write no charts')
    .option('--json', 'print the report (report.json) as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Spearman rho and Kendall tau-b (ties handled) with 95% bootstrap percentile intervals, and the share',
        'of each top k both models hold (ties at the cut broken by customer id). A customer a model gives no',
        'score counts 0 in it. "Now" is the last interaction of the data, so runs are reproducible.',
        '',
        'Example: rapport lab compare --dataset twcs:fixtures/twcs/twcs_first5000.csv --models activity,engagement,influence --out lab-out',
      ].join('\n'),
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, labCompareInputSchema, raw);
      if (!input.json) io.stderr(`Loading ${input.dataset}…\n`);
      const result = await runLabCompare({ ...input, cwd: io.cwd });
      io.stdout(input.json ? json(labCompareJson(result)) : renderLabCompare(result));
    });
}
