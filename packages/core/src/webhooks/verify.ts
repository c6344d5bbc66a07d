import { timingSafeEqual } from 'node:crypto';
import type { RapportErrorCode } from '../errors/codes.js';
import { RapportError } from '../errors/rapport-error.js';
import { type Clock, systemClock } from '../plugins/plugin.js';
import { type WebhookSecret, webhookSecretKeys } from './secret.js';
import { WEBHOOK_HEADERS, webhookSignatureOf } from './sign.js';

/** How far a delivery's timestamp may be from the receiver's clock, either way, by default: 5 minutes. */
export const DEFAULT_WEBHOOK_TOLERANCE_MS = 5 * 60_000;

/**
 * Request headers as servers hand them over: a fetch `Headers`, or a plain record (Node's
 * `IncomingHttpHeaders`); names are matched without regard to case.
 */
export type WebhookHeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** A received delivery: the headers and the body exactly as received, before any parsing. */
export interface WebhookDelivery {
  headers: WebhookHeaderSource;
  body: string | Uint8Array;
}

/** Options of {@link verifyWebhook}. */
export interface WebhookVerifyOptions {
  /** The secret, or several during a key rotation; a signature made with any of them is accepted. */
  secrets: WebhookSecret | readonly WebhookSecret[];
  /** How far the `webhook-timestamp` may be from now, either way (ms). Default 5 minutes. */
  toleranceMs?: number;
  /** The receiver's clock; the real one by default. */
  clock?: Clock;
}

/** A delivery whose signature and timestamp checked out. */
export interface VerifiedWebhook {
  /** The `webhook-id`: remember it to drop a replayed or retried delivery. */
  id: string;
  /** When the sender signed this attempt. */
  timestamp: Date;
  /** The position, in the secrets given, of the secret that matched (to see when a rotation is done). */
  secretIndex: number;
}

/** Why a delivery was refused. */
export type WebhookRejection =
  | 'missing-header'
  | 'malformed-timestamp'
  | 'expired'
  | 'future'
  | 'malformed-signature'
  | 'no-match'
  | 'replayed';

const codeOf: Record<WebhookRejection, RapportErrorCode> = {
  'missing-header': 'RAPPORT_WEBHOOK_SIGNATURE',
  'malformed-signature': 'RAPPORT_WEBHOOK_SIGNATURE',
  'no-match': 'RAPPORT_WEBHOOK_SIGNATURE',
  'malformed-timestamp': 'RAPPORT_WEBHOOK_TIMESTAMP',
  expired: 'RAPPORT_WEBHOOK_TIMESTAMP',
  future: 'RAPPORT_WEBHOOK_TIMESTAMP',
  replayed: 'RAPPORT_WEBHOOK_REPLAYED',
};

/**
 * A refused webhook delivery. `code` is stable (`RAPPORT_WEBHOOK_SIGNATURE`,
 * `RAPPORT_WEBHOOK_TIMESTAMP` or `RAPPORT_WEBHOOK_REPLAYED`); `reason` says which check failed,
 * for logs and metrics. Answer the sender with 401 (or 400); never echo the details to it.
 */
export class WebhookVerificationError extends RapportError {
  readonly reason: WebhookRejection;

  constructor(reason: WebhookRejection, message: string, options: { hint?: string; plugin?: string } = {}) {
    super(codeOf[reason], message, options);
    this.reason = reason;
  }
}

/** Reads one header, whatever the case of its name; repeated values are joined with a space. */
export function webhookHeader(headers: WebhookHeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = record[key];
    if (value === undefined) continue;
    return typeof value === 'string' ? value : value.join(' ');
  }
  return undefined;
}

// Whole seconds, as Standard Webhooks sends them; anything else (`12abc`, `1e9`) is refused rather
// than half-parsed.
const TIMESTAMP = /^\d{1,15}$/;

