/**
 * BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers" the Easy Way: An Alternative to
 * the Pareto/NBD Model, Marketing Science 24(2), 275–284.
 *
 * While alive a customer buys as a Poisson process of rate λ ~ Gamma(r, α); after each repeat
 * purchase they drop out with probability p ~ Beta(a, b).
 */
import { parseOrThrow } from '@rapport/core';
import { z } from 'zod';
import { bgnbdBracket } from '../math/hyp2f1.js';
import { digamma, lnBeta, lnGamma, logAddExp, logisticOfNegative } from '../math/special.js';
import {
  checkCount,
  checkRfmSummaries,
  checkRfmSummary,
  checkTime,
  type RfmSummary,
} from '../summary/types.js';
import { prepareRfm, type RfmData } from './data.js';
import { type FitOptions, type ModelFit, maximizeLogLikelihood } from './fit.js';

const positive = z.number().finite().positive();

/** Zod schema of {@link BgNbdParams}. */
export const bgnbdParamsSchema = z
  .object({
    r: positive.describe('shape of the Gamma distribution of purchase rates'),
    alpha: positive.describe('scale of the Gamma distribution of purchase rates, in time units'),
    a: positive.describe('first shape of the Beta distribution of dropout probabilities'),
    b: positive.describe('second shape of the Beta distribution of dropout probabilities'),
  })
  .strict();

/** BG/NBD parameters, with α in the time unit of the summaries. */
export type BgNbdParams = z.infer<typeof bgnbdParamsSchema>;

/** A BG/NBD fit. */
export type BgNbdFit = ModelFit<BgNbdParams>;

const paramHints = {
  r: 'give r as a positive number',
  alpha: 'give alpha as a positive number, in the time unit of the summaries',
  a: 'give a as a positive number',
  b: 'give b as a positive number',
};

function checkParams(params: unknown): BgNbdParams {
  return parseOrThrow(bgnbdParamsSchema, params, 'RAPPORT_INVALID_INPUT', 'BG/NBD parameters', paramHints);
}

/** Total log-likelihood of compressed data, in scaled time. */
function logLikelihoodOf(data: RfmData, r: number, alpha: number, a: number, b: number): number {
  const { distinctX } = data;
  // Terms that depend on x only: ln Γ(r+x) − ln Γ(r) + ln Γ(b+x) − ln Γ(a+b+x) [+ ln a − ln(b+x−1)].
  const byX = new Float64Array(distinctX.length);
  const deathTerm = new Float64Array(distinctX.length);
  const common = lnGamma(a + b) - lnGamma(b) - lnGamma(r) + r * Math.log(alpha);
  for (let k = 0; k < distinctX.length; k++) {
    const x = distinctX[k]!;
    byX[k] = common + lnGamma(r + x) + lnGamma(b + x) - lnGamma(a + b + x);
    deathTerm[k] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : Number.NEGATIVE_INFINITY;
  }
  let total = 0;
  const n = data.x.length;
  for (let i = 0; i < n; i++) {
    const k = data.xIndex[i]!;
    const rx = r + data.x[i]!;
    const alive = -rx * Math.log(alpha + data.T[i]!);
    const dead = deathTerm[k]! - rx * Math.log(alpha + data.tx[i]!);
    total += data.weight[i]! * (byX[k]! + logAddExp(alive, dead));
  }
  return total;
}

/**
 * ∂LL/∂(r, α, a, b) of compressed data. With w = D/(A+D) the weight of "dropped out after the last
 * purchase" (A = (α+T)^−(r+x), D = a/(b+x−1)·(α+t_x)^−(r+x)):
 * ∂r = ψ(r+x) − ψ(r) + ln α − (1−w) ln(α+T) − w ln(α+t_x);
 * ∂α = r/α − (r+x)·[(1−w)/(α+T) + w/(α+t_x)];
 * ∂a = ψ(a+b) − ψ(a+b+x) + w/a;  ∂b = ψ(a+b) + ψ(b+x) − ψ(b) − ψ(a+b+x) − w/(b+x−1).
 */
