/**
 * Pareto/NBD: Schmittlein, Morrison & Colombo (1987), Counting Your Customers: Who Are They and
 * What Will They Do Next?, Management Science 33(1), 1–24; likelihood and expressions as in
 * Fader & Hardie (2005), A Note on Deriving the Pareto/NBD Model and Related Expressions
 * (brucehardie.com/notes/009).
 *
 * While alive a customer buys as a Poisson process of rate λ ~ Gamma(r, α); their lifetime is
 * exponential with rate μ ~ Gamma(s, β).
 */
import { parseOrThrow } from '@rapport/core';
import { z } from 'zod';
import { lnHyp2f1Positive } from '../math/hyp2f1.js';
import { lnGamma, logAddExp, logisticOfNegative, logSubExp, oneMinusExpOver } from '../math/special.js';
import { checkRfmSummaries, checkRfmSummary, checkTime, type RfmSummary } from '../summary/types.js';
import { prepareRfm, type RfmData } from './data.js';
import { type FitOptions, type ModelFit, maximizeLogLikelihood } from './fit.js';

const positive = z.number().finite().positive();

/** Zod schema of {@link ParetoNbdParams}. */
export const paretoNbdParamsSchema = z
  .object({
    r: positive.describe('shape of the Gamma distribution of purchase rates'),
    alpha: positive.describe('scale of the Gamma distribution of purchase rates, in time units'),
    s: positive.describe('shape of the Gamma distribution of dropout rates'),
    beta: positive.describe('scale of the Gamma distribution of dropout rates, in time units'),
  })
  .strict();

/** Pareto/NBD parameters, with α and β in the time unit of the summaries. */
export type ParetoNbdParams = z.infer<typeof paretoNbdParamsSchema>;

/** A Pareto/NBD fit. */
export type ParetoNbdFit = ModelFit<ParetoNbdParams>;

const paramHints = {
  r: 'give r as a positive number',
  alpha: 'give alpha as a positive number, in the time unit of the summaries',
  s: 'give s as a positive number',
  beta: 'give beta as a positive number, in the time unit of the summaries',
};

function checkParams(params: unknown): ParetoNbdParams {
  return parseOrThrow(
    paretoNbdParamsSchema,
    params,
    'RAPPORT_INVALID_INPUT',
    'Pareto/NBD parameters',
    paramHints,
  );
}

/**
 * ln A₀, where (s/(r+s+x))·A₀ is the probability mass of having died between t_x and T:
 * for α ≥ β, A₀ = ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+t_x)) / (α+t_x)^(r+s+x)
 *              − ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+T)) / (α+T)^(r+s+x),
 * and symmetrically with β and r+x for α < β, so the argument of ₂F₁ stays in [0, 1). Both ₂F₁
 * are positive here; A₀ is their (positive) difference, taken in log space.
 */
function logA0(r: number, alpha: number, s: number, beta: number, x: number, tx: number, T: number): number {
  const k = r + s + x;
  if (alpha >= beta) {
    const near = lnHyp2f1Positive(k, s + 1, k + 1, (alpha - beta) / (alpha + tx)) - k * Math.log(alpha + tx);
    const far = lnHyp2f1Positive(k, s + 1, k + 1, (alpha - beta) / (alpha + T)) - k * Math.log(alpha + T);
    return logSubExp(near, far);
  }
  const near = lnHyp2f1Positive(k, r + x, k + 1, (beta - alpha) / (beta + tx)) - k * Math.log(beta + tx);
  const far = lnHyp2f1Positive(k, r + x, k + 1, (beta - alpha) / (beta + T)) - k * Math.log(beta + T);
  return logSubExp(near, far);
}

function logLikelihoodOf(data: RfmData, r: number, alpha: number, s: number, beta: number): number {
  const { distinctX } = data;
  const byX = new Float64Array(distinctX.length);
  const common = -lnGamma(r) + r * Math.log(alpha) + s * Math.log(beta);
  for (let k = 0; k < distinctX.length; k++) byX[k] = common + lnGamma(r + distinctX[k]!);
  let total = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i]!;
    const T = data.T[i]!;
    const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
    const died = Math.log(s / (r + s + x)) + logA0(r, alpha, s, beta, x, data.tx[i]!, T);
    total += data.weight[i]! * (byX[data.xIndex[i]!]! + logAddExp(alive, died));
  }
  return total;
}

