import {
  type Interaction,
  type MaybePromise,
  type Page,
  type PageRequest,
  parsePluginOptions,
  SCORING_SPEC_VERSION,
  type ScoreModel,
  type ScoreRecomputeInput,
  type ScoreResult,
  type ScoringPlugin,
} from '@rapport/core';
import { z } from 'zod';
import { version } from '../package.json';
import { findConversions } from './conversions.js';
import { economicsParams, type ReferralEconomics, valueConversion } from './economics.js';
import { invalidInput, PLUGIN } from './errors.js';
import { type Purchase, purchaseOf, type Referral, referralOf } from './records.js';
import { type CustomerReferralValue, customerReferralValue, referralRulesShape } from './referral-value.js';

/** Id of the customer referral value model. */
export const REFERRAL_MODEL_ID = 'customer-referral-value';
/** Version of the model: changes whenever the same interactions and inputs could give other values. */
export const REFERRAL_MODEL_VERSION = '1';
/** Name of the score holding a referrer's customer referral value. */
export const REFERRAL_VALUE_SCORE = 'referral_value';
/** Name of the score holding how many of a referrer's referrals converted. */
export const REFERRALS_CONVERTED_SCORE = 'referrals_converted';

/** What the plugin needs of a purchase: an interaction, or the fields of one. */
export type PurchaseLike = Pick<Interaction, 'id' | 'kind' | 'occurredAt'> &
  Partial<Pick<Interaction, 'amount' | 'currency'>>;

/**
 * The purchases (or the whole timeline: other kinds are skipped) of a referred customer. The
 * plugin asks for them because a customer's recompute sees only that customer's timeline, while
 * a referral converts through another customer's purchase.
 */
export type PurchasesOf = (
  tenantId: string,
  customerId: string,
) => MaybePromise<Iterable<PurchaseLike>> | AsyncIterable<PurchaseLike>;

/** Schema of the options of {@link referralScoring}. Unknown keys are rejected so typos surface. */
export const referralScoringOptionsSchema = z
  .object({
    ...referralRulesShape,
    purchasesOf: z
      .custom<PurchasesOf>((value) => typeof value === 'function', 'must be a function')
      .describe(
        "Reads a referred customer's purchases (or timeline), e.g. `timelinePurchases((tenant) => rapport.tenant(tenant))`.",
      ),
  })
  .strict();

/** Options of {@link referralScoring}, as the caller writes them. */
export type ReferralScoringOptions = z.input<typeof referralScoringOptionsSchema>;

/** What {@link ReferralScoringPlugin.explain} reads: a customer and their timeline. */
export type ReferralExplainInput = Pick<ScoreRecomputeInput, 'tenantId' | 'customerId'> & {
  interactions: Iterable<Interaction> | AsyncIterable<Interaction>;
};

/** The referral scoring plugin, which can also explain a score. */
export interface ReferralScoringPlugin extends ScoringPlugin {
  /** The referrer's value with the evidence: each converted referral and each that did not convert. */
  explain(input: ReferralExplainInput): Promise<CustomerReferralValue>;
}

/** Something with a customer timeline, such as `rapport.tenant(id)`. */
export interface TimelineSource {
  customers: { timeline(id: string, page?: Partial<PageRequest>): Promise<Page<Interaction>> };
}

/**
 * A {@link PurchasesOf} that pages through the referred customer's timeline, for a Rapport
 * instance created after the plugin: `timelinePurchases((tenantId) => rapport.tenant(tenantId))`.
 */
export function timelinePurchases(
  scopeOf: (tenantId: string) => TimelineSource,
  pageSize = 500,
): PurchasesOf {
  return async function* purchases(tenantId, customerId) {
    const scope = scopeOf(tenantId);
    let cursor: string | null = null;
    do {
      const page: Page<Interaction> = await scope.customers.timeline(customerId, { limit: pageSize, cursor });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor !== null);
  };
}

async function* each<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterable<T> {
  yield* items;
}

