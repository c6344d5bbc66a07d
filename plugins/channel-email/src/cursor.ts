import { channelError } from './errors.js';

/** Where reading stopped: the mailbox's UIDVALIDITY and the highest UID already handed over. */
export interface MailboxCursor {
  /** UIDVALIDITY, as decimal digits (it can exceed 2^53 on some servers). */
  uidValidity: string;
  lastUid: number;
}

const CURSOR = /^(\d{1,20}):(\d{1,10})$/;

/** `"<uidvalidity>:<lastUid>"`. */
export function formatCursor(cursor: MailboxCursor): string {
  return `${cursor.uidValidity}:${cursor.lastUid}`;
}

/**
 * Reads a cursor this plugin wrote, or throws `cursor-invalid` (the host then starts over with a
 * bounded backfill).
 */
export function parseCursor(cursor: string): MailboxCursor {
  const match = CURSOR.exec(cursor);
  if (!match) {
    throw channelError('cursor-invalid', `"${cursor}" is not an email cursor ("<uidvalidity>:<lastUid>")`);
  }
  return { uidValidity: BigInt(match[1]!).toString(), lastUid: Number(match[2]) };
}
