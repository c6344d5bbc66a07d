import { createHmac } from 'node:crypto';
import { type WebhookSecret, webhookSecretKeys } from './secret.js';

/** The three Standard Webhooks headers, as lower-case names. */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** What is signed: the delivery id, when it was sent, and the exact body bytes. */
export interface WebhookSignInput {
  /** The delivery id (`webhook-id`): the same on every retry of one message, so receivers dedupe. */
  id: string;
  /** When this attempt is sent; signed as whole Unix seconds. */
  timestamp: Date;
  /** The body exactly as it goes on the wire (strings are signed as UTF-8). */
  body: string | Uint8Array;
}

/**
 * The Standard Webhooks headers of one signed delivery. A type alias, not an interface, so it fits
 * wherever a plain header record is expected.
 */
export type StandardWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Whole Unix seconds of a date, as the `webhook-timestamp` header carries them. */
export function webhookTimestamp(date: Date): string {
  return Math.floor(date.getTime() / 1000).toString();
}

/** Base64 HMAC-SHA256 of `id.timestamp.body` under one key. */
export function webhookSignatureOf(
  key: Uint8Array,
  id: string,
  timestamp: string,
  body: string | Uint8Array,
): string {
  // The body is hashed as bytes after the prefix, so a body that is not valid UTF-8 is signed exactly.
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/**
 * The `webhook-signature` value for a delivery: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * one entry per secret separated by spaces, so receivers holding either the old or the new secret
 * verify during a rotation.
 *
 * ```ts
 * const signature = signWebhook({ id: 'msg_1', timestamp: new Date(), body }, 'whsec_...');
 * ```
 *
 * @throws RapportError `RAPPORT_WEBHOOK_SECRET` for an empty or malformed secret.
 */
export function signWebhook(
  input: WebhookSignInput,
  secrets: WebhookSecret | readonly WebhookSecret[],
): string {
  const timestamp = webhookTimestamp(input.timestamp);
  return webhookSecretKeys(secrets)
    .map((key) => `v1,${webhookSignatureOf(key, input.id, timestamp, input.body)}`)
    .join(' ');
}

/**
 * All three Standard Webhooks headers of a delivery, ready to send.
 *
 * @throws RapportError `RAPPORT_WEBHOOK_SECRET` for an empty or malformed secret.
 */
export function webhookHeaders(
  input: WebhookSignInput,
  secrets: WebhookSecret | readonly WebhookSecret[],
): StandardWebhookHeaders {
  return {
    'webhook-id': input.id,
    'webhook-timestamp': webhookTimestamp(input.timestamp),
    'webhook-signature': signWebhook(input, secrets),
  };
}
