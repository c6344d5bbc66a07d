import { z } from 'zod';
import { channelError } from './errors.js';

/** The lists the channel pages through, each with its own position. */
export type SourceKey = 'notifications' | 'conversations' | 'statuses';

/**
 * Where reading stopped, per list: the newest id seen (notification ids for notifications, status
 * ids for our statuses, newest-status ids for conversations, which page by them). A missing
 * entry means the list was never read: the next read starts at the lookback window.
 */
export type CursorState = Partial<Record<SourceKey, string>>;

const idSchema = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/);

const cursorSchema = z
  .object({
    v: z.literal(1),
    notifications: idSchema.optional(),
    conversations: idSchema.optional(),
    statuses: idSchema.optional(),
  })
  .strict();

/** The cursor string the host stores. */
export function encodeCursor(state: CursorState): string {
  return JSON.stringify({ v: 1, ...state });
}

/** Reads a stored cursor; null is the first read. */
export function decodeCursor(cursor: string | null): CursorState {
  if (cursor === null) return {};
  let value: unknown;
  try {
    value = JSON.parse(cursor);
  } catch (error) {
    throw channelError(
      'cursor-invalid',
      'The Mastodon cursor is not JSON; read again without a cursor',
      error,
    );
  }
  const parsed = cursorSchema.safeParse(value);
  if (!parsed.success) {
    throw channelError(
      'cursor-invalid',
      `The Mastodon cursor is not one this plugin wrote: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      parsed.error,
    );
  }
  const { v: _version, ...state } = parsed.data;
  return state;
}

/**
 * Orders ids the way servers do. Mastodon ids are decimal numbers in strings (longer is newer);
 * other servers of the same API use fixed-length sortable strings. Comparing length, then text,
 * is right for both.
 */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The newer of two ids (undefined counts as oldest). */
export function newerId(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareIds(a, b) >= 0 ? a : b;
}
