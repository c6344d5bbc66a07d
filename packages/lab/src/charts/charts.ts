import type { LabLevelCount, LabModelReport, LabReport } from '../report/report.js';
import { agreementHeatmap, rankScatter } from './agreement.js';
import type { LabChart } from './chart.js';
import { distributionChart } from './distribution.js';
import { levelFunnelChart } from './levels.js';

/**
 * Every chart of a report, as Vega-Lite specs with their data inline: a score distribution per
 * model, a level funnel per model with levels, the Spearman matrix, and a rank scatter per pair.
 */
export function labCharts(report: LabReport): LabChart[] {
  const charts: LabChart[] = [];
  for (const model of report.models) charts.push(distributionChart(model, report.scores.get(model.name)!));
  for (const model of report.models) {
    if (model.levels !== null)
      charts.push(levelFunnelChart(model as LabModelReport & { levels: LabLevelCount[] }));
  }
  charts.push(agreementHeatmap(report));
  for (const pair of report.agreement) charts.push(rankScatter(report, pair.a, pair.b));
  return charts;
}
