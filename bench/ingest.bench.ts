/**
 * Ingest benchmark: the full pipeline (validate → dedupe → resolve identities → threads → one
 * unit of work per batch) into SQLite, against the physical limit measured in the same run: the
 * same rows inserted with one better-sqlite3 prepared statement in one transaction, into the
 * same schema (same table, same indexes). Both read the same seeded synthetic stream, which is
 * generated lazily so memory stays flat as the input grows.
 *
 * Sizes: RAPPORT_BENCH_SIZES (comma-separated), default 100000,1000000.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRapport, deriveEffort, type InteractionInput, newId } from '@rapport/core';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { syntheticStream } from '@rapport/testkit';
import { openWriter } from '../plugins/storage-sqlite/src/connection.js';
import { type BenchResult, type BenchRow, collectGarbage, withMemoryPeak } from './harness.js';

const SEED = 7;
// Items per unit of work: big enough that a commit rewrites each index page once for many rows.
const BATCH = 10_000;

const sizes = (process.env.RAPPORT_BENCH_SIZES ?? '100000,1000000')
  .split(',')
  .map((s) => Number.parseInt(s, 10));

/** Heap still in use after a full collection (needs --expose-gc, which `npm run bench` passes). */
function retainedHeapMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** Every this many items the pipeline's retained heap is sampled (a forced GC, so not too often). */
const HEAP_SAMPLE_EVERY = 100_000;

async function pipeline(
  dir: string,
  n: number,
): Promise<{
  seconds: number;
  peakHeapMb: number;
  peakRssMb: number;
  retainedHeapMb: number;
  created: number;
}> {
  const rapport = createRapport({ storage: sqliteStorage({ filename: join(dir, 'pipeline.db') }) });
  await rapport.start();
  const { value, peakHeapMb, peakRssMb } = await withMemoryPeak(async () => {
    const started = performance.now();
    let retained = 0;
    const summary = await rapport.ingestStream(syntheticStream({ seed: SEED, interactions: n }), {
      batchSize: BATCH,
      onProgress: ({ processed }) => {
        if (processed % HEAP_SAMPLE_EVERY === 0) retained = Math.max(retained, retainedHeapMb());
      },
    });
    return { seconds: (performance.now() - started) / 1000, summary, retained };
  });
  await rapport.stop();
  if (value.summary.counts.rejected > 0)
    throw new Error(`pipeline rejected ${value.summary.counts.rejected} items`);
  return {
    seconds: value.seconds,
    peakHeapMb,
    peakRssMb,
    retainedHeapMb: value.retained,
    created: value.summary.counts.created,
  };
}

const ts = (value: Date | string | number) =>
  value instanceof Date ? value.getTime() : new Date(value).getTime();

/**
 * The limit: the same items as the rows the pipeline stores (customer, identity and conversation
 * ids filled in, so the same indexes are written), one prepared INSERT, one transaction, same
 * schema. Ids come from plain maps: all that "resolution" costs when nothing is checked or kept.
 * The connection is opened by the store's own code, so it runs with the store's pragmas (page
 * cache, journal, synchronous...): a limit with a smaller cache would flatter the ratio.
 */
async function rawInsert(dir: string, n: number): Promise<{ seconds: number; rows: number }> {
  const filename = join(dir, 'raw.db');
  const schema = sqliteStorage({ filename });
  await schema.init({
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    clock: { now: () => new Date() },
  });
  await schema.close();
  const { db } = openWriter(schema.options);
  const insert =
    db.prepare(`INSERT OR IGNORE INTO interactions (tenant_id, id, channel, account, external_id, version, customer_id,
    conversation_id, identity_id, occurred_at, received_at, direction, kind, effort, language, actor_external_id, actor_handle,
    thread, parent, amount, currency, referred_identity_id, referred_customer_id, text, scores, metadata)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const now = Date.now();
  const started = performance.now();
  let rows = 0;
  const customers = new Map<string, string>();
  const conversations = new Map<string, string>();
  const idFor = (map: Map<string, string>, key: string) => {
    let id = map.get(key);
    if (id === undefined) {
      id = newId();
      map.set(key, id);
    }
    return id;
  };
  const insertAll = db.transaction(() => {
    for (const item of syntheticStream({ seed: SEED, interactions: n }) as Iterable<InteractionInput>) {
      const metadata =
        item.metadata && Object.keys(item.metadata).length > 0 ? JSON.stringify(item.metadata) : null;
      const person = item.direction === 'inbound' ? item.actor : item.recipient;
      const customerId = person
        ? idFor(customers, `${person.channel ?? item.channel}:${person.externalId}`)
        : null;
      const conversationId = idFor(
        conversations,
        `${item.channel}:${item.account}:${item.thread ?? item.parent ?? item.externalId}`,
      );
      rows += insert.run(
        'default',
        newId(),
        item.channel,
        item.account,
        item.externalId,
        item.version ?? 0,
        customerId,
        conversationId,
        customerId,
        ts(item.occurredAt),
        now,
        item.direction,
        item.kind,
        deriveEffort(item.kind, item.text),
        item.language ?? null,
        item.actor.externalId,
        item.actor.handle ?? null,
        item.thread ?? null,
        item.parent ?? null,
        item.amount ?? null,
        item.currency ?? null,
        null,
        null,
        item.text ?? null,
        null,
        metadata,
      ).changes;
    }
  });
  insertAll();
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { seconds, rows };
}

export async function run(): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  const ratios: Record<string, number> = {};
  const details: Record<string, unknown> = { seed: SEED, batchSize: BATCH, sizes: {} };
  const heapBySize: number[] = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-'));
    try {
      console.log(`ingest ${n.toLocaleString('en-US')} interactions: pipeline…`);
      const p = await pipeline(dir, n);
      console.log(`ingest ${n.toLocaleString('en-US')} interactions: raw prepared insert…`);
      const r = await rawInsert(dir, n);
      const pipelineRate = n / p.seconds;
      const rawRate = n / r.seconds;
      const ratio = pipelineRate / rawRate;
      heapBySize.push(p.retainedHeapMb);
      rows.push(
        {
          size: n,
          path: 'rapport pipeline → sqlite',
          seconds: p.seconds,
          'items/s': Math.round(pipelineRate),
          'retained heap MB': Math.round(p.retainedHeapMb),
          'peak heap MB': Math.round(p.peakHeapMb),
          'peak rss MB': Math.round(p.peakRssMb),
        },
        { size: n, path: 'raw prepared insert (limit)', seconds: r.seconds, 'items/s': Math.round(rawRate) },
        { size: n, path: 'ratio pipeline / raw', 'items/s': Number(ratio.toFixed(3)) },
      );
      ratios[`sqlite_pipeline_vs_raw_insert_${n}`] = ratio;
      (details.sizes as Record<string, unknown>)[n] = {
        pipeline: {
          seconds: p.seconds,
          interactionsPerSecond: pipelineRate,
          created: p.created,
          retainedHeapMb: p.retainedHeapMb,
          peakHeapMb: p.peakHeapMb,
          peakRssMb: p.peakRssMb,
        },
        raw: { seconds: r.seconds, rowsPerSecond: rawRate, rows: r.rows },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // The headline ratio is the one at the largest size.
  ratios.sqlite_pipeline_vs_raw_insert = ratios[`sqlite_pipeline_vs_raw_insert_${sizes[sizes.length - 1]}`]!;
  if (heapBySize.length > 1)
    ratios.retained_heap_largest_vs_smallest = heapBySize[heapBySize.length - 1]! / heapBySize[0]!;
  return { rows, ratios, details };
}
