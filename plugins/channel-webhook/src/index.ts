export { retryAfterMs } from './http.js';
export {
  parseWebhookChannelOptions,
  type ResolvedWebhookChannelOptions,
  WEBHOOK_CHANNEL_SECRETS,
  type WebhookChannelOptions,
  webhookChannelOptionsSchema,
} from './options.js';
export {
  outboundMessageSchema,
  sendReplySchema,
  type WebhookSendBody,
  type WebhookSendType,
} from './outbound.js';
export {
  MAX_ITEMS_PER_DELIVERY,
  type WebhookItem,
  type WebhookPayload,
  webhookItemSchema,
} from './payload.js';
export { type WebhookChannelPlugin, webhookChannel } from './webhook-channel.js';
