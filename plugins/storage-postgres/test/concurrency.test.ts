import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRapport, interactionKeyString, silentLogger } from '@rapport/core';
import { syntheticStream } from '@rapport/testkit';
import { describe, expect, it } from 'vitest';
import { postgresStorage } from '../src/index.js';
import { uniqueName, useTestDatabase } from './pg.js';

// The processes connect as an ordinary role, so row-level security binds them as it would an app.
const db = useTestDatabase({ appRole: true });
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
      db.appUrl,
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

/** A merge-child process: its stdin (the mergers stop when it closes) and its summary, once it exits. */
function mergeChild(args: string[]): {
  stdin: NodeJS.WritableStream;
  summary: Promise<Record<string, unknown>>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@rapport/source', join(here, 'merge-child.ts'), ...args],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += String(chunk);
  });
  const summary = new Promise<Record<string, unknown>>((resolvePromise, reject) => {
    child.on('close', (code) => {
      if (code === 0) resolvePromise(JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>);
      else reject(new Error(`merge-child ${args.slice(2).join(' ')} exited with ${code}: ${stderr}`));
    });
  });
  return { stdin: child.stdin, summary };
}

interface MergeSummary {
  merges: Array<{ id: string; survivorId: string; absorbedId: string }>;
  unmerged: string[];
  refused: number;
  retries: number;
}

