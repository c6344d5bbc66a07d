import { RapportError, timestampSchema, validationError } from '@rapport/core';
import { z } from 'zod';
import { type CustomerSummary, DAYS_PER_UNIT, PLUGIN, type TimeUnit, timeUnitSchema } from './types.js';

const DAY_MS = 86_400_000;

/** A purchase as the summaries need it: who bought, on which day, for how much. */
export interface ClvTransaction {
  customerId: string;
  /** A Date, an ISO 8601 string or epoch milliseconds; only the UTC calendar day counts. */
  date: Date | string | number;
  /** Amount spent (≥ 0). Leave it out when unknown: the customer then gets no mean spend. */
  amount?: number | undefined;
}

/** Zod schema of {@link SummaryOptions}. */
export const summaryOptionsSchema = z
  .object({
    calibrationEnd: timestampSchema.describe(
      'Last day of the calibration period, inclusive (its UTC day counts); later purchases are ignored',
    ),
    timeUnit: timeUnitSchema.default('weeks'),
  })
  .strict();

/** Options of {@link summariesFromTransactions}. */
export type SummaryOptions = z.input<typeof summaryOptionsSchema>;

const transactionSchema = z.object({
  customerId: z.string().min(1),
  date: timestampSchema,
  amount: z.number().finite().nonnegative().optional(),
});

const transactionHints = {
  customerId: 'give `customerId` as a non-empty string',
  date: 'give `date` as a Date, an ISO 8601 string or epoch milliseconds',
  amount: 'give `amount` as a number ≥ 0, or leave it out; leave refunds out of the purchases',
};

/** Resolved {@link SummaryOptions}: the calibration end as a UTC day number. */
export interface SummaryWindow {
  endDay: number;
  daysPerUnit: number;
}

const optionHints = {
  calibrationEnd: 'set `calibrationEnd` to the last day of the calibration period, such as 1997-09-30',
  timeUnit: 'use `weeks` or `days`',
  currency: 'give `currency` as an ISO 4217 code such as USD',
};

/** Validates options with `schema` (summary options or an extension) or throws `RAPPORT_INVALID_OPTIONS`. */
export function parseSummaryOptions<S extends z.ZodType>(
  schema: S,
  options: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(options);
  if (!result.success) throw validationError('RAPPORT_INVALID_OPTIONS', what, result.error, optionHints);
  return result.data;
}

/** The window of validated summary options. */
export function summaryWindow(options: { calibrationEnd: Date; timeUnit: TimeUnit }): SummaryWindow {
  return { endDay: utcDay(options.calibrationEnd), daysPerUnit: DAYS_PER_UNIT[options.timeUnit] };
}

/** The UTC day number of an instant. */
export function utcDay(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

/**
 * Collects purchase days per customer and turns them into calibration summaries. Several
 * purchases on one UTC day are one purchase occasion whose spend is their sum.
 */
export class SummaryBuilder {
  /** customer → day → spend of the day (NaN when an amount is unknown). */
  readonly #days = new Map<string, Map<number, number>>();
  readonly #window: SummaryWindow;

  constructor(window: SummaryWindow) {
    this.#window = window;
  }

  /** Adds a purchase; ones after the calibration end are ignored. */
  add(customerId: string, day: number, amount: number | undefined): void {
    if (day > this.#window.endDay) return;
    let days = this.#days.get(customerId);
    if (!days) {
      days = new Map();
      this.#days.set(customerId, days);
    }
    days.set(day, (days.get(day) ?? 0) + (amount ?? Number.NaN));
  }

  /** One summary per customer with a purchase in the period, in order of first appearance. */
  build(): CustomerSummary[] {
    const out: CustomerSummary[] = [];
    for (const [customerId, days] of this.#days) out.push(this.#summarise(customerId, days));
    return out;
  }

  /** The summary of one customer, or undefined when they bought nothing in the period. */
  buildOne(customerId: string): CustomerSummary | undefined {
    const days = this.#days.get(customerId);
    return days ? this.#summarise(customerId, days) : undefined;
  }

  #summarise(customerId: string, days: Map<number, number>): CustomerSummary {
    const { endDay, daysPerUnit } = this.#window;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const day of days.keys()) {
      if (day < first) first = day;
      if (day > last) last = day;
    }
    const x = days.size - 1;
    const summary: CustomerSummary = {
      customerId,
      x,
      tx: (last - first) / daysPerUnit,
      T: (endDay - first) / daysPerUnit,
    };
    if (x > 0) {
      // The Gamma-Gamma model averages repeat purchases only: the first day is left out.
      let total = 0;
      for (const [day, spend] of days) if (day !== first) total += spend;
      if (!Number.isNaN(total)) summary.meanRepeatSpend = total / x;
    }
    return summary;
  }
}

/**
 * Builds calibration summaries from purchases, the way the BTYD literature does for CDNOW:
 * each customer's purchases collapse to distinct UTC days (one purchase occasion per day, its
 * spend the day's total); x = occasions up to the calibration end − 1; t_x = (last − first day);
 * T = (calibration end − first day), in `timeUnit` (weeks by default); the mean repeat spend
 * averages the occasions after the first. Purchases after the calibration end are ignored, and
 * customers whose first purchase comes after it get no summary. Values are not rounded.
 *
 * @example
 * ```ts
 * const summaries = summariesFromTransactions(
 *   [{ customerId: 'c1', date: '1997-01-01', amount: 29.33 }, { customerId: 'c1', date: '1997-01-18', amount: 29.73 }],
 *   { calibrationEnd: '1997-09-30' },
 * ); // [{ customerId: 'c1', x: 1, tx: 2.43, T: 38.86, meanRepeatSpend: 29.73 }] (times in weeks, rounded here)
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` naming the first invalid transaction (its index and
 * field); `RAPPORT_INVALID_OPTIONS` for invalid options.
 */
export function summariesFromTransactions(
  transactions: Iterable<ClvTransaction>,
  options: SummaryOptions,
): CustomerSummary[] {
  const builder = new SummaryBuilder(
    summaryWindow(parseSummaryOptions(summaryOptionsSchema, options, 'summary options')),
  );
  if (transactions === null || typeof (transactions as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
    throw new RapportError(
      'RAPPORT_INVALID_INPUT',
      'summariesFromTransactions takes an iterable of purchases',
      {
        hint: 'pass an array (or any iterable) of { customerId, date, amount }',
        plugin: PLUGIN,
      },
    );
  }
  let index = 0;
  for (const transaction of transactions) {
    const parsed = transactionSchema.safeParse(transaction);
    if (!parsed.success) {
      throw validationError('RAPPORT_INVALID_INPUT', 'purchase', parsed.error, transactionHints, [index]);
    }
    builder.add(parsed.data.customerId, utcDay(parsed.data.date), parsed.data.amount);
    index += 1;
  }
  return builder.build();
}
