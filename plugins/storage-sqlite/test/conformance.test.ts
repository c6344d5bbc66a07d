import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StorageRawQueries } from '@rapport/core';
import { describeStorageConformance, type StorageUnderTest } from '@rapport/testkit/conformance';
import { sqliteRawQueries, sqliteRawQueriesFor, sqliteStorage } from '../src/index.js';

/** A store over `filename` with raw queries on their own connection; `reopen` makes a new plugin on the same file. */
function fileStore(dir: string, filename: string): StorageUnderTest {
  const storage = sqliteStorage({ filename });
  const raw = sqliteRawQueries(filename);
  return {
    storage,
    raw: raw satisfies StorageRawQueries,
    reopen: async () => fileStore(dir, filename),
    cleanup: async () => {
      raw.close();
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeStorageConformance({
  name: 'sqlite (file)',
  propertyRuns: 15,
  create: async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-sqlite-conformance-'));
    return fileStore(dir, path.join(dir, 'rapport.db'));
  },
});

describeStorageConformance({
  name: 'sqlite (:memory:)',
  propertyRuns: 15,
  create: async () => {
    const storage = sqliteStorage({ filename: ':memory:' });
    return { storage, raw: sqliteRawQueriesFor(storage), cleanup: async () => storage.close() };
  },
});
