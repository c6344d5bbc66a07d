import { gini } from '@rapport/scoring-advocacy';

/** How a model's scores are spread over the population. */
export interface ScoreDistribution {
  customers: number;
  /** Customers with a score other than 0. */
  nonZero: number;
  min: number;
  max: number;
  mean: number;
  /** Quantiles with linear interpolation between order statistics. */
  median: number;
  p90: number;
  p99: number;
  /**
   * Sample skewness (Fisher's g₁); null when every score is the same. Above 1, a few customers
   * hold most of the score and charts use a log scale.
   */
  skewness: number | null;
  /** Gini coefficient of the scores (0 all equal, → 1 one customer holds all); null with negative scores. */
  gini: number | null;
}

function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Summary statistics of a model's scores over the population (at least one customer). */
export function scoreDistribution(values: Float64Array): ScoreDistribution {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  let nonZero = 0;
  for (const value of values) {
    sum += value;
    if (value !== 0) nonZero++;
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  for (const value of values) {
    const d = value - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= n;
  m3 /= n;
  return {
    customers: n,
    nonZero,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    mean,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    skewness: m2 > 0 ? m3 / m2 ** 1.5 : null,
    gini: sorted[0]! >= 0 ? gini(sorted) : null,
  };
}
