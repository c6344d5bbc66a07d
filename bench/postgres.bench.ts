/**
 * Postgres benchmark: the full pipeline (validate → dedupe → resolve identities → threads → one
 * unit of work per batch) into PostgreSQL, against the limit measured in the same run: the same
 * rows loaded with one `COPY … FROM STDIN` into the same table (same columns, same indexes).
 * Both read the same seeded synthetic stream. Then, at the largest size, the latency of what an
 * app asks most: a timeline page of a customer and a prefix search.
 *
 * Sizes: RAPPORT_BENCH_SIZES (comma-separated), default 100000,1000000.
 * Server: RAPPORT_BENCH_PG_URL, else RAPPORT_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/postgres
 * (a role that may create databases). The run works in a database of its own, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline as pipe } from 'node:stream/promises';
import { createRapport, deriveEffort, type InteractionInput, newId } from '@rapport/core';
import { migrate, postgresStorage } from '@rapport/storage-postgres';
import { syntheticStream } from '@rapport/testkit';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type BenchResult, type BenchRow, seededRandom, withMemoryPeak } from './harness.js';

const SEED = 7;
// Items per unit of work, as in the SQLite ingest benchmark.
const BATCH = 10_000;
const TENANT = 'default';
const TIMELINE_SAMPLES = 3_000;
const SEARCH_SAMPLES = 3_000;
const WARMUP = 200;

const sizes = (process.env.RAPPORT_BENCH_SIZES ?? '100000,1000000')
  .split(',')
  .map((s) => Number.parseInt(s, 10));

const serverUrl =
  process.env.RAPPORT_BENCH_PG_URL ??
  process.env.RAPPORT_TEST_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL without its password, for messages. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** The same server URL, pointing at another database. */
function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A full CHECKPOINT before each timed phase, so neither pays for the other's dirty pages. */
async function checkpoint(admin: pg.Client): Promise<void> {
  await admin.query('CHECKPOINT').catch(() => {});
}

async function runPipeline(
  url: string,
  schema: string,
  n: number,
): Promise<{ seconds: number; peakHeapMb: number; peakRssMb: number; created: number }> {
  const rapport = createRapport({ storage: postgresStorage({ connectionString: url, schema }) });
  await rapport.start();
  try {
    const { value, peakHeapMb, peakRssMb } = await withMemoryPeak(async () => {
      const started = performance.now();
      const summary = await rapport.ingestStream(syntheticStream({ seed: SEED, interactions: n }), {
        batchSize: BATCH,
      });
      return { seconds: (performance.now() - started) / 1000, summary };
    });
    if (value.summary.counts.rejected > 0)
      throw new Error(`pipeline rejected ${value.summary.counts.rejected} items`);
    return { seconds: value.seconds, peakHeapMb, peakRssMb, created: value.summary.counts.created };
  } finally {
    await rapport.stop();
  }
}

const ts = (value: Date | string | number) =>
  value instanceof Date ? value.getTime() : new Date(value).getTime();

/** One value in COPY's text format: `\N` for null, backslash, tab and line breaks escaped. */
function field(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

// The interactions table of the plugin's migrations, column for column.
const COPY_COLUMNS = `tenant_id, id, channel, account, external_id, version, customer_id, conversation_id, identity_id,
  occurred_at, received_at, direction, kind, effort, language, actor_external_id, actor_handle, thread, parent,
  amount, currency, referred_identity_id, referred_customer_id, text, scores, metadata`;

/**
 * The limit: the same items as the rows the pipeline stores (customer, identity and conversation
 * ids filled in, so the same indexes are written), streamed through one `COPY … FROM STDIN` (text
 * format) into the plugin's own schema (created by its migrations). Ids come from plain maps, as
 * in the SQLite benchmark: all that "resolution" costs when nothing is checked or kept. COPY has
 * no `ON CONFLICT`, so the later versions of an item (edits) are skipped with a set of keys, as
 * the SQLite limit's `INSERT OR IGNORE` skips them.
 */
async function runCopy(url: string, schema: string, n: number): Promise<{ seconds: number; rows: number }> {
  const setup = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await migrate(setup, { schema });
  } finally {
    await setup.end();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const now = Date.now();
    const customers = new Map<string, string>();
    const conversations = new Map<string, string>();
    const seen = new Set<string>();
    const idFor = (map: Map<string, string>, key: string) => {
      let id = map.get(key);
      if (id === undefined) {
        id = newId();
        map.set(key, id);
      }
      return id;
    };
    function* chunks(): Generator<string> {
      let chunk = '';
      let inChunk = 0;
      for (const item of syntheticStream({ seed: SEED, interactions: n }) as Iterable<InteractionInput>) {
        const key = `${item.channel}\u0000${item.account}\u0000${item.externalId}`;
        if (seen.has(key)) continue;
        seen.add(key);
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
        chunk += `${[
          TENANT,
          newId(),
          field(item.channel),
          field(item.account),
          field(item.externalId),
          item.version ?? 0,
          field(customerId),
          field(conversationId),
          field(customerId),
          ts(item.occurredAt),
          now,
          item.direction,
          field(item.kind),
          deriveEffort(item.kind, item.text),
          field(item.language),
          field(item.actor.externalId),
          field(item.actor.handle),
          field(item.thread),
          field(item.parent),
          field(item.amount),
          field(item.currency),
          '\\N',
          '\\N',
          field(item.text),
          '\\N',
          field(metadata),
        ].join('\t')}\n`;
        if (++inChunk === 1_000) {
          yield chunk;
          chunk = '';
          inChunk = 0;
        }
      }
      if (chunk.length > 0) yield chunk;
    }
    const started = performance.now();
    const copy = client.query(copyFrom(`COPY "${schema}".interactions (${COPY_COLUMNS}) FROM STDIN`));
    await pipe(Readable.from(chunks()), copy);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, rows: copy.rowCount };
  } finally {
    await client.end();
  }
}

