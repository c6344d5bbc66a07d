/**
 * Gamma-Gamma spend model: Fader, Hardie & Lee (2005), RFM and CLV: Using Iso-Value Curves for
 * Customer Base Analysis, Journal of Marketing Research 42(4), 415–430; likelihood as in Fader &
 * Hardie, The Gamma-Gamma Model of Monetary Value (brucehardie.com/notes/025).
 *
 * A customer's spends are Gamma(p, ν) around their own mean p/ν, with ν ~ Gamma(q, γ) across
 * customers. Spend is assumed independent of the purchase process, so it is fitted on repeat
 * buyers alone (their mean spend m̄ over x repeat purchases).
 */
import { parseOrThrow, RapportError } from '@rapport/core';
import { z } from 'zod';
import { lnGamma } from '../math/special.js';
import { checkSpendSummaries, checkSpendSummary, PLUGIN, type SpendSummary } from '../summary/types.js';
import { type FitOptions, type ModelFit, maximizeLogLikelihood } from './fit.js';

const positive = z.number().finite().positive();

/** Zod schema of {@link GammaGammaParams}. */
export const gammaGammaParamsSchema = z
  .object({
    p: positive.describe('shape of the Gamma distribution of one customer’s spends'),
    q: positive.describe('shape of the Gamma distribution of the spend rate ν across customers'),
    gamma: positive.describe('scale of the Gamma distribution of ν, in money units'),
  })
  .strict();

/** Gamma-Gamma parameters, γ in the money unit of the spends. */
export type GammaGammaParams = z.infer<typeof gammaGammaParamsSchema>;

/** A Gamma-Gamma fit. */
export type GammaGammaFit = ModelFit<GammaGammaParams>;

const paramHints = {
  p: 'give p as a positive number',
  q: 'give q as a positive number (above 1 for a finite population mean spend)',
  gamma: 'give gamma as a positive number, in the money unit of the spends',
};

function checkParams(params: unknown): GammaGammaParams {
  return parseOrThrow(
    gammaGammaParamsSchema,
    params,
    'RAPPORT_INVALID_INPUT',
    'Gamma-Gamma parameters',
    paramHints,
  );
}

/** Repeat buyers merged on (x, m̄). */
interface SpendData {
  x: Float64Array;
  m: Float64Array;
  weight: Float64Array;
  customers: number;
}

/** Keeps the repeat buyers (x > 0), validated, merged on (x, m̄). */
function prepareSpend(summaries: readonly SpendSummary[]): SpendData {
  const rows = new Map<string, number>();
  const x: number[] = [];
  const m: number[] = [];
  const weight: number[] = [];
  let customers = 0;
  for (const summary of checkSpendSummaries(summaries, 'Gamma-Gamma summaries')) {
    if (summary.x === 0) continue;
    customers += 1;
    const spend = summary.meanRepeatSpend!;
    const key = `${summary.x}|${spend}`;
    const at = rows.get(key);
    if (at !== undefined) {
      weight[at]! += 1;
      continue;
    }
    rows.set(key, x.length);
    x.push(summary.x);
    m.push(spend);
    weight.push(1);
  }
  if (customers === 0) {
    throw new RapportError('RAPPORT_INVALID_INPUT', 'Gamma-Gamma needs at least one repeat buyer (x > 0)', {
      hint: 'fit the spend model on customers with at least one repeat purchase and their mean repeat spend',
      plugin: PLUGIN,
    });
  }
  return { x: Float64Array.from(x), m: Float64Array.from(m), weight: Float64Array.from(weight), customers };
}

function logLikelihoodOf(data: SpendData, p: number, q: number, gamma: number): number {
  const common = -lnGamma(q) + q * Math.log(gamma);
  let total = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i]!;
    const m = data.m[i]!;
    const px = p * x;
    total +=
      data.weight[i]! *
      (common +
        lnGamma(px + q) -
        lnGamma(px) +
        (px - 1) * Math.log(m) +
        px * Math.log(x) -
        (px + q) * Math.log(gamma + m * x));
  }
  return total;
}

/**
 * Total Gamma-Gamma log-likelihood of the repeat buyers' mean spends at `params` (customers with
 * x = 0 are skipped):
 * Σ ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + x m̄).
 */
export function gammaGammaLogLikelihood(
  params: GammaGammaParams,
  summaries: readonly SpendSummary[],
): number {
  const p = checkParams(params);
  return logLikelihoodOf(prepareSpend(summaries), p.p, p.q, p.gamma);
}

/**
 * Fits Gamma-Gamma by maximum likelihood on the repeat buyers (x > 0; others are skipped), over
 * log-parameters.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` when a repeat buyer has no positive mean spend, or
 * there is no repeat buyer.
 */
export function fitGammaGamma(summaries: readonly SpendSummary[], options: FitOptions = {}): GammaGammaFit {
  const data = prepareSpend(summaries);
  let mean = 0;
  for (let i = 0; i < data.m.length; i++) mean += data.weight[i]! * data.m[i]!;
  mean /= data.customers;
  const best = maximizeLogLikelihood(
    ([p, q, gamma]) => logLikelihoodOf(data, p!, q!, gamma!),
    // Population mean spend pγ/(q−1) equal to the sample mean: a start of the right magnitude
    // whatever the currency.
    [[1, 2, mean]],
    data.customers,
    options,
    'gamma-gamma',
  );
  const [p, q, gamma] = best.params as [number, number, number];
  return {
    model: 'gamma-gamma',
    params: { p, q, gamma },
    logLikelihood: best.logLikelihood,
    customers: data.customers,
    iterations: best.iterations,
    converged: best.converged,
    gradientNorm: best.gradientNorm,
  };
}

/**
 * E[M | x, m̄] = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · m̄ = (pγ + px·m̄)/(px+q−1): a weighted
 * mean of the population mean spend pγ/(q−1) and the customer's own m̄. With x = 0 it is the
 * population mean, which needs q > 1.
 */
export function gammaGammaExpectedSpend(params: GammaGammaParams, summary: SpendSummary): number {
  return expectedSpend(checkParams(params), checkSpendSummary(summary, 'Gamma-Gamma summary'));
}

/** {@link gammaGammaExpectedSpend} without validation of the summary. */
export function expectedSpend(p: GammaGammaParams, summary: SpendSummary): number {
  const px = summary.x === 0 ? 0 : p.p * summary.x;
  const denominator = px + p.q - 1;
  if (!(denominator > 0)) {
    throw new RapportError(
      'RAPPORT_INVALID_INPUT',
      `The Gamma-Gamma expected spend is undefined for q = ${p.q} and x = ${summary.x}: it needs px + q > 1`,
      {
        path: ['q'],
        hint: 'the population mean spend pγ/(q−1), used for customers without repeat purchases, needs q > 1: refit on more repeat buyers, or score repeat buyers only',
        plugin: PLUGIN,
      },
    );
  }
  return (p.p * p.gamma + px * (summary.x === 0 ? 0 : summary.meanRepeatSpend!)) / denominator;
}
