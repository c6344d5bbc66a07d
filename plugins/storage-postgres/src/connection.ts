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

/**
 * A client that runs one statement at a time, in call order: a unit of work is one connection,
 * and callers may still issue reads concurrently (`Promise.all`), which pg would otherwise
 * overlap on the wire (deprecated, and an error in pg 9).
 */
export function oneAtATime(client: Pick<pg.PoolClient, 'query'>): Queryable {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    query: ((config: pg.QueryConfig) => {
      const run = tail.then(
        () => client.query(config),
        () => client.query(config),
      );
      tail = run.catch(() => undefined);
      return run;
    }) as Pick<pg.PoolClient, 'query'>['query'],
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
