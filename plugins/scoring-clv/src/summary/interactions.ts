import { currencySchema, type Interaction, RapportError } from '@rapport/core';
import type { z } from 'zod';
import {
  parseSummaryOptions,
  SummaryBuilder,
  summaryOptionsSchema,
  summaryWindow,
  utcDay,
} from './transactions.js';
import { type CustomerSummary, PLUGIN } from './types.js';

/** Zod schema of {@link InteractionSummaryOptions}. */
export const interactionSummaryOptionsSchema = summaryOptionsSchema.extend({
  currency: currencySchema
    .optional()
    .describe('Only purchases in this currency count; required when customers buy in several'),
});

/** Options of {@link summariesFromInteractions}. */
export type InteractionSummaryOptions = z.input<typeof interactionSummaryOptionsSchema>;

/** The parts of an interaction a summary reads. */
export type PurchaseInteraction = Pick<
  Interaction,
  'kind' | 'customerId' | 'occurredAt' | 'amount' | 'currency'
>;

/**
 * Feeds purchase interactions to a builder: kind `purchase` with an amount ≥ 0 (a negative amount
 * is a refund, not a purchase occasion), of a known customer, in `currency` when it is set. Without
 * `currency`, meeting a second currency is an error, since spends in two currencies cannot be
 * averaged.
 */
class PurchaseFilter {
  readonly builder: SummaryBuilder;
  readonly #currency: string | undefined;
  #seen: string | undefined;

  constructor(options: unknown) {
    const parsed = parseSummaryOptions(interactionSummaryOptionsSchema, options, 'summary options');
    this.builder = new SummaryBuilder(summaryWindow(parsed));
    this.#currency = parsed.currency;
  }

  add(interaction: PurchaseInteraction): void {
    if (interaction.kind !== 'purchase' || interaction.customerId === null) return;
    const amount = interaction.amount;
    if (amount === null || amount === undefined || !(amount >= 0)) return;
    const currency = interaction.currency ?? undefined;
    if (this.#currency !== undefined) {
      if (currency !== this.#currency) return;
    } else if (currency !== undefined) {
      if (this.#seen === undefined) this.#seen = currency;
      else if (currency !== this.#seen) {
        throw new RapportError(
          'RAPPORT_INVALID_INPUT',
          `Purchases in ${this.#seen} and ${currency}: spends in two currencies cannot be averaged`,
          {
            path: ['currency'],
            hint: 'set the `currency` option: only purchases in that currency will count',
            plugin: PLUGIN,
          },
        );
      }
    }
    this.builder.add(interaction.customerId, utcDay(interaction.occurredAt), amount);
  }
}

/**
 * Builds calibration summaries from stored interactions (as {@link summariesFromTransactions}
 * does from plain purchases): the purchases (kind `purchase`, amount ≥ 0) of each customer,
 * collapsed to UTC days, up to `calibrationEnd`. Run it over a tenant's purchases, then fit with
 * `fitClvModels`.
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` for invalid options; `RAPPORT_INVALID_INPUT` when
 * purchases come in two currencies and no `currency` is set.
 */
export async function summariesFromInteractions(
  interactions: Iterable<PurchaseInteraction> | AsyncIterable<PurchaseInteraction>,
  options: InteractionSummaryOptions,
): Promise<CustomerSummary[]> {
  const filter = new PurchaseFilter(options);
  for await (const interaction of interactions) filter.add(interaction);
  return filter.builder.build();
}

/** One customer's summary from their timeline, or undefined when they bought nothing. */
export async function summaryOfTimeline(
  customerId: string,
  interactions: AsyncIterable<PurchaseInteraction>,
  options: InteractionSummaryOptions,
): Promise<CustomerSummary | undefined> {
  const filter = new PurchaseFilter(options);
  for await (const interaction of interactions) {
    // A timeline holds the customer's own interactions; the builder groups by the id given here
    // so a merged customer's purchases under older ids count as theirs.
    filter.add({ ...interaction, customerId });
  }
  return filter.builder.buildOne(customerId);
}
