import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const BATCH_SIZE = 200;
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts the child and resolves with it once it has acknowledged `batches` batches. */
function startChild(
  filename: string,
  batches: number,
): Promise<{ child: ChildProcess; acknowledged: () => number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@rapport/source', join(here, 'crash-child.ts'), filename],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let acknowledged = -1;
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
      if (acknowledged >= batches) resolvePromise({ child, acknowledged: () => acknowledged });
    });
    child.on('exit', (code, signal) => {
      if (acknowledged < batches) reject(new Error(`child exited early (${code ?? signal}): ${stderr}`));
    });
  });
}

describe('crash safety', () => {
  it.each([3, 11, 25])(
    'a child killed with SIGKILL mid-ingest (after %i acknowledged batches) leaves every unit of work whole or absent',
    async (batches) => {
      const dir = mkdtempSync(join(tmpdir(), 'rapport-crash-'));
      dirs.push(dir);
      const filename = join(dir, 'crash.db');
      const { child, acknowledged } = await startChild(filename, batches);
      // Let it get well into the next batch: the kill lands at an arbitrary point of a unit of work.
      await new Promise((r) => setTimeout(r, 5 + batches));
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      const lastAcknowledged = acknowledged();

      const db = new Database(filename);
      try {
        const perBatch = db
          .prepare(
            `SELECT substr(external_id, 2, instr(external_id, '-') - 2) AS batch, count(*) AS n
             FROM interactions GROUP BY batch`,
          )
          .all() as Array<{ batch: string; n: number }>;
        const sizes = new Map(perBatch.map((r) => [Number(r.batch), r.n]));
        // Every batch is whole: all of its items or none.
        for (const [batch, n] of sizes) expect([batch, n]).toEqual([batch, BATCH_SIZE]);
        // Every acknowledged batch is there; at most the one in flight beyond it.
        for (let b = 0; b <= lastAcknowledged; b++) expect(sizes.get(b)).toBe(BATCH_SIZE);
        expect(Math.max(...sizes.keys())).toBeLessThanOrEqual(lastAcknowledged + 1);
        // Customers and identities were written in the same units of work as their interactions.
        const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
        const interactions = count('SELECT count(*) AS n FROM interactions');
        expect(count('SELECT count(*) AS n FROM identities')).toBe(interactions);
        expect(count('SELECT count(*) AS n FROM customers')).toBe(interactions);
        expect(
          count(`SELECT count(*) AS n FROM interactions i LEFT JOIN identities d ON d.tenant_id = i.tenant_id AND d.id = i.identity_id
                 WHERE d.id IS NULL OR d.customer_id <> i.customer_id`),
        ).toBe(0);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    },
    60_000,
  );
});
