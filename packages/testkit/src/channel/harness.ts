import type { ChannelPlugin, OutboundMessage, WebhookRequest } from '@rapport/core';

/**
 * What a channel plugin's own test supplies to the channel conformance suite: the plugin wired
 * to a real (or recorded) remote side, and the levers the suite needs to drive that side.
 *
 * Every method talks to the remote side the way a customer or the platform would, never to
 * the plugin's internals, so the suite checks behaviour rather than implementation.
 */
export interface ChannelHarness {
  /** The plugin under test, already configured (its factory called with the options). */
  plugin: ChannelPlugin;
  /** The options handed to `init` (validated by the plugin's `optionsSchema`). */
  options: unknown;
  /** The account (mailbox, bot, endpoint) the plugin reads and sends as. */
  account: string;
  /**
   * Makes `count` new customer items arrive on the remote side (emails delivered, mentions
   * posted, webhooks queued) and returns their external ids once they are readable.
   */
  produceInbound(count: number): Promise<string[]>;
  /** A recipient and threading refs for a reply to a customer item produced by `produceInbound`. */
  replyTarget(externalId: string): Promise<Omit<OutboundMessage, 'idempotencyKey' | 'text'>>;
  /** How many messages the remote side actually received for this idempotency key. */
  deliveredCount(idempotencyKey: string): Promise<number>;
  /**
   * Makes the remote side answer the plugin's next request with HTTP 429 (or the channel's
   * equivalent) asking to wait `retryAfterMs`. Omit when the channel has no rate limiting.
   */
  rateLimitNext?(retryAfterMs: number): Promise<void>;
  /**
   * A correctly signed webhook request carrying one new customer item, for channels with
   * webhook inbound. The suite tampers with copies of it.
   */
  signedWebhook?(): Promise<WebhookRequest>;
  /** Stops servers and clients the harness started. */
  close(): Promise<void>;
}
