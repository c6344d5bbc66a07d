import type { Interaction } from '@rapport/core';
import { storedInteraction } from '@rapport/testkit';
import type { ReferralEconomics } from '../src/index.js';

/** A stored inbound interaction with defaults (fields not given are empty). */
export function stored(
  fields: Partial<Interaction> & Pick<Interaction, 'kind' | 'customerId' | 'occurredAt'>,
): Interaction {
  return storedInteraction({ channel: 'shop', ...fields });
}

/** A referral by `referrer` of `referred` on a day (ISO date). */
export function referral(referrer: string, referred: string, day: string): Interaction {
  return stored({
    kind: 'referral',
    customerId: referrer,
    referredCustomerId: referred,
    occurredAt: new Date(`${day}T12:00:00Z`),
  });
}

/** A purchase by `customer` on a day (ISO date). */
export function purchase(customer: string, day: string, amount = 50): Interaction {
  return stored({
    kind: 'purchase',
    effort: 'transaction',
    customerId: customer,
    occurredAt: new Date(`${day}T12:00:00Z`),
    amount,
    currency: 'EUR',
  });
}

/**
 * Worked example: A = 100, a = 10, M = 20, ACQ1 = 30, ACQ2 = 25, s = 0.2, r = 10% a year.
 * A customer who would not have joined otherwise is worth A − a − M + ACQ1 = 100; the expected
 * undiscounted value of a converted referral is 0.8 × 100 + 0.2 × 25 = 85.
 */
export const economics: ReferralEconomics = {
  contributionMargin: 100,
  referralCost: 10,
  marketingCost: 20,
  acquisitionSavingsNew: 30,
  acquisitionSavingsAnyway: 25,
  shareWouldJoinAnyway: 0.2,
  discountRate: 0.1,
  periodDays: 365,
  origin: new Date('2025-01-01T00:00:00Z'),
};
