import { conversionPeriod, type ReferralEconomics } from './economics.js';
import type {
  ConvertedReferral,
  Purchase,
  Referral,
  UnconvertedReason,
  UnconvertedReferral,
} from './records.js';

/** How referrals are matched with purchases. */
export interface ConversionRules {
  /** A purchase converts a referral only within this many days after it. Default: any time after. */
  conversionWindowDays?: number | undefined;
  /** A referred customer who bought before the referral was not acquired by it. */
  requireNewCustomer: boolean;
  /**
   * Who gets a referred customer referred by several customers: `each` of them (every referrer
   * is credited, as when each is valued from their own timeline), or only the `first` or `last`
   * referral at or before the purchase.
   */
  attribution: 'each' | 'first' | 'last';
}

/** Converted and unconverted referrals, each in the order they were made. */
export interface Conversions {
  converted: ConvertedReferral[];
  unconverted: UnconvertedReferral[];
}

const DAY_MS = 86_400_000;

function byTimeThenId<T>(time: (item: T) => Date, id: (item: T) => string) {
  return (a: T, b: T) =>
    time(a).getTime() - time(b).getTime() || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);
}

const referralOrder = byTimeThenId<Referral>(
  (r) => r.referredAt,
  (r) => r.interactionId,
);
const purchaseOrder = byTimeThenId<Purchase>(
  (p) => p.occurredAt,
  (p) => p.interactionId,
);

function unconverted(referral: Referral, reason: UnconvertedReason): UnconvertedReferral {
  return {
    referrerId: referral.referrerId,
    referredCustomerId: referral.referredCustomerId,
    referralInteractionId: referral.interactionId,
    referredAt: referral.referredAt,
    reason,
  };
}

function converted(referral: Referral, purchase: Purchase): ConvertedReferral {
  return {
    referrerId: referral.referrerId,
    referredCustomerId: referral.referredCustomerId,
    referralInteractionId: referral.interactionId,
    referredAt: referral.referredAt,
    purchaseInteractionId: purchase.interactionId,
    convertedAt: purchase.occurredAt,
    amount: purchase.amount,
    currency: purchase.currency,
  };
}

/**
 * Matches referrals with the purchases of the customers referred. A referral converts when the
 * referred customer makes a purchase at or after it (within `conversionWindowDays`), and, with
 * `requireNewCustomer`, had made none before it. A person converts once per referrer: the
 * referrer's earliest referral that converts gets the conversion and later ones are `repeat`s.
 * With `attribution` `first` or `last`, one referral per referred customer gets it, among all
 * referrers' referrals matched to that customer's first converting purchase. The conversion then
 * falls in a period of the valuation (`conversionPeriod`); one before `origin` or after
 * `horizonPeriods` does not count.
 *
 * @param purchases - purchases by customer id, in any order.
 */
export function findConversions(
  referrals: readonly Referral[],
  purchases: ReadonlyMap<string, readonly Purchase[]>,
  rules: ConversionRules,
  economics: Pick<ReferralEconomics, 'origin' | 'periodDays' | 'horizonPeriods'>,
): Conversions {
  const windowMs =
    rules.conversionWindowDays === undefined ? Number.POSITIVE_INFINITY : rules.conversionWindowDays * DAY_MS;
  const sortedPurchases = new Map<string, Purchase[]>();
  const purchasesOf = (customerId: string): Purchase[] => {
    let list = sortedPurchases.get(customerId);
    if (!list) {
      list = [...(purchases.get(customerId) ?? [])].sort(purchaseOrder);
      sortedPurchases.set(customerId, list);
    }
    return list;
  };

  // Each referrer's referrals of one person, oldest first.
  const pairs = new Map<string, Referral[]>();
  for (const referral of [...referrals].sort(referralOrder)) {
    const key = `${referral.referrerId}\u0000${referral.referredCustomerId}`;
    const list = pairs.get(key);
    if (list) list.push(referral);
    else pairs.set(key, [referral]);
  }

  const out: Conversions = { converted: [], unconverted: [] };
  const matched: Array<{ referral: Referral; purchase: Purchase }> = [];
  for (const list of pairs.values()) {
    const bought = purchasesOf(list[0]!.referredCustomerId);
    let match: { referral: Referral; purchase: Purchase } | null = null;
    for (const referral of list) {
      if (match) {
        out.unconverted.push(unconverted(referral, 'repeat'));
        continue;
      }
      const at = referral.referredAt.getTime();
      if (rules.requireNewCustomer && bought.length > 0 && bought[0]!.occurredAt.getTime() < at) {
        out.unconverted.push(unconverted(referral, 'already-customer'));
        continue;
      }
      const purchase = bought.find((p) => p.occurredAt.getTime() >= at);
      if (!purchase || purchase.occurredAt.getTime() - at > windowMs) {
        out.unconverted.push(unconverted(referral, 'no-purchase'));
        continue;
      }
      match = { referral, purchase };
      matched.push(match);
    }
  }

  let credited = matched;
  if (rules.attribution !== 'each') {
    // Per referred customer: the candidates are the matches on the earliest converting purchase.
    const byReferred = new Map<string, Array<{ referral: Referral; purchase: Purchase }>>();
    for (const m of matched) {
      const list = byReferred.get(m.referral.referredCustomerId);
      if (list) list.push(m);
      else byReferred.set(m.referral.referredCustomerId, [m]);
    }
    credited = [];
    for (const list of byReferred.values()) {
      const firstPurchase = list.map((m) => m.purchase).sort(purchaseOrder)[0]!;
      const candidates = list
        .filter((m) => m.purchase.interactionId === firstPurchase.interactionId)
        .sort((a, b) => referralOrder(a.referral, b.referral));
      const winner = rules.attribution === 'first' ? candidates[0]! : candidates[candidates.length - 1]!;
      credited.push(winner);
      for (const m of list)
        if (m !== winner) out.unconverted.push(unconverted(m.referral, 'credited-elsewhere'));
    }
  }

  for (const { referral, purchase } of credited) {
    const period = conversionPeriod(purchase.occurredAt, economics);
    if (period === 0) out.unconverted.push(unconverted(referral, 'before-origin'));
    else if (economics.horizonPeriods !== undefined && period > economics.horizonPeriods) {
      out.unconverted.push(unconverted(referral, 'after-horizon'));
    } else out.converted.push(converted(referral, purchase));
  }
  const order = byTimeThenId<{ referredAt: Date; referralInteractionId: string }>(
    (r) => r.referredAt,
    (r) => r.referralInteractionId,
  );
  out.converted.sort(order);
  out.unconverted.sort(order);
  return out;
}