interface Latency {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanResults: number;
}

async function timed(
  count: number,
  next: (i: number) => () => Promise<number>,
): Promise<{ sorted: number[]; results: number }> {
  for (let i = 0; i < WARMUP; i++) await next(i)();
  const times: number[] = [];
  let results = 0;
  for (let i = 0; i < count; i++) {
    const call = next(WARMUP + i);
    const started = performance.now();
    results += await call();
    times.push(performance.now() - started);
  }
  return { sorted: times.sort((a, b) => a - b), results };
}

function summarize(t: { sorted: number[]; results: number }): Latency {
  return {
    samples: t.sorted.length,
    p50Ms: percentile(t.sorted, 50),
    p95Ms: percentile(t.sorted, 95),
    p99Ms: percentile(t.sorted, 99),
    maxMs: t.sorted[t.sorted.length - 1]!,
    meanResults: t.results / t.sorted.length,
  };
}

/**
 * Timeline pages and prefix searches through the public API, one at a time, on the pipeline's
 * data: random active customers, and 2–3 letter prefixes cut from real display names, handles and
 * emails (drawn with a seeded generator). The first calls of each are a warm-up, not counted.
 */
async function runLatency(url: string, schema: string): Promise<{ timeline: Latency; search: Latency }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  let ids: string[];
  let names: string[];
  try {
    // What autovacuum does after a bulk load; the planner then knows the tables' sizes.
    await db.query(`ANALYZE "${schema}".interactions, "${schema}".customers, "${schema}".identities`);
    ids = (
      await db.query<{ id: string }>(
        `SELECT id FROM "${schema}".customers WHERE tenant_id = $1 AND status = 'active' ORDER BY id`,
        [TENANT],
      )
    ).rows.map((r) => r.id);
    names = (
      await db.query<{ s: string }>(
        `SELECT display_name AS s FROM "${schema}".customers WHERE tenant_id = $1 AND display_name IS NOT NULL
         UNION ALL SELECT handle FROM "${schema}".identities WHERE tenant_id = $1 AND handle IS NOT NULL
         UNION ALL SELECT email FROM "${schema}".identities WHERE tenant_id = $1 AND email IS NOT NULL
         ORDER BY 1`,
        [TENANT],
      )
    ).rows
      .map((r) => r.s)
      .filter((s) => s.length >= 3);
  } finally {
    await db.end();
  }
  if (ids.length === 0 || names.length === 0) throw new Error('no customers to query');
  const rapport = createRapport({ storage: postgresStorage({ connectionString: url, schema }) });
  await rapport.start();
  try {
    const pick = seededRandom(SEED);
    const timeline = await timed(TIMELINE_SAMPLES, () => {
      const id = ids[Math.floor(pick() * ids.length)]!;
      return async () => (await rapport.customers.timeline(id, { limit: 50 })).items.length;
    });
    const search = await timed(SEARCH_SAMPLES, () => {
      const name = names[Math.floor(pick() * names.length)]!;
      const prefix = name.slice(0, pick() < 0.5 ? 2 : 3);
      return async () => (await rapport.customers.search(prefix)).length;
    });
    return { timeline: summarize(timeline), search: summarize(search) };
  } finally {
    await rapport.stop();
  }
}

