import type { Values } from './values.js';

/** The values sorted ascending, in a copy (a numeric typed-array sort: no comparator to call). */
export function sortedCopy(values: Values): Float64Array {
  return Float64Array.from(values as ArrayLike<number>).sort();
}

/** The first position in `sorted` holding a value ≥ `value`. */
export function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first position in `sorted` holding a value > `value`. */
export function upperBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Ranks from 1 (smallest) to n, ties given the average of the ranks they span (scipy's
 * `rankdata(method='average')`): `[10, 20, 20, 30]` → `[1, 2.5, 2.5, 4]`. These are the ranks
 * Spearman's rho correlates.
 */
export function averageRanks(values: Values): Float64Array {
  const { ranks, distinct } = denseRanks(values);
  return averageRanksOfCodes(ranks, distinct);
}

/**
 * {@link averageRanks} of dense ranks (codes from 0 to `distinct` − 1, as {@link denseRanks}
 * gives them), by counting: O(n + distinct), for resampling the same values many times.
 */
export function averageRanksOfCodes(codes: ArrayLike<number>, distinct: number): Float64Array {
  const counts = new Float64Array(distinct);
  for (let i = 0; i < codes.length; i++) counts[codes[i]!]! += 1;
  // A code held by `count` values after `start` smaller ones spans ranks start + 1 … start + count.
  const rankOf = new Float64Array(distinct);
  let start = 0;
  for (let code = 0; code < distinct; code++) {
    rankOf[code] = start + (counts[code]! + 1) / 2;
    start += counts[code]!;
  }
  const ranks = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) ranks[i] = rankOf[codes[i]!]!;
  return ranks;
}

/**
 * Competition ranks from the top: 1 for the highest score, and every customer ranked 1 + the
 * number of customers with a strictly higher score, so ties share the best rank they span
 * (`[5, 9, 9, 1]` → `[3, 1, 1, 4]`). What the score tables print.
 */
export function topRanks(values: Values): Uint32Array {
  const sorted = sortedCopy(values);
  const ranks = new Uint32Array(values.length);
  for (let i = 0; i < ranks.length; i++) ranks[i] = 1 + sorted.length - upperBound(sorted, values[i]!);
  return ranks;
}

/**
 * Each value's position among the distinct values, from 0: `[0.5, 9, 0.5, 3]` → `[0, 2, 0, 1]`,
 * and how many distinct values there are.
 */
export function denseRanks(values: Values): { ranks: Uint32Array; distinct: number } {
  const sorted = sortedCopy(values);
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[distinct++] = sorted[i]!;
  }
  const unique = sorted.subarray(0, distinct);
  const ranks = new Uint32Array(values.length);
  for (let i = 0; i < ranks.length; i++) ranks[i] = lowerBound(unique, values[i]!);
  return { ranks, distinct };
}

/**
 * Customer indices from the highest score down, ties broken by id (ascending, by code unit so
 * the order is the same on every machine). The prefix of length k is the top-k.
 */
export function rankingOrder(values: Values, ids: readonly string[]): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((i, j) => {
    const diff = values[j]! - values[i]!;
    if (diff !== 0) return diff;
    const a = ids[i]!;
    const b = ids[j]!;
    return a < b ? -1 : a > b ? 1 : i - j;
  });
}
