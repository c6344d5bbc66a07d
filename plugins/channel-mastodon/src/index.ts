export { type CursorState, compareIds, decodeCursor, encodeCursor } from './cursor.js';
export { parseResetHeader, parseRetryAfterHeader, toChannelError } from './errors.js';
export { decodeEntities, htmlToText } from './html.js';
export {
  contentVersion,
  type MappingContext,
  type StatusMetadata,
  statusToInteraction,
} from './mapping.js';
export {
  defaultAccountName,
  MASTODON_RATE_LIMITS,
  type MastodonChannelPlugin,
  mastodonChannel,
} from './mastodon-channel.js';
export {
  MASTODON_SECRETS,
  type MastodonChannelOptions,
  mastodonChannelOptionsSchema,
  parseMastodonChannelOptions,
  type ResolvedMastodonChannelOptions,
  type Visibility,
  visibilitySchema,
} from './options.js';
export type { AccountPayload, NotificationPayload, StatusPayload } from './payloads.js';
export { composeStatusText } from './sender.js';
