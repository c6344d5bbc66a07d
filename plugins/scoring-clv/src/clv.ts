/**
 * Customer lifetime value from BG/NBD (how many purchases, for how long) and Gamma-Gamma (how
 * much per purchase), as in Fader, Hardie & Lee (2005, JMR 42(4)) and the lifetimes /
 * pymc-marketing `customer_lifetime_value`: the discounted sum over future periods of expected
 * spend × expected purchases in the period, times the margin.
 */
import { parseOrThrow, RapportError } from '@rapport/core';
import { z } from 'zod';
import {
  type BgNbdFit,
  type BgNbdParams,
  bgnbdParamsSchema,
  conditionalExpected,
  fitBgNbd,
  probabilityAlive,
} from './models/bgnbd.js';
import { type FitOptions, fitOptionsSchema, parseFitOptions } from './models/fit.js';
import {
  expectedSpend,
  fitGammaGamma,
  type GammaGammaFit,
  type GammaGammaParams,
  gammaGammaParamsSchema,
} from './models/gamma-gamma.js';
import {
  type CustomerSummary,
  checkRfmSummary,
  PLUGIN,
  type TimeUnit,
  timeUnitSchema,
} from './summary/types.js';

/** Zod schema of {@link ClvModels}. */
export const clvModelsSchema = z
  .object({
    timeUnit: timeUnitSchema.default('weeks'),
    bgnbd: bgnbdParamsSchema,
    gammaGamma: gammaGammaParamsSchema,
    /** Diagnostics of the fits, when the models come from {@link fitClvModels}; not used. */
    fits: z.unknown().optional(),
  })
  .strict();

/** The population models CLV needs, fitted on the same summaries. */
export interface ClvModels {
  /** Unit of the summaries the models were fitted on (α is per this unit). */
  timeUnit: TimeUnit;
  bgnbd: BgNbdParams;
  gammaGamma: GammaGammaParams;
}

/** {@link ClvModels} with the fits they came from. */
export interface ClvModelsFit extends ClvModels {
  fits: {
    bgnbd: BgNbdFit;
    /** Fitted on the repeat buyers with a positive mean repeat spend. */
    gammaGamma: GammaGammaFit;
  };
}

/** Options of {@link fitClvModels}. */
export interface ClvFitOptions extends FitOptions {
  /** Unit of the summaries' times (default weeks); recorded with the models. */
  timeUnit?: TimeUnit;
}

/**
 * Fits the population models a CLV score needs: BG/NBD on every customer, Gamma-Gamma on the
 * repeat buyers whose mean repeat spend is positive (a repeat buyer whose purchases were all free
 * has no place in a Gamma likelihood). Run it on a tenant's summaries (see
 * `summariesFromInteractions`) and hand the result to `clvScoring`.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` for an invalid summary or no repeat buyer with a
 * spend.
 */
export function fitClvModels(
  summaries: readonly CustomerSummary[],
  options: ClvFitOptions = {},
): ClvModelsFit {
  const { timeUnit, ...fitOptions } = parseFitOptions(
    options,
    fitOptionsSchema.extend({ timeUnit: timeUnitSchema.default('weeks') }),
  );
  const bgnbd = fitBgNbd(summaries, fitOptions);
  const buyers = summaries.filter((s) => s.x > 0 && s.meanRepeatSpend !== undefined && s.meanRepeatSpend > 0);
  if (buyers.length === 0) {
    throw new RapportError(
      'RAPPORT_INVALID_INPUT',
      'No repeat buyer with a positive mean repeat spend to fit spend on',
      {
        hint: 'build the summaries from purchases with amounts (summariesFromTransactions or summariesFromInteractions)',
        plugin: PLUGIN,
      },
    );
  }
  const gammaGamma = fitGammaGamma(buyers, fitOptions);
  return { timeUnit, bgnbd: bgnbd.params, gammaGamma: gammaGamma.params, fits: { bgnbd, gammaGamma } };
}

