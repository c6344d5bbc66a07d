import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { messageIds } from './parse.js';

/**
 * The Message-ID of the reply sent for an idempotency key: the same key always gives the same id,
 * so a retried send is recognisable (by `reconcile`, and by receiving systems that drop duplicate
 * Message-IDs).
 */
export function emailMessageId(idempotencyKey: string, domain: string): string {
  const digest = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40);
  return `<rapport.${digest}@${domain}>`;
}

/** What a reply needs to thread under the message it answers. */
export interface ThreadRefs {
  inReplyTo?: string;
  references: string[];
}

/**
 * In-Reply-To and References of a reply: the replied-to message's own References followed by its
 * Message-ID, so the thread root stays first. Falls back to the thread id when the host has no
 * stored context.
 */
export function threadRefs(options: {
  inReplyTo?: string;
  thread?: string;
  context?: Record<string, unknown>;
}): ThreadRefs {
  const context = options.context ?? {};
  const contextReferences = Array.isArray(context.references)
    ? messageIds(context.references.filter((value): value is string => typeof value === 'string'))
    : messageIds(typeof context.references === 'string' ? context.references : undefined);
  const contextId = typeof context.messageId === 'string' ? messageIds(context.messageId)[0] : undefined;
  const inReplyTo = messageIds(options.inReplyTo)[0] ?? contextId;
  const chain = [...contextReferences];
  if (chain.length === 0 && options.thread !== undefined) chain.push(...messageIds(options.thread));
  if (inReplyTo !== undefined) chain.push(inReplyTo);
  return { ...(inReplyTo ? { inReplyTo } : {}), references: [...new Set(chain)] };
}

/**
 * The subject of an outgoing message: the one given, else `Re: <subject>` of the replied-to message
 * (without piling up prefixes).
 */
export function replySubject(
  subject: string | undefined,
  context: Record<string, unknown> | undefined,
  isReply: boolean,
): string {
  if (subject !== undefined && subject.trim() !== '') return subject;
  const original = typeof context?.subject === 'string' ? context.subject.trim() : '';
  if (original === '') return isReply ? 'Re: your message' : '(no subject)';
  return /^re\s*:/i.test(original) ? original : `Re: ${original}`;
}

/** A plain-text reply ready to send. */
export interface ComposedMessage {
  from: { name?: string; address: string };
  to: { name?: string; address: string };
  subject: string;
  text: string;
  messageId: string;
  refs: ThreadRefs;
  date: Date;
}

/** The RFC 5322 bytes of a reply: the same bytes go out by SMTP and into the Sent mailbox. */
export function composeMessage(message: ComposedMessage): Promise<Buffer> {
  const composer = new MailComposer({
    from: message.from.name
      ? { name: message.from.name, address: message.from.address }
      : message.from.address,
    to: message.to.name ? { name: message.to.name, address: message.to.address } : message.to.address,
    subject: message.subject,
    text: message.text,
    messageId: message.messageId,
    date: message.date,
    ...(message.refs.inReplyTo ? { inReplyTo: message.refs.inReplyTo } : {}),
    ...(message.refs.references.length > 0 ? { references: message.refs.references } : {}),
  });
  return composer.compile().build();
}
