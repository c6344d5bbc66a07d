import {
  CHANNEL_SPEC_VERSION,
  type ChannelCapabilities,
  type ChannelConnection,
  type ChannelContext,
  ChannelError,
  type ChannelPlugin,
  type InteractionInput,
  type OutboundMessage,
  type SendResult,
  verifyWebhook,
  WEBHOOK_HEADERS,
  type WebhookRequest,
  WebhookVerificationError,
  webhookHeader,
  webhookHeaders,
} from '@rapport/core';
import { version } from '../package.json';
import { networkError, responseError } from './http.js';
import {
  parseWebhookChannelOptions,
  type ResolvedWebhookChannelOptions,
  WEBHOOK_CHANNEL_SECRETS,
  type WebhookChannelOptions,
  webhookChannelOptionsSchema,
} from './options.js';
import { checkOutbound, readSendReply, sendBody } from './outbound.js';
import { invalid, itemsFromPayload } from './payload.js';

/**
 * The channel plugin made by {@link webhookChannel}. It does not expose its options: they hold the
 * secret, and a plugin object is easily logged whole.
 */
export interface WebhookChannelPlugin extends ChannelPlugin {
  readonly specVersion: typeof CHANNEL_SPEC_VERSION;
}

/** Key prefixes in the plugin's key-value store. */
const KV = {
  /** An inbound `webhook-id` already accepted. */
  delivery: 'delivery:',
  /** The result of a completed send, by idempotency key, for `reconcile`. */
  sent: 'sent:',
  /** An external id this channel sent, so it is never taken in as a customer's item. */
  own: 'own:',
} as const;

/** Longer delivery ids are refused: they would only bloat the store of remembered ids. */
const MAX_DELIVERY_ID = 1024;

const TIMESTAMP = /^\d{1,15}$/;

/**
 * A generic two-way webhook channel: any system that can POST signed JSON becomes a channel.
 *
 * - **Inbound**: the host's HTTP endpoint hands each request to `webhook.verify` (Standard
 *   Webhooks signature, timestamp window, and the `webhook-id` not seen before) and then to
 *   `webhook.parse` (one item, or `{ items: [...] }`, see `webhookItemSchema`).
 * - **Outbound** (when `url` is set): `send` POSTs the message as signed JSON with the outbox's
 *   idempotency key as `webhook-id`, so a receiver that dedupes by it takes each message once
 *   however often it is retried.
 *
 * The plugin id is the `channel` option, so an app can run several webhook channels side by side.
 * The factory validates and keeps the options (`init` uses these, not `context.options`); nothing
 * happens until `init`.
 *
 * ```ts
 * const shop = webhookChannel({
 *   channel: 'shop',
 *   account: 'acme-store',
 *   secret: process.env.SHOP_WEBHOOK_SECRET!, // whsec_...
 *   url: 'https://shop.example.com/rapport/messages',
 * });
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` when an option is invalid; its path names it.
 */
export function webhookChannel(options: WebhookChannelOptions): WebhookChannelPlugin {
  const resolved = Object.freeze(parseWebhookChannelOptions(options));
  const id = resolved.channel;
  const capabilities: ChannelCapabilities = Object.freeze({
    inbound: Object.freeze(['webhook'] as const),
    backfill: Object.freeze({ supported: false }),
    outbound: Object.freeze(resolved.url === undefined ? [] : (['reply', 'message'] as const)),
    nativeIdempotency: true,
    mutableItems: true,
  });
  return {
    id,
    version,
    specVersion: CHANNEL_SPEC_VERSION,
    displayName: id === 'webhook' ? 'Webhook' : `Webhook (${id})`,
    channel: id,
    account: resolved.account,
    capabilities,
    optionsSchema: webhookChannelOptionsSchema,
    secrets: WEBHOOK_CHANNEL_SECRETS,
    rateLimits: [],
    init: (context) => connect(resolved, context),
  } satisfies WebhookChannelPlugin;
}

