import type { SendResult } from '@rapport/core';
import type { ImapFlow } from 'imapflow';
import { imapFailure } from './errors.js';
import { isMissingMailbox, searchUids } from './imap.js';

/**
 * Finds the copy of a sent message in `mailbox` by its Message-ID header, or null. A mailbox that
 * does not exist yet holds nothing.
 */
export async function findSent(
  client: ImapFlow,
  mailbox: string,
  messageId: string,
): Promise<SendResult | null> {
  let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
  try {
    lock = await client.getMailboxLock(mailbox, { readOnly: true });
  } catch (error) {
    if (isMissingMailbox(error)) return null;
    throw imapFailure(`opening ${mailbox}`, error);
  }
  try {
    if (!client.mailbox || client.mailbox.exists === 0) return null;
    const uids = await searchUids(client, { header: { 'message-id': messageId } });
    // HEADER search matches substrings: keep the exact id only.
    for (const uid of uids) {
      const message = await client.fetchOne(
        String(uid),
        { uid: true, envelope: true, internalDate: true },
        { uid: true },
      );
      if (!message || message.envelope?.messageId?.trim() !== messageId) continue;
      const dated = message.envelope.date ? new Date(message.envelope.date) : null;
      const sentAt =
        dated && !Number.isNaN(dated.getTime())
          ? dated
          : message.internalDate
            ? new Date(message.internalDate)
            : new Date(0);
      return { externalId: messageId, sentAt };
    }
    return null;
  } catch (error) {
    throw imapFailure(`searching ${mailbox}`, error);
  } finally {
    lock.release();
  }
}

/** Stores a copy of a sent message (marked seen), creating the mailbox when the server lacks it. */
export async function appendSent(
  client: ImapFlow,
  mailbox: string,
  raw: Buffer,
  sentAt: Date,
): Promise<void> {
  try {
    let stored: Awaited<ReturnType<ImapFlow['append']>>;
    try {
      stored = await client.append(mailbox, raw, ['\\Seen'], sentAt);
    } catch (error) {
      if (!isMissingMailbox(error)) throw error;
      await client.mailboxCreate(mailbox);
      stored = await client.append(mailbox, raw, ['\\Seen'], sentAt);
    }
    if (stored === false) throw new Error('the connection is not logged in');
  } catch (error) {
    throw imapFailure(`storing a copy in ${mailbox}`, error);
  }
}
