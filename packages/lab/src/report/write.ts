import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parsePluginOptions, RapportError } from '@rapport/core';
import { z } from 'zod';
import { labCharts } from '../charts/charts.js';
import { renderSvg } from '../charts/render.js';
import { LAB } from '../errors.js';
import { agreementCsv, scoresCsv } from './csv.js';
import { labReportJson } from './json.js';
import type { LabReport } from './report.js';

/** Schema of {@link WriteLabReportOptions}. */
export const writeLabReportOptionsSchema = z
  .object({
    charts: z.boolean().default(true).describe('Render the SVG charts and write their Vega-Lite specs'),
  })
  .strict();

/** Options of {@link writeLabReport}. */
export type WriteLabReportOptions = z.input<typeof writeLabReportOptionsSchema>;

/** What {@link writeLabReport} wrote. */
export interface WrittenLabReport {
  /** The output folder, absolute. */
  dir: string;
  /** The files, relative to `dir`, in the order written. */
  files: string[];
}

/**
 * Writes a report to `dir` (created when missing; files of the same name are replaced):
 *
 * - `scores.csv`: every customer's score, rank (and level) per model;
 * - `agreement.csv`: every pair's Spearman, Kendall tau-b, their intervals and top-k overlaps;
 * - `report.json`: the manifest (dataset and SHA-256 of its files, seed, now, models with
 *   versions and parameters, lab version), the dataset summary, each model's distribution, fitted
 *   parameters and level funnel, the agreement, the files, and last `run` (time and timings);
 * - `charts/*.svg`, each with its Vega-Lite spec `charts/*.vl.json`: score distribution per
 *   model, level funnel per model with levels, the Spearman matrix, a rank scatter per pair.
 *
 * `scores.csv` and `agreement.csv` are byte-identical for the same dataset, models and options;
 * so is `report.json` up to its `run` field.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` when the folder cannot be written.
 */
export async function writeLabReport(
  report: LabReport,
  dir: string,
  options?: WriteLabReportOptions,
): Promise<WrittenLabReport> {
  const { charts } = parsePluginOptions(writeLabReportOptionsSchema, options, 'writeLabReport', LAB);
  const out = resolve(dir);
  const outputs: Array<[string, string]> = [
    ['scores.csv', scoresCsv(report)],
    ['agreement.csv', agreementCsv(report)],
  ];
  if (charts) {
    for (const chart of labCharts(report)) {
      outputs.push([`charts/${chart.name}.svg`, await renderSvg(chart.spec)]);
      outputs.push([`charts/${chart.name}.vl.json`, `${JSON.stringify(chart.spec, null, 2)}\n`]);
    }
  }
  const files = [...outputs.map(([name]) => name), 'report.json'];
  outputs.push(['report.json', `${JSON.stringify(labReportJson(report, files), null, 2)}\n`]);
  try {
    await mkdir(charts ? join(out, 'charts') : out, { recursive: true });
    for (const [name, content] of outputs) await writeFile(join(out, name), content);
  } catch (cause) {
    throw new RapportError(
      'RAPPORT_INVALID_INPUT',
      `Cannot write the report to ${out}: ${(cause as Error).message}`,
      {
        path: ['dir'],
        hint: 'give an output folder you can write to',
        cause,
      },
    );
  }
  return { dir: out, files };
}
