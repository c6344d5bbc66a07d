import { denseRanks } from './ranks.js';
import { checkPaired, type Values } from './values.js';

/** Σ t(t − 1)/2 over the runs of equal values of a sorted array: the pairs tied on it. */
function tiedPairs(sorted: ArrayLike<number>): number {
  let pairs = 0;
  let run = 1;
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k] === sorted[k - 1]) run++;
    else {
      pairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return pairs + (run * (run - 1)) / 2;
}

/**
 * Sorts `keys` ascending with a bottom-up merge sort and returns how many pairs were in strictly
 * decreasing order (the exchanges a bubble sort would make). Equal keys are not counted: the left
 * one is taken first.
 */
function sortCountingExchanges(keys: Uint32Array): number {
  const n = keys.length;
  let from: Uint32Array = keys;
  let to: Uint32Array = new Uint32Array(n);
  let exchanges = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (from[i]! <= from[j]!) to[k++] = from[i++]!;
        else {
          // Every key left in the left half is greater than this one and came before it.
          exchanges += mid - i;
          to[k++] = from[j++]!;
        }
      }
      while (i < mid) to[k++] = from[i++]!;
      while (j < hi) to[k++] = from[j++]!;
    }
    [from, to] = [to, from];
  }
  if (from !== keys) keys.set(from);
  return exchanges;
}

/**
 * Kendall's tau-b rank correlation, which accounts for ties in either ranking (as
 * `scipy.stats.kendalltau`, its default variant):
 *
 * ```
 * tau_b = (n_c − n_d) / √((n₀ − n₁)(n₀ − n₂))
 * ```
 *
 * with n_c and n_d the concordant and discordant pairs, n₀ = n(n − 1)/2 all pairs, n₁ the pairs
 * tied in `a` and n₂ those tied in `b`. Pairs tied in either count neither way.
 *
 * Computed with Knight's (1966) O(n log n) algorithm: sort the customers by (a, b) and count the
 * pairs tied in a (n₁) and in both (n₃); merge-sort that sequence by b, counting the exchanges,
 * which are exactly the discordant pairs; count the pairs tied in b (n₂). Then
 * n_c − n_d = n₀ − n₁ − n₂ + n₃ − 2·exchanges. Values are replaced by their dense ranks first,
 * so the sort by (a, b) is a plain numeric sort of one key per customer.
 *
 * 1 when the rankings agree exactly, −1 when reversed, NaN when either is constant or fewer than
 * two customers are given (the denominator is 0).
 *
 * ```ts
 * kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]); // −0.47140452079103173
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` when the lengths differ or a value is not finite.
 */
export function kendallTauB(a: Values, b: Values): number {
  checkPaired(a, b, 'kendallTauB');
  const { ranks, distinct } = denseRanks(b);
  return kendallTauBOfCodes(denseRanks(a).ranks, ranks, distinct);
}

/**
 * {@link kendallTauB} of dense ranks (codes from 0, as `denseRanks` gives them; `distinctB`
 * codes in `rb`): ranks are all tau-b reads, so the result is the same as on the values.
 */
export function kendallTauBOfCodes(ra: ArrayLike<number>, rb: ArrayLike<number>, distinctB: number): number {
  const n = ra.length;
  if (n < 2) return Number.NaN;
  // One exact key per customer ordering by (a, b): ranks are below n, so the key stays below n².
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = ra[i]! * distinctB + rb[i]!;
  keys.sort();
  const bInOrder = new Uint32Array(n);
  const aInOrder = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    aInOrder[i] = Math.floor(keys[i]! / distinctB);
    bInOrder[i] = keys[i]! - aInOrder[i]! * distinctB;
  }
  const tiedA = tiedPairs(aInOrder);
  const tiedBoth = tiedPairs(keys);
  // Within a run of equal a, b is ascending, so exchanges only happen across different a.
  const exchanges = sortCountingExchanges(bInOrder);
  const tiedB = tiedPairs(bInOrder);
  const all = (n * (n - 1)) / 2;
  const restA = all - tiedA;
  const restB = all - tiedB;
  if (restA === 0 || restB === 0) return Number.NaN;
  const tau = (all - tiedA - tiedB + tiedBoth - 2 * exchanges) / Math.sqrt(restA) / Math.sqrt(restB);
  return Math.max(-1, Math.min(1, tau));
}
