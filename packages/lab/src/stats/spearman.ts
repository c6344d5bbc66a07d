import { averageRanks } from './ranks.js';
import { checkPaired, type Values } from './values.js';

/**
 * Pearson's correlation coefficient of two paired samples, or NaN when either is constant (or
 * has fewer than two values): the correlation is then undefined. Clamped to [−1, 1] against
 * rounding.
 */
export function pearson(a: Values, b: Values): number {
  const n = a.length;
  if (n < 2) return Number.NaN;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= n;
  meanB /= n;
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    cov += da * db;
    varA += da * da;
    varB += db * db;
  }
  if (varA === 0 || varB === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, cov / Math.sqrt(varA * varB)));
}

/**
 * Spearman's rank correlation rho: Pearson's correlation of the two samples' ranks, ties given
 * their average rank (as `scipy.stats.spearmanr`). 1 when the rankings agree exactly, −1 when one
 * is the other reversed, NaN when either sample is constant (every customer tied: no ranking).
 *
 * ```ts
 * spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]); // 0.8207826816681233
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` when the lengths differ or a value is not finite.
 */
export function spearman(a: Values, b: Values): number {
  checkPaired(a, b, 'spearman');
  return pearson(averageRanks(a), averageRanks(b));
}
