import { z } from 'zod';
import { channelIdSchema, externalIdSchema } from './common.js';

/** Why an identity belongs to its customer. */
export const linkReasonSchema = z.enum(['first-sight', 'verified-email', 'channel-link', 'manual', 'merge']);
/** Why an identity belongs to its customer. */
export type LinkReason = z.infer<typeof linkReasonSchema>;

/** One handle of a customer on one channel. Unique per tenant by (channel, externalId). */
export const identitySchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  customerId: z.string(),
  channel: z.string(),
  externalId: z.string(),
  handle: z.string().nullable(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
  /** True when the channel vouches for this identity (and its email, when it has one). */
  verified: z.boolean(),
  /** Where the identity came from: `ingest:<channel>`, `link:<channel>`, `manual`... */
  source: z.string(),
  createdAt: z.date(),
});

/** An identity record. */
export type Identity = z.infer<typeof identitySchema>;

/** Points at an identity on another channel that the reporting channel knows is the same person. */
export const identityLinkInputSchema = z.object({
  channel: channelIdSchema,
  externalId: externalIdSchema,
  handle: z.string().max(512).optional(),
  email: z.string().email().optional(),
  verified: z.boolean().optional(),
});

/** How a channel describes a person in an interaction. */
export const identityInputSchema = z.object({
  /** Defaults to the interaction's channel. */
  channel: channelIdSchema.optional(),
  externalId: externalIdSchema,
  handle: z.string().max(512).optional(),
  displayName: z.string().max(512).optional(),
  email: z.string().email().optional(),
  verified: z.boolean().optional(),
  /** Identities on other channels that this channel knows belong to the same person. */
  links: z.array(identityLinkInputSchema).max(32).optional(),
});

/** How a channel describes a person in an interaction. */
export type IdentityInput = z.input<typeof identityInputSchema>;

/** A reference to an identity: the key that finds it. */
export interface IdentityKey {
  channel: string;
  externalId: string;
}

/** Lookup key string for an identity (channel + externalId). */
export function identityKeyString(key: IdentityKey): string {
  return `${key.channel}\u0000${key.externalId}`;
}