/** Frees a size's tables before the next size. */
async function dropSchema(url: string, schema: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`DROP SCHEMA "${schema}" CASCADE`);
  } finally {
    await db.end();
  }
}

/** Connects to the server, or explains what to set and exits. */
async function connectAdmin(): Promise<pg.Client> {
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  try {
    await admin.connect();
    return admin;
  } catch (error) {
    console.error(
      `postgres benchmark: cannot reach a PostgreSQL server at ${shown(serverUrl)}: ${(error as Error).message}\n` +
        'Set RAPPORT_BENCH_PG_URL (or RAPPORT_TEST_PG_URL) to a server and a role that may create databases,\n' +
        'e.g. RAPPORT_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- postgres',
    );
    process.exit(1);
  }
}

export async function run(): Promise<BenchResult> {
  const admin = await connectAdmin();
  const database = `rapport_bench_${randomBytes(6).toString('hex')}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  };
  // Ctrl-C mid-run still drops the database.
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: dropping ${database}…`);
    drop()
      .catch((error: Error) => console.error(`could not drop ${database}: ${error.message}`))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!
    .v;
  await admin.query(`CREATE DATABASE "${database}"`);
  console.log(`postgres ${version} at ${shown(serverUrl)}, database ${database}`);
  const url = withDatabase(serverUrl, database);

  const rows: BenchRow[] = [];
  const ratios: Record<string, number> = {};
  const details: Record<string, unknown> = {
    seed: SEED,
    batchSize: BATCH,
    serverVersion: version,
    sizes: {},
  };
  try {
    const largest = sizes[sizes.length - 1]!;
    for (const n of sizes) {
      const label = n.toLocaleString('en-US');
      await checkpoint(admin);
      console.log(`postgres ${label} interactions: pipeline…`);
      const p = await runPipeline(url, `pipeline_${n}`, n);
      await checkpoint(admin);
      console.log(`postgres ${label} interactions: COPY…`);
      const c = await runCopy(url, `copy_${n}`, n);
      const pipelineRate = n / p.seconds;
      const copyRate = n / c.seconds;
      const ratio = pipelineRate / copyRate;
      rows.push(
        {
          size: n,
          path: 'rapport pipeline → postgres',
          seconds: p.seconds,
          'items/s': Math.round(pipelineRate),
          'peak heap MB': Math.round(p.peakHeapMb),
          'peak rss MB': Math.round(p.peakRssMb),
        },
        { size: n, path: 'COPY (limit)', seconds: c.seconds, 'items/s': Math.round(copyRate) },
        { size: n, path: 'ratio pipeline / COPY', 'items/s': Number(ratio.toFixed(3)) },
      );
      ratios[`postgres_pipeline_vs_copy_${n}`] = ratio;
      const entry: Record<string, unknown> = {
        pipeline: {
          seconds: p.seconds,
          interactionsPerSecond: pipelineRate,
          created: p.created,
          peakHeapMb: p.peakHeapMb,
          peakRssMb: p.peakRssMb,
        },
        copy: { seconds: c.seconds, rowsPerSecond: copyRate, rows: c.rows },
      };
      (details.sizes as Record<string, unknown>)[n] = entry;
      await dropSchema(url, `copy_${n}`);
      if (n === largest) {
        console.log(`postgres ${label} interactions: timeline and search latency…`);
        const latency = await runLatency(url, `pipeline_${n}`);
        entry.latency = latency;
        details.latency = { size: n, ...latency };
        for (const [what, l] of [
          ['timeline page (50)', latency.timeline],
          ['prefix search (2–3 letters)', latency.search],
        ] as const) {
          rows.push({
            size: n,
            path: what,
            'p50 ms': l.p50Ms,
            'p95 ms': l.p95Ms,
            'p99 ms': l.p99Ms,
            samples: l.samples,
          });
        }
        ratios.timeline_p95_ms = latency.timeline.p95Ms;
        ratios.search_p95_ms = latency.search.p95Ms;
      }
      await dropSchema(url, `pipeline_${n}`);
    }
    // The headline ratio is the one at the largest size.
    ratios.postgres_pipeline_vs_copy = ratios[`postgres_pipeline_vs_copy_${largest}`]!;
    return { rows, ratios, details };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await drop();
  }
}
