import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WEBHOOK_TOLERANCE_MS,
  isRapportError,
  RapportError,
  signWebhook,
  type VerifiedWebhook,
  verifyWebhook,
  type WebhookDelivery,
  WebhookVerificationError,
  type WebhookVerifyOptions,
  webhookHeaders,
  webhookSecretKey,
} from '../src/index.js';

// The test vector published with the Standard Webhooks reference libraries
// (standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const VECTOR_TIME = new Date(VECTOR.timestamp * 1000);
const at = (date: Date | number) => ({ now: () => new Date(date) });

function vectorDelivery(
  overrides: Partial<Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>> = {},
  body: string | Uint8Array = VECTOR.body,
): WebhookDelivery {
  return {
    headers: {
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
      ...overrides,
    },
    body,
  };
}

const vectorOptions: WebhookVerifyOptions = { secrets: VECTOR.secret, clock: at(VECTOR_TIME) };

function rejection(fn: () => unknown): WebhookVerificationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error('expected the delivery to be refused');
}

describe('signing', () => {
  it('reproduces the Standard Webhooks test vector', () => {
    const signature = signWebhook(
      { id: VECTOR.id, timestamp: VECTOR_TIME, body: VECTOR.body },
      VECTOR.secret,
    );
    expect(signature).toBe(VECTOR.signature);
  });

  it('signs whole seconds: a timestamp with milliseconds signs like its second', () => {
    const signature = signWebhook(
      { id: VECTOR.id, timestamp: new Date(VECTOR.timestamp * 1000 + 999), body: VECTOR.body },
      VECTOR.secret,
    );
    expect(signature).toBe(VECTOR.signature);
  });

  it('keys a raw string secret by its UTF-8 bytes and a byte secret as given', () => {
    const raw = 'a-raw-secret-ü-0123456789';
    const expected = createHmac('sha256', Buffer.from(raw, 'utf8')).update('id.1.body').digest('base64');
    const input = { id: 'id', timestamp: new Date(1000), body: 'body' };
    expect(signWebhook(input, raw)).toBe(`v1,${expected}`);
    expect(signWebhook(input, new TextEncoder().encode(raw))).toBe(`v1,${expected}`);
  });

  it('signs with every secret during a rotation, space separated', () => {
    const input = { id: VECTOR.id, timestamp: VECTOR_TIME, body: VECTOR.body };
    const both = signWebhook(input, ['new-secret-0123456789', VECTOR.secret]);
    const entries = both.split(' ');
    expect(entries).toHaveLength(2);
    expect(entries[1]).toBe(VECTOR.signature);
    expect(entries[0]).toBe(signWebhook(input, 'new-secret-0123456789'));
  });

  it('gives the three headers', () => {
    expect(
      webhookHeaders({ id: VECTOR.id, timestamp: VECTOR_TIME, body: VECTOR.body }, VECTOR.secret),
    ).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    });
  });

  it('refuses empty and malformed secrets without echoing them', () => {
    for (const secret of ['', 'whsec_', 'whsec_not*base64!', new Uint8Array()]) {
      let caught: unknown;
      try {
        webhookSecretKey(secret);
      } catch (error) {
        caught = error;
      }
      expect(isRapportError(caught, 'RAPPORT_WEBHOOK_SECRET')).toBe(true);
      if (typeof secret === 'string' && secret.length > 6) {
        expect((caught as Error).message).not.toContain(secret);
      }
    }
    expect(() => signWebhook({ id: 'i', timestamp: new Date(), body: '' }, [])).toThrow(RapportError);
  });

  it('decodes a whsec_ secret from base64, padded or not', () => {
    const bytes = webhookSecretKey('whsec_AAECAw==');
    expect([...bytes]).toEqual([0, 1, 2, 3]);
    expect([...webhookSecretKey('whsec_AAECAw')]).toEqual([0, 1, 2, 3]);
  });
});