/** Zod schema of {@link ClvOptions}. */
export const clvOptionsSchema = z
  .object({
    horizon: z
      .number()
      .finite()
      .positive()
      .describe('How far ahead, in the time unit of the models (52 weeks: a year)'),
    periods: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(12)
      .describe('The horizon is cut into this many equal periods, each discounted once'),
    discountRate: z.number().finite().min(0).default(0.01).describe('Discount rate per period'),
    margin: z.number().finite().min(0).default(1).describe('Share of spend that is profit; 1 gives revenue'),
  })
  .strict();

/** Options of {@link customerLifetimeValue}. */
export type ClvOptions = z.input<typeof clvOptionsSchema>;
/** {@link ClvOptions} with defaults filled in. */
export type ResolvedClvOptions = z.output<typeof clvOptionsSchema>;

/** What the CLV scores of one customer are made of. */
export interface ClvValues {
  /** BG/NBD P(alive) at the end of the summary's period. */
  pAlive: number;
  /** BG/NBD expected purchases over the horizon. */
  expectedTransactions: number;
  /** Gamma-Gamma expected spend per purchase. */
  expectedSpend: number;
  /** Discounted margin over the horizon. */
  clv: number;
}

/**
 * The CLV values of a customer with validated inputs: with Δ = horizon / periods,
 * CLV = margin · E[M | x, m̄] · Σ_{i=1..periods} (E[Y(iΔ)] − E[Y((i−1)Δ)]) / (1 + discountRate)^i,
 * where E[Y(t)] is the BG/NBD conditional expectation and E[M] the Gamma-Gamma expected spend.
 */
export function clvValues(
  models: ClvModels,
  summary: CustomerSummary,
  options: ResolvedClvOptions,
): ClvValues {
  // A repeat buyer without a known spend is valued at the population mean, like a new one.
  const known = summary.x > 0 && summary.meanRepeatSpend !== undefined;
  const spend = expectedSpend(
    models.gammaGamma,
    known ? { x: summary.x, meanRepeatSpend: summary.meanRepeatSpend } : { x: 0 },
  );
  const step = options.horizon / options.periods;
  let previous = 0;
  let discounted = 0;
  let discount = 1;
  for (let i = 1; i <= options.periods; i++) {
    const cumulative = conditionalExpected(models.bgnbd, summary, i * step);
    discount /= 1 + options.discountRate;
    discounted += (cumulative - previous) * discount;
    previous = cumulative;
  }
  return {
    pAlive: probabilityAlive(models.bgnbd, summary),
    expectedTransactions: previous,
    expectedSpend: spend,
    clv: options.margin * spend * discounted,
  };
}

/**
 * CLV of one customer over `horizon` (see {@link clvValues} for the formula), with the models
 * from {@link fitClvModels}.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` for an invalid summary or models,
 * `RAPPORT_INVALID_OPTIONS` for invalid options.
 */
export function customerLifetimeValue(
  models: ClvModels,
  summary: CustomerSummary,
  options: ClvOptions,
): ClvValues {
  const m = parseOrThrow(clvModelsSchema, models, 'RAPPORT_INVALID_INPUT', 'CLV models') as ClvModels;
  const o = parseOrThrow(clvOptionsSchema, options, 'RAPPORT_INVALID_OPTIONS', 'CLV options');
  const s = checkRfmSummary(summary, 'customer summary');
  const spend = summary.meanRepeatSpend;
  if (spend !== undefined && !(Number.isFinite(spend) && spend >= 0)) {
    throw new RapportError('RAPPORT_INVALID_INPUT', `meanRepeatSpend must be a number ≥ 0, got ${spend}`, {
      path: ['meanRepeatSpend'],
      hint: 'give the mean spend of the repeat purchases, or leave it out to use the population mean',
      plugin: PLUGIN,
    });
  }
  return clvValues(m, { customerId: summary.customerId, ...s, meanRepeatSpend: spend }, o);
}
