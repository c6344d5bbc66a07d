import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { postgresStorage } from '../src/index.js';
import { uniqueName, useTestDatabase } from './pg.js';

const db = useTestDatabase();
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const BATCH_SIZE = 200;

/** Starts the child and resolves once it has acknowledged batch `until`. */
function startChild(
  schema: string,
  from: number,
  until: number,
): Promise<{ child: ChildProcess; acknowledged: () => number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@rapport/source',
      join(here, 'crash-child.ts'),
      db.url,
      schema,
      String(from),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let acknowledged = from - 1;
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolvePromise, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of String(chunk).split('\n')) {
        const match = /^committed (\d+)$/.exec(line);
        if (match) acknowledged = Number(match[1]);
      }
      if (acknowledged >= until) resolvePromise({ child, acknowledged: () => acknowledged });
    });
    child.on('exit', (code, signal) => {
      if (acknowledged < until) reject(new Error(`child exited early (${code ?? signal}): ${stderr}`));
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('crash safety', () => {
  it('SIGKILL during a bulk ingest loses no acknowledged batch and leaves no partial one; a restart resumes', async () => {
    const schema = uniqueName('crash');
    const first = await startChild(schema, 0, 5);
    // Let it get into the next batch: the kill lands at an arbitrary point of a unit of work.
    await new Promise((r) => setTimeout(r, 20));
    await kill(first.child);
    const acknowledged = first.acknowledged();

    const count = async (sql: string) => Number((await db.sql(sql)).rows[0].n);
    const perBatch = async () => {
      const { rows } = await db.sql(
        `SELECT split_part(substr(external_id, 2), '-', 1)::int AS batch, count(*)::int AS n
           FROM ${schema}.interactions GROUP BY 1`,
      );
      return new Map(rows.map((r: { batch: number; n: number }) => [r.batch, r.n]));
    };
    const sizes = await perBatch();
    for (const [batch, n] of sizes) expect([batch, n]).toEqual([batch, BATCH_SIZE]);
    for (let b = 0; b <= acknowledged; b++) expect(sizes.get(b)).toBe(BATCH_SIZE);
    expect(Math.max(...sizes.keys())).toBeLessThanOrEqual(acknowledged + 1);
    const interactions = await count(`SELECT count(*) AS n FROM ${schema}.interactions`);
    expect(await count(`SELECT count(*) AS n FROM ${schema}.identities`)).toBe(interactions);
    expect(await count(`SELECT count(*) AS n FROM ${schema}.customers`)).toBe(interactions);

    // A restart resumes from the batch that was in flight, and goes on.
    const second = await startChild(schema, acknowledged + 1, acknowledged + 3);
    await kill(second.child);
    const resumed = await perBatch();
    for (let b = 0; b <= acknowledged + 3; b++) expect(resumed.get(b)).toBe(BATCH_SIZE);
    for (const [batch, n] of resumed) expect([batch, n]).toEqual([batch, BATCH_SIZE]);

    // Nothing is left holding a lock or a half-open transaction.
    const store = db.track(postgresStorage({ connectionString: db.url, schema }));
    await store.init({ logger: console, clock: { now: () => new Date() } });
    expect((await store.read('default').stats()).interactions).toBe(
      await count(`SELECT count(*) AS n FROM ${schema}.interactions`),
    );
  }, 120_000);
});
