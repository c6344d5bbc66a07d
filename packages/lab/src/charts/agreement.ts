import type { LabAgreement, LabReport } from '../report/report.js';
import { averageRanks } from '../stats/ranks.js';
import { correlation, count, type LabChart, VEGA_LITE_SCHEMA } from './chart.js';

/** Most points a rank scatter draws; above, an evenly spaced subset of customers (by id). */
export const SCATTER_MAX_POINTS = 2000;

function agreementOf(report: LabReport, a: string, b: string): LabAgreement | undefined {
  return report.agreement.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
}

/**
 * The Spearman matrix of every model against every other: a cell per pair (the diagonal is 1),
 * coloured from −1 (red) to 1 (blue), labelled with rho (`n/a` when a ranking is constant).
 */
export function agreementHeatmap(report: LabReport): LabChart {
  const names = report.models.map((m) => m.name);
  const cells = names.flatMap((a) =>
    names.map((b) => {
      const rho = a === b ? 1 : (agreementOf(report, a, b)?.spearman ?? null);
      return { a, b, rho, label: correlation(rho) };
    }),
  );
  const size = Math.max(160, 64 * names.length);
  const position = {
    x: { field: 'a', type: 'nominal', sort: names, title: null },
    y: { field: 'b', type: 'nominal', sort: names, title: null },
  } as const;
  return {
    name: 'agreement-spearman',
    title: 'Spearman rank agreement between models',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: {
        text: 'Rank agreement (Spearman ρ)',
        subtitle: `${count(report.dataset.customers)} customers; missing scores count 0`,
      },
      width: size,
      height: size,
      data: { values: cells },
      encoding: position,
      layer: [
        { name: 'cells', mark: { type: 'rect', fill: '#e5e5e5' } },
        {
          name: 'colors',
          transform: [{ filter: 'datum.rho !== null' }],
          mark: { type: 'rect', tooltip: true },
          encoding: {
            color: {
              field: 'rho',
              type: 'quantitative',
              scale: { domain: [-1, 1], scheme: 'redblue' },
              title: 'ρ',
            },
          },
        },
        {
          name: 'labels',
          mark: { type: 'text', fontSize: 12 },
          encoding: {
            text: { field: 'label', type: 'nominal' },
            color: { condition: { test: 'abs(datum.rho) > 0.6', value: 'white' }, value: 'black' },
          },
        },
      ],
    },
  };
}

/** Ranks from the top (1 = highest), ties at their average rank: the ranks Spearman correlates. */
function ranksFromTop(values: Float64Array): Float64Array {
  const ranks = averageRanks(values);
  for (let i = 0; i < ranks.length; i++) ranks[i] = values.length + 1 - ranks[i]!;
  return ranks;
}

/**
 * Each customer's rank in model `a` against their rank in `b` (1 = highest, ties at their average
 * rank): points on the diagonal are ranked alike, and a block of tied customers (everyone at 0)
 * shows as a line or a dot.
 */
export function rankScatter(report: LabReport, a: string, b: string): LabChart {
  const ra = ranksFromTop(report.scores.get(a)!);
  const rb = ranksFromTop(report.scores.get(b)!);
  const n = report.customers.length;
  const shown = Math.min(n, SCATTER_MAX_POINTS);
  const points = Array.from({ length: shown }, (_, k) => {
    const i = shown === n ? k : Math.floor((k * n) / shown);
    return { customer: report.customers[i]!.id, x: ra[i]!, y: rb[i]! };
  });
  const agreement = agreementOf(report, a, b);
  const interval = agreement?.spearmanInterval;
  const ci =
    interval && interval.low !== null && interval.high !== null
      ? ` [${interval.low.toFixed(2)}, ${interval.high.toFixed(2)}]`
      : '';
  return {
    name: `ranks-${a}-vs-${b}`,
    title: `Ranks of ${a} against ${b}`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: {
        text: `Ranks: ${a} vs ${b}`,
        subtitle: `Spearman ρ = ${correlation(agreement?.spearman ?? null)}${ci}; ${
          shown === n ? `${count(n)} customers` : `${count(shown)} of ${count(n)} customers`
        }; 1 = highest score`,
      },
      width: 360,
      height: 360,
      data: { values: points },
      layer: [
        {
          name: 'points',
          // No description per point: it would double the size of the file.
          mark: { type: 'circle', size: 14, opacity: 0.45, aria: false },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: `rank by ${a}`, scale: { domain: [1, n] } },
            y: { field: 'y', type: 'quantitative', title: `rank by ${b}`, scale: { domain: [1, n] } },
          },
        },
      ],
    },
  };
}
