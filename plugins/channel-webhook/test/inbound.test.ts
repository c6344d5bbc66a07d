import { type ChannelConnection, isRapportError, type RapportError, webhookHeaders } from '@rapport/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ITEMS_PER_DELIVERY, type WebhookChannelOptions, webhookChannel } from '../src/index.js';
import { channelContext, type TestChannelContext } from './context.js';
import { type Endpoint, post, signedHeaders, startEndpoint } from './endpoint.js';
import { LoopbackReceiver } from './receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = 'a raw secret from before the rotation';
const options: WebhookChannelOptions = {
  channel: 'shop',
  account: 'acme-store',
  secret: SECRET,
  previousSecrets: [OLD_SECRET],
};

const customerItem = (n: number, extra: Record<string, unknown> = {}) => ({
  externalId: `order-msg-${n}`,
  text: `Where is my order ${n}?`,
  actor: { externalId: `cust-${n}`, handle: `@cust${n}` },
  ...extra,
});

let context: TestChannelContext;
let connection: ChannelConnection;
let endpoint: Endpoint;
let deliveries = 0;

/** Signs and POSTs a body as the sending system would, with a fresh delivery id unless given. */
async function deliver(payload: unknown, overrides: { id?: string; timestamp?: Date; secret?: string } = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  deliveries += 1;
  const headers = signedHeaders({
    id: overrides.id ?? `msg_${deliveries}`,
    timestamp: overrides.timestamp ?? new Date(),
    body,
    secret: overrides.secret ?? SECRET,
  });
  return { ...(await post(endpoint.url, headers, body)), headers, body };
}

function issuesOf(json: unknown) {
  return (json as ReturnType<RapportError['toJSON']>).issues as Array<{
    jsonPath: string;
    message: string;
    hint: string;
  }>;
}

beforeEach(async () => {
  context = channelContext(options);
  connection = await webhookChannel(options).init(context);
  endpoint = await startEndpoint(connection);
});

afterEach(async () => {
  await endpoint.close();
});

