import type { Interaction } from '@rapport/core';

/** One referral: a customer (the referrer) referred another person, at some time. */
export interface Referral {
  /** The referral interaction (evidence). */
  interactionId: string;
  /** The customer who referred: the referral's actor. */
  referrerId: string;
  /** The customer referred. */
  referredCustomerId: string;
  referredAt: Date;
}

/** One purchase of a customer. */
export interface Purchase {
  /** The purchase interaction (evidence). */
  interactionId: string;
  customerId: string;
  occurredAt: Date;
  amount: number | null;
  currency: string | null;
}

/** A referral whose referred customer went on to buy: the referral and the purchase that converted it. */
export interface ConvertedReferral {
  referrerId: string;
  referredCustomerId: string;
  /** The referral interaction. */
  referralInteractionId: string;
  referredAt: Date;
  /** The referred customer's first purchase at or after the referral. */
  purchaseInteractionId: string;
  convertedAt: Date;
  /** Amount of the converting purchase, when it has one. */
  amount: number | null;
  currency: string | null;
}

/** Why a referral did not count as converted. */
export type UnconvertedReason =
  /** The referred customer made no purchase at or after the referral (within the window). */
  | 'no-purchase'
  /** The referred customer had bought before the referral: nobody was acquired. */
  | 'already-customer'
  /** It converted before `origin`, the start of the valuation's first period. */
  | 'before-origin'
  /** It converted after the last period of `horizonPeriods`. */
  | 'after-horizon'
  /** The same referrer's earlier referral of this customer got the conversion: a person converts once. */
  | 'repeat'
  /** Another referrer's referral of the same customer got the credit (`attribution` `first` or `last`). */
  | 'credited-elsewhere';

/** A referral that did not count, with the reason. */
export interface UnconvertedReferral {
  referrerId: string;
  referredCustomerId: string;
  referralInteractionId: string;
  referredAt: Date;
  reason: UnconvertedReason;
}

/** Which kinds are referrals and purchases. */
export interface RecordKinds {
  referralKinds: readonly string[];
  purchaseKinds: readonly string[];
}

/**
 * The referral an interaction records, if it is one: an inbound interaction of a referral kind
 * with a customer and a referred customer who is someone else.
 */
export function referralOf(interaction: Interaction, kinds: RecordKinds): Referral | null {
  if (!kinds.referralKinds.includes(interaction.kind) || interaction.direction !== 'inbound') return null;
  const referrer = interaction.customerId;
  const referred = interaction.referredCustomerId;
  if (!referrer || !referred || referrer === referred) return null;
  return {
    interactionId: interaction.id,
    referrerId: referrer,
    referredCustomerId: referred,
    referredAt: interaction.occurredAt,
  };
}

/** The purchase an interaction records, if it is one (a purchase kind, with a customer). */
export function purchaseOf(
  interaction: Pick<Interaction, 'id' | 'kind' | 'customerId' | 'occurredAt' | 'amount' | 'currency'>,
  kinds: RecordKinds,
): Purchase | null {
  if (!kinds.purchaseKinds.includes(interaction.kind) || !interaction.customerId) return null;
  return {
    interactionId: interaction.id,
    customerId: interaction.customerId,
    occurredAt: interaction.occurredAt,
    amount: interaction.amount ?? null,
    currency: interaction.currency ?? null,
  };
}
