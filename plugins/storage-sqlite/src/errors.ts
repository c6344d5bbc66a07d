import { RapportError, storeNotOpen, unitOfWorkFinished } from '@rapport/core';

/** The plugin id, as errors name it. */
export const PLUGIN = 'sqlite';

/** SQLite result codes that mean "someone else holds a lock": trying again later may work. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * A failure of SQLite (or of better-sqlite3) as a `RAPPORT_STORAGE_FAILED` naming the operation,
 * with the original error as `cause`. RapportErrors pass through unchanged.
 */
export function storageFailure(operation: string, error: unknown): RapportError {
  if (error instanceof RapportError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return new RapportError(
    'RAPPORT_STORAGE_FAILED',
    `SQLite ${operation} failed: ${detail}${typeof code === 'string' ? ` (${code})` : ''}`,
    {
      cause: error,
      retryable: isBusy(error),
      plugin: PLUGIN,
    },
  );
}

/** The store was used before `init` or after `close`. */
export function notOpen(operation: string, state: 'new' | 'closed'): RapportError {
  return storeNotOpen(PLUGIN, 'sqliteStorage', operation, state);
}

/** A unit of work was used after it committed or rolled back. */
export function finishedUnitOfWork(operation: string): RapportError {
  return unitOfWorkFinished(PLUGIN, operation);
}

/** A record of another tenant was handed to a unit of work. */
export function tenantMismatch(operation: string, expected: string, actual: string): RapportError {
  return new RapportError(
    'RAPPORT_INVALID_INPUT',
    `sqlite storage: ${operation}() got a record of tenant "${actual}" in a unit of work of tenant "${expected}"`,
    { path: ['tenantId'], hint: 'Open a unit of work for the record’s own tenant.', plugin: PLUGIN },
  );
}
