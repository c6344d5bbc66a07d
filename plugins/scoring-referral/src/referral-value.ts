import { type Interaction, parsePluginOptions } from '@rapport/core';
import { z } from 'zod';
import { findConversions } from './conversions.js';
import {
  type ReferralEconomics,
  referralEconomicsSchema,
  type ValuedReferral,
  valueConversion,
} from './economics.js';
import { invalidInput, PLUGIN } from './errors.js';
import { type Purchase, purchaseOf, type Referral, referralOf, type UnconvertedReferral } from './records.js';

/** Options shared by {@link referralValues} and the plugin: the economics and how conversions are found. */
export const referralRulesShape = {
  economics: referralEconomicsSchema.describe('The economic inputs of customer referral value.'),
  conversionWindowDays: z
    .number()
    .positive()
    .finite()
    .optional()
    .describe('A purchase converts a referral only within this many days after it. Default: any time after.'),
  requireNewCustomer: z
    .boolean()
    .default(true)
    .describe(
      'A referred customer who had bought before the referral was not acquired by it, so it does not convert.',
    ),
  referralKinds: z
    .array(z.string().min(1))
    .min(1)
    .default(['referral'])
    .describe('Interaction kinds that are referrals (actor = referrer, `referred` = the person referred).'),
  purchaseKinds: z
    .array(z.string().min(1))
    .min(1)
    .default(['purchase'])
    .describe('Interaction kinds that are purchases.'),
};

/** Schema of the options of {@link referralValues}. Unknown keys are rejected so typos surface. */
export const referralValuesOptionsSchema = z
  .object({
    ...referralRulesShape,
    attribution: z
      .enum(['each', 'first', 'last'])
      .default('each')
      .describe(
        'Who is credited for a customer referred by several customers: each of them, or only the first or last referral before the purchase.',
      ),
  })
  .strict();

/** Options of {@link referralValues}, as the caller writes them. */
export type ReferralValuesOptions = z.input<typeof referralValuesOptionsSchema>;

/** A referrer's customer referral value, with the evidence. */
export interface CustomerReferralValue {
  /** The referrer. */
  customerId: string;
  /** Customer referral value: the sum of the values of the converted referrals. */
  value: number;
  /** Converted referrals: distinct customers this referrer brought, in the valuation's periods. */
  converted: number;
  /** Referrals made (interactions), converted or not. */
  referrals: number;
  /** Each converted referral with its referral and purchase interaction ids, period and value. */
  conversions: ValuedReferral[];
  /** Referrals that did not convert, with the reason. */
  unconverted: UnconvertedReferral[];
}

/** Sums valued conversions into a referrer's {@link CustomerReferralValue}. */
export function customerReferralValue(
  customerId: string,
  conversions: readonly ValuedReferral[],
  unconverted: readonly UnconvertedReferral[] = [],
): CustomerReferralValue {
  let value = 0;
  for (const conversion of conversions) value += conversion.value;
  return {
    customerId,
    value,
    converted: conversions.length,
    referrals: conversions.length + unconverted.length,
    conversions: [...conversions],
    unconverted: [...unconverted],
  };
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof (value as AsyncIterable<T> | null)?.[Symbol.asyncIterator] === 'function';
}

/** Referrals and purchases collected from interactions. */
class Collector {
  readonly referrals: Referral[] = [];
  readonly purchases = new Map<string, Purchase[]>();
  readonly #kinds: { referralKinds: string[]; purchaseKinds: string[] };
  #seen = 0;

  constructor(kinds: { referralKinds: string[]; purchaseKinds: string[] }) {
    this.#kinds = kinds;
  }

  add(interaction: Interaction): void {
    if (
      typeof interaction !== 'object' ||
      interaction === null ||
      !(interaction.occurredAt instanceof Date)
    ) {
      throw invalidInput(
        `Interaction #${this.#seen} is not a stored interaction`,
        ['interactions', this.#seen],
        'pass interactions as stored by Rapport (with kind, direction, customerId and occurredAt)',
      );
    }
    this.#seen += 1;
    const referral = referralOf(interaction, this.#kinds);
    if (referral) this.referrals.push(referral);
    const purchase = purchaseOf(interaction, this.#kinds);
    if (purchase) {
      const list = this.purchases.get(purchase.customerId);
      if (list) list.push(purchase);
      else this.purchases.set(purchase.customerId, [purchase]);
    }
  }
}

function compute(collector: Collector, options: z.output<typeof referralValuesOptionsSchema>) {
  const economics = options.economics as ReferralEconomics;
  const { converted, unconverted } = findConversions(
    collector.referrals,
    collector.purchases,
    options,
    economics,
  );
  const byReferrer = new Map<string, { conversions: ValuedReferral[]; unconverted: UnconvertedReferral[] }>();
  const entry = (referrerId: string) => {
    let e = byReferrer.get(referrerId);
    if (!e) {
      e = { conversions: [], unconverted: [] };
      byReferrer.set(referrerId, e);
    }
    return e;
  };
  for (const referral of collector.referrals) entry(referral.referrerId);
  for (const conversion of converted)
    entry(conversion.referrerId).conversions.push(valueConversion(conversion, economics));
  for (const miss of unconverted) entry(miss.referrerId).unconverted.push(miss);
  const out = new Map<string, CustomerReferralValue>();
  for (const [referrerId, e] of byReferrer)
    out.set(referrerId, customerReferralValue(referrerId, e.conversions, e.unconverted));
  return out;
}

/**
 * Customer referral value (Kumar, Petersen & Leone 2007, 2010) of every referrer in a set of
 * stored interactions (a tenant's, or an export): referrals are inbound interactions of a referral
 * kind (the actor's customer referred `referredCustomerId`); a referral converts when the referred
 * customer buys at or after it (see {@link findConversions}); each converted referral is worth
 * `((1 − s)(A − a − M + ACQ1) + s·ACQ2)/(1 + r)^t` (see {@link valueConversion}), and a referrer's
 * value is the sum. Referrers whose referrals did not convert are included with value 0.
 *
 * Give an array or iterable for a synchronous result, or an async iterable for a promise.
 */
export function referralValues(
  interactions: Iterable<Interaction>,
  options: ReferralValuesOptions,
): Map<string, CustomerReferralValue>;
export function referralValues(
  interactions: AsyncIterable<Interaction>,
  options: ReferralValuesOptions,
): Promise<Map<string, CustomerReferralValue>>;
export function referralValues(
  interactions: Iterable<Interaction> | AsyncIterable<Interaction>,
  options: ReferralValuesOptions,
): Map<string, CustomerReferralValue> | Promise<Map<string, CustomerReferralValue>> {
  const parsed = parsePluginOptions(referralValuesOptionsSchema, options, 'referralValues', PLUGIN);
  const collector = new Collector(parsed);
  if (isAsyncIterable<Interaction>(interactions)) {
    return (async () => {
      for await (const interaction of interactions) collector.add(interaction);
      return compute(collector, parsed);
    })();
  }
  if (typeof (interactions as Iterable<Interaction> | null)?.[Symbol.iterator] !== 'function') {
    throw invalidInput(
      'referralValues reads an iterable of interactions',
      ['interactions'],
      'pass an array, an iterable or an async iterable of stored interactions',
    );
  }
  for (const interaction of interactions) collector.add(interaction);
  return compute(collector, parsed);
}
