import type { LabReport } from './report.js';

/** A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/**
 * `scores.csv`: a row per customer of the population, sorted by id: `customer`, `handle`, then per
 * model `<model>_score`, `<model>_rank` (1 = highest; ties share the best rank) and, for models
 * with levels, `<model>_level` (the level's name). Numbers are written in full precision.
 */
export function scoresCsv(report: LabReport): string {
  const header: string[] = ['customer', 'handle'];
  for (const model of report.models) {
    header.push(`${model.name}_score`, `${model.name}_rank`);
    if (model.levels !== null) header.push(`${model.name}_level`);
  }
  const rows: Array<Array<string | number | null>> = [header];
  for (const [c, customer] of report.customers.entries()) {
    const row: Array<string | number | null> = [customer.id, customer.handle];
    for (const model of report.models) {
      row.push(report.scores.get(model.name)![c]!, report.ranks.get(model.name)![c]!);
      if (model.levels !== null) row.push(model.levels[report.levels.get(model.name)![c]!]!.name);
    }
    rows.push(row);
  }
  return csv(rows);
}

/**
 * `agreement.csv`: a row per pair of models: `model_a`, `model_b`, `customers`, `spearman` with
 * `spearman_low` / `spearman_high` (the bootstrap interval), `kendall_tau_b` with its interval,
 * and `top_<k>` per k. Undefined values (a constant ranking) are empty.
 */
export function agreementCsv(report: LabReport): string {
  const ks = report.manifest.topK;
  const header = [
    'model_a',
    'model_b',
    'customers',
    'spearman',
    'spearman_low',
    'spearman_high',
    'kendall_tau_b',
    'kendall_low',
    'kendall_high',
    ...ks.map((k) => `top_${k}`),
  ];
  const rows = report.agreement.map((pair) => [
    pair.a,
    pair.b,
    pair.customers,
    pair.spearman,
    pair.spearmanInterval.low,
    pair.spearmanInterval.high,
    pair.kendallTauB,
    pair.kendallInterval.low,
    pair.kendallInterval.high,
    ...pair.topK.map((t) => t.overlap),
  ]);
  return csv([header, ...rows]);
}