export function gradientOf(data: RfmData, r: number, alpha: number, a: number, b: number): number[] {
  const { distinctX } = data;
  const k = distinctX.length;
  const psiR = new Float64Array(k);
  const psiAB = new Float64Array(k);
  const psiB = new Float64Array(k);
  const deathTerm = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const x = distinctX[j]!;
    psiR[j] = digamma(r + x) - digamma(r);
    psiAB[j] = digamma(a + b) - digamma(a + b + x);
    psiB[j] = digamma(b + x) - digamma(b);
    deathTerm[j] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : Number.NEGATIVE_INFINITY;
  }
  const logAlpha = Math.log(alpha);
  let dr = 0;
  let dAlpha = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < data.x.length; i++) {
    const j = data.xIndex[i]!;
    const x = data.x[i]!;
    const weight = data.weight[i]!;
    const rx = r + x;
    const logT = Math.log(alpha + data.T[i]!);
    const logTx = Math.log(alpha + data.tx[i]!);
    const alive = -rx * logT;
    const dead = deathTerm[j]! - rx * logTx;
    // w = e^dead / (e^alive + e^dead), computed without overflow.
    const w = x === 0 ? 0 : 1 / (1 + Math.exp(alive - dead));
    dr += weight * (psiR[j]! + logAlpha - (1 - w) * logT - w * logTx);
    dAlpha += weight * (r / alpha - rx * ((1 - w) / (alpha + data.T[i]!) + w / (alpha + data.tx[i]!)));
    da += weight * (psiAB[j]! + (x > 0 ? w / a : 0));
    db += weight * (psiAB[j]! + psiB[j]! - (x > 0 ? w / (b + x - 1) : 0));
  }
  return [dr, dAlpha, da, db];
}

/**
 * Total BG/NBD log-likelihood of the summaries at `params`:
 * Σ ln Γ(r+x) − ln Γ(r) + r ln α + ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x)
 * + ln[(α+T)^−(r+x) + 1{x>0} a/(b+x−1) (α+t_x)^−(r+x)].
 */
export function bgnbdLogLikelihood(params: BgNbdParams, summaries: readonly RfmSummary[]): number {
  const p = checkParams(params);
  const data = prepareRfm(checkRfmSummaries(summaries, 'BG/NBD summaries'), false);
  return logLikelihoodOf(data, p.r, p.alpha, p.a, p.b);
}

/**
 * Fits BG/NBD by maximum likelihood: log-parameters, times rescaled so the largest T is 10
 * while fitting, identical customers merged.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` when a summary is invalid; the path names it.
 */
export function fitBgNbd(summaries: readonly RfmSummary[], options: FitOptions = {}): BgNbdFit {
  const data = prepareRfm(checkRfmSummaries(summaries, 'BG/NBD summaries'));
  const best = maximizeLogLikelihood(
    ([r, alpha, a, b]) => logLikelihoodOf(data, r!, alpha!, a!, b!),
    [[1, 1, 1, 1]],
    data.customers,
    options,
    'bgnbd',
    ([r, alpha, a, b]) => gradientOf(data, r!, alpha!, a!, b!),
  );
  const [r, alpha, a, b] = best.params as [number, number, number, number];
  return {
    model: 'bgnbd',
    params: { r, alpha: alpha * data.scale, a, b },
    logLikelihood: best.logLikelihood - data.logJacobian,
    customers: data.customers,
    iterations: best.iterations,
    converged: best.converged,
    gradientNorm: best.gradientNorm,
  };
}

/** ln of a/(b+x−1)·((α+T)/(α+t_x))^(r+x): the odds that the customer has dropped out. */
function logDropoutOdds(p: BgNbdParams, s: RfmSummary): number {
  if (s.x === 0) return Number.NEGATIVE_INFINITY;
  return (
    Math.log(p.a) -
    Math.log(p.b + s.x - 1) +
    (p.r + s.x) * (Math.log(p.alpha + s.T) - Math.log(p.alpha + s.tx))
  );
}

