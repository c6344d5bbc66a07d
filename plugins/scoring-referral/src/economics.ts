import { parsePluginOptions } from '@rapport/core';
import { z } from 'zod';
import { invalidInput, PLUGIN } from './errors.js';
import type { ConvertedReferral } from './records.js';

/** An input that is the same for every converted referral, or computed per converted referral. */
export type PerReferral = number | ((conversion: ConvertedReferral) => number);

function perReferral(description: string) {
  return z
    .union([
      z.number().finite(),
      z.custom<(conversion: ConvertedReferral) => number>(
        (value) => typeof value === 'function',
        'must be a finite number or a function of the converted referral',
      ),
    ])
    .describe(description);
}

const DAY_MS = 86_400_000;

/**
 * Schema of the economic inputs of customer referral value (Kumar, Petersen & Leone 2007, 2010).
 * Every input is required: there is no neutral default for a margin or a discount rate. Money is
 * in whatever currency unit the inputs use, per referred customer.
 */
export const referralEconomicsSchema = z
  .object({
    contributionMargin: perReferral(
      '`A`: gross contribution margin of a referred customer who would not have joined without the referral, over the valuation.',
    ),
    referralCost: perReferral('`a`: cost of the referral (the reward or incentive paid for it).'),
    marketingCost: perReferral('`M`: marketing cost of keeping the referred customer.'),
    acquisitionSavingsNew: perReferral(
      '`ACQ1`: acquisition cost saved on a referred customer who would not have joined otherwise.',
    ),
    acquisitionSavingsAnyway: perReferral(
      '`ACQ2`: acquisition cost saved on a referred customer who would have joined anyway.',
    ),
    shareWouldJoinAnyway: perReferral(
      'Probability in [0, 1] that a converted referred customer would have joined without the referral.',
    ),
    discountRate: z.number().min(0).max(10).describe('`r`: discount rate per period (0.1 for 10%).'),
    periodDays: z
      .number()
      .positive()
      .finite()
      .describe('Length of one period in days (365 for yearly periods).'),
    origin: z
      .date()
      .describe('Start of period 1: a conversion at `origin + k·period` or later falls in period k + 1.'),
    horizonPeriods: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Count only conversions in periods 1..horizonPeriods. Default: no limit.'),
  })
  .strict();

/** Economic inputs of customer referral value, as the caller writes them. */
export type ReferralEconomics = z.input<typeof referralEconomicsSchema>;

/** Parses {@link ReferralEconomics} or throws `RAPPORT_INVALID_OPTIONS` naming the input. */
export function parseReferralEconomics(
  economics: ReferralEconomics,
  what = 'referral economics',
): ReferralEconomics {
  return parsePluginOptions(referralEconomicsSchema, economics, what, PLUGIN);
}

/** A converted referral with its value. */
export interface ValuedReferral extends ConvertedReferral {
  /** `t`: the period the conversion falls in, 1 for the first period after `origin`. */
  period: number;
  /** `1 / (1 + r)^t`. */
  discountFactor: number;
  /** `A − a − M + ACQ1`, undiscounted: what a customer who would not have joined otherwise is worth. */
  newCustomerValue: number;
  /** `ACQ2`, undiscounted: what a customer who would have joined anyway saves. */
  acquisitionSavingsAnyway: number;
  /** Probability that the customer would have joined anyway. */
  shareWouldJoinAnyway: number;
  /** `((1 − s)·(A − a − M + ACQ1) + s·ACQ2) / (1 + r)^t`. */
  value: number;
}

function evaluate(input: PerReferral, name: string, conversion: ConvertedReferral): number {
  const value = typeof input === 'function' ? input(conversion) : input;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidInput(
      `\`${name}\` gave ${String(value)} for referral ${conversion.referralInteractionId}`,
      ['economics', name],
      `make \`${name}\` return a finite number for every converted referral`,
    );
  }
  return value;
}

/**
 * The period of a conversion, `t = ⌊(convertedAt − origin) / period⌋ + 1`, or 0 when it happened
 * before `origin`. Values are discounted to `origin` at the end of their period, as in CLV.
 */
export function conversionPeriod(
  convertedAt: Date,
  economics: Pick<ReferralEconomics, 'origin' | 'periodDays'>,
): number {
  const elapsed = convertedAt.getTime() - economics.origin.getTime();
  if (elapsed < 0) return 0;
  return Math.floor(elapsed / (economics.periodDays * DAY_MS)) + 1;
}

/**
 * Values one converted referral (Kumar, Petersen & Leone 2010, eq. 1, for one referred customer):
 * a customer who would not have joined otherwise brings `(A − a − M + ACQ1)/(1 + r)^t`, one who would
 * have joined anyway brings the acquisition savings `ACQ2/(1 + r)^t`; with `s` the probability of
 * the latter, the expected value is `((1 − s)(A − a − M + ACQ1) + s·ACQ2)/(1 + r)^t`.
 *
 * @param economics - parsed with {@link parseReferralEconomics}.
 */
export function valueConversion(conversion: ConvertedReferral, economics: ReferralEconomics): ValuedReferral {
  const period = conversionPeriod(conversion.convertedAt, economics);
  const A = evaluate(economics.contributionMargin, 'contributionMargin', conversion);
  const a = evaluate(economics.referralCost, 'referralCost', conversion);
  const M = evaluate(economics.marketingCost, 'marketingCost', conversion);
  const ACQ1 = evaluate(economics.acquisitionSavingsNew, 'acquisitionSavingsNew', conversion);
  const ACQ2 = evaluate(economics.acquisitionSavingsAnyway, 'acquisitionSavingsAnyway', conversion);
  const share = evaluate(economics.shareWouldJoinAnyway, 'shareWouldJoinAnyway', conversion);
  if (share < 0 || share > 1) {
    throw invalidInput(
      `\`shareWouldJoinAnyway\` gave ${share} for referral ${conversion.referralInteractionId}; a probability is in [0, 1]`,
      ['economics', 'shareWouldJoinAnyway'],
      'give `shareWouldJoinAnyway` as a probability between 0 and 1',
    );
  }
  const discountFactor = 1 / (1 + economics.discountRate) ** period;
  const newCustomerValue = A - a - M + ACQ1;
  return {
    ...conversion,
    period,
    discountFactor,
    newCustomerValue,
    acquisitionSavingsAnyway: ACQ2,
    shareWouldJoinAnyway: share,
    value: ((1 - share) * newCustomerValue + share * ACQ2) * discountFactor,
  };
}

/** The economic inputs as model parameters: numbers as given, functions named as such. */
export function economicsParams(economics: ReferralEconomics): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(economics)) {
    if (value === undefined) continue;
    params[key] =
      typeof value === 'function'
        ? 'per-referral function'
        : value instanceof Date
          ? value.toISOString()
          : value;
  }
  return params;
}