function connect(options: ResolvedWebhookChannelOptions, context: ChannelContext): ChannelConnection {
  const plugin = options.channel;
  const secrets = [options.secret, ...options.previousSecrets];
  const { logger, clock } = context;

  async function kvGet(key: string): Promise<string | null> {
    try {
      return await context.kv.get(key);
    } catch (cause) {
      throw new ChannelError('transient', 'the key-value store could not be read', { cause, plugin });
    }
  }

  async function kvSet(key: string, value: string): Promise<void> {
    try {
      await context.kv.set(key, value);
    } catch (cause) {
      throw new ChannelError('transient', 'the key-value store could not be written', { cause, plugin });
    }
  }

  async function verify(request: WebhookRequest): Promise<boolean> {
    let deliveryId: string;
    try {
      deliveryId = verifyWebhook(request, { secrets, toleranceMs: options.toleranceMs, clock }).id;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      logger.warn('webhook delivery refused', { channel: plugin, reason: error.reason, code: error.code });
      return false;
    }
    if (deliveryId.length > MAX_DELIVERY_ID) {
      logger.warn('webhook delivery refused', { channel: plugin, reason: 'delivery id too long' });
      return false;
    }
    const key = `${KV.delivery}${deliveryId}`;
    if ((await kvGet(key)) !== null) {
      // A replay, or the sender retrying a delivery whose answer it missed: either way it was
      // already taken in, and every item in it is idempotent anyway.
      logger.info('webhook delivery already accepted', { channel: plugin, reason: 'replayed', deliveryId });
      return false;
    }
    await kvSet(key, clock.now().toISOString());
    return true;
  }

  async function parse(request: WebhookRequest): Promise<InteractionInput[]> {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(request.body);
    } catch (cause) {
      throw invalid(
        plugin,
        [{ path: [], message: 'the body is not UTF-8', hint: 'send JSON encoded as UTF-8' }],
        'Invalid webhook body',
        cause,
      );
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (cause) {
      throw invalid(
        plugin,
        [
          {
            path: [],
            message: 'the body is not JSON',
            hint: 'send one item, or `{ "items": [...] }`, as JSON',
          },
        ],
        'Invalid webhook body',
        cause,
      );
    }
    const timestamp = webhookHeader(request.headers, WEBHOOK_HEADERS.timestamp);
    const occurredAt =
      timestamp !== undefined && TIMESTAMP.test(timestamp) ? new Date(Number(timestamp) * 1000) : clock.now();
    const items = itemsFromPayload(payload, {
      channel: plugin,
      account: options.account,
      occurredAt,
      plugin,
    });
    // What this channel sent may come back (a receiver echoing the message it posted): it is the
    // organization's own message, never a customer's.
    for (const item of items) {
      if (item.direction === 'inbound' && (await kvGet(`${KV.own}${item.externalId}`)) !== null) {
        item.direction = 'outbound';
      }
    }
    return items;
  }

  async function send(message: OutboundMessage): Promise<SendResult> {
    checkOutbound(message, plugin);
    const url = options.url;
    if (url === undefined) {
      throw new ChannelError('config', `channel "${plugin}" has no \`url\` to send to`, { plugin });
    }
    const now = clock.now();
    const body = JSON.stringify(sendBody(message, plugin, now));
    const headers: Record<string, string> = {
      'user-agent': `rapport-channel-webhook/${version}`,
      ...options.headers,
      'content-type': 'application/json',
      ...webhookHeaders({ id: message.idempotencyKey, timestamp: now, body }, secrets),
    };
    const signal = AbortSignal.any([context.signal, AbortSignal.timeout(options.timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
    } catch (error) {
      throw networkError(error, { url, timeoutMs: options.timeoutMs, plugin });
    }
    let reply = '';
    try {
      reply = await response.text();
    } catch (error) {
      // A 2xx already says the receiver took the message; only its optional reply is lost.
      if (!response.ok) throw networkError(error, { url, timeoutMs: options.timeoutMs, plugin });
    }
    if (!response.ok) throw responseError(response, reply, { url, now: clock.now(), plugin });
    const answer = readSendReply(reply);
    const result: SendResult = {
      externalId: answer.externalId ?? message.idempotencyKey,
      sentAt: answer.sentAt ?? now,
    };
    try {
      await kvSet(`${KV.own}${result.externalId}`, message.idempotencyKey);
      await kvSet(
        `${KV.sent}${message.idempotencyKey}`,
        JSON.stringify({ externalId: result.externalId, sentAt: result.sentAt.toISOString() }),
      );
    } catch (error) {
      // The message is out; failing now would make the host retry a send that succeeded.
      logger.warn('could not remember a sent message', { channel: plugin, error: String(error) });
    }
    return result;
  }

  async function reconcile(message: OutboundMessage): Promise<SendResult | null> {
    const stored = await kvGet(`${KV.sent}${message.idempotencyKey}`);
    if (stored === null) return null;
    try {
      const { externalId, sentAt } = JSON.parse(stored) as { externalId: string; sentAt: string };
      return { externalId, sentAt: new Date(sentAt) };
    } catch {
      return null;
    }
  }

  return { webhook: { verify, parse }, send, reconcile };
}