/**
 * P(alive | x, t_x, T) = 1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)). A customer with no
 * repeat purchase is alive with probability 1: in BG/NBD dropout happens only right after a
 * repeat purchase.
 */
export function bgnbdProbabilityAlive(params: BgNbdParams, summary: RfmSummary): number {
  const p = checkParams(params);
  return logisticOfNegative(logDropoutOdds(p, checkRfmSummary(summary, 'BG/NBD summary')));
}

/**
 * E[X(t)]: expected repeat purchases of a new customer in (0, t]:
 * (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))].
 */
export function bgnbdExpectedTransactions(params: BgNbdParams, t: number): number {
  const p = checkParams(params);
  checkTime(t, 'BG/NBD horizon');
  return expectedNew(p, t);
}

function expectedNew(p: BgNbdParams, t: number): number {
  const c = p.a + p.b - 1;
  // Euler's transformation turns (α/(α+t))^r ₂F₁(r, b; c; z) into (1−z)^(a−1) ₂F₁(c−r, a−1; c; z).
  return c * bgnbdBracket(c - p.r, p.a - 1, c, t / (p.alpha + t));
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in the next t of a customer with this history:
 * (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive).
 */
export function bgnbdConditionalExpectedTransactions(
  params: BgNbdParams,
  summary: RfmSummary,
  t: number,
): number {
  const p = checkParams(params);
  const s = checkRfmSummary(summary, 'BG/NBD summary');
  checkTime(t, 'BG/NBD horizon');
  return conditionalExpected(p, s, t);
}

/** {@link bgnbdConditionalExpectedTransactions} without validation, for loops over customers. */
export function conditionalExpected(p: BgNbdParams, s: RfmSummary, t: number): number {
  const c = p.a + p.b + s.x - 1;
  // Euler's transformation: ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; c; z) = (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; c; z).
  const bracket = bgnbdBracket(p.a + p.b - 1 - p.r, p.a - 1, c, t / (p.alpha + s.T + t));
  return c * bracket * logisticOfNegative(logDropoutOdds(p, s));
}

/** {@link bgnbdProbabilityAlive} without validation. */
export function probabilityAlive(p: BgNbdParams, s: RfmSummary): number {
  return logisticOfNegative(logDropoutOdds(p, s));
}

/**
 * P(X(t) = n): probability that a new customer makes exactly n repeat purchases in (0, t]
 * (Fader, Hardie & Lee 2005, eq. 8):
 * B(a, b+n)/B(a, b) · NB(n) + 1{n>0} · B(a+1, b+n−1)/B(a, b) · P(NB ≥ n), where NB is the
 * negative binomial count of a Gamma(r, α)-Poisson process over t. For n = 0 it is (α/(α+t))^r.
 */
export function bgnbdProbabilityOfTransactions(params: BgNbdParams, t: number, n: number): number {
  const p = checkParams(params);
  checkTime(t, 'BG/NBD horizon');
  checkCount(n, 'number of purchases');
  const q = t / (p.alpha + t);
  const lnBetaAB = lnBeta(p.a, p.b);
  const logNb = (j: number) =>
    lnGamma(p.r + j) -
    lnGamma(p.r) -
    lnGamma(j + 1) +
    p.r * Math.log(p.alpha / (p.alpha + t)) +
    j * Math.log(q);
  const first = Math.exp(lnBeta(p.a, p.b + n) - lnBetaAB + logNb(n));
  if (n === 0) return first;
  // P(NB ≥ n) summed upwards from n: positive terms, no 1 − CDF cancellation for large n.
  let term = Math.exp(logNb(n));
  let tail = term;
  for (let j = n; j < n + 1_000_000 && term > 0; j++) {
    const ratio = ((p.r + j) / (j + 1)) * q;
    term *= ratio;
    tail += term;
    const rho = Math.max(ratio, q);
    if (rho < 1 && term * rho <= 1e-16 * (1 - rho) * tail) break;
  }
  return first + Math.exp(lnBeta(p.a + 1, p.b + n - 1) - lnBetaAB) * tail;
}
