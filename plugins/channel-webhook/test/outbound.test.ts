import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ChannelConnection,
  ChannelError,
  type ChannelErrorKind,
  type OutboundMessage,
  verifyWebhook,
} from '@rapport/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  retryAfterMs,
  type WebhookChannelOptions,
  type WebhookSendBody,
  webhookChannel,
} from '../src/index.js';
import { channelContext, fixedClock, type TestChannelContext } from './context.js';
import { LoopbackReceiver } from './receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEXT_SECRET = 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

let receiver: LoopbackReceiver;
let context: TestChannelContext;
let options: WebhookChannelOptions;
let connection: ChannelConnection;

const message = (n: number, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  idempotencyKey: `rule:ack:1:int-${n}:0`,
  account: 'acme-store',
  to: { externalId: `cust-${n}`, handle: `@cust${n}` },
  inReplyTo: `order-msg-${n}`,
  thread: `t-${n}`,
  context: { orderId: n },
  text: `Thanks for writing, customer ${n}.`,
  ...extra,
});

async function sendError(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the send to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

beforeEach(async () => {
  receiver = await LoopbackReceiver.start(SECRET);
  options = {
    channel: 'shop',
    account: 'acme-store',
    secret: SECRET,
    url: receiver.url,
    headers: { authorization: 'Bearer shop-token' },
  };
  context = channelContext(options);
  connection = await webhookChannel(options).init(context);
});

afterEach(async () => {
  await receiver.close();
});

describe('send', () => {
  it('POSTs a signed JSON body that the core verifier accepts, with the idempotency key as webhook-id', async () => {
    const result = await connection.send!(message(1));
    expect(result.externalId).toBe('recv-1');
    expect(result.sentAt).toBeInstanceOf(Date);
    const [request] = receiver.requests;
    expect(request!.status).toBe(200);
    expect(request!.headers).toMatchObject({
      'webhook-id': 'rule:ack:1:int-1:0',
      'content-type': 'application/json',
      authorization: 'Bearer shop-token',
      'user-agent': expect.stringMatching(/^rapport-channel-webhook\//),
    });
    // Verified here again, independently of the receiver, against the raw bytes it got.
    const verified = verifyWebhook({ headers: request!.headers, body: request!.body }, { secrets: SECRET });
    expect(verified.id).toBe('rule:ack:1:int-1:0');
    const body = JSON.parse(request!.body) as WebhookSendBody;
    expect(body).toEqual({
      type: 'message.reply',
      timestamp: expect.any(String),
      channel: 'shop',
      data: {
        idempotencyKey: 'rule:ack:1:int-1:0',
        account: 'acme-store',
        to: { externalId: 'cust-1', handle: '@cust1' },
        inReplyTo: 'order-msg-1',
        thread: 't-1',
        context: { orderId: 1 },
        text: 'Thanks for writing, customer 1.',
      },
    });
    expect(Math.abs(verified.timestamp.getTime() - result.sentAt.getTime())).toBeLessThan(1000);
  });

  it('sends a new message (no inReplyTo) as message.send', async () => {
    await connection.send!(
      message(2, { inReplyTo: undefined, thread: undefined, context: undefined, subject: 'Hi' }),
    );
    const body = JSON.parse(receiver.requests[0]!.body) as WebhookSendBody;
    expect(body.type).toBe('message.send');
    expect(body.data).toEqual({
      idempotencyKey: 'rule:ack:1:int-2:0',
      account: 'acme-store',
      to: { externalId: 'cust-2', handle: '@cust2' },
      subject: 'Hi',
      text: 'Thanks for writing, customer 2.',
    });
  });

  it('reuses the webhook-id on a retry, so the receiver takes the message once', async () => {
    const first = await connection.send!(message(3));
    const second = await connection.send!(message(3));
    expect(second.externalId).toBe(first.externalId);
    expect(receiver.attempts('rule:ack:1:int-3:0')).toBe(2);
    expect(receiver.deliveredCount('rule:ack:1:int-3:0')).toBe(1);
  });

  it('signs with every secret during a rotation, so a receiver on either one verifies', async () => {
    const rotating = await webhookChannel({
      ...options,
      secret: NEXT_SECRET,
      previousSecrets: [SECRET],
    }).init(channelContext(options));
    // The receiver still holds only the old secret.
    expect((await rotating.send!(message(4))).externalId).toBe('recv-1');
    const signature = receiver.requests[0]!.headers['webhook-signature'] as string;
    expect(signature.split(' ')).toHaveLength(2);
  });

  it('falls back to the idempotency key when the receiver names no external id', async () => {
    receiver.answerNext({ status: 204 }, { status: 200, body: 'ok' }, { status: 201, body: '{"id": 7}' });
    for (const n of [5, 6, 7]) {
      expect((await connection.send!(message(n))).externalId).toBe(`rule:ack:1:int-${n}:0`);
    }
  });

  it('takes the external id and time the receiver reports, read leniently', async () => {
    receiver.answerNext(
      {
        status: 200,
        body: JSON.stringify({ externalId: 'c-77', sentAt: '2024-05-01T12:00:00Z', extra: true }),
      },
      { status: 200, body: JSON.stringify({ externalId: 991, sentAt: 'garbage' }) },
    );
    expect(await connection.send!(message(8))).toEqual({
      externalId: 'c-77',
      sentAt: new Date('2024-05-01T12:00:00Z'),
    });
    expect((await connection.send!(message(9))).externalId).toBe('991');
  });

  it('refuses a message whose idempotency key cannot be a header, sending nothing', async () => {
    const error = await sendError(connection.send!(message(10, { idempotencyKey: 'has a space' })));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('idempotencyKey');
    expect(receiver.requests).toEqual([]);
  });

  it('is a config error without a url', async () => {
    const receiveOnly = await webhookChannel({ ...options, url: undefined }).init(context);
    const error = await sendError(receiveOnly.send!(message(11)));
    expect(error.kind).toBe('config');
    expect(error.plugin).toBe('shop');
  });
});

describe('send failures map to channel error kinds', () => {
  const cases: Array<[number, ChannelErrorKind]> = [
    [500, 'transient'],
    [502, 'transient'],
    [408, 'transient'],
    [401, 'auth'],
    [403, 'auth'],
    [400, 'permanent'],
    [404, 'permanent'],
    [422, 'permanent'],
  ];
  for (const [status, kind] of cases) {
    it(`${status} is ${kind}`, async () => {
      receiver.answerNext({ status, body: JSON.stringify({ error: `nope ${status}` }) });
      const error = await sendError(connection.send!(message(status)));
      expect(error.kind).toBe(kind);
      expect(error.retryable).toBe(kind === 'transient');
      expect(error.plugin).toBe('shop');
      expect(error.message).toContain(`answered ${status}`);
      expect(error.message).toContain(`nope ${status}`);
    });
  }

  it('429 with Retry-After in seconds is rate-limited with retryAfterMs', async () => {
    receiver.answerNext({ status: 429, headers: { 'retry-after': '3' } });
    const error = await sendError(connection.send!(message(20)));
    expect(error.kind).toBe('rate-limited');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(3000);
  });

  it('429 with Retry-After as an HTTP date waits until then, by the channel clock', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const clocked = await webhookChannel(options).init(channelContext(options, fixedClock(now)));
    receiver.answerNext({
      status: 429,
      headers: { 'retry-after': new Date(now.getTime() + 90_000).toUTCString() },
    });
    const error = await sendError(clocked.send!(message(21)));
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(90_000);
  });

  it('503 with Retry-After is transient and keeps the wait', async () => {
    receiver.answerNext({ status: 503, headers: { 'retry-after': '2' } });
    const error = await sendError(connection.send!(message(22)));
    expect(error.kind).toBe('transient');
    expect(error.retryAfterMs).toBe(2000);
  });

  it('a redirect is a config error, not followed', async () => {
    receiver.answerNext({ status: 307, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    const error = await sendError(connection.send!(message(23)));
    expect(error.kind).toBe('config');
    expect(error.message).toContain('/elsewhere');
    expect(receiver.requests).toHaveLength(1);
  });

  it('a refused connection is transient', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const nowhere = await webhookChannel({ ...options, url: `http://127.0.0.1:${port}/` }).init(context);
    const error = await sendError(nowhere.send!(message(24)));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('could not reach');
  });

  it('a receiver that does not answer in time is transient (and may have the message)', async () => {
    const impatient = await webhookChannel({ ...options, timeoutMs: 200 }).init(context);
    receiver.answerNext({ status: 200, delayMs: 10_000 });
    const error = await sendError(impatient.send!(message(25)));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('did not answer within 200 ms');
  });

  it('a send aborted by the host is transient', async () => {
    receiver.answerNext({ status: 200, delayMs: 10_000 });
    const pending = connection.send!(message(26));
    // Abort once the request has reached the receiver.
    while (receiver.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    context.abort.abort();
    const error = await sendError(pending);
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('aborted');
  });
});

describe('reconcile', () => {
  it('finds a completed send by its idempotency key, and nothing for one never sent', async () => {
    expect(await connection.reconcile!(message(30))).toBeNull();
    const sent = await connection.send!(message(30));
    // A new connection on the same store, as after a restart.
    const restarted = await webhookChannel(options).init(context);
    expect(await restarted.reconcile!(message(30))).toEqual(sent);
  });

  it('finds nothing for a send that failed', async () => {
    receiver.answerNext({ status: 500 });
    await sendError(connection.send!(message(31)));
    expect(await connection.reconcile!(message(31))).toBeNull();
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  const wait = (headers: Record<string, string>) => retryAfterMs(new Headers(headers), now);

  it('reads retry-after-ms, retry-after (seconds or date), ratelimit-reset and x-ratelimit-reset', () => {
    expect(wait({ 'retry-after-ms': '1500' })).toBe(1500);
    expect(wait({ 'retry-after-ms': '1500', 'retry-after': '9' })).toBe(1500);
    expect(wait({ 'retry-after': '120' })).toBe(120_000);
    expect(wait({ 'retry-after': '1.5' })).toBe(1500);
    expect(wait({ 'retry-after': 'Wed, 01 May 2024 12:00:30 GMT' })).toBe(30_000);
    expect(wait({ 'retry-after': 'Wed, 01 May 2024 11:00:00 GMT' })).toBe(0);
    expect(wait({ 'ratelimit-reset': '7' })).toBe(7000);
    expect(wait({ 'x-ratelimit-reset': '60' })).toBe(60_000);
    expect(wait({ 'x-ratelimit-reset': String(now.getTime() / 1000 + 45) })).toBe(45_000);
  });

  it('is undefined when nothing readable was sent', () => {
    expect(wait({})).toBeUndefined();
    expect(wait({ 'retry-after': 'soon' })).toBeUndefined();
    expect(wait({ 'retry-after': '-5' })).toBeUndefined();
  });
});
