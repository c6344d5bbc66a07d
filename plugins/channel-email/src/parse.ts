import { createHash } from 'node:crypto';
import type { IdentityInput, InteractionInput } from '@rapport/core';
import { type AddressObject, type EmailAddress, type ParsedMail, simpleParser } from 'mailparser';
import { z } from 'zod';

/** The interaction schema's limit on `text`. */
const MAX_TEXT = 1_000_000;

const emailSchema = z.string().email();

/** What an attachment leaves in an interaction's metadata: never its content. */
export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  /** Decoded size in bytes. */
  size: number;
  /** True for parts shown inside the body (images an HTML body refers to). */
  inline: boolean;
}

/**
 * What an email interaction keeps in `metadata`. A reply gets it back as `OutboundMessage.context`,
 * which is how it threads (`messageId`, `references`) and finds its subject.
 */
export interface EmailMetadata {
  subject: string;
  messageId: string;
  /** The References header, oldest first. */
  references: string[];
  inReplyTo?: string;
  from: string | null;
  to: string[];
  cc: string[];
  replyTo?: string[];
  attachments: AttachmentInfo[];
  /** The Auto-Submitted header (`auto-replied` for out-of-office answers, for example). */
  autoSubmitted?: string;
  /** True when `text` was cut to the interaction schema's limit. */
  textTruncated?: boolean;
}

/** Where a message was read, and whose mailbox it is. */
export interface ParseContext {
  channel: string;
  account: string;
  /** The support address, lower case: mail from it is outbound. */
  address: string;
  /** When the message arrived in the mailbox (IMAP INTERNALDATE). */
  internalDate?: Date;
}

/** Every `<…>` message id in a header value, in order. */
export function messageIds(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = typeof value === 'string' ? value : value.join(' ');
  return [...text.matchAll(/<[^<>\s]+>/g)].map((match) => match[0]);
}

function addresses(value: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((object) => object.value.flatMap((entry) => (entry.group ? entry.group : [entry])));
}

function person(entry: EmailAddress | undefined): IdentityInput | undefined {
  const address = entry?.address?.trim().toLowerCase();
  if (!address) return undefined;
  const name = entry?.name?.trim();
  return {
    externalId: address,
    ...(name ? { handle: name, displayName: name } : {}),
    ...(emailSchema.safeParse(address).success ? { email: address } : {}),
  };
}

/**
 * The Date header, or undefined when it is missing or unreadable: mailparser puts the parse time
 * in place of a date it cannot read, which would make old mail look new.
 */
function headerDate(mail: ParsedMail): Date | undefined {
  const line = mail.headerLines.find((entry) => entry.key === 'date')?.line;
  if (line === undefined || Number.isNaN(Date.parse(line.slice(line.indexOf(':') + 1).trim())))
    return undefined;
  return mail.date instanceof Date && !Number.isNaN(mail.date.getTime()) ? mail.date : undefined;
}

/**
 * Parses one raw message into an interaction: the Message-ID is the external id (a stable hash of
 * the message stands in when it has none), the thread is the root of References, the parent the
 * In-Reply-To, the actor the sender. Mail from the support address itself is outbound, addressed
 * to the first recipient. HTML-only mail gets its text from the HTML; attachments are listed in
 * metadata, never copied.
 */
export async function toInteraction(raw: Buffer, context: ParseContext): Promise<InteractionInput> {
  const mail = await simpleParser(raw, {
    skipImageLinks: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    keepCidLinks: true,
  });
  const messageId =
    messageIds(mail.messageId)[0] ??
    `<${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@message-id.invalid>`;
  const references = messageIds(mail.references).filter((id) => id !== messageId);
  const inReplyTo = messageIds(mail.inReplyTo)[0];
  const parent = inReplyTo ?? references.at(-1);
  const thread = references[0] ?? inReplyTo ?? messageId;

  const sender = addresses(mail.from)[0];
  const to = addresses(mail.to);
  const cc = addresses(mail.cc);
  const actor = person(sender) ?? { externalId: '(unknown sender)' };
  const outbound = actor.externalId === context.address;
  const recipient = outbound ? person(to[0] ?? cc[0]) : undefined;

  let text = mail.text?.replace(/\s+$/, '');
  const truncated = text !== undefined && text.length > MAX_TEXT;
  if (truncated) text = text!.slice(0, MAX_TEXT);

  const autoSubmitted = mail.headers.get('auto-submitted');
  const replyTo = addresses(mail.replyTo);
  const metadata: EmailMetadata = {
    subject: mail.subject ?? '',
    messageId,
    references,
    ...(inReplyTo ? { inReplyTo } : {}),
    from: sender?.address?.toLowerCase() ?? null,
    to: to.flatMap((entry) => (entry.address ? [entry.address.toLowerCase()] : [])),
    cc: cc.flatMap((entry) => (entry.address ? [entry.address.toLowerCase()] : [])),
    ...(replyTo.length > 0
      ? { replyTo: replyTo.flatMap((entry) => (entry.address ? [entry.address.toLowerCase()] : [])) }
      : {}),
    attachments: mail.attachments.map((attachment) => ({
      filename: attachment.filename ?? null,
      contentType: attachment.contentType,
      size: attachment.size,
      inline: attachment.contentDisposition === 'inline' || attachment.related === true,
    })),
    ...(typeof autoSubmitted === 'string' && autoSubmitted.toLowerCase() !== 'no'
      ? { autoSubmitted: autoSubmitted.toLowerCase() }
      : {}),
    ...(truncated ? { textTruncated: true } : {}),
  };

  const occurredAt = headerDate(mail) ?? context.internalDate ?? new Date();
  return {
    channel: context.channel,
    account: context.account,
    externalId: messageId,
    direction: outbound ? 'outbound' : 'inbound',
    kind: 'message',
    ...(text !== undefined && text !== '' ? { text } : {}),
    occurredAt,
    ...(context.internalDate ? { receivedAt: context.internalDate } : {}),
    actor,
    ...(recipient ? { recipient } : {}),
    thread,
    ...(parent ? { parent } : {}),
    metadata: metadata as unknown as Record<string, unknown>,
  };
}
