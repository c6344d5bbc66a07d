import { RapportError } from '../errors/rapport-error.js';

/**
 * Opaque keyset cursors: base64url of a small JSON array (a sort value and an id), so stores can
 * page without offsets and callers cannot depend on the layout.
 */
export function encodeCursor(parts: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}, or throws RAPPORT_INVALID_INPUT. */
export function decodeCursor(cursor: string): Array<string | number> {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts) && parts.every((p) => typeof p === 'string' || typeof p === 'number'))
      return parts;
  } catch {
    // fall through to the error below
  }
  throw new RapportError('RAPPORT_INVALID_INPUT', 'Invalid page cursor', {
    path: ['cursor'],
    hint: 'pass the `nextCursor` of a previous page unchanged, or no cursor for the first page',
  });
}