describe('webhook.verify over HTTP', () => {
  it('accepts a correctly signed delivery and takes its item in, under the channel option', async () => {
    const sentAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const { status } = await deliver(customerItem(1), { timestamp: sentAt });
    expect(status).toBe(202);
    expect(endpoint.items).toEqual([
      {
        channel: 'shop',
        account: 'acme-store',
        externalId: 'order-msg-1',
        direction: 'inbound',
        kind: 'message',
        text: 'Where is my order 1?',
        // No occurredAt in the item: the delivery's timestamp stands in.
        occurredAt: sentAt,
        actor: { externalId: 'cust-1', handle: '@cust1' },
      },
    ]);
  });

  it('refuses a tampered body', async () => {
    const body = JSON.stringify(customerItem(2));
    const headers = signedHeaders({ id: 'msg_t1', timestamp: new Date(), body, secret: SECRET });
    const tampered = body.replace('Where', 'Here');
    expect((await post(endpoint.url, headers, tampered)).status).toBe(401);
    expect(endpoint.items).toEqual([]);
    expect(context.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ reason: 'no-match' }) }),
    );
  });

  it('refuses a tampered signature, id or timestamp', async () => {
    const body = JSON.stringify(customerItem(3));
    const good = signedHeaders({ id: 'msg_t2', timestamp: new Date(), body, secret: SECRET });
    const signature = good['webhook-signature']!;
    const flipped = signature.slice(0, -3) + (signature.at(-3) === 'A' ? 'B' : 'A') + signature.slice(-2);
    expect((await post(endpoint.url, { ...good, 'webhook-signature': flipped }, body)).status).toBe(401);
    expect((await post(endpoint.url, { ...good, 'webhook-id': 'msg_other' }, body)).status).toBe(401);
    const later = String(Number(good['webhook-timestamp']) + 1);
    expect((await post(endpoint.url, { ...good, 'webhook-timestamp': later }, body)).status).toBe(401);
    const { 'webhook-signature': _, ...unsigned } = good;
    expect((await post(endpoint.url, unsigned, body)).status).toBe(401);
    expect(endpoint.items).toEqual([]);
    // The untouched request still passes: only the tampering was refused.
    expect((await post(endpoint.url, good, body)).status).toBe(202);
  });

  it('refuses a delivery signed with another secret', async () => {
    const { status } = await deliver(customerItem(4), { secret: 'whsec_AAECAwQFBgcICQoLDA0ODw==' });
    expect(status).toBe(401);
  });

  it('refuses a delivery older than the tolerance window, and one from too far ahead', async () => {
    const old = await deliver(customerItem(5), { timestamp: new Date(Date.now() - 6 * 60_000) });
    expect(old.status).toBe(401);
    const ahead = await deliver(customerItem(5), { timestamp: new Date(Date.now() + 6 * 60_000) });
    expect(ahead.status).toBe(401);
    const reasons = context.logs.map((line) => line.fields?.reason);
    expect(reasons).toEqual(['expired', 'future']);
    expect(endpoint.items).toEqual([]);
  });

  it('refuses a replayed delivery id, remembered in the key-value store', async () => {
    const first = await deliver(customerItem(6), { id: 'msg_replay' });
    expect(first.status).toBe(202);
    // Byte for byte the same request, still inside the window.
    expect((await post(endpoint.url, first.headers, first.body)).status).toBe(401);
    // Re-signed now with the same id (a sender's retry): taken in already, so refused too.
    expect((await deliver(customerItem(6), { id: 'msg_replay' })).status).toBe(401);
    expect(endpoint.items).toHaveLength(1);
    expect([...context.store.keys()]).toContain('delivery:msg_replay');
    expect(context.logs.at(-1)?.fields).toMatchObject({ reason: 'replayed', deliveryId: 'msg_replay' });
  });

  it('remembers delivery ids across connections sharing the store (a restart)', async () => {
    expect((await deliver(customerItem(7), { id: 'msg_restart' })).status).toBe(202);
    const again = await webhookChannel(options).init(context);
    const body = JSON.stringify(customerItem(7));
    const headers = webhookHeaders({ id: 'msg_restart', timestamp: new Date(), body }, SECRET);
    expect(await again.webhook!.verify({ headers, body: new TextEncoder().encode(body) })).toBe(false);
  });

  it('accepts deliveries signed with a previous secret during a rotation', async () => {
    expect((await deliver(customerItem(8), { secret: OLD_SECRET })).status).toBe(202);
    expect(endpoint.items.map((i) => i.externalId)).toEqual(['order-msg-8']);
  });
});

