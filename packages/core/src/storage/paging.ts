import { RapportError } from '../errors/rapport-error.js';
import type { Page } from '../plugins/storage.js';

/** Where a keyset page starts: after the row with this sort time (epoch ms) and id. */
export interface KeysetPosition {
  time: number;
  id: string;
}

/**
 * Encodes a position as an opaque cursor: base64url of a small JSON array, so callers cannot
 * build on the layout and stores can page without offsets. For store authors.
 */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.time, position.id])).toString('base64url');
}

function invalidCursor(): RapportError {
  return new RapportError('RAPPORT_INVALID_INPUT', 'Invalid page cursor', {
    path: ['cursor'],
    hint: 'pass the `nextCursor` of a previous page unchanged, or no cursor for the first page',
  });
}

/** Decodes a cursor made by {@link encodeCursor}, or throws `RAPPORT_INVALID_INPUT` at `cursor`. */
export function decodeCursor(cursor: string): KeysetPosition {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== 2 ||
    typeof parts[0] !== 'number' ||
    !Number.isFinite(parts[0]) ||
    typeof parts[1] !== 'string'
  ) {
    throw invalidCursor();
  }
  return { time: parts[0], id: parts[1] };
}

/**
 * A page of a customer's score log from rows fetched newest first with `limit + 1`, each row a
 * score row followed by the store's insertion sequence (rowid, identity column): the sequence
 * breaks ties between scores recorded in the same millisecond. For store authors.
 */
export function scoreLogPage<R extends readonly unknown[], T extends { computedAt: Date }>(
  rows: Array<readonly [...R, number | string]>,
  limit: number,
  toScore: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const items = kept.map((row) => toScore(row.slice(0, -1) as unknown as R));
  const lastRow = kept[kept.length - 1];
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      more && lastRow !== undefined && last !== undefined
        ? encodeCursor({ time: last.computedAt.getTime(), id: String(lastRow[lastRow.length - 1]) })
        : null,
  };
}

/**
 * Where a score-log page starts, from its cursor: the time and insertion sequence of the last
 * score of the previous page, or null for the first page.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` at `cursor` when the cursor is not one of ours.
 */
export function scoreLogPosition(cursor: string | null | undefined): { time: number; seq: number } | null {
  if (!cursor) return null;
  const { time, id } = decodeCursor(cursor);
  const seq = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(seq)) throw invalidCursor();
  return { time, seq };
}
