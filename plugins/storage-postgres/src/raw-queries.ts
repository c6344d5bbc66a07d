import { RapportError, type RawInteractionRow, type RawTable, type StorageRawQueries } from '@rapport/core';
import { onTenantConnection, openPool, type PgPool, quoteIdentifier } from './connection.js';
import { type PostgresStorageOptions, parsePostgresStorageOptions } from './options.js';

/** Raw queries over a Postgres store, plus closing the pool they opened. */
export interface PostgresRawQueries extends StorageRawQueries {
  /** Closes the connections these queries opened. Idempotent. */
  close(): Promise<void>;
}

const TABLES: readonly RawTable[] = [
  'customers',
  'identities',
  'interactions',
  'conversations',
  'merges',
  'consents',
  'scores',
  'segment_members',
  'rule_firings',
  'rule_timers',
  'outbox',
  'channel_state',
];

/**
 * Tiny queries that read what a store persisted with plain SQL on their own small pool, bypassing
 * the plugin's read paths, for the storage conformance suite. They take the same connection options
 * as {@link postgresStorage} (`schema` included) and connect on first use. Like the store, they set
 * the tenant they ask about on their connection, so row-level security lets them see its rows.
 * For tests only.
 */
export function postgresRawQueries(options?: PostgresStorageOptions): PostgresRawQueries {
  const resolved = parsePostgresStorageOptions(options);
  const schema = quoteIdentifier(resolved.schema);
  // A fixed map, so a table name can never come from the caller into the SQL.
  const countSql = new Map(
    TABLES.map((table) => [
      table,
      `SELECT count(*)::integer AS n FROM ${schema}.${table} WHERE tenant_id = $1`,
    ]),
  );
  let pool: PgPool | null = null;
  const connect = (): PgPool => {
    if (pool === null) {
      pool = openPool(resolved, 2);
      pool.on('error', () => {});
    }
    return pool;
  };
  const one = async <R extends Record<string, unknown>>(
    tenantId: string,
    sql: string,
    params: unknown[],
  ): Promise<R | null> => {
    const { rows } = await onTenantConnection(connect(), tenantId, (client) => client.query<R>(sql, params));
    return rows[0] ?? null;
  };
  return {
    async count(tenantId, table) {
      const sql = countSql.get(table);
      if (sql === undefined) {
        throw new RapportError('RAPPORT_INVALID_INPUT', `Unknown table ${String(table)}`, {
          path: ['table'],
        });
      }
      return (await one<{ n: number }>(tenantId, sql, [tenantId]))!.n;
    },
    async interaction(tenantId, key) {
      const row = await one<RawInteractionRow & Record<string, unknown>>(
        tenantId,
        `SELECT id, version::integer AS version, customer_id AS "customerId", identity_id AS "identityId",
                conversation_id AS "conversationId", text
         FROM ${schema}.interactions WHERE tenant_id = $1 AND channel = $2 AND account = $3 AND external_id = $4`,
        [tenantId, key.channel, key.account, key.externalId],
      );
      return row;
    },
    async identityOwner(tenantId, key) {
      const row = await one<{ customer_id: string }>(
        tenantId,
        `SELECT customer_id FROM ${schema}.identities WHERE tenant_id = $1 AND channel = $2 AND external_id = $3`,
        [tenantId, key.channel, key.externalId],
      );
      return row?.customer_id ?? null;
    },
    async customer(tenantId, id) {
      const row = await one<{
        id: string;
        status: string;
        merged_into: string | null;
        display_name: string | null;
        tags: string | null;
      }>(
        tenantId,
        `SELECT id, status, merged_into, display_name, tags::text AS tags FROM ${schema}.customers
         WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      );
      if (row === null) return null;
      return {
        id: row.id,
        status: row.status,
        mergedInto: row.merged_into,
        displayName: row.display_name,
        tags: row.tags === null ? [] : (JSON.parse(row.tags) as string[]),
      };
    },
    async close() {
      const current = pool;
      pool = null;
      await current?.end();
    },
  };
}

/** Raw queries for a store made by {@link postgresStorage}: the same database and schema, their own pool. */
export function postgresRawQueriesFor(plugin: {
  readonly options: PostgresStorageOptions;
}): PostgresRawQueries {
  return postgresRawQueries(plugin.options);
}