describe('webhook.parse', () => {
  it('takes a batch in, keeping what the items say and filling in the rest', async () => {
    const { status, json } = await deliver({
      items: [
        customerItem(10, { occurredAt: '2024-05-01T12:00:00Z', thread: 't-1', metadata: { orderId: 42 } }),
        {
          externalId: 'p-1',
          account: 'acme-eu',
          kind: 'purchase',
          amount: 59.9,
          currency: 'EUR',
          occurredAt: 1714564800000,
          actor: { externalId: 'cust-10', email: 'ana@example.com' },
        },
        customerItem(11, { direction: 'outbound', kind: 'reply', parent: 'order-msg-10', version: 2 }),
      ],
    });
    expect(status).toBe(202);
    expect(json).toEqual({ accepted: 3 });
    expect(endpoint.items).toMatchObject([
      {
        channel: 'shop',
        account: 'acme-store',
        externalId: 'order-msg-10',
        direction: 'inbound',
        kind: 'message',
        occurredAt: new Date('2024-05-01T12:00:00Z'),
        thread: 't-1',
        metadata: { orderId: 42 },
      },
      {
        account: 'acme-eu',
        kind: 'purchase',
        amount: 59.9,
        currency: 'EUR',
        occurredAt: new Date(1714564800000),
        actor: { email: 'ana@example.com' },
      },
      {
        externalId: 'order-msg-11',
        direction: 'outbound',
        kind: 'reply',
        parent: 'order-msg-10',
        version: 2,
      },
    ]);
  });

  it('reports every bad item with its path and a hint, and takes none of the batch in', async () => {
    const { status, json } = await deliver({
      items: [
        customerItem(20),
        { externalId: 'x', actor: {} },
        { ...customerItem(21), kind: 'purchase' },
        { ...customerItem(22), chanel: 'typo' },
        { ...customerItem(23), occurredAt: 'yesterday' },
      ],
    });
    expect(status).toBe(400);
    expect(json).toMatchObject({
      code: 'RAPPORT_INVALID_INTERACTION',
      path: '$.items[1].actor.externalId',
      plugin: 'shop',
    });
    const issues = issuesOf(json);
    expect(issues.map((i) => i.jsonPath)).toEqual([
      '$.items[1].actor.externalId',
      '$.items[2].amount',
      '$.items[3]',
      '$.items[4].occurredAt',
    ]);
    expect(issues[0]!.hint).toContain("person's id");
    expect(issues[2]!.hint).toContain('chanel');
    expect(endpoint.items).toEqual([]);
  });

  it('refuses a channel field: the channel is the plugin’s own', async () => {
    const { status, json } = await deliver(customerItem(24, { channel: 'email' }));
    expect(status).toBe(400);
    expect(issuesOf(json)[0]).toMatchObject({ jsonPath: '$', hint: expect.stringContaining('channel') });
  });

  it('refuses a body that is not JSON, or not UTF-8, at the root path', async () => {
    const notJson = await deliver('{"externalId": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ code: 'RAPPORT_INVALID_INTERACTION', path: '$' });
    const bytes = new Uint8Array([0x7b, 0xff, 0x7d]);
    const headers = webhookHeaders({ id: 'msg_bin', timestamp: new Date(), body: bytes }, SECRET);
    const error = await Promise.resolve()
      .then(() => connection.webhook!.parse({ headers, body: bytes }))
      .catch((e: unknown) => e);
    expect(isRapportError(error, 'RAPPORT_INVALID_INTERACTION')).toBe(true);
    expect((error as RapportError).message).toContain('not UTF-8');
  });

  it('refuses malformed batches: not an array, empty, too large, or with other keys', async () => {
    expect((await deliver({ items: 'x' })).json).toMatchObject({ path: '$.items' });
    expect((await deliver({ items: [] })).json).toMatchObject({ path: '$.items' });
    const many = Array.from({ length: MAX_ITEMS_PER_DELIVERY + 1 }, (_, i) => customerItem(i));
    expect((await deliver({ items: many })).json).toMatchObject({ path: '$.items' });
    expect((await deliver({ items: [customerItem(1)], cursor: 'x' })).json).toMatchObject({
      path: '$.cursor',
    });
    expect(endpoint.items).toEqual([]);
  });

  it('takes a message this channel sent back as outbound, never as a customer’s', async () => {
    const receiver = await LoopbackReceiver.start(SECRET);
    try {
      const sending = await webhookChannel({ ...options, url: receiver.url }).init(context);
      const sent = await sending.send!({
        idempotencyKey: 'reply-1',
        account: 'acme-store',
        to: { externalId: 'cust-30' },
        inReplyTo: 'order-msg-30',
        text: 'It ships today.',
      });
      expect(sent.externalId).toBe('recv-1');
      // The shop echoes every message on the conversation, ours included.
      const { status } = await deliver({
        items: [
          { externalId: sent.externalId, text: 'It ships today.', actor: { externalId: 'acme-store' } },
          customerItem(30),
        ],
      });
      expect(status).toBe(202);
      expect(endpoint.items.map((i) => [i.externalId, i.direction])).toEqual([
        ['recv-1', 'outbound'],
        ['order-msg-30', 'inbound'],
      ]);
    } finally {
      await receiver.close();
    }
  });
});
