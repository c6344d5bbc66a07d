import { parseOrThrow, RapportError } from '@rapport/core';
import { z } from 'zod';

/** The plugin id, as errors name it. */
export const PLUGIN = 'clv';

/** Units the summaries' times are in. The CDNOW literature uses weeks. */
export const timeUnitSchema = z.enum(['days', 'weeks']).describe('Unit of t_x, T and every horizon');
/** Unit of a summary's times. */
export type TimeUnit = z.infer<typeof timeUnitSchema>;

/** Days in each {@link TimeUnit}. */
export const DAYS_PER_UNIT: Readonly<Record<TimeUnit, number>> = { days: 1, weeks: 7 };

/**
 * What the BG/NBD and Pareto/NBD models know about a customer: frequency, recency and age over
 * the calibration period.
 */
export interface RfmSummary {
  /** Repeat transactions: purchase occasions (distinct days) in the calibration period − 1. */
  x: number;
  /** Recency t_x: time from the first purchase to the last one in the calibration period. */
  tx: number;
  /** Age T: time from the first purchase to the end of the calibration period. */
  T: number;
}

/** What the Gamma-Gamma spend model knows about a repeat buyer. */
export interface SpendSummary {
  /** Repeat transactions whose spends are averaged. */
  x: number;
  /** Mean spend of those repeat transactions (m̄). */
  meanRepeatSpend?: number | undefined;
}

/** A customer's calibration summary: the input of every model in this package. */
export interface CustomerSummary extends RfmSummary {
  customerId: string;
  /**
   * Mean spend per repeat purchase occasion (the first purchase left out, as the Gamma-Gamma
   * model requires); undefined when x = 0.
   */
  meanRepeatSpend?: number | undefined;
}

const hints = {
  x: 'give `x` as a whole number ≥ 0: the repeat purchases (distinct purchase days − 1)',
  tx: 'give `tx` (recency) as a number ≥ 0: the time from the first to the last purchase; 0 when x = 0',
  T: 'give `T` (age) as a number ≥ tx: the time from the first purchase to the end of calibration',
  meanRepeatSpend: 'give `meanRepeatSpend` as a positive number: the mean spend of the repeat purchases',
} as const;

/** Zod schema of one {@link RfmSummary}; other keys (customerId, spend…) are accepted and left out of the result. */
export const rfmSummarySchema = z
  .object({
    x: z.number().int().nonnegative(),
    tx: z.number().finite().nonnegative(),
    T: z.number().finite().nonnegative(),
  })
  .check((payload) => {
    const row = payload.value;
    if (row.tx > row.T) {
      payload.issues.push({
        code: 'custom',
        path: ['tx'],
        message: `recency ${row.tx} is after the end of the calibration period (T = ${row.T})`,
        input: row,
      });
    }
    if (row.x === 0 && row.tx !== 0) {
      payload.issues.push({
        code: 'custom',
        path: ['tx'],
        message: 'a customer without repeat purchases (x = 0) has recency 0',
        input: row,
      });
    }
  });

const rfmListSchema = z.array(rfmSummarySchema).min(1, 'needs at least one customer');

/**
 * Zod schema of one {@link SpendSummary}: a repeat buyer (x ≥ 1) needs a positive mean spend; for
 * x = 0 it is ignored. Other keys are accepted and left out of the result.
 */
export const spendSummarySchema = z
  .object({
    x: z.number().int().nonnegative(),
    meanRepeatSpend: z.number().finite().optional(),
  })
  .check((payload) => {
    const row = payload.value;
    if (row.x > 0 && !(row.meanRepeatSpend !== undefined && row.meanRepeatSpend > 0)) {
      payload.issues.push({
        code: 'custom',
        path: ['meanRepeatSpend'],
        message: `a repeat buyer (x = ${row.x}) needs a positive mean repeat spend, got ${String(row.meanRepeatSpend)}`,
        input: row,
      });
    }
  });

const spendListSchema = z.array(spendSummarySchema);

/** Validates RFM summaries or throws `RAPPORT_INVALID_INPUT` naming the first bad row and field. */
export function checkRfmSummaries(summaries: unknown, what: string): readonly RfmSummary[] {
  return parseOrThrow(
    rfmListSchema,
    summaries,
    'RAPPORT_INVALID_INPUT',
    what,
    hints,
  ) as readonly RfmSummary[];
}

/** Validates one RFM summary. */
export function checkRfmSummary(summary: unknown, what: string): RfmSummary {
  return parseOrThrow(rfmSummarySchema, summary, 'RAPPORT_INVALID_INPUT', what, hints);
}

/** Validates a spend summary. */
export function checkSpendSummary(summary: unknown, what: string): SpendSummary {
  return parseOrThrow(spendSummarySchema, summary, 'RAPPORT_INVALID_INPUT', what, hints);
}

/** Validates spend summaries or throws `RAPPORT_INVALID_INPUT` naming the first bad row. */
export function checkSpendSummaries(summaries: unknown, what: string): readonly SpendSummary[] {
  return parseOrThrow(spendListSchema, summaries, 'RAPPORT_INVALID_INPUT', what, hints);
}

/** Validates a forecast horizon or time point. */
export function checkTime(t: unknown, what: string): number {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new RapportError('RAPPORT_INVALID_INPUT', `${what} must be a finite number ≥ 0, got ${String(t)}`, {
      path: ['t'],
      hint: 'give the horizon in the time unit of the summaries (weeks for CDNOW)',
      plugin: PLUGIN,
    });
  }
  return t;
}

/** Validates a count of purchases. */
export function checkCount(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new RapportError('RAPPORT_INVALID_INPUT', `${what} must be a whole number ≥ 0, got ${String(n)}`, {
      path: ['n'],
      hint: 'give the number of purchases as 0, 1, 2…',
      plugin: PLUGIN,
    });
  }
  return n;
}
