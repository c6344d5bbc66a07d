import { describeStorageConformance, type StorageUnderTest } from '@rapport/testkit/conformance';
import { postgresRawQueries, postgresStorage } from '../src/index.js';
import { uniqueName, useTestDatabase } from './pg.js';

// The store connects as an ordinary role, as an app would, so row-level security binds every
// statement of the suite (the admin role of the run is a superuser, which it never binds).
const db = useTestDatabase({ appRole: true });

/** A store on `schema` with raw queries on their own pool; `reopen` makes a new plugin on the same schema. */
function schemaStore(schema: string, dropOnCleanup: boolean): StorageUnderTest {
  const options = { connectionString: db.appUrl, schema, max: 4 };
  const storage = db.track(postgresStorage(options));
  const raw = db.track(postgresRawQueries(options));
  return {
    storage,
    raw,
    reopen: async () => schemaStore(schema, false),
    cleanup: async () => {
      await raw.close();
      await storage.close();
      if (dropOnCleanup) await db.sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

describeStorageConformance({
  name: 'postgres',
  propertyRuns: 15,
  // Each store under test gets a fresh, empty schema of its own.
  create: async () => schemaStore(uniqueName('s'), true),
});
