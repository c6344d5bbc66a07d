import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interactionKeyString } from '@rapport/core';
import { syntheticStream } from '@rapport/testkit';
import { describe, expect, it } from 'vitest';
import { postgresStorage } from '../src/index.js';
import { uniqueName, useTestDatabase } from './pg.js';

const db = useTestDatabase();
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const INTERACTIONS = 6000;

/** Runs one ingesting process to its end; resolves with its counts. */
function ingestInChild(schema: string, batchSize: number): Promise<Record<string, number>> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@rapport/source',
      join(here, 'ingest-child.ts'),
      db.url,
      schema,
      String(INTERACTIONS),
      String(batchSize),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += String(chunk);
  });
  return new Promise((resolvePromise, reject) => {
    child.on('close', (code) => {
      if (code === 0) resolvePromise(JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

describe('concurrent writers', () => {
  it('two processes ingesting the same items at once end consistent: one customer per identity, each item once', async () => {
    const schema = uniqueName('concurrent');
    // Create the schema first, so both children start on a migrated store.
    const setup = postgresStorage({ connectionString: db.url, schema });
    await setup.init({ logger: console, clock: { now: () => new Date() } });
    await setup.close();

    // Different batch sizes, so the processes' units of work overlap differently.
    const [a, b] = await Promise.all([ingestInChild(schema, 400), ingestInChild(schema, 700)]);
    expect((a.rejected ?? 0) + (b.rejected ?? 0)).toBe(0);

    const keys = new Set<string>();
    for (const item of syntheticStream({ seed: 7, interactions: INTERACTIONS })) {
      keys.add(interactionKeyString(item));
    }
    const count = async (sql: string) => Number((await db.sql(sql)).rows[0].n);
    // Every item stored once, whoever stored it.
    expect(await count(`SELECT count(*) AS n FROM ${schema}.interactions`)).toBe(keys.size);
    expect(
      await count(
        `SELECT count(*) AS n FROM (SELECT 1 FROM ${schema}.interactions GROUP BY tenant_id, channel, account, external_id HAVING count(*) > 1) d`,
      ),
    ).toBe(0);
    // One identity per (channel, externalId), pointing at an existing customer.
    expect(
      await count(
        `SELECT count(*) AS n FROM (SELECT 1 FROM ${schema}.identities GROUP BY tenant_id, channel, external_id HAVING count(*) > 1) d`,
      ),
    ).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM ${schema}.identities i LEFT JOIN ${schema}.customers c
             ON c.tenant_id = i.tenant_id AND c.id = i.customer_id WHERE c.id IS NULL`,
      ),
    ).toBe(0);
    // An interaction belongs to the owner of its identity.
    expect(
      await count(
        `SELECT count(*) AS n FROM ${schema}.interactions x JOIN ${schema}.identities i
             ON i.tenant_id = x.tenant_id AND i.id = x.identity_id WHERE x.customer_id IS DISTINCT FROM i.customer_id`,
      ),
    ).toBe(0);
    // No customer left without an identity by a unit of work that lost a race.
    expect(
      await count(
        `SELECT count(*) AS n FROM ${schema}.customers c WHERE c.status = 'active' AND NOT EXISTS
             (SELECT 1 FROM ${schema}.identities i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id)`,
      ),
    ).toBe(0);
  }, 120_000);
});
