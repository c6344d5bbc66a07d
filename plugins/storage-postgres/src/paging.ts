import {
  decodeCursor,
  encodeCursor,
  type KeysetPosition,
  type Page,
  type PageRequest,
  RapportError,
} from '@rapport/core';
import { PLUGIN } from './errors.js';

/** The page size, checked: a positive integer, else `RAPPORT_INVALID_INPUT` at `limit`. */
export function pageLimit(page: PageRequest): number {
  const { limit } = page;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RapportError('RAPPORT_INVALID_INPUT', `Invalid page limit ${String(limit)}`, {
      path: ['limit'],
      hint: 'give `limit` as a whole number of at least 1',
      plugin: PLUGIN,
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

/**
 * The position a page starts after, or null for the first page. Times are stored as whole epoch
 * milliseconds (`bigint`), so a cursor whose time is not a whole number was not made by this store.
 */
export function pagePosition(page: PageRequest): KeysetPosition | null {
  if (!page.cursor) return null;
  const position = decodeCursor(page.cursor);
  if (!Number.isSafeInteger(position.time)) {
    throw new RapportError('RAPPORT_INVALID_INPUT', 'Invalid page cursor', {
      path: ['cursor'],
      hint: 'pass the `nextCursor` of a previous page unchanged, or no cursor for the first page',
      plugin: PLUGIN,
    });
  }
  return position;
}
