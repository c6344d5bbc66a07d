import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@rapport/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';

export { uniqueName } from '@rapport/testkit/postgres';

/** Something to close when the test file ends (pools the tests opened). */
interface Closable {
  close(): Promise<void> | void;
}

/** What a test file gets from {@link useTestDatabase}. */
export interface UsedTestDatabase {
  /** The database, as the admin role of the run (a superuser: row-level security never binds it). */
  readonly url: string;
  /**
   * The database as an ordinary role, as an app should connect: not a superuser, no BYPASSRLS,
   * allowed to create schemas here (so it owns the tables it migrates). Only with `appRole: true`.
   */
  readonly appUrl: string;
  /** The name of that role. */
  readonly appRole: string;
  /** Registers something to close before the database is dropped. */
  track<T extends Closable>(closable: T): T;
  /** Runs SQL in this database as the admin role (on a connection of its own). */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

/**
 * A fresh database for this test file, created in the Postgres of the run before its tests and
 * dropped after them (with its app role, when asked for one). Call at the top level of a test file;
 * read `url` inside tests and hooks.
 */
export function useTestDatabase(options: { appRole?: boolean } = {}): UsedTestDatabase {
  let database: TestDatabase | undefined;
  let app: { role: string; url: string } | undefined;
  const open = new Set<Closable>();
  const current = () => {
    if (!database) throw new Error('the test database exists from beforeAll on');
    return database;
  };

  beforeAll(async () => {
    const adminUrl = inject('pgAdminUrl');
    database = await createTestDatabase(adminUrl);
    if (options.appRole) {
      const role = `${database.name}_app`;
      const password = randomBytes(12).toString('hex');
      await database.sql(
        `CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
      );
      await database.sql(`GRANT CONNECT, CREATE ON DATABASE ${database.name} TO ${role}`);
      const url = new URL(database.url);
      url.username = role;
      url.password = password;
      app = { role, url: url.toString() };
    }
  });
  afterAll(async () => {
    for (const closable of open) await Promise.resolve(closable.close()).catch(() => {});
    await database?.drop();
    // The role owned objects of the dropped database only, so it can go now.
    if (app) {
      const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
      await admin.connect();
      try {
        await admin.query(`DROP ROLE IF EXISTS ${app.role}`);
      } finally {
        await admin.end();
      }
    }
  });

  return {
    get url() {
      return current().url;
    },
    get appUrl() {
      if (!app) throw new Error('ask for it with useTestDatabase({ appRole: true })');
      return app.url;
    },
    get appRole() {
      if (!app) throw new Error('ask for it with useTestDatabase({ appRole: true })');
      return app.role;
    },
    track(closable) {
      open.add(closable);
      return closable;
    },
    sql(text, values) {
      return current().sql(text, values);
    },
  };
}
