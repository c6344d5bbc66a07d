import { z } from 'zod';

// Lenient schemas of the Mastodon entities this plugin reads, after masto turned their keys into
// camelCase. Only the fields used are checked; everything else passes through, so a server that
// adds fields (or a fork of Mastodon) keeps working.

/** An account, as embedded in statuses and notifications. */
export const accountPayloadSchema = z.looseObject({
  id: z.string().min(1),
  acct: z.string().min(1),
  username: z.string().nullish(),
  displayName: z.string().nullish(),
  url: z.string().nullish(),
  bot: z.boolean().nullish(),
});

/** A Mastodon account. */
export type AccountPayload = z.infer<typeof accountPayloadSchema>;

const mentionPayloadSchema = z.looseObject({
  id: z.string().min(1),
  acct: z.string().min(1),
  username: z.string().nullish(),
  url: z.string().nullish(),
});

/** A status (a post, a reply or a private mention). */
export const statusPayloadSchema = z.looseObject({
  id: z.string().min(1),
  uri: z.string().nullish(),
  url: z.string().nullish(),
  createdAt: z.string().min(1),
  editedAt: z.string().nullish(),
  account: accountPayloadSchema,
  content: z.string().nullish(),
  text: z.string().nullish(),
  // Forks add visibilities of their own (`local`, `limited`), so any string is accepted.
  visibility: z.string().min(1),
  spoilerText: z.string().nullish(),
  sensitive: z.boolean().nullish(),
  inReplyToId: z.string().nullish(),
  inReplyToAccountId: z.string().nullish(),
  language: z.string().nullish(),
  mentions: z.array(mentionPayloadSchema).nullish(),
  reblog: z.unknown().nullish(),
});

/** A Mastodon status. */
export type StatusPayload = z.infer<typeof statusPayloadSchema>;

/** A notification; mentions carry the status. */
export const notificationPayloadSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  createdAt: z.string().min(1),
  status: statusPayloadSchema.nullish(),
});

/** A Mastodon notification. */
export type NotificationPayload = z.infer<typeof notificationPayloadSchema>;

/** A direct conversation with its newest status. */
export const conversationPayloadSchema = z.looseObject({
  id: z.string().min(1),
  lastStatus: statusPayloadSchema.nullish(),
});

/** A Mastodon direct conversation. */
export type ConversationPayload = z.infer<typeof conversationPayloadSchema>;

/** The ancestors and descendants of a status. */
export const contextPayloadSchema = z.looseObject({
  ancestors: z.array(z.looseObject({ id: z.string().min(1) })),
});

/** The streaming URL the server announces (`/api/v2/instance`). */
export const instancePayloadSchema = z.looseObject({
  configuration: z
    .looseObject({
      urls: z.looseObject({ streaming: z.string().nullish() }).nullish(),
    })
    .nullish(),
});
