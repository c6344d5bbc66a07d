import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';

/** A name no other test run or file uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Something to close when the test file ends (pools the tests opened). */
interface Closable {
  close(): Promise<void> | void;
}

/**
 * A fresh database for this test file, created in the Postgres of the run before its tests and
 * dropped after them. Call at the top level of a test file; read `url` inside tests and hooks.
 */
export function useTestDatabase(): {
  readonly url: string;
  /** Registers something to close before the database is dropped. */
  track<T extends Closable>(closable: T): T;
  /** Runs SQL in this database (on a connection of its own). */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
} {
  const admin = inject('pgAdminUrl');
  const name = uniqueName('rapport_test');
  const url = (() => {
    const parsed = new URL(admin);
    parsed.pathname = `/${name}`;
    return parsed.toString();
  })();
  const open = new Set<Closable>();

  /** Runs SQL on a connection of its own, closed (socket and all) before it returns. */
  const once = async (connectionString: string, text: string, values?: unknown[]) => {
    const client = new pg.Client({ connectionString });
    client.on('error', () => {});
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    await once(admin, `CREATE DATABASE ${name}`);
  });
  afterAll(async () => {
    for (const closable of open) await Promise.resolve(closable.close()).catch(() => {});
    // A pool's `end()` resolves before its sockets are closed; forcing the drop while one still
    // closes would make the server kill it, and pg report that as an unhandled error.
    for (let i = 0; i < 50; i++) {
      const { rows } = await once(
        admin,
        'SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      if (rows[0]?.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await once(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  return {
    url,
    track(closable) {
      open.add(closable);
      return closable;
    },
    sql(text, values) {
      return once(url, text, values);
    },
  };
}
