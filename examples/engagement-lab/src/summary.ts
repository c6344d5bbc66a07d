import type { LabAgreement } from '@rapport/lab';
import { type DatasetRun, extremePair } from './lab.js';

const n = (value: number) => value.toLocaleString('en-US');

function rho(pair: LabAgreement): string {
  const { low, high } = pair.spearmanInterval;
  const interval = low === null || high === null ? '' : ` [${low.toFixed(2)}, ${high.toFixed(2)}]`;
  return `${pair.a} vs ${pair.b}: ρ = ${pair.spearman!.toFixed(2)}${interval}, top-10 overlap ${pair.topK[0]?.overlap?.toFixed(1) ?? 'n/a'}`;
}

/** A few lines per dataset: size, the pairs that agree most and least, the funnel, the files. */
export function renderSummary(runs: readonly DatasetRun[]): string {
  let out = '';
  for (const { name, report, written } of runs) {
    const { dataset, manifest } = report;
    out += `${name}: ${n(dataset.customers)} customers, ${n(dataset.interactions)} interactions, scored as of ${manifest.now}\n`;
    const most = extremePair(report, true);
    const least = extremePair(report, false);
    if (most) out += `  agree most    ${rho(most)}\n`;
    if (least && least !== most) out += `  agree least   ${rho(least)}\n`;
    for (const model of report.models) {
      if (model.distribution.nonZero === 0) {
        out += `  ${model.name} gives every customer 0 here: it ranks nobody, so its correlations are n/a\n`;
      }
    }
    const engagement = report.models.find((m) => m.name === 'engagement');
    if (engagement?.levels) {
      out += `  engagement levels  ${engagement.levels.map((l) => `${l.name} ${n(l.customers)}`).join(' · ')}\n`;
    }
    out += `  wrote ${n(written.files.length)} files to ${written.dir}\n\n`;
  }
  return out;
}
