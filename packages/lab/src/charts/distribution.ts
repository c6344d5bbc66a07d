import type { LabModelReport } from '../report/report.js';
import { count, type LabChart, VEGA_LITE_SCHEMA } from './chart.js';

/** Bins of a histogram, counted. */
interface Bin {
  start: number;
  end: number;
  customers: number;
}

const MAX_BINS = 30;

/** Skewed non-negative scores are drawn on log10(1 + score): the tail would otherwise squash the rest. */
export function usesLogScale(model: LabModelReport): boolean {
  const { skewness, min, max } = model.distribution;
  return skewness !== null && skewness > 1 && min >= 0 && max > 0;
}

/** Labels a log10(1 + score) tick with the score. */
const LOG_LABEL = "format(pow(10, datum.value) - 1, ',.3~r')";

/**
 * Ticks at score 0, then 1 and 3 times powers of ten up to `max` (from 1, or from max/100 when
 * the scores stay small: below 1, log10(1 + score) packs them against 0), in log10(1 + score).
 */
function logTicks(max: number): number[] {
  const from = Math.min(1, max / 100);
  const scores = [0];
  for (let decade = Math.floor(Math.log10(from)); decade <= Math.ceil(Math.log10(max)); decade++) {
    for (const step of [1, 3]) {
      const score = step * 10 ** decade;
      if (score >= from && score <= max) scores.push(score);
    }
  }
  return scores.map((score) => Math.log10(1 + score));
}

function histogram(values: Float64Array, log: boolean): Bin[] {
  const x = log ? Array.from(values, (v) => Math.log10(1 + v)) : Array.from(values);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // Whole-number scores over a short range (counts) get a bin per value.
  const integral = !log && x.every(Number.isInteger) && hi - lo < MAX_BINS;
  const bins = integral ? hi - lo + 1 : hi === lo ? 1 : MAX_BINS;
  const width = integral ? 1 : hi === lo ? 1 : (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of x) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]! += 1;
  return counts.map((customers, i) => ({ start: lo + i * width, end: lo + (i + 1) * width, customers }));
}

/**
 * The histogram of a model's scores over the population: one bar per bin (30 equal bins, or one
 * per value for whole-number scores over a short range), on log10(1 + score) when the scores
 * are skewed (skewness above 1), the axis labelled in scores.
 */
export function distributionChart(model: LabModelReport, values: Float64Array): LabChart {
  const log = usesLogScale(model);
  const { customers, nonZero } = model.distribution;
  const zeroShare = Math.round((100 * (customers - nonZero)) / customers);
  return {
    name: `distribution-${model.name}`,
    title: `Distribution of ${model.name} scores`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: {
        text: `${model.name}: score distribution`,
        subtitle: `${count(customers)} customers, ${zeroShare}% score 0${log ? '; log scale: log10(1 + score)' : ''}`,
      },
      width: 480,
      height: 240,
      data: { values: histogram(values, log) },
      layer: [
        {
          name: 'bins',
          mark: { type: 'bar', tooltip: true },
          encoding: {
            x: {
              field: 'start',
              type: 'quantitative',
              bin: { binned: true },
              title: log ? `${model.name} score (log scale)` : `${model.name} score`,
              ...(log
                ? {
                    axis: {
                      values: logTicks(model.distribution.max),
                      labelExpr: LOG_LABEL,
                      labelOverlap: true,
                    },
                  }
                : {}),
            },
            x2: { field: 'end' },
            y: { field: 'customers', type: 'quantitative', title: 'customers' },
          },
        },
      ],
    },
  };
}
