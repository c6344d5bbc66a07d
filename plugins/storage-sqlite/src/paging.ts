import { type Page, type PageRequest, RapportError } from '@rapport/core';

/** Where a keyset page starts: after the row with this sort time and id. */
export interface KeysetPosition {
  time: number;
  id: string;
}

/**
 * Encodes a position as an opaque cursor: base64url of a small JSON array, so callers cannot
 * build on the layout and the store can change it.
 */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.time, position.id])).toString('base64url');
}

function invalidCursor(): RapportError {
  return new RapportError('RAPPORT_INVALID_INPUT', 'Invalid page cursor', {
    path: ['cursor'],
    hint: 'pass the `nextCursor` of a previous page unchanged, or no cursor for the first page',
    plugin: 'sqlite',
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

/** The page size, checked: a positive integer, else `RAPPORT_INVALID_INPUT` at `limit`. */
export function pageLimit(page: PageRequest): number {
  const { limit } = page;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RapportError('RAPPORT_INVALID_INPUT', `Invalid page limit ${String(limit)}`, {
      path: ['limit'],
      hint: 'give `limit` as a whole number of at least 1',
      plugin: 'sqlite',
    });
  }
  return limit;
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only says that more follow, so
 * the last page has no cursor and a caller never fetches an empty page to learn it is done.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  position: (item: T) => KeysetPosition,
): Page<T> {
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const items = rows.map(map);
  const last = items[items.length - 1];
  return { items, nextCursor: more && last !== undefined ? encodeCursor(position(last)) : null };
}
