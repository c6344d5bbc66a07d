import { parsePluginOptions } from '@rapport/core';
import { z } from 'zod';
import { PLUGIN } from './errors.js';

/** Status visibilities this plugin can post with. */
export const visibilitySchema = z.enum(['public', 'unlisted', 'private', 'direct']);

/** A Mastodon status visibility. */
export type Visibility = z.infer<typeof visibilitySchema>;

const inboundSchema = z
  .object({
    mentions: z
      .boolean()
      .default(true)
      .describe('Read statuses that mention the account (public, unlisted or followers-only).'),
    directMessages: z
      .boolean()
      .default(true)
      .describe(
        'Read private mentions (direct visibility), from mention notifications and from the direct conversations list.',
      ),
    ownStatuses: z
      .boolean()
      .default(true)
      .describe(
        "Read the account's own statuses as outbound items, so replies sent from any client (and this plugin's own sends) join their conversation.",
      ),
  })
  .strict();

/** Schema of the options of {@link mastodonChannel}. Unknown keys are rejected so typos surface. */
export const mastodonChannelOptionsSchema = z
  .object({
    instanceUrl: z
      .url({ protocol: /^https?$/ })
      .describe('Base URL of the Mastodon server the account lives on, such as `https://mastodon.social`.'),
    accessToken: z
      .string()
      .min(1)
      .describe(
        'User access token of the account (scopes `read:notifications read:statuses read:accounts write:statuses`). A secret.',
      ),
    accountId: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The account's id on its server. When it or `acct` is missing, `init` asks the server (verify_credentials).",
      ),
    acct: z.string().min(1).optional().describe("The account's username on its server, such as `brand`."),
    account: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe(
        'The account name written on every interaction. Defaults to `acct@host` of `instanceUrl`, such as `brand@mastodon.social`.',
      ),
    inbound: inboundSchema.default({ mentions: true, directMessages: true, ownStatuses: true }),
    pollIntervalMs: z
      .number()
      .int()
      .min(10)
      .max(86_400_000)
      .default(60_000)
      .describe(
        'How often `subscribe` polls for anything the stream missed (it reconnects silently), in milliseconds. Without streaming it is the only source.',
      ),
    streaming: z
      .boolean()
      .default(true)
      .describe('Use the streaming API (user and direct streams) in `subscribe`, besides polling.'),
    streamingUrl: z
      .url({ protocol: /^(wss?|https?)$/ })
      .optional()
      .describe(
        'Streaming API base URL. Defaults to the one the server announces in `/api/v2/instance`, or `instanceUrl`.',
      ),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(80)
      .default(40)
      .describe('Items asked for per request (Mastodon allows up to 80 notifications, 40 statuses).'),
    defaultVisibility: visibilitySchema
      .default('direct')
      .describe(
        'Visibility of a reply when the visibility of the status replied to is unknown; `direct` never shows a reply to more people than the customer.',
      ),
    resolveThreads: z
      .boolean()
      .default(true)
      .describe(
        'Find the root of a reply chain (one context request per new thread, then remembered) so every status of a conversation shares one `thread`. Off: a reply’s thread is its parent.',
      ),
    reconcileWindowMs: z
      .number()
      .int()
      .min(0)
      .default(86_400_000)
      .describe("How far back `reconcile` looks through the account's own statuses, in milliseconds."),
    requestTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(600_000)
      .default(30_000)
      .describe('Timeout of each HTTP request, in milliseconds.'),
  })
  .strict();

/** Options of {@link mastodonChannel}, as the caller writes them. */
export type MastodonChannelOptions = z.input<typeof mastodonChannelOptionsSchema>;

/** Options of {@link mastodonChannel} with defaults filled in. */
export type ResolvedMastodonChannelOptions = z.output<typeof mastodonChannelOptionsSchema>;

/**
 * Validates options, or throws `RAPPORT_INVALID_OPTIONS` whose path names the offending option.
 */
export function parseMastodonChannelOptions(options: unknown): ResolvedMastodonChannelOptions {
  return parsePluginOptions(mastodonChannelOptionsSchema, options, 'mastodonChannel', PLUGIN);
}

/** The option keys that hold secrets. */
export const MASTODON_SECRETS = ['accessToken'] as const;
