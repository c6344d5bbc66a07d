import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { MEMORY_FILENAME, type ResolvedSqliteStorageOptions } from './options.js';

/** A better-sqlite3 connection. */
export type SqliteDatabase = Database.Database;

/** True for the file name that keeps the database in memory. */
export function isMemory(filename: string): boolean {
  return filename === MEMORY_FILENAME;
}

function applyCommonPragmas(db: SqliteDatabase, options: ResolvedSqliteStorageOptions): void {
  db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  // Negative means KiB rather than pages, so the setting does not depend on the page size.
  db.pragma(`cache_size = ${-options.cacheSizeMiB * 1024}`);
  db.pragma('temp_store = MEMORY');
}

/**
 * Opens the connection that writes. Returns it with the journal mode SQLite actually chose: a
 * file system without shared memory (some network mounts) refuses WAL, and then readers must not
 * run beside an open write transaction.
 */
export function openWriter(options: ResolvedSqliteStorageOptions): {
  db: SqliteDatabase;
  journalMode: string;
} {
  const memory = isMemory(options.filename);
  if (!memory) mkdirSync(dirname(resolve(options.filename)), { recursive: true });
  const db = new Database(options.filename, {
    timeout: options.busyTimeoutMs,
    nativeBinding: options.nativeBinding,
  });
  try {
    // Only takes effect while the file is still empty, i.e. for a new database.
    db.pragma(`page_size = ${options.pageSize}`);
    applyCommonPragmas(db, options);
    const journalMode = memory
      ? 'memory'
      : String(db.pragma(`journal_mode = ${options.wal ? 'WAL' : 'DELETE'}`, { simple: true }));
    db.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
    // References are kept by the pipeline inside its unit of work (see the schema notes).
    db.pragma('foreign_keys = OFF');
    // Erasure must not leave a customer's data readable in freed space of the file; FAST zeroes
    // it where that costs no extra I/O (see the README for what it cannot reach).
    db.pragma('secure_delete = FAST');
    // A big transaction grows the WAL file; this shrinks it back after the next checkpoint.
    if (!memory) db.pragma('journal_size_limit = 67108864');
    return { db, journalMode: journalMode.toLowerCase() };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Opens a read-only connection to a file database. Under WAL it reads the last committed state
 * even while the writer has a transaction open.
 */
export function openReader(options: ResolvedSqliteStorageOptions): SqliteDatabase {
  const db = new Database(options.filename, {
    readonly: true,
    fileMustExist: true,
    timeout: options.busyTimeoutMs,
    nativeBinding: options.nativeBinding,
  });
  try {
    applyCommonPragmas(db, options);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
