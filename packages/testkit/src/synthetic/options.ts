import { channelIdSchema, tenantIdSchema } from '@rapport/core';
import { z } from 'zod';
import { defaultAccounts } from './channels.js';

/** The fixed default start of the synthetic timeline, so that default output is reproducible. */
export const DEFAULT_START_AT = '2024-01-01T00:00:00.000Z';

/** The channels a stream uses unless told otherwise. */
export const DEFAULT_CHANNELS: readonly string[] = ['twitter', 'email', 'mastodon', 'forum'];

const weight = (value: number, what: string) =>
  z.number().finite().nonnegative().default(value).describe(what);

/**
 * Relative weights of what happens at each step of the stream. They need not sum to 1: each is
 * divided by their sum. Edits are not part of the mix (see `editRatio`).
 */
export const syntheticMixSchema = z
  .object({
    conversation: weight(
      0.2,
      'A customer opens a conversation: a message, a public mention, or a forum post (inbound).',
    ),
    reply: weight(
      0.36,
      'A reply in an open thread: the brand answering (outbound), the customer answering back, or another customer on a forum.',
    ),
    reaction: weight(0.2, 'A one-click reaction (like, favourite) to a recent item (inbound signal).'),
    share: weight(0.06, 'A share of a recent item (retweet, boost), mostly without text (inbound signal).'),
    review: weight(0.05, 'A product review with a 1-5 rating in metadata (inbound contribution).'),
    purchase: weight(0.07, 'A purchase with amount and currency (inbound transaction).'),
    referral: weight(0.03, 'A customer refers a new or an existing person (inbound).'),
    announcement: weight(0.03, 'A brand post addressed to nobody in particular (outbound post).'),
  })
  .strict()
  .refine((mix) => Object.values(mix).some((w) => w > 0), { message: 'at least one weight must be positive' })
  .describe('Relative weights of the kinds of events in the stream.');

/** The mix of events, as given (every weight optional). */
export type SyntheticMix = z.input<typeof syntheticMixSchema>;

/** Options of {@link syntheticStream} and {@link syntheticCustomers}; every field has a default. */
export const syntheticOptionsSchema = z
  .object({
    seed: z
      .number()
      .int()
      .default(42)
      .describe(
        'Seed of the random sequence (its low 32 bits): the same seed and options give the same stream.',
      ),
    interactions: z
      .number()
      .int()
      .nonnegative()
      .default(10_000)
      .describe('How many items the stream yields in total, edits included.'),
    customers: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'How many distinct persons exist (some only appear once referred). Default: interactions / 20.',
      ),
    channels: z
      .array(channelIdSchema)
      .min(1)
      .max(32)
      .default(() => [...DEFAULT_CHANNELS])
      .refine((channels) => new Set(channels).size === channels.length, {
        message: 'channels must be distinct',
      })
      .describe(
        'Channels the items come from. twitter, x, bluesky, mastodon, email and forum have realistic profiles; others support every kind.',
      ),
    brand: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,40}$/, 'must be a lower-case name such as `acme`')
      .default('acme')
      .describe(
        'Brand name used to name the default accounts (`acme`, `acme_support`, `support@acme.example`).',
      ),
    accounts: z
      .record(channelIdSchema, z.array(z.string().min(1).max(256)).min(1).max(16))
      .default({})
      .describe('Brand accounts per channel; channels not listed get accounts named after `brand`.'),
    tenant: tenantIdSchema.optional().describe('Tenant set on every item; left out when not given.'),
    startAt: z.coerce
      .date()
      .default(() => new Date(DEFAULT_START_AT))
      .describe('When the timeline starts (a Date, an ISO string or epoch milliseconds).'),
    spanDays: z
      .number()
      .positive()
      .default(365)
      .describe('How many days the whole stream spans; gaps between items are random around the mean.'),
    disorderMs: z
      .number()
      .nonnegative()
      .default(0)
      .describe(
        'Up to how many milliseconds an item may be dated before the previous one (out-of-order arrival); never before its parent.',
      ),
    mix: syntheticMixSchema.prefault({}),
    editRatio: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.01)
      .describe('Share of items that are edits: an earlier item again with a higher `version` and new text.'),
    brandReplyRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.7)
      .describe('Chance that the brand (rather than the customer) answers a customer item in a thread.'),
    peerReplyRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.4)
      .describe('On forums: chance that another customer answers a customer item.'),
    newReferralRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('Chance that a referral names a person not seen before (rather than an existing customer).'),
    dormantRatio: z
      .number()
      .min(0)
      .max(0.9)
      .default(0.1)
      .describe('Share of persons who only appear once someone refers them.'),
    emailLinkRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.35)
      .describe('Share of multi-identity persons whose identities share a verified email.'),
    channelLinkRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('Share of multi-identity persons one of whose identities names another in `actor.links`.'),
    openThreads: z
      .number()
      .int()
      .min(1)
      .max(65_536)
      .default(256)
      .describe('How many threads can be open at once; the oldest state the generator keeps.'),
  })
  .strict()
  .refine((options) => options.emailLinkRatio + options.channelLinkRatio <= 1, {
    message: 'emailLinkRatio + channelLinkRatio cannot exceed 1: a person is linked one way or the other',
    path: ['channelLinkRatio'],
  })
  .transform((options) => {
    const accounts: Record<string, string[]> = {};
    for (const channel of options.channels) {
      accounts[channel] = options.accounts[channel] ?? defaultAccounts(channel, options.brand);
    }
    return {
      ...options,
      customers: options.customers ?? Math.max(1, Math.round(options.interactions / 20)),
      accounts,
    };
  });

/** Options as given to the synthetic generators: every field is optional. */
export type SyntheticOptions = z.input<typeof syntheticOptionsSchema>;

/** Options with every default filled in (`customers` computed, `accounts` set for every channel). */
export type ResolvedSyntheticOptions = z.output<typeof syntheticOptionsSchema>;

/** Validates options and fills in defaults; throws a `ZodError` on invalid options. */
export function resolveSyntheticOptions(options: SyntheticOptions = {}): ResolvedSyntheticOptions {
  return syntheticOptionsSchema.parse(options);
}