describe('concurrent writers', () => {
  it('two processes ingesting the same items at once end consistent: one customer per identity, each item once', async () => {
    const schema = uniqueName('concurrent');
    // Create the schema first, so both children start on a migrated store.
    const setup = postgresStorage({ connectionString: db.appUrl, schema });
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

  it('processes merging in chains and cycles while others ingest end consistent, every merge recorded and undoable', async () => {
    const schema = uniqueName('merging');
    const total = 6000;
    const setup = db.track(postgresStorage({ connectionString: db.appUrl, schema, max: 2 }));
    await setup.init({ logger: silentLogger, clock: { now: () => new Date() } });
    // Every identity ever stored, recorded as it is inserted: none may go missing or appear twice.
    await db.sql(`CREATE TABLE ${schema}.stored_identities (id text PRIMARY KEY)`);
    await db.sql(`CREATE FUNCTION ${schema}.note_stored_identities() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO ${schema}.stored_identities SELECT id FROM inserted; RETURN NULL; END $$`);
    await db.sql(`CREATE TRIGGER note_stored AFTER INSERT ON ${schema}.identities REFERENCING NEW TABLE AS inserted
      FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.note_stored_identities()`);
    await db.sql(`GRANT INSERT ON ${schema}.stored_identities TO ${db.appRole}`);

    // The first quarter of the stream first, so the busiest customers exist before anyone merges them.
    const rapport = createRapport({ storage: setup });
    await rapport.start();
    const seed = [...syntheticStream({ seed: 7, interactions: total })].slice(0, total / 4);
    expect((await rapport.ingest(seed)).counts.rejected).toBe(0);
    const { rows: busiest } = await db.sql(
      `SELECT customer_id FROM ${schema}.interactions WHERE customer_id IS NOT NULL
       GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 10`,
    );
    const ring = busiest.map((r: { customer_id: string }) => r.customer_id).join(',');

    // Two processes ingest the whole stream (overlapping), two merge the busiest customers, walking
    // the ring in opposite directions, until ingestion is over.
    const ingesters = [
      mergeChild([db.appUrl, schema, 'ingest', String(total), '100']),
      mergeChild([db.appUrl, schema, 'ingest', String(total), '170']),
    ];
    const mergers = [
      mergeChild([db.appUrl, schema, 'merge', ring, '1', '1']),
      mergeChild([db.appUrl, schema, 'merge', ring, '-1', '2']),
    ];
    const ingested = await Promise.all(ingesters.map((c) => c.summary)).finally(() => {
      for (const m of mergers) m.stdin.end();
    });
    const merged = (await Promise.all(mergers.map((m) => m.summary))) as unknown as MergeSummary[];
    for (const i of ingested) expect((i.counts as Record<string, number>).rejected ?? 0).toBe(0);
    const reported = merged.flatMap((m) => m.merges);
    const undone = new Set(merged.flatMap((m) => m.unmerged));
    expect(reported.length).toBeGreaterThan(10);

    const count = async (sql: string) => Number((await db.sql(sql)).rows[0].n);
    const keys = new Set<string>();
    for (const item of syntheticStream({ seed: 7, interactions: total }))
      keys.add(interactionKeyString(item));
    /** What must hold whatever merges happened: nothing lost or doubled, nothing on a merged-away customer. */
    const consistent = async () => {
      expect(await count(`SELECT count(*) AS n FROM ${schema}.interactions`)).toBe(keys.size);
      expect(
        await count(
          `SELECT count(*) AS n FROM (SELECT 1 FROM ${schema}.interactions GROUP BY channel, account, external_id HAVING count(*) > 1) d`,
        ),
      ).toBe(0);
      expect(
        await count(
          `SELECT count(*) AS n FROM (SELECT 1 FROM ${schema}.identities GROUP BY channel, external_id HAVING count(*) > 1) d`,
        ),
      ).toBe(0);
      // Every identity ever stored is there, once.
      expect(
        await count(
          `SELECT count(*) AS n FROM ${schema}.identities i FULL JOIN ${schema}.stored_identities o ON o.id = i.id
           WHERE i.id IS NULL OR o.id IS NULL`,
        ),
      ).toBe(0);
      // Each identity belongs to one live customer; so does every interaction and conversation.
      for (const [table, column] of [
        ['identities', 'customer_id'],
        ['interactions', 'customer_id'],
        ['interactions', 'referred_customer_id'],
        ['conversations', 'customer_id'],
      ]) {
        expect([
          table,
          column,
          await count(
            `SELECT count(*) AS n FROM ${schema}.${table} x LEFT JOIN ${schema}.customers c ON c.id = x.${column}
             WHERE x.${column} IS NOT NULL AND c.status IS DISTINCT FROM 'active'`,
          ),
        ]).toEqual([table, column, 0]);
      }
      // An interaction belongs to the owner of its identity, a referral to the owner of the referred one.
      for (const [identity, customer] of [
        ['identity_id', 'customer_id'],
        ['referred_identity_id', 'referred_customer_id'],
      ]) {
        expect(
          await count(
            `SELECT count(*) AS n FROM ${schema}.interactions x JOIN ${schema}.identities i ON i.id = x.${identity}
             WHERE x.${customer} IS DISTINCT FROM i.customer_id`,
          ),
        ).toBe(0);
      }
    };
    await consistent();

    // Every merge the processes made is recorded as they made it, and those they undid as undone.
    const { rows: records } = await db.sql(
      `SELECT id, survivor_id, absorbed_id, unmerged_at IS NOT NULL AS undone FROM ${schema}.merges
       WHERE actor LIKE 'user:merger-%'`,
    );
    expect(records.length).toBe(reported.length);
    const byId = new Map(records.map((r: { id: string }) => [r.id, r]));
    for (const m of reported) {
      expect(byId.get(m.id)).toEqual({
        id: m.id,
        survivor_id: m.survivorId,
        absorbed_id: m.absorbedId,
        undone: undone.has(m.id),
      });
    }
    // A customer is merged exactly when an open merge record says so, into that record's survivor.
    expect(
      await count(
        `SELECT count(*) AS n FROM ${schema}.customers c FULL JOIN
           (SELECT * FROM ${schema}.merges WHERE unmerged_at IS NULL) m ON m.absorbed_id = c.id
         WHERE (c.status = 'merged' OR m.id IS NOT NULL)
           AND (m.id IS NULL OR c.status IS DISTINCT FROM 'merged' OR c.merged_into IS DISTINCT FROM m.survivor_id)`,
      ),
    ).toBe(0);

    // Unmerge still round-trips: undoing a merge whose survivor is live gives the absorbed customer
    // back what the merge moved and the survivor still holds, and merging it again restores exactly
    // who owns every identity, interaction and conversation.
    const owners = async () => {
      const { rows } = await db.sql(
        `SELECT 'i' || id AS k, customer_id AS v FROM ${schema}.identities
         UNION ALL SELECT 'x' || id, customer_id || '/' || coalesce(referred_customer_id, '') FROM ${schema}.interactions
         UNION ALL SELECT 'c' || id, customer_id FROM ${schema}.conversations`,
      );
      return new Map(rows.map((r: { k: string; v: string | null }) => [r.k, r.v]));
    };
    const identitiesOf = async (customerId: string) =>
      (
        await db.sql(`SELECT id FROM ${schema}.identities WHERE customer_id = $1 ORDER BY id`, [customerId])
      ).rows.map((r: { id: string }) => r.id);
    const { rows: top } = await db.sql(
      `SELECT m.id, m.survivor_id, m.absorbed_id, m.identity_ids FROM ${schema}.merges m
       JOIN ${schema}.customers s ON s.id = m.survivor_id AND s.status = 'active'
       WHERE m.unmerged_at IS NULL AND m.actor LIKE 'user:merger-%' ORDER BY m.at DESC, m.id DESC`,
    );
    expect(top.length).toBeGreaterThan(0);
    for (const m of top as Array<{
      id: string;
      survivor_id: string;
      absorbed_id: string;
      identity_ids: string[];
    }>) {
      const before = await owners();
      const held = m.identity_ids.filter((id) => before.get(`i${id}`) === m.survivor_id).sort();
      await rapport.customers.unmerge(m.id, { actor: 'user:test' });
      expect(await identitiesOf(m.absorbed_id)).toEqual(held);
      await consistent();
      await rapport.customers.merge(m.survivor_id, m.absorbed_id, { actor: 'user:test', reason: 'again' });
      expect(await owners()).toEqual(before);
    }

    // And undoing every merge still open, latest first, leaves every customer live and the store consistent.
    const { rows: open } = await db.sql(
      `SELECT id FROM ${schema}.merges WHERE unmerged_at IS NULL ORDER BY at DESC, id DESC`,
    );
    for (const { id } of open) await rapport.customers.unmerge(id, { actor: 'user:test' });
    await rapport.stop();
    expect(await count(`SELECT count(*) AS n FROM ${schema}.customers WHERE status <> 'active'`)).toBe(0);
    await consistent();
  }, 240_000);
});
