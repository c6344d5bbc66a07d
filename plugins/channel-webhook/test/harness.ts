import { randomBytes, randomUUID } from 'node:crypto';
import { type WebhookRequest, webhookHeaders } from '@rapport/core';
import type { ChannelHarness } from '@rapport/testkit/conformance';
import { type WebhookChannelOptions, webhookChannel } from '../src/index.js';
import { LoopbackReceiver } from './receiver.js';

/** A customer item the harness made, as the sending system described it. */
interface ProducedItem {
  externalId: string;
  actor: { externalId: string; handle: string };
  thread: string;
  text: string;
}

/** The channel harness plus the webhook channel's own levers, for this package's tests. */
export interface WebhookHarness extends ChannelHarness {
  /** The loopback system the channel sends to. */
  receiver: LoopbackReceiver;
  /** The secret both sides share. */
  secret: string;
  options: WebhookChannelOptions;
}

/**
 * The webhook channel wired to a real HTTP receiver on loopback, for the channel conformance suite.
 *
 * - **Outbound**: the channel sends to a {@link LoopbackReceiver} that verifies each signature with
 *   the core verifier, takes each `webhook-id` (the idempotency key) once and answers with the
 *   external id it gave the message. `deliveredCount` counts messages taken in, so a retried send
 *   counts once; `rateLimitNext` makes its next answer a 429 with `retry-after-ms` (exact) and
 *   `retry-after` (whole seconds, rounded up).
 * - **Inbound** is pushed, so nothing is readable before a delivery arrives: `produceInbound(n)`
 *   makes `n` customer items and queues them, returning their external ids at once; each later
 *   `signedWebhook()` call returns a correctly signed request (a fresh `webhook-id`, the current
 *   time) carrying the next queued item, or a new item when the queue is empty. Hand those
 *   requests to the connection's `webhook.verify` and `webhook.parse` to take the items in.
 */
export async function createHarness(): Promise<WebhookHarness> {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = await LoopbackReceiver.start(secret);
  const account = 'acme-support';
  const options: WebhookChannelOptions = {
    channel: 'webhook',
    account,
    secret,
    url: receiver.url,
    timeoutMs: 5_000,
  };
  const produced = new Map<string, ProducedItem>();
  const queue: ProducedItem[] = [];
  let sequence = 0;

  const newItem = (): ProducedItem => {
    sequence += 1;
    const tag = `${sequence}-${randomUUID().slice(0, 8)}`;
    const item: ProducedItem = {
      externalId: `msg-${tag}`,
      actor: { externalId: `customer-${sequence}`, handle: `@customer${sequence}` },
      thread: `thread-${tag}`,
      text: `Hello from customer ${sequence}`,
    };
    produced.set(item.externalId, item);
    return item;
  };

  return {
    plugin: webhookChannel(options),
    options,
    account,
    receiver,
    secret,

    async produceInbound(count) {
      const items = Array.from({ length: count }, newItem);
      queue.push(...items);
      return items.map((item) => item.externalId);
    },

    async replyTarget(externalId) {
      const item = produced.get(externalId);
      if (!item) throw new Error(`the harness did not produce ${externalId}`);
      return {
        account,
        to: { externalId: item.actor.externalId, handle: item.actor.handle },
        inReplyTo: item.externalId,
        thread: item.thread,
      };
    },

    async deliveredCount(idempotencyKey) {
      return receiver.deliveredCount(idempotencyKey);
    },

    async rateLimitNext(retryAfterMs) {
      receiver.rateLimitNext(retryAfterMs);
    },

    async signedWebhook(): Promise<WebhookRequest> {
      const item = queue.shift() ?? newItem();
      const body = JSON.stringify({
        externalId: item.externalId,
        kind: 'message',
        text: item.text,
        occurredAt: new Date().toISOString(),
        actor: item.actor,
        thread: item.thread,
      });
      const headers = webhookHeaders({ id: `msg_${randomUUID()}`, timestamp: new Date(), body }, secret);
      return {
        headers: { 'content-type': 'application/json', ...headers },
        body: new TextEncoder().encode(body),
      };
    },

    close: () => receiver.close(),
  };
}
