import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ResolvedPostgresStorageOptions } from './options.js';

/** A node-postgres pool. */
export type PgPool = pg.Pool;
/** A node-postgres client: a pooled connection. */
export type PgClient = pg.PoolClient;
/** Anything that runs a query: the pool (one free connection per query) or one client. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

const INT8_OID = 20;

/**
 * The custom setting that carries the tenant of a connection or transaction. The row-level
 * security policies of every table holding tenant rows compare `tenant_id` with it.
 */
export const TENANT_SETTING = 'rapport.tenant';

/**
 * Type parsers of the store's connections, kept off pg's global registry so the app's own pg use
 * is not changed. Epoch milliseconds and counts are `bigint`, which pg hands over as strings by
 * default; every value the store keeps fits a double exactly (times are within ±8.6e15 ms).
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** The pool configuration from the options. */
export function poolConfig(options: ResolvedPostgresStorageOptions, max = options.max): pg.PoolConfig {
  const config: pg.PoolConfig = {
    max,
    idleTimeoutMillis: options.idleTimeoutMs,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    application_name: options.applicationName,
    types,
  };
  if (options.connectionString !== undefined) config.connectionString = options.connectionString;
  if (options.host !== undefined) config.host = options.host;
  if (options.port !== undefined) config.port = options.port;
  if (options.user !== undefined) config.user = options.user;
  if (options.password !== undefined) config.password = options.password;
  if (options.database !== undefined) config.database = options.database;
  if (options.ssl !== undefined) config.ssl = options.ssl as pg.PoolConfig['ssl'];
  if (options.statementTimeoutMs !== undefined) config.statement_timeout = options.statementTimeoutMs;
  return config;
}

/** Opens a pool (connections are made on first use). */
export function openPool(options: ResolvedPostgresStorageOptions, max?: number): PgPool {
  return new pg.Pool(poolConfig(options, max));
}

/** The schema name, quoted for SQL. Options only allow `[a-z0-9_]`, quoting guards keywords. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A statement: its text and a name under which each connection prepares it once (pg keeps prepared
 * statements per connection). The name derives from the text, which includes the schema, so two
 * stores on different schemas sharing a connection never mix them up.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** A named statement for `text`. */
export function statement(text: string): Statement {
  const compact = text.replace(/\s+/g, ' ').trim();
  return { name: `rapport_${createHash('sha1').update(compact).digest('hex').slice(0, 20)}`, text: compact };
}

/** A connection that runs one thing at a time, in call order (see {@link oneAtATime}). */
export type SerialConnection = Pick<pg.PoolClient, 'query'> & {
  /**
   * Runs `work` on the connection once everything asked for before it is done, and before
   * anything asked for after it: for what takes more than one statement (a savepoint and its insert).
   */
  exclusive<T>(work: (client: PgClient) => Promise<T>): Promise<T>;
};

/**
 * A client that runs one statement at a time, in call order: a unit of work is one connection,
 * and callers may still issue reads concurrently (`Promise.all`), which pg would otherwise
 * overlap on the wire (deprecated, and an error in pg 9).
 */
export function oneAtATime(client: PgClient): SerialConnection {
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: (client: PgClient) => Promise<T>): Promise<T> => {
    const run = tail.then(
      () => work(client),
      () => work(client),
    );
    tail = run.catch(() => undefined);
    return run;
  };
  return {
    exclusive,
    query: ((config: pg.QueryConfig) => exclusive((c) => c.query(config))) as Pick<
      pg.PoolClient,
      'query'
    >['query'],
  };
}

/** Runs a statement with rows as arrays in column order (cheaper than objects). */
export async function queryRows<R extends unknown[]>(
  db: Queryable,
  s: Statement,
  values: unknown[],
): Promise<R[]> {
  const result = await db.query<R>({ name: s.name, text: s.text, values, rowMode: 'array' });
  return result.rows;
}

/** Runs a statement with rows as objects keyed by column name. */
export async function queryObjects<R extends pg.QueryResultRow>(
  db: Queryable,
  s: Statement,
  values: unknown[],
): Promise<R[]> {
  const result = await db.query<R>({ name: s.name, text: s.text, values });
  return result.rows;
}

/** Runs a statement, returning how many rows it changed. */
export async function execute(db: Queryable, s: Statement, values: unknown[]): Promise<number> {
  const result = await db.query({ name: s.name, text: s.text, values });
  return result.rowCount ?? 0;
}

/**
 * The tenant each pooled connection holds at session level, as this module last set it. A
 * connection absent from the map holds none that is known (new, or its last change failed), so the
 * next committed read sets it again. Kept beside the connection rather than on it, so nothing
 * else that uses the pool can read or spoof it.
 */
const sessionTenant = new WeakMap<pg.PoolClient, string>();

const setSessionTenant = statement(`SELECT set_config('${TENANT_SETTING}', $1, false)`);

/**
 * Runs `run` on a pooled connection whose session holds `tenantId`, setting it first only when the
 * connection holds another one (so reads of one tenant pay for it once per connection). On any
 * failure the connection is closed rather than handed back: its session state is then unknown.
 * A unit of work on the same connection later sets its tenant for its transaction only
 * (`set_config(…, true)`), which leaves the session's tenant, and this record of it, as they were.
 */
export async function onTenantConnection<T>(
  pool: PgPool,
  tenantId: string,
  run: (client: PgClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    if (sessionTenant.get(client) !== tenantId) {
      sessionTenant.delete(client);
      await client.query({ name: setSessionTenant.name, text: setSessionTenant.text, values: [tenantId] });
      sessionTenant.set(client, tenantId);
    }
    const result = await run(client);
    client.release();
    return result;
  } catch (error) {
    sessionTenant.delete(client);
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}

/**
 * Statements of one tenant on whichever pooled connection is free (see {@link onTenantConnection}):
 * what committed reads run on, so the row-level security policies see the tenant.
 */
export function tenantQueryable(pool: PgPool, tenantId: string): Queryable {
  return {
    query: ((config: pg.QueryConfig) =>
      onTenantConnection(pool, tenantId, (client) => client.query(config))) as Pick<
      pg.PoolClient,
      'query'
    >['query'],
  };
}
