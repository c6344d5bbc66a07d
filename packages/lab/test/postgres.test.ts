import { createRapport } from '@rapport/core';
import { loadTwcs } from '@rapport/datasets';
import { postgresStorage } from '@rapport/storage-postgres';
import { createTestDatabase, type TestDatabase } from '@rapport/testkit/postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LabDataset, loadLabDataset, parseDatasetSpec } from '../src/index.js';
import { expectSameScores, fixtures } from './helpers.js';

// A database of this file's own in the Postgres of the run (RAPPORT_TEST_PG_URL, or embedded).
let database: TestDatabase;
let fromStore: LabDataset;
let fromFile: LabDataset;

beforeAll(async () => {
  database = await createTestDatabase(inject('pgAdminUrl'), 'rapport_lab_test');
  const rapport = createRapport({ storage: postgresStorage({ connectionString: database.url }) });
  await rapport.start();
  await rapport.ingestStream(loadTwcs(fixtures.twcs.slice('twcs:'.length)));
  await rapport.stop();
  [fromStore, fromFile] = await Promise.all([loadLabDataset(database.url), loadLabDataset(fixtures.twcs)]);
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

describe('a Postgres store', () => {
  it('is named by its URL, and the password never reaches the manifest', () => {
    expect(parseDatasetSpec('postgresql://ann:secret@db.example/crm?schema=s')).toEqual({
      loader: 'postgres',
      path: 'postgresql://ann:secret@db.example/crm?schema=s',
    });
    expect(() => parseDatasetSpec('postgres:crm')).toThrow(/is not a Postgres URL/);
    expect(fromStore.source.loader).toBe('postgres');
    expect(fromStore.source.files).toEqual([]);
    const url = new URL(database.url);
    if (url.password) expect(JSON.stringify(fromStore.source)).not.toContain(url.password);
  });

  it('scores exactly as the same data loaded from the file', async () => {
    expect(fromStore.customers).toHaveLength(fromFile.customers.length);
    expect(fromStore.interactions).toHaveLength(5000);
    expect(fromStore.now).toEqual(fromFile.now);
    await expectSameScores(fromStore, fromFile);
  });
});
