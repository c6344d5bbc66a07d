import { createTestDatabase, type TestDatabase } from '@rapport/testkit/postgres';
import type pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';

export { uniqueName } from '@rapport/testkit/postgres';

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
  let database: TestDatabase | undefined;
  const open = new Set<Closable>();
  const current = () => {
    if (!database) throw new Error('the test database exists from beforeAll on');
    return database;
  };

  beforeAll(async () => {
    database = await createTestDatabase(inject('pgAdminUrl'));
  });
  afterAll(async () => {
    for (const closable of open) await Promise.resolve(closable.close()).catch(() => {});
    await database?.drop();
  });

  return {
    get url() {
      return current().url;
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
