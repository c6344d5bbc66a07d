/**
 * Child process for the concurrent-merges test, in one of two roles, on the Postgres schema given
 * on the command line:
 *
 * - `ingest <interactions> <batch size>`: ingests the seeded synthetic stream in batches, running a
 *   batch again when the store says another process changed what it read (as an app would), and
 *   prints the counts;
 * - `merge <ring> <direction> <seed>`: merges neighbours of a ring of customers (comma-separated
 *   ids) through `rapport.customers.merge`, walking the ring one way or the other, so merges chain
 *   and, against another process walking the other way, form cycles; now and then unmerges one of
 *   its own. It goes on until its stdin closes (the parent closes it when ingestion ends), then
 *   prints what it did.
 *
 * Several of these run at once on the same database.
 */
import { createRapport, isRapportError, type Rapport } from '@rapport/core';
import { syntheticStream } from '@rapport/testkit';
import { postgresStorage } from '../src/index.js';

const [url, schema, role, ...rest] = process.argv.slice(2);
if (!url || !schema || (role !== 'ingest' && role !== 'merge')) {
  throw new Error(
    'usage: merge-child <url> <schema> ingest <interactions> <batch> | merge <ring> <1|-1> <seed>',
  );
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` again while it fails with a retryable error (a concurrent change or a deadlock). */
async function retrying<T>(work: () => Promise<T>, retries: { count: number }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isRapportError(error) || !error.retryable || attempt >= 50) throw error;
      retries.count++;
      await sleep(Math.random() * Math.min(100, 2 ** attempt));
    }
  }
}

/** A small seeded generator (mulberry32), so each merger's choices repeat run to run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function ingest(rapport: Rapport, interactions: number, batchSize: number) {
  const counts: Record<string, number> = {};
  const retries = { count: 0 };
  let batch: unknown[] = [];
  const flush = async () => {
    const result = await retrying(() => rapport.ingest(batch), retries);
    for (const [status, n] of Object.entries(result.counts)) counts[status] = (counts[status] ?? 0) + n;
    batch = [];
  };
  for (const item of syntheticStream({ seed: 7, interactions })) {
    batch.push(item);
    if (batch.length === batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return { counts, retries: retries.count };
}

/** Follows `mergedInto` to the customer that holds a ring member now. */
async function canonical(rapport: Rapport, id: string): Promise<string> {
  let current = id;
  for (let hops = 0; hops < 100; hops++) {
    const customer = await rapport.customers.get(current);
    if (customer?.status !== 'merged' || customer.mergedInto === null) return current;
    current = customer.mergedInto;
  }
  throw new Error(`merge chain from ${id} does not end`);
}

async function merge(rapport: Rapport, ring: string[], direction: number, seed: number) {
  const pick = random(seed);
  const actor = `user:merger-${seed}`;
  const merges: Array<{ id: string; survivorId: string; absorbedId: string }> = [];
  const unmerged: string[] = [];
  const mine: string[] = [];
  const retries = { count: 0 };
  let refused = 0;
  let stdinOpen = true;
  process.stdin.on('end', () => {
    stdinOpen = false;
  });
  process.stdin.resume();
  for (let op = 0; stdinOpen || op < 30; op++) {
    if (mine.length > 0 && pick() < 0.25) {
      // Only this process undoes its merges, so each is still undoable whatever happened since.
      const mergeId = mine.pop()!;
      await retrying(() => rapport.customers.unmerge(mergeId, { actor }), retries);
      unmerged.push(mergeId);
    } else {
      const i = Math.floor(pick() * ring.length);
      const a = ring[i]!;
      const b = ring[(i + direction + ring.length) % ring.length]!;
      try {
        const record = await retrying(async () => {
          const [survivorId, absorbedId] = [await canonical(rapport, a), await canonical(rapport, b)];
          if (survivorId === absorbedId) return null;
          return rapport.customers.merge(survivorId, absorbedId, { actor, reason: 'concurrency test' });
        }, retries);
        if (record !== null) {
          merges.push({ id: record.id, survivorId: record.survivorId, absorbedId: record.absorbedId });
          mine.push(record.id);
        }
      } catch (error) {
        // Another process merged one of the two after we looked: merge the new survivor next time.
        if (!isRapportError(error) || error.code !== 'RAPPORT_MERGE_INVALID') throw error;
        refused++;
      }
    }
    await sleep(pick() * 10);
  }
  return { merges, unmerged, refused, retries: retries.count };
}

const rapport = createRapport({ storage: postgresStorage({ connectionString: url, schema, max: 2 }) });
await rapport.start();
const summary =
  role === 'ingest'
    ? await ingest(rapport, Number(rest[0]), Number(rest[1]))
    : await merge(rapport, rest[0]!.split(','), Number(rest[1]), Number(rest[2]));
await rapport.stop();
process.stdout.write(`${JSON.stringify(summary)}\n`);
