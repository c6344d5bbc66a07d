import { RapportError } from '../errors/rapport-error.js';

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