/**
 * Total Pareto/NBD log-likelihood of the summaries at `params`:
 * Σ ln Γ(r+x) − ln Γ(r) + r ln α + s ln β + ln[(α+T)^−(r+x) (β+T)^−s + s/(r+s+x) · A₀].
 */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, summaries: readonly RfmSummary[]): number {
  const p = checkParams(params);
  const data = prepareRfm(checkRfmSummaries(summaries, 'Pareto/NBD summaries'), false);
  return logLikelihoodOf(data, p.r, p.alpha, p.s, p.beta);
}

/**
 * Fits Pareto/NBD by maximum likelihood: log-parameters, times rescaled so the largest T is 10
 * while fitting, identical customers merged; a second starting point if the first fails.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` when a summary is invalid; the path names it.
 */
export function fitParetoNbd(summaries: readonly RfmSummary[], options: FitOptions = {}): ParetoNbdFit {
  const data = prepareRfm(checkRfmSummaries(summaries, 'Pareto/NBD summaries'));
  const best = maximizeLogLikelihood(
    ([r, alpha, s, beta]) => logLikelihoodOf(data, r!, alpha!, s!, beta!),
    // α = β is where the two branches of A₀ meet: if the first start does not converge, the
    // second starts on the other side of it.
    [
      [1, 1, 1, 2],
      [1, 2, 1, 1],
    ],
    data.customers,
    options,
    'pareto-nbd',
  );
  const [r, alpha, s, beta] = best.params as [number, number, number, number];
  return {
    model: 'pareto-nbd',
    params: { r, alpha: alpha * data.scale, s, beta: beta * data.scale },
    logLikelihood: best.logLikelihood - data.logJacobian,
    customers: data.customers,
    iterations: best.iterations,
    converged: best.converged,
    gradientNorm: best.gradientNorm,
  };
}

/** ln of s/(r+s+x) · (α+T)^(r+x) (β+T)^s · A₀: the odds of having died. */
function logDeathOdds(p: ParetoNbdParams, s: RfmSummary): number {
  return (
    Math.log(p.s / (p.r + p.s + s.x)) +
    (p.r + s.x) * Math.log(p.alpha + s.T) +
    p.s * Math.log(p.beta + s.T) +
    logA0(p.r, p.alpha, p.s, p.beta, s.x, s.tx, s.T)
  );
}

/** P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) · (α+T)^(r+x) (β+T)^s · A₀). */
export function paretoNbdProbabilityAlive(params: ParetoNbdParams, summary: RfmSummary): number {
  const p = checkParams(params);
  return logisticOfNegative(logDeathOdds(p, checkRfmSummary(summary, 'Pareto/NBD summary')));
}

/** E[X(t)] = rβ / (α(s−1)) · [1 − (β/(β+t))^(s−1)] (limit rβ/α · ln((β+t)/β) at s = 1). */
export function paretoNbdExpectedTransactions(params: ParetoNbdParams, t: number): number {
  const p = checkParams(params);
  checkTime(t, 'Pareto/NBD horizon');
  return ((p.r * p.beta) / p.alpha) * oneMinusExpOver(p.s - 1, Math.log(p.beta / (p.beta + t)));
}

/**
 * E[Y(t) | x, t_x, T] = (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive).
 */
export function paretoNbdConditionalExpectedTransactions(
  params: ParetoNbdParams,
  summary: RfmSummary,
  t: number,
): number {
  const p = checkParams(params);
  const s = checkRfmSummary(summary, 'Pareto/NBD summary');
  checkTime(t, 'Pareto/NBD horizon');
  const growth = oneMinusExpOver(p.s - 1, Math.log((p.beta + s.T) / (p.beta + s.T + t)));
  return (((p.r + s.x) * (p.beta + s.T)) / (p.alpha + s.T)) * growth * logisticOfNegative(logDeathOdds(p, s));
}