/**
 * Verifies a Standard Webhooks delivery (https://www.standardwebhooks.com): the `webhook-id`,
 * `webhook-timestamp` and `webhook-signature` headers, the signature over `id.timestamp.body` with
 * HMAC-SHA256 compared in constant time, any of several `v1` signatures (key rotation on the
 * sender's side) against any of several secrets (on the receiver's side), and the timestamp within
 * the tolerance window of `clock`.
 *
 * It does not remember delivery ids: keep {@link VerifiedWebhook.id} to refuse replays within the
 * window.
 *
 * ```ts
 * const { id } = verifyWebhook({ headers: req.headers, body: rawBody }, { secrets: 'whsec_...' });
 * ```
 *
 * @throws WebhookVerificationError (a RapportError) with code `RAPPORT_WEBHOOK_SIGNATURE` or
 * `RAPPORT_WEBHOOK_TIMESTAMP` when the delivery is refused.
 * @throws RapportError `RAPPORT_WEBHOOK_SECRET` when a secret is empty or malformed.
 */
export function verifyWebhook(delivery: WebhookDelivery, options: WebhookVerifyOptions): VerifiedWebhook {
  const keys = webhookSecretKeys(options.secrets);
  const id = webhookHeader(delivery.headers, WEBHOOK_HEADERS.id);
  const timestampHeader = webhookHeader(delivery.headers, WEBHOOK_HEADERS.timestamp);
  const signatureHeader = webhookHeader(delivery.headers, WEBHOOK_HEADERS.signature);
  if (!id || !timestampHeader || !signatureHeader) {
    const missing = [
      id ? '' : WEBHOOK_HEADERS.id,
      timestampHeader ? '' : WEBHOOK_HEADERS.timestamp,
      signatureHeader ? '' : WEBHOOK_HEADERS.signature,
    ].filter(Boolean);
    throw new WebhookVerificationError('missing-header', `Webhook delivery lacks ${missing.join(', ')}`, {
      hint: 'The sender must send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks); check that a proxy does not drop them.',
    });
  }

  const timestamp = checkTimestamp(timestampHeader, options);

  const candidates = signatureHeader
    .split(/\s+/)
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'utf8'));
  if (candidates.length === 0) {
    throw new WebhookVerificationError('malformed-signature', 'Webhook delivery has no v1 signature', {
      hint: 'webhook-signature must hold space-separated `v1,<base64>` entries.',
    });
  }
  for (const [secretIndex, key] of keys.entries()) {
    const expected = Buffer.from(webhookSignatureOf(key, id, timestampHeader, delivery.body), 'utf8');
    // Every candidate is compared, matched or not, so the time taken says nothing about which one
    // was close.
    let matched = false;
    for (const candidate of candidates) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
    if (matched) return { id, timestamp, secretIndex };
  }
  throw new WebhookVerificationError('no-match', 'Webhook signature does not match', {
    hint: 'Check that both sides hold the same secret (a `whsec_` secret is base64 after the prefix) and that the body is verified byte for byte as received, before any JSON parsing.',
  });
}

function checkTimestamp(header: string, options: WebhookVerifyOptions): Date {
  if (!TIMESTAMP.test(header)) {
    throw new WebhookVerificationError('malformed-timestamp', 'webhook-timestamp is not whole Unix seconds', {
      hint: 'Send webhook-timestamp as whole seconds since the Unix epoch, such as 1714564800.',
    });
  }
  const timestamp = new Date(Number(header) * 1000);
  const tolerance = options.toleranceMs ?? DEFAULT_WEBHOOK_TOLERANCE_MS;
  const now = (options.clock ?? systemClock).now().getTime();
  const drift = now - timestamp.getTime();
  if (drift > tolerance) {
    throw new WebhookVerificationError(
      'expired',
      `webhook-timestamp is ${Math.round(drift / 1000)} s old, beyond the ${tolerance / 1000} s tolerance`,
      {
        hint: 'Old deliveries are refused so captured ones cannot be replayed: the sender must sign each attempt with the time it is sent, and both clocks must be right (NTP).',
      },
    );
  }
  if (-drift > tolerance) {
    throw new WebhookVerificationError(
      'future',
      `webhook-timestamp is ${Math.round(-drift / 1000)} s ahead, beyond the ${tolerance / 1000} s tolerance`,
      { hint: "The sender's clock is ahead of ours: set both clocks right (NTP)." },
    );
  }
  return timestamp;
}
