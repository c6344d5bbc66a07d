/**
 * The Gauss hypergeometric function ₂F₁(a, b; c; z) as the BTYD models use it: 0 ≤ z < 1, summed
 * as its power series. Near z = 1 the plain series of the models' ₂F₁ grows like (1 − z)^(c−a−b)
 * (it "overflows": the #NUM! error of Fader & Hardie's 2013 note), so both models go through
 * Euler's transformation ₂F₁(a, b; c; z) = (1 − z)^(c−a−b) ₂F₁(c−a, c−b; c; z), whose series stays
 * bounded there.
 */
import { oneMinusExpOver } from './special.js';

/** Terms are summed until the rest of the series is below this share of the sum. */
const RELATIVE_TOLERANCE = 1e-16;
/**
 * A guard for z within about 1e-5 of 1 (parameters at an extreme, such as β/α ≈ 10⁵ in Pareto/NBD),
 * where the series needs about 35/(1 − z) terms.
 */
const MAX_TERMS = 2_000_000;

/**
 * Σ_{n≥0} tₙ with t₀ = `first` and tₙ₊₁ = tₙ · z · (p + n)(q + n) / ((c + n)(d + n)). Stops when
 * the terms have settled into geometric decay and the remaining tail, bounded by
 * |tₙ| · ρ / (1 − ρ) with ρ < 1 the larger of the current ratio and z, is negligible.
 */
function sumSeries(first: number, p: number, q: number, c: number, d: number, z: number): number {
  let term = first;
  let sum = first;
  // Before n passes the parameters, ratios can exceed 1 and terms change sign; no stopping there.
  const settled = Math.ceil(Math.max(Math.abs(p), Math.abs(q), Math.abs(c), Math.abs(d))) + 1;
  let rho = z;
  for (let n = 0; n < MAX_TERMS; n++) {
    const ratio = (z * (p + n) * (q + n)) / ((c + n) * (d + n));
    term *= ratio;
    sum += term;
    if (term === 0) return sum;
    // Far out the ratio tends to z, from above or below: bound the tail with the larger of the two.
    rho = Math.max(Math.abs(ratio), z);
    if (n >= settled && rho < 1 && Math.abs(term) * rho <= RELATIVE_TOLERANCE * (1 - rho) * Math.abs(sum)) {
      return sum;
    }
  }
  // Out of terms (z within ~1e-5 of 1): add the geometric estimate of the rest rather than drop it.
  return rho < 1 ? sum + (term * rho) / (1 - rho) : sum;
}

/**
 * ₂F₁(a, b; c; z) by its power series, for 0 ≤ z < 1 and c not a non-positive integer. Used
 * directly only where the series is well behaved; see {@link lnHyp2f1Positive}.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  return sumSeries(1, a, b, c, 1, z);
}

/**
 * ln ₂F₁(a, b; c; z) when c − a, c − b and c are positive and 0 ≤ z < 1 (the Pareto/NBD case):
 * after Euler's transformation every term is positive, so the value is positive and its log safe,
 * and the series stays bounded as z → 1.
 */
export function lnHyp2f1Positive(a: number, b: number, c: number, z: number): number {
  if (z === 0) return 0;
  return (c - a - b) * Math.log1p(-z) + Math.log(sumSeries(1, c - a, c - b, c, 1, z));
}

/**
 * [1 − (1 − z)^ε ₂F₁(A, ε; C; z)] / ε, finite and accurate for every ε including 0. Both BG/NBD
 * expectations are (C or C with x) times this quantity (see `bgnbd.ts` for the derivation through
 * Euler's transformation). It writes ₂F₁(A, ε; C; z) = 1 + ε·D, where D's series has the factor ε
 * of every term taken out, so no 0/0 arises at a = 1 and nothing is ever logged: with a < 1 the
 * ₂F₁ here can be negative.
 */
export function bgnbdBracket(A: number, epsilon: number, C: number, z: number): number {
  if (z === 0) return 0;
  const logBase = Math.log1p(-z);
  // D = Σ_{n≥1} (A)ₙ (1+ε)ₙ₋₁ / ((C)ₙ n!) zⁿ: first term A·z/C, then the ratio
  // z (A + n)(ε + n) / ((C + n)(n + 1)) for n = 1, 2, …
  const d = sumSeries((A * z) / C, A + 1, epsilon + 1, C + 1, 2, z);
  return oneMinusExpOver(epsilon, logBase) - Math.exp(epsilon * logBase) * d;
}
