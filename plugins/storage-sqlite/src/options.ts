import { parsePluginOptions } from '@rapport/core';
import { z } from 'zod';
import { PLUGIN } from './errors.js';

/** The file name that makes SQLite keep the database in memory, private to one connection. */
export const MEMORY_FILENAME = ':memory:';

/** Schema of the options of {@link sqliteStorage}. Unknown keys are rejected so typos surface. */
export const sqliteStorageOptionsSchema = z
  .object({
    filename: z
      .string()
      .min(1)
      .default('rapport.db')
      .describe(
        'Path of the database file, created with its directory when missing; `:memory:` keeps everything in memory until `close()`.',
      ),
    wal: z
      .boolean()
      .default(true)
      .describe(
        'Write-ahead logging: readers see the last committed state while a unit of work writes. Ignored for `:memory:`.',
      ),
    busyTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(2_147_483_647)
      .default(5_000)
      .describe(
        'How long a statement waits for a lock held by another connection before failing, in milliseconds.',
      ),
    synchronous: z
      .enum(['off', 'normal', 'full', 'extra'])
      .default('normal')
      .describe(
        'SQLite `synchronous` level. `normal` with WAL never corrupts the database, though a power loss may undo the last commits; `full` makes every commit durable at once. Use `full` with `wal: false`.',
      ),
    cacheSizeMiB: z
      .number()
      .int()
      .min(1)
      .max(65_536)
      .default(64)
      .describe('Page cache of each connection, in MiB.'),
    pageSize: z
      .union([z.literal(4096), z.literal(8192), z.literal(16384), z.literal(32768), z.literal(65536)])
      .default(16384)
      .describe(
        'Page size in bytes for a new database (an existing file keeps its own). Ingest dirties many index pages per unit of work and each costs a WAL write, so pages larger than SQLite’s 4096 make commits cheaper.',
      ),
    nativeBinding: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Path of the better-sqlite3 native addon, for bundled or packaged apps (Electron) that move it.',
      ),
  })
  .strict();

/** Options of {@link sqliteStorage}, as the caller writes them (every field optional). */
export type SqliteStorageOptions = z.input<typeof sqliteStorageOptionsSchema>;

/** Options of {@link sqliteStorage} with defaults filled in. */
export type ResolvedSqliteStorageOptions = z.output<typeof sqliteStorageOptionsSchema>;

/**
 * Validates options, or throws `RAPPORT_INVALID_OPTIONS` whose path names the offending option (for
 * an unknown key, the key itself, so the message points at the typo).
 */
export function parseSqliteStorageOptions(options: unknown): ResolvedSqliteStorageOptions {
  return parsePluginOptions(sqliteStorageOptionsSchema, options, 'sqliteStorage', PLUGIN);
}
