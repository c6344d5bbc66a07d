import { z } from 'zod';
import {
  channelIdSchema,
  externalIdSchema,
  metadataSchema,
  tenantIdSchema,
  timestampSchema,
} from './common.js';
import { builtInKinds, type EffortClass } from './effort.js';
import { identityInputSchema } from './identity.js';

/** Inbound: from the customer's side. Outbound: from the organization (an agent, a brand account). */
export const directionSchema = z.enum(['inbound', 'outbound']);
/** Interaction direction. */
export type Direction = z.infer<typeof directionSchema>;

/** Built-in kinds, or a custom lower-case kind (`answer`, `vote`...). */
export const interactionKindSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_.-]*$/, `must be one of ${builtInKinds.join(', ')}, or a lower-case custom kind`);

/** A reference to another item on the same channel and account (a parent post, a thread root). */
export const itemRefSchema = externalIdSchema;

/** ISO 4217 currency code. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

/** An issue raised across fields (as `superRefine`'s `addIssue` would raise it). */
function crossFieldIssue(input: unknown, field: string, message: string): z.core.$ZodRawIssue {
  return { code: 'custom', path: [field], message, input, continue: true };
}

/**
 * What a channel (or an import) hands to the ingest pipeline. Strict: unknown keys are rejected so
 * typos surface; anything channel-specific goes under `metadata`.
 */
export const interactionInputSchema = z
  .object({
    /** Defaults to the ingesting instance's tenant. */
    tenant: tenantIdSchema.optional(),
    channel: channelIdSchema,
    /** The organization's account on the channel (a brand handle, a mailbox, a forum). */
    account: z.string().min(1).max(256),
    /** The channel's id for this item: the idempotency key together with channel and account. */
    externalId: externalIdSchema,
    /** Content version for editable items; a higher version replaces the stored one. */
    version: z.number().int().nonnegative().optional(),
    direction: directionSchema,
    kind: interactionKindSchema,
    /** Overrides the effort class derived from kind and content. */
    effort: z.enum(['signal', 'contribution', 'transaction']).optional(),
    text: z.string().max(1_000_000).optional(),
    /** BCP 47 language tag, when known. */
    language: z.string().min(2).max(35).optional(),
    occurredAt: timestampSchema,
    /** When the organization received it; defaults to the ingest time. */
    receivedAt: timestampSchema.optional(),
    /** Who did it: the customer for inbound items, the agent or brand account for outbound ones. */
    actor: identityInputSchema,
    /** The customer an outbound item is addressed to. */
    recipient: identityInputSchema.optional(),
    /** Thread (conversation) id on the channel. */
    thread: itemRefSchema.optional(),
    /** The item this one answers or reacts to. */
    parent: itemRefSchema.optional(),
    /** Purchases: amount in `currency`. */
    amount: z.number().finite().optional(),
    currency: currencySchema.optional(),
    /** Referrals: the person referred. */
    referred: identityInputSchema.optional(),
    metadata: metadataSchema.optional(),
  })
  .strict()
  // A plain check rather than superRefine: the same issues, without a closure and an extra
  // property put on every payload this schema parses.
  .check((payload) => {
    const item = payload.value;
    if (item.kind === 'purchase' && item.amount === undefined) {
      payload.issues.push(crossFieldIssue(item, 'amount', 'a purchase needs an amount'));
    }
    if (item.amount !== undefined && item.currency === undefined) {
      payload.issues.push(crossFieldIssue(item, 'currency', 'an amount needs a currency'));
    }
    if (item.kind === 'referral' && item.referred === undefined) {
      payload.issues.push(crossFieldIssue(item, 'referred', 'a referral needs the referred person'));
    }
  });

/** What a channel hands to the pipeline (input form: dates may be strings). */
export type InteractionInput = z.input<typeof interactionInputSchema>;
/** A validated interaction input (dates parsed). */
export type ParsedInteractionInput = z.output<typeof interactionInputSchema>;

/** Field hints used in validation errors. */
export const interactionHints = {
  channel: 'set `channel` to the channel id, such as `email` or `mastodon`',
  account: "set `account` to the organization's account on the channel (a brand handle or mailbox)",
  externalId: "set `externalId` to the channel's own id for the item; it makes re-ingesting safe",
  direction: 'set `direction` to `inbound` (from the customer) or `outbound` (from the organization)',
  kind: 'set `kind`, such as message, reply, reaction, purchase or referral',
  occurredAt: 'set `occurredAt` to an ISO 8601 date such as 2024-05-01T12:00:00Z',
  receivedAt: 'set `receivedAt` to an ISO 8601 date, or leave it out',
  'actor.externalId': "set `actor.externalId` to the person's id on the channel",
  'actor.email': 'give `actor.email` as an email address, or leave it out',
  amount: 'purchases carry `amount` (a number) and `currency` (ISO 4217)',
  currency: 'give `currency` as an ISO 4217 code such as USD',
  referred: 'referrals carry `referred`: the identity of the person referred',
} as const;

/** Per-interaction annotation from a scoring plugin (for example a sentiment score). */
export const interactionScoreSchema = z.object({
  name: z.string(),
  value: z.number(),
  model: z.object({ id: z.string(), version: z.string() }),
  label: z.string().optional(),
});
/** Per-interaction annotation from a scoring plugin. */
export type InteractionScore = z.infer<typeof interactionScoreSchema>;

/** A stored interaction. */
export interface Interaction {
  id: string;
  tenantId: string;
  channel: string;
  account: string;
  externalId: string;
  version: number;
  direction: Direction;
  kind: string;
  effort: EffortClass;
  text: string | null;
  language: string | null;
  occurredAt: Date;
  receivedAt: Date;
  /** The customer this interaction belongs to, or null when unknown (an outbound post to nobody). */
  customerId: string | null;
  /** The customer-side identity: the actor of inbound items, the recipient of outbound ones. */
  identityId: string | null;
  /** Who did it, as the channel named them. */
  actorExternalId: string;
  actorHandle: string | null;
  conversationId: string | null;
  thread: string | null;
  parent: string | null;
  amount: number | null;
  currency: string | null;
  /** Referrals: the referred person's identity. */
  referredIdentityId: string | null;
  /** Referrals: the referred person's customer (follows the identity through merges). */
  referredCustomerId: string | null;
  scores: InteractionScore[];
  metadata: Record<string, unknown>;
}

/** Dedupe key of an interaction within a tenant. */
export interface InteractionKey {
  channel: string;
  account: string;
  externalId: string;
}

/** Lookup key string for an interaction (channel + account + externalId). */
export function interactionKeyString(key: InteractionKey): string {
  return `${key.channel}\u0000${key.account}\u0000${key.externalId}`;
}

/** What the pipeline needs to know about an already stored interaction. */
export interface InteractionHead extends InteractionKey {
  id: string;
  version: number;
  customerId: string | null;
  conversationId: string | null;
}
