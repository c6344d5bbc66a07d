import { RapportError, type RawInteractionRow, type RawTable, type StorageRawQueries } from '@rapport/core';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from './connection.js';
import { writerConnectionOf } from './sqlite-storage.js';

/** Raw queries over a SQLite store, plus closing the connection they opened. */
export interface SqliteRawQueries extends StorageRawQueries {
  /** Closes the connection these queries opened, if any. Idempotent. */
  close(): void;
}

// A fixed map, so a table name can never come from the caller into the SQL.
const COUNT_SQL: Record<RawTable, string> = {
  customers: 'SELECT count(*) FROM customers WHERE tenant_id = ?',
  identities: 'SELECT count(*) FROM identities WHERE tenant_id = ?',
  interactions: 'SELECT count(*) FROM interactions WHERE tenant_id = ?',
  conversations: 'SELECT count(*) FROM conversations WHERE tenant_id = ?',
  merges: 'SELECT count(*) FROM merges WHERE tenant_id = ?',
  consents: 'SELECT count(*) FROM consents WHERE tenant_id = ?',
  scores: 'SELECT count(*) FROM scores WHERE tenant_id = ?',
  segment_members: 'SELECT count(*) FROM segment_members WHERE tenant_id = ?',
  rule_firings: 'SELECT count(*) FROM rule_firings WHERE tenant_id = ?',
  rule_timers: 'SELECT count(*) FROM rule_timers WHERE tenant_id = ?',
  outbox: 'SELECT count(*) FROM outbox WHERE tenant_id = ?',
  channel_state: 'SELECT count(*) FROM channel_state WHERE tenant_id = ?',
};

function rawQueriesOver(connect: () => SqliteDatabase, release: () => void): SqliteRawQueries {
  const one = <R>(sql: string, ...params: unknown[]): R | undefined =>
    connect()
      .prepare(sql)
      .get(...params) as R | undefined;
  return {
    async count(tenantId, table) {
      const sql = COUNT_SQL[table];
      if (sql === undefined) {
        throw new RapportError('RAPPORT_INVALID_INPUT', `Unknown table ${String(table)}`, {
          path: ['table'],
        });
      }
      return connect().prepare(sql).pluck().get(tenantId) as number;
    },
    async interaction(tenantId, key) {
      const row = one<RawInteractionRow>(
        `SELECT id, version, customer_id AS customerId, identity_id AS identityId, conversation_id AS conversationId, text
         FROM interactions WHERE tenant_id = ? AND channel = ? AND account = ? AND external_id = ?`,
        tenantId,
        key.channel,
        key.account,
        key.externalId,
      );
      return row ?? null;
    },
    async identityOwner(tenantId, key) {
      const row = one<{ customer_id: string }>(
        'SELECT customer_id FROM identities WHERE tenant_id = ? AND channel = ? AND external_id = ?',
        tenantId,
        key.channel,
        key.externalId,
      );
      return row?.customer_id ?? null;
    },
    async customer(tenantId, id) {
      const row = one<{
        id: string;
        status: string;
        merged_into: string | null;
        display_name: string | null;
        tags: string | null;
      }>(
        'SELECT id, status, merged_into, display_name, tags FROM customers WHERE tenant_id = ? AND id = ?',
        tenantId,
        id,
      );
      if (row === undefined) return null;
      return {
        id: row.id,
        status: row.status,
        mergedInto: row.merged_into,
        displayName: row.display_name,
        tags: row.tags === null ? [] : (JSON.parse(row.tags) as string[]),
      };
    },
    close: release,
  };
}

/**
 * Raw queries over a database file, through their own read-only better-sqlite3 connection,
 * opened on first use (so they can be made before the store creates the file).
 */
export function sqliteRawQueries(filename: string): SqliteRawQueries {
  if (filename === ':memory:') {
    throw new RapportError('RAPPORT_INVALID_INPUT', 'A `:memory:` database cannot be opened a second time', {
      path: ['filename'],
      hint: 'use sqliteRawQueriesFor(plugin) for a `:memory:` store (tests only)',
    });
  }
  let db: SqliteDatabase | null = null;
  return rawQueriesOver(
    () => {
      db ??= new Database(filename, { readonly: true, fileMustExist: true });
      return db;
    },
    () => {
      db?.close();
      db = null;
    },
  );
}

/**
 * Raw queries for a store made by {@link sqliteStorage}. For a file they open their own
 * connection, like {@link sqliteRawQueries}. For `:memory:` there is no other way in: they run
 * plain SQL on the store's one connection, and so also see the writes of a unit of work still
 * open. For tests only.
 */
export function sqliteRawQueriesFor(plugin: {
  readonly options: { readonly filename: string };
}): SqliteRawQueries {
  if (plugin.options.filename !== ':memory:') return sqliteRawQueries(plugin.options.filename);
  const writer = writerConnectionOf(plugin);
  if (writer === undefined) {
    throw new RapportError('RAPPORT_INVALID_INPUT', 'Not a store made by sqliteStorage()', {
      hint: 'pass the object sqliteStorage() returned, not a wrapped copy',
    });
  }
  return rawQueriesOver(
    () => {
      const db = writer();
      if (db === null) {
        throw new RapportError('RAPPORT_NOT_STARTED', 'The `:memory:` store is not open', {
          hint: 'init the store before running raw queries, and run them before closing it',
        });
      }
      return db;
    },
    () => {},
  );
}
