import { RapportError, storeNotOpen, unitOfWorkFinished } from '@rapport/core';

/** The plugin id, as errors name it. */
export const PLUGIN = 'postgres';

/**
 * SQLSTATE classes and codes where trying the unit of work again may succeed: another writer got
 * there first (unique violation, serialization failure, deadlock), or the connection or server went
 * away for a moment (class 08, admin shutdown, too many connections).
 */
const RETRYABLE = new Set(['23505', '40001', '40P01', '53300', '57P01', '57P02', '57P03']);

/** The SQLSTATE of a pg error, if it has one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isRetryable(error: unknown): boolean {
  const code = sqlState(error);
  if (code === undefined) return false;
  // Node socket errors (ECONNRESET, ECONNREFUSED...) also come with a `code`.
  return RETRYABLE.has(code) || code.startsWith('08') || code.startsWith('E');
}

/**
 * A failure of Postgres (or of node-postgres) as a `RAPPORT_STORAGE_FAILED` naming the operation,
 * with the original error as `cause`. RapportErrors pass through unchanged.
 */
export function storageFailure(operation: string, error: unknown): RapportError {
  if (error instanceof RapportError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const code = sqlState(error);
  return new RapportError(
    'RAPPORT_STORAGE_FAILED',
    `Postgres ${operation} failed: ${detail}${code === undefined ? '' : ` (${code})`}`,
    { cause: error, retryable: isRetryable(error), plugin: PLUGIN },
  );
}

/** The store was used before `init` or after `close`. */
export function notOpen(operation: string, state: 'new' | 'closed'): RapportError {
  return storeNotOpen(PLUGIN, 'postgresStorage', operation, state);
}

/** A unit of work was used after it committed or rolled back. */
export function finishedUnitOfWork(operation: string): RapportError {
  return unitOfWorkFinished(PLUGIN, operation);
}

/** A statement failed inside the unit of work, so Postgres has aborted its transaction. */
export function abortedUnitOfWork(operation: string, cause: unknown): RapportError {
  return new RapportError(
    'RAPPORT_STORAGE_FAILED',
    `postgres storage: ${operation}() called after an earlier statement of this unit of work failed; ` +
      'Postgres has aborted the transaction and will keep none of it',
    {
      cause,
      hint: 'Let the first storage error end the unit of work (rethrow it from `work`).',
      plugin: PLUGIN,
    },
  );
}

/** A record of another tenant was handed to a unit of work. */
export function tenantMismatch(operation: string, expected: string, actual: string): RapportError {
  return new RapportError(
    'RAPPORT_INVALID_INPUT',
    `postgres storage: ${operation}() got a record of tenant "${actual}" in a unit of work of tenant "${expected}"`,
    { path: ['tenantId'], hint: 'Open a unit of work for the record’s own tenant.', plugin: PLUGIN },
  );
}

/**
 * Rows a unit of work was about to point at changed under it: another process merged, unmerged or
 * erased a customer after this unit of work read it. Nothing of the unit of work is kept, and
 * running it again reads the new state, so the error is retryable (the ingest pipeline retries it).
 */
export function changedConcurrently(operation: string, what: string): RapportError {
  return new RapportError(
    'RAPPORT_STORAGE_FAILED',
    `postgres storage: ${operation}() refers to ${what}, changed by a concurrent unit of work`,
    {
      retryable: true,
      hint: 'Run the unit of work again: it then reads the customers as they are now.',
      plugin: PLUGIN,
    },
  );
}
