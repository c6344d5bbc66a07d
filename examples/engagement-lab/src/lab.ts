import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compareModels,
  type LabAgreement,
  type LabReport,
  loadLabDataset,
  type WrittenLabReport,
  writeLabReport,
} from '@rapport/lab';

/** The repository's bundled samples, as `<loader>:<path>` datasets. */
export const datasets = {
  /** A Stack Exchange community: questions, answers, comments, votes, accepted answers. */
  stackexchange: `stackexchange:${fileURLToPath(new URL('../../../fixtures/stackexchange-meta-conlang', import.meta.url))}`,
  /** Customer support on Twitter: customers' tweets and brands' replies. */
  twcs: `twcs:${fileURLToPath(new URL('../../../fixtures/twcs/twcs_first5000.csv', import.meta.url))}`,
} as const;

/** The models compared: three definitions of engagement, one of influence, one of advocacy. */
export const models = ['engagement', 'orbit', 'influence', 'advocacy', 'activity'];

/** Where `npm start` writes (git-ignored). */
export const defaultOutDir = fileURLToPath(new URL('../out', import.meta.url));

/** Options of {@link runEngagementLab}. */
export interface EngagementLabOptions {
  /** Output folder; each dataset gets a subfolder (default {@link defaultOutDir}). */
  out?: string;
  /** Seed of the bootstrap intervals (default 1). */
  seed?: number;
}

/** One dataset's comparison, written. */
export interface DatasetRun {
  name: keyof typeof datasets;
  report: LabReport;
  written: WrittenLabReport;
}

/**
 * The workflow: for each dataset, load it (through Rapport's identity resolution), score every
 * customer with each model at the dataset's last interaction, compare the rankings pairwise, and
 * write scores, agreement, report and charts to `<out>/<dataset>/`.
 */
export async function runEngagementLab(options: EngagementLabOptions = {}): Promise<DatasetRun[]> {
  const out = options.out ?? defaultOutDir;
  const runs: DatasetRun[] = [];
  for (const name of Object.keys(datasets) as Array<keyof typeof datasets>) {
    const dataset = await loadLabDataset(datasets[name]);
    const report = await compareModels({ dataset, models, seed: options.seed ?? 1 });
    const written = await writeLabReport(report, join(out, name));
    runs.push({ name, report, written });
  }
  return runs;
}

/** The pair whose rankings agree most (or least), among pairs with a defined rho. */
export function extremePair(report: LabReport, most: boolean): LabAgreement | undefined {
  const defined = report.agreement.filter((pair) => pair.spearman !== null);
  defined.sort((a, b) => (most ? b.spearman! - a.spearman! : a.spearman! - b.spearman!));
  return defined[0];
}
