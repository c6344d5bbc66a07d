import { ChannelError, externalIdSchema, type OutboundMessage, timestampSchema } from '@rapport/core';
import { z } from 'zod';

/**
 * What the outbox hands to `send`, checked before anything leaves. The idempotency key becomes the
 * `webhook-id` header, so it must be printable ASCII.
 */
export const outboundMessageSchema = z.object({
  idempotencyKey: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it is sent as the webhook-id header)'),
  account: z.string().min(1).max(256),
  to: z.object({ externalId: externalIdSchema, handle: z.string().optional() }),
  inReplyTo: externalIdSchema.optional(),
  thread: externalIdSchema.optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  subject: z.string().optional(),
  text: z.string(),
});

/** The `type` of a send: a reply to an item, or a new message. */
export type WebhookSendType = 'message.reply' | 'message.send';

/**
 * The JSON body of a send, in the shape Standard Webhooks recommends (`type`, `timestamp`, `data`).
 * The same message always has the same `data.idempotencyKey`, which is also the `webhook-id`.
 */
export interface WebhookSendBody {
  type: WebhookSendType;
  /** When this attempt was made (ISO 8601). */
  timestamp: string;
  /** The channel id the message belongs to. */
  channel: string;
  data: {
    idempotencyKey: string;
    account: string;
    to: { externalId: string; handle?: string };
    inReplyTo?: string;
    thread?: string;
    /** What the replied-to item carried in its `metadata`, handed back for threading. */
    context?: Record<string, unknown>;
    subject?: string;
    text: string;
  };
}

/** Checks an outbound message, or throws a `permanent` ChannelError naming the bad field. */
export function checkOutbound(message: OutboundMessage, plugin: string): OutboundMessage {
  const result = outboundMessageSchema.safeParse(message);
  if (result.success) return message;
  const issue = result.error.issues[0]!;
  const path = issue.path.join('.') || 'message';
  throw new ChannelError('permanent', `cannot send: ${path} ${issue.message}`, {
    cause: result.error,
    plugin,
  });
}

/** The body of one send attempt. */
export function sendBody(message: OutboundMessage, channel: string, now: Date): WebhookSendBody {
  return {
    type: message.inReplyTo === undefined ? 'message.send' : 'message.reply',
    timestamp: now.toISOString(),
    channel,
    data: {
      idempotencyKey: message.idempotencyKey,
      account: message.account,
      to: message.to.handle === undefined ? { externalId: message.to.externalId } : { ...message.to },
      ...(message.inReplyTo === undefined ? {} : { inReplyTo: message.inReplyTo }),
      ...(message.thread === undefined ? {} : { thread: message.thread }),
      ...(message.context === undefined ? {} : { context: message.context }),
      ...(message.subject === undefined ? {} : { subject: message.subject }),
      text: message.text,
    },
  };
}

/**
 * What a receiver may answer to a send (any 2xx): `{ "externalId": "..." }` names the item it
 * created, `sentAt` when it was posted. Both are optional and read leniently: a field that cannot
 * be read is ignored, and so is anything else in the reply.
 */
export const sendReplySchema = z
  .object({
    externalId: z
      .union([externalIdSchema, z.number().int().transform(String)])
      .optional()
      .catch(undefined),
    sentAt: timestampSchema.optional().catch(undefined),
  })
  .loose();

/** Reads the receiver's reply; anything unreadable counts as no reply. */
export function readSendReply(text: string): { externalId?: string; sentAt?: Date } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  const parsed = sendReplySchema.safeParse(json);
  if (!parsed.success) return {};
  return {
    ...(parsed.data.externalId === undefined ? {} : { externalId: parsed.data.externalId }),
    ...(parsed.data.sentAt === undefined ? {} : { sentAt: parsed.data.sentAt }),
  };
}
