import { RapportError } from '../errors/rapport-error.js';

/**
 * A webhook signing secret. A string starting with `whsec_` is the Standard Webhooks form: the rest
 * is base64 and the key is the decoded bytes. Any other string is used as its UTF-8 bytes. Bytes
 * are used as given.
 */
export type WebhookSecret = string | Uint8Array;

/** The prefix of a Standard Webhooks secret; what follows it is base64. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

// Standard base64, padding optional: some generators drop it, and the bytes are the same.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The HMAC key of a secret (see {@link WebhookSecret}).
 *
 * @throws RapportError `RAPPORT_WEBHOOK_SECRET` when the secret is empty or a `whsec_` secret is
 * not base64. The message never contains the secret.
 */
export function webhookSecretKey(secret: WebhookSecret): Uint8Array {
  if (secret instanceof Uint8Array) {
    if (secret.length === 0) throw secretError('the secret is empty');
    return secret;
  }
  if (typeof secret !== 'string') throw secretError('the secret must be a string or bytes');
  if (secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
    if (!BASE64.test(encoded) || encoded.replace(/=+$/, '').length % 4 === 1) {
      throw secretError('a `whsec_` secret must be followed by base64');
    }
    return new Uint8Array(Buffer.from(encoded, 'base64'));
  }
  if (secret.length === 0) throw secretError('the secret is empty');
  return new Uint8Array(Buffer.from(secret, 'utf8'));
}

/** The keys of one secret or of several (key rotation), in order. */
export function webhookSecretKeys(secrets: WebhookSecret | readonly WebhookSecret[]): Uint8Array[] {
  const list = Array.isArray(secrets) ? (secrets as readonly WebhookSecret[]) : [secrets as WebhookSecret];
  if (list.length === 0) throw secretError('no secret was given');
  return list.map(webhookSecretKey);
}

function secretError(message: string): RapportError {
  return new RapportError('RAPPORT_WEBHOOK_SECRET', `Invalid webhook secret: ${message}`);
}
