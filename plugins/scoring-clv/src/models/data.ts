import type { RfmSummary } from '../summary/types.js';

/**
 * RFM summaries prepared for a fit: identical (x, t_x, T) rows merged with a weight (customers
 * bought on whole days, so real populations repeat a lot: CDNOW's 2,357 customers are about 1,100
 * distinct rows), and times divided by `scale` so the largest T is 10. The likelihood in scaled
 * time differs from the original one by Σ x·ln(scale), which {@link RfmData.logJacobian} holds.
 */
export interface RfmData {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  weight: Float64Array;
  /** Index of each row's x in {@link RfmData.distinctX}, so terms in x alone are computed once. */
  xIndex: Int32Array;
  distinctX: Float64Array;
  /** Time unit of the fit divided by the unit of the summaries. */
  scale: number;
  /** Customers (sum of the weights). */
  customers: number;
  /** Σ x · ln(scale): the original log-likelihood is the scaled one minus this. */
  logJacobian: number;
}

/** Largest T after rescaling, as recommended for numerical stability of the fits. */
const TARGET_MAX_T = 10;

/** Compresses and rescales validated summaries. */
export function prepareRfm(summaries: readonly RfmSummary[], rescale = true): RfmData {
  const n = summaries.length;
  let maxT = 0;
  let sumX = 0;
  for (const s of summaries) {
    if (s.T > maxT) maxT = s.T;
    sumX += s.x;
  }
  const scale = rescale && maxT > 0 ? maxT / TARGET_MAX_T : 1;
  // Sorting brings identical rows together without building a key per row.
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => {
    const a = summaries[i]!;
    const b = summaries[j]!;
    return a.x - b.x || a.T - b.T || a.tx - b.tx;
  });
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const weight: number[] = [];
  let previous: RfmSummary | undefined;
  for (const i of order) {
    const s = summaries[i]!;
    if (previous !== undefined && s.x === previous.x && s.T === previous.T && s.tx === previous.tx) {
      weight[weight.length - 1]! += 1;
      continue;
    }
    previous = s;
    x.push(s.x);
    tx.push(s.tx / scale);
    T.push(s.T / scale);
    weight.push(1);
  }
  const distinct: number[] = [];
  const xIndex = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    // Rows are sorted by x, so a new x is always the next distinct value.
    if (distinct.length === 0 || distinct[distinct.length - 1] !== x[i]) distinct.push(x[i]!);
    xIndex[i] = distinct.length - 1;
  }
  return {
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    weight: Float64Array.from(weight),
    xIndex,
    distinctX: Float64Array.from(distinct),
    scale,
    customers: n,
    logJacobian: sumX * Math.log(scale),
  };
}