describe('verification', () => {
  it('accepts the Standard Webhooks test vector and says which secret matched', () => {
    const verified: VerifiedWebhook = verifyWebhook(vectorDelivery(), vectorOptions);
    expect(verified).toEqual({ id: VECTOR.id, timestamp: VECTOR_TIME, secretIndex: 0 });
  });

  it('accepts the body as bytes, and header names in any case', () => {
    const delivery = vectorDelivery({}, new TextEncoder().encode(VECTOR.body));
    const upper = Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook({ headers: upper, body: delivery.body }, vectorOptions).id).toBe(VECTOR.id);
  });

  it('accepts fetch Headers', () => {
    const headers = new Headers(vectorDelivery().headers as Record<string, string>);
    expect(verifyWebhook({ headers, body: VECTOR.body }, vectorOptions).id).toBe(VECTOR.id);
  });

  it('refuses a tampered body, id or timestamp', () => {
    const body = rejection(() => verifyWebhook(vectorDelivery({}, '{"test": 2432232315}'), vectorOptions));
    expect(body.code).toBe('RAPPORT_WEBHOOK_SIGNATURE');
    expect(body.reason).toBe('no-match');
    expect(body.hint).toContain('byte for byte');

    const id = rejection(() =>
      verifyWebhook(vectorDelivery({ 'webhook-id': `${VECTOR.id}x` }), vectorOptions),
    );
    expect(id.reason).toBe('no-match');

    // One second later is well inside the window, so only the signature can catch it.
    const timestamp = rejection(() =>
      verifyWebhook(vectorDelivery({ 'webhook-timestamp': String(VECTOR.timestamp + 1) }), vectorOptions),
    );
    expect(timestamp.reason).toBe('no-match');
  });

  it('refuses a signature made with another secret', () => {
    const error = rejection(() =>
      verifyWebhook(vectorDelivery(), { ...vectorOptions, secrets: 'whsec_AAECAw==' }),
    );
    expect(error.code).toBe('RAPPORT_WEBHOOK_SIGNATURE');
  });

  it('refuses a raw secret that happens to be the base64 of the key (no guessing of the format)', () => {
    const error = rejection(() =>
      verifyWebhook(vectorDelivery(), { ...vectorOptions, secrets: VECTOR.secret.slice('whsec_'.length) }),
    );
    expect(error.reason).toBe('no-match');
  });

  it('refuses a body that differs only in bytes that are not UTF-8', () => {
    const body = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
    const timestamp = VECTOR_TIME;
    const headers = webhookHeaders({ id: 'bin', timestamp, body }, VECTOR.secret);
    expect(verifyWebhook({ headers, body }, vectorOptions).id).toBe('bin');
    const other = new Uint8Array([0x7b, 0xff, 0xfd, 0x7d]);
    expect(rejection(() => verifyWebhook({ headers, body: other }, vectorOptions)).reason).toBe('no-match');
  });

  it('refuses a delivery older than the tolerance, and accepts one exactly at it', () => {
    const edge = at(VECTOR_TIME.getTime() + DEFAULT_WEBHOOK_TOLERANCE_MS);
    expect(verifyWebhook(vectorDelivery(), { ...vectorOptions, clock: edge }).id).toBe(VECTOR.id);
    const late = at(VECTOR_TIME.getTime() + DEFAULT_WEBHOOK_TOLERANCE_MS + 1000);
    const error = rejection(() => verifyWebhook(vectorDelivery(), { ...vectorOptions, clock: late }));
    expect(error).toBeInstanceOf(RapportError);
    expect(error.code).toBe('RAPPORT_WEBHOOK_TIMESTAMP');
    expect(error.reason).toBe('expired');
    expect(error.message).toContain('301 s old');
  });

  it('refuses a delivery from the future beyond the tolerance', () => {
    const early = at(VECTOR_TIME.getTime() - DEFAULT_WEBHOOK_TOLERANCE_MS - 1000);
    const error = rejection(() => verifyWebhook(vectorDelivery(), { ...vectorOptions, clock: early }));
    expect(error.code).toBe('RAPPORT_WEBHOOK_TIMESTAMP');
    expect(error.reason).toBe('future');
  });

  it('applies a custom tolerance', () => {
    const clock = at(VECTOR_TIME.getTime() + 11_000);
    expect(verifyWebhook(vectorDelivery(), { ...vectorOptions, clock }).id).toBe(VECTOR.id);
    const error = rejection(() =>
      verifyWebhook(vectorDelivery(), { ...vectorOptions, clock, toleranceMs: 10_000 }),
    );
    expect(error.reason).toBe('expired');
  });

  it('checks the window before the signature, so an old delivery says why even with a good signature', () => {
    const clock = at(Date.now());
    const error = rejection(() => verifyWebhook(vectorDelivery(), { ...vectorOptions, clock }));
    expect(error.reason).toBe('expired');
  });

  it('accepts any matching v1 entry among several (sender-side rotation)', () => {
    const signature = [
      'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      VECTOR.signature,
      'v1,not-base64',
    ].join(' ');
    expect(verifyWebhook(vectorDelivery({ 'webhook-signature': signature }), vectorOptions).id).toBe(
      VECTOR.id,
    );
  });

  it('accepts any of several secrets (receiver-side rotation) and reports which', () => {
    const secrets = ['whsec_AAECAw==', VECTOR.secret];
    expect(verifyWebhook(vectorDelivery(), { ...vectorOptions, secrets }).secretIndex).toBe(1);
    // The sender signs with the new and the old key; a receiver still on the old key verifies.
    const input = { id: 'rot', timestamp: VECTOR_TIME, body: 'x' };
    const headers = webhookHeaders(input, ['whsec_AAECAw==', VECTOR.secret]);
    expect(verifyWebhook({ headers, body: 'x' }, vectorOptions).secretIndex).toBe(0);
  });

  it('refuses missing headers, naming them', () => {
    const error = rejection(() =>
      verifyWebhook(
        { headers: { 'webhook-timestamp': String(VECTOR.timestamp) }, body: VECTOR.body },
        vectorOptions,
      ),
    );
    expect(error.code).toBe('RAPPORT_WEBHOOK_SIGNATURE');
    expect(error.reason).toBe('missing-header');
    expect(error.message).toContain('webhook-id, webhook-signature');
    const noTimestamp = rejection(() =>
      verifyWebhook(vectorDelivery({ 'webhook-timestamp': '' }), vectorOptions),
    );
    expect(noTimestamp.message).toContain('webhook-timestamp');
  });

  it('refuses a timestamp that is not whole seconds', () => {
    for (const value of ['hello', '1614265330.5', '1614265330abc', '-1', '1.6e9']) {
      const error = rejection(() =>
        verifyWebhook(vectorDelivery({ 'webhook-timestamp': value }), vectorOptions),
      );
      expect(error.code).toBe('RAPPORT_WEBHOOK_TIMESTAMP');
      expect(error.reason).toBe('malformed-timestamp');
    }
  });

  it('refuses partial, empty and unversioned signatures', () => {
    for (const value of [
      VECTOR.signature.slice(0, 8),
      'v1,',
      VECTOR.signature.slice(3),
      `v1,${VECTOR.signature.slice(3, -2)}`,
    ]) {
      const error = rejection(() =>
        verifyWebhook(vectorDelivery({ 'webhook-signature': value }), vectorOptions),
      );
      expect(error.code).toBe('RAPPORT_WEBHOOK_SIGNATURE');
      expect(['no-match', 'malformed-signature']).toContain(error.reason);
    }
    const unversioned = rejection(() =>
      verifyWebhook(vectorDelivery({ 'webhook-signature': VECTOR.signature.slice(3) }), vectorOptions),
    );
    expect(unversioned.reason).toBe('malformed-signature');
  });
});
