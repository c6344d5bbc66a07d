import { type ChannelConnection, ChannelError, interactionInputSchema } from '@rapport/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelContext } from './context.js';
import { createHarness, type WebhookHarness } from './harness.js';

let harness: WebhookHarness;
let connection: ChannelConnection;

beforeEach(async () => {
  harness = await createHarness();
  const options = harness.plugin.optionsSchema.parse(harness.options);
  connection = await harness.plugin.init(channelContext(options));
});

afterEach(async () => {
  await harness.close();
});

describe('the conformance harness', () => {
  it('hands the suite a plugin whose options pass its own schema', () => {
    expect(harness.plugin.optionsSchema.safeParse(harness.options).success).toBe(true);
    expect(harness.plugin.capabilities.inbound).toEqual(['webhook']);
  });

  it('queues produced items for signedWebhook, one per request, in order', async () => {
    const ids = await harness.produceInbound(2);
    expect(new Set(ids).size).toBe(2);
    const taken: string[] = [];
    for (let i = 0; i < 3; i++) {
      const request = await harness.signedWebhook!();
      expect(await connection.webhook!.verify(request)).toBe(true);
      const items = await connection.webhook!.parse(request);
      expect(items).toHaveLength(1);
      const item = items[0]!;
      expect(interactionInputSchema.safeParse(item).success).toBe(true);
      expect(item).toMatchObject({ channel: 'webhook', account: harness.account, direction: 'inbound' });
      taken.push(item.externalId);
    }
    expect(taken.slice(0, 2)).toEqual(ids);
    // With the queue empty, a fresh item.
    expect(ids).not.toContain(taken[2]);
  });

  it('gives signed requests that fail verification once tampered with, or replayed', async () => {
    const request = await harness.signedWebhook!();
    const body = new Uint8Array(request.body);
    body[body.length - 2] = body[body.length - 2]! ^ 1;
    expect(await connection.webhook!.verify({ headers: request.headers, body })).toBe(false);
    expect(await connection.webhook!.verify(request)).toBe(true);
    expect(await connection.webhook!.verify(request)).toBe(false);
  });

  it('replies to a produced item on its thread, delivered once per idempotency key', async () => {
    const [id] = await harness.produceInbound(1);
    const target = await harness.replyTarget(id!);
    expect(target).toMatchObject({ account: harness.account, inReplyTo: id });
    const message = { ...target, idempotencyKey: 'conformance-reply-1', text: 'We are on it.' };
    const first = await connection.send!(message);
    const again = await connection.send!(message);
    expect(again.externalId).toBe(first.externalId);
    expect(await harness.deliveredCount('conformance-reply-1')).toBe(1);
    expect(await harness.deliveredCount('never-sent')).toBe(0);
    expect(harness.receiver.message('conformance-reply-1')).toMatchObject({
      type: 'message.reply',
      data: { inReplyTo: id, thread: target.thread, to: target.to },
    });
  });

  it('makes the next send rate-limited with the wait asked for, then lets sends through', async () => {
    const [id] = await harness.produceInbound(1);
    const message = { ...(await harness.replyTarget(id!)), idempotencyKey: 'limited-1', text: 'Hello' };
    await harness.rateLimitNext!(1500);
    const error = await connection.send!(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: 1500 });
    expect(await harness.deliveredCount('limited-1')).toBe(0);
    await connection.send!(message);
    expect(await harness.deliveredCount('limited-1')).toBe(1);
  });

  it('refuses a reply target it did not produce', async () => {
    await expect(harness.replyTarget('unknown')).rejects.toThrow('did not produce');
  });
});
