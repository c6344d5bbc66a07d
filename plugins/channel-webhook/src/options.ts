import { channelIdSchema, parsePluginOptions, WEBHOOK_HEADERS, webhookSecretKey } from '@rapport/core';
import { z } from 'zod';
import { PLUGIN } from './errors.js';

function isUsableSecret(secret: string): boolean {
  try {
    webhookSecretKey(secret);
    return true;
  } catch {
    return false;
  }
}

const secretSchema = z
  .string()
  .min(1)
  .refine(isUsableSecret, 'must be `whsec_` followed by base64, or a non-empty raw string');

// The plugin sets these itself on every send; letting `headers` override them would break signing.
const RESERVED_HEADERS = new Set<string>([
  ...Object.values(WEBHOOK_HEADERS),
  'content-type',
  'content-length',
]);

/** Schema of the options of {@link webhookChannel}. Unknown keys are rejected so typos surface. */
export const webhookChannelOptionsSchema = z
  .object({
    channel: channelIdSchema
      .default('webhook')
      .describe(
        'Channel id the items are ingested under, and the plugin id: give each webhook channel of an app its own (`shop`, `forms`).',
      ),
    account: z
      .string()
      .min(1)
      .max(256)
      .describe(
        "The organization's account on this channel: the `account` of inbound items that do not name one, and the account sends are made as.",
      ),
    secret: secretSchema.describe(
      'Signs and verifies deliveries both ways (Standard Webhooks): `whsec_<base64>`, or a raw string used as its UTF-8 bytes.',
    ),
    previousSecrets: z
      .array(secretSchema)
      .max(8)
      .default([])
      .describe(
        'During a key rotation: secrets still accepted on inbound deliveries and also signed with on sends, so either side can switch first.',
      ),
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('Where sends are POSTed. Without it the channel only receives (no outbound capability).'),
    headers: z
      .record(z.string().min(1), z.string())
      .default({})
      .refine(
        (headers) => Object.keys(headers).every((name) => !RESERVED_HEADERS.has(name.toLowerCase())),
        'must not set content-type or the webhook-* headers; the channel sets them',
      )
      .describe('Extra headers on every send, such as an `authorization` token the receiver expects.'),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(600_000)
      .default(10_000)
      .describe(
        'How long a send waits for the receiver, in milliseconds. A send that times out may have arrived: the host retries with the same webhook-id, which the receiver dedupes.',
      ),
    toleranceMs: z
      .number()
      .int()
      .min(1_000)
      .max(86_400_000)
      .default(300_000)
      .describe(
        'How far an inbound `webhook-timestamp` may be from our clock, either way, in milliseconds. Older deliveries are refused as possible replays.',
      ),
  })
  .strict();

/** Options of {@link webhookChannel}, as the caller writes them. */
export type WebhookChannelOptions = z.input<typeof webhookChannelOptionsSchema>;

/** Options of {@link webhookChannel} with defaults filled in. */
export type ResolvedWebhookChannelOptions = z.output<typeof webhookChannelOptionsSchema>;

/** Option keys that hold secrets, never to be logged. */
export const WEBHOOK_CHANNEL_SECRETS = ['secret', 'previousSecrets', 'headers'] as const;

/**
 * Validates options, or throws `RAPPORT_INVALID_OPTIONS` whose path names the offending option
 * (for an unknown key, the key itself).
 */
export function parseWebhookChannelOptions(options: unknown): ResolvedWebhookChannelOptions {
  return parsePluginOptions(webhookChannelOptionsSchema, options, 'webhookChannel', PLUGIN);
}