/**
 * The customer referral value plugin (Kumar, Petersen & Leone 2007, 2010). `recompute` reads the
 * customer's referrals from their timeline, asks `purchasesOf` for the purchases of each customer
 * they referred, and returns two scores: `referral_value`, the sum over converted referrals of
 * `((1 − s)(A − a − M + ACQ1) + s·ACQ2)/(1 + r)^t`, and `referrals_converted`, how many converted.
 * `explain` returns the same computation with the evidence (interaction ids).
 *
 * Each referrer is credited for every customer they referred who converted, also when another
 * customer referred the same person (the `each` attribution of {@link referralValues}).
 *
 * @example
 * ```ts
 * const referral = referralScoring({
 *   economics: {
 *     contributionMargin: 120, referralCost: 10, marketingCost: 15,
 *     acquisitionSavingsNew: 30, acquisitionSavingsAnyway: 30, shareWouldJoinAnyway: 0.2,
 *     discountRate: 0.1, periodDays: 365, origin: new Date('2025-01-01'),
 *   },
 *   purchasesOf: timelinePurchases((tenantId) => rapport.tenant(tenantId)),
 * });
 * const rapport = createRapport({ storage, scoring: [referral] });
 * ```
 */
export function referralScoring(options: ReferralScoringOptions): ReferralScoringPlugin {
  const parsed = parsePluginOptions(referralScoringOptionsSchema, options, 'referralScoring', PLUGIN);
  const economics = parsed.economics as ReferralEconomics;
  const rules = { ...parsed, attribution: 'each' as const };
  const model: ScoreModel = {
    id: REFERRAL_MODEL_ID,
    version: REFERRAL_MODEL_VERSION,
    params: {
      ...economicsParams(economics),
      conversionWindowDays: parsed.conversionWindowDays ?? null,
      requireNewCustomer: parsed.requireNewCustomer,
      referralKinds: parsed.referralKinds,
      purchaseKinds: parsed.purchaseKinds,
    },
  };

  async function purchasesOfReferred(tenantId: string, customerId: string): Promise<Purchase[]> {
    const out: Purchase[] = [];
    const items = await parsed.purchasesOf(tenantId, customerId);
    let index = 0;
    for await (const item of each(items)) {
      if (typeof item !== 'object' || item === null || !(item.occurredAt instanceof Date)) {
        throw invalidInput(
          `purchasesOf gave item #${index} for customer ${customerId} without an occurredAt date`,
          ['purchasesOf', index],
          'return stored interactions (or objects with id, kind and occurredAt as a Date)',
        );
      }
      index += 1;
      const purchase = purchaseOf(
        { ...item, customerId, amount: item.amount ?? null, currency: item.currency ?? null },
        parsed,
      );
      if (purchase) out.push(purchase);
    }
    return out;
  }

  async function explain(input: ReferralExplainInput): Promise<CustomerReferralValue> {
    const referrals: Referral[] = [];
    for await (const interaction of each(input.interactions)) {
      const referral = referralOf(interaction, parsed);
      if (referral && referral.referrerId === input.customerId) referrals.push(referral);
    }
    const purchases = new Map<string, Purchase[]>();
    for (const referral of referrals) {
      if (!purchases.has(referral.referredCustomerId)) {
        purchases.set(
          referral.referredCustomerId,
          await purchasesOfReferred(input.tenantId, referral.referredCustomerId),
        );
      }
    }
    const { converted, unconverted } = findConversions(referrals, purchases, rules, economics);
    return customerReferralValue(
      input.customerId,
      converted.map((conversion) => valueConversion(conversion, economics)),
      unconverted,
    );
  }

  const plugin: ReferralScoringPlugin = {
    id: PLUGIN,
    version,
    specVersion: SCORING_SPEC_VERSION,
    capabilities: { annotate: false, incremental: false, recompute: true },
    models: [model],
    explain,
    async recompute(input: ScoreRecomputeInput): Promise<ScoreResult[]> {
      const result = await explain(input);
      return [
        { name: REFERRAL_VALUE_SCORE, value: result.value, model },
        { name: REFERRALS_CONVERTED_SCORE, value: result.converted, model },
      ];
    },
  };
  return plugin satisfies ScoringPlugin;
}
