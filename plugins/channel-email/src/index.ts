export { formatCursor, type MailboxCursor, parseCursor } from './cursor.js';
export {
  EMAIL_CAPABILITIES,
  type EmailChannelPlugin,
  EmailConnection,
  emailChannel,
} from './email-channel.js';
export { imapFailure, PLUGIN, smtpFailure } from './errors.js';
export {
  EMAIL_SECRETS,
  type EmailChannelOptions,
  emailChannelOptionsSchema,
  parseEmailChannelOptions,
  type ResolvedEmailChannelOptions,
} from './options.js';
export {
  type AttachmentInfo,
  type EmailMetadata,
  messageIds,
  type ParseContext,
  toInteraction,
} from './parse.js';
export { emailMessageId, replySubject, type ThreadRefs, threadRefs } from './reply.js';
