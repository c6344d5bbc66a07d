import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRapport, type IngestStreamOptions, type IngestStreamSummary, redactUrl } from '@rapport/core';
import { loadTwcs } from '@rapport/datasets';
import { postgresStorage } from '@rapport/storage-postgres';
import { sqliteStorage } from '@rapport/storage-sqlite';
import pg from 'pg';
import { buildSummary, type QuickstartSummary } from './summary.js';

/** The sample the quickstart imports: the first 5,000 tweets of Customer Support on Twitter. */
export const sampleFile = fileURLToPath(
  new URL('../../../fixtures/twcs/twcs_first5000.csv', import.meta.url),
);

/** The rules the quickstart runs while importing: plain JSON, no code (see docs/rules.md). */
export const defaultRulesFile = fileURLToPath(new URL('../rules.json', import.meta.url));

/** Where `npm start` keeps its database (git-ignored). */
export const defaultDbFile = fileURLToPath(new URL('../data/quickstart.db', import.meta.url));

/** The Postgres schema the quickstart uses (dropped and created again at every run). */
export const QUICKSTART_SCHEMA = 'rapport_quickstart';

/** True when `location` is a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/** Options of {@link runQuickstart}. */
export interface QuickstartOptions {
  /** SQLite file to create; an existing one is deleted first, so every run starts fresh. */
  dbFile?: string;
  /**
   * A Postgres database URL (`postgres://user:password@host/db`) to import into instead of the
   * SQLite file. The quickstart works in a schema of its own, `schema`, dropped (with everything
   * in it) and created again at the start, so every run starts fresh.
   */
  storage?: string;
  /** The Postgres schema, with `storage` (default {@link QUICKSTART_SCHEMA}). */
  schema?: string;
  /** twcs CSV to import (default: the repository's sample). */
  sampleFile?: string;
  /** Rule file to run while importing (default: the example's `rules.json`; null for none). */
  rulesFile?: string | null;
  /** Called after every batch with the running totals. */
  onProgress?: IngestStreamOptions['onProgress'];
}

/** What {@link runQuickstart} did and found. */
export interface QuickstartResult {
  /** Which store the data went to. */
  store: 'sqlite' | 'postgres';
  /** The SQLite file (SQLite only). */
  dbFile?: string;
  /** Where the data went: the SQLite file, or the Postgres URL with its password masked. */
  location: string;
  /** The Postgres schema (Postgres only). */
  schema?: string;
  imported: IngestStreamSummary;
  summary: QuickstartSummary;
}

/** Drops the quickstart's Postgres schema (and everything in it), so the run starts fresh. */
async function dropSchema(connectionString: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`"${schema}" is not a schema name the quickstart uses (a-z, 0-9 and _)`);
  }
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } catch (error) {
    // pg's messages name the host, never the password; the URL is shown masked.
    throw new Error(`Cannot reach Postgres at ${redactUrl(connectionString)}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => {});
  }
}

/** The store of a run, started fresh: a deleted SQLite file, or a dropped Postgres schema. */
async function freshStore(options: QuickstartOptions) {
  if (options.storage !== undefined) {
    if (!isPostgresUrl(options.storage)) {
      throw new Error(
        `storage must be a postgres:// or postgresql:// URL (got ${redactUrl(options.storage)})`,
      );
    }
    const schema = options.schema ?? QUICKSTART_SCHEMA;
    await dropSchema(options.storage, schema);
    return {
      storage: postgresStorage({ connectionString: options.storage, schema }),
      where: { store: 'postgres', location: redactUrl(options.storage), schema } as const,
    };
  }
  const dbFile = options.dbFile ?? defaultDbFile;
  // The database and its WAL files: a leftover -wal from an older run must not be replayed.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
  return {
    storage: sqliteStorage({ filename: dbFile }),
    where: { store: 'sqlite', location: dbFile, dbFile } as const,
  };
}

/**
 * Imports the twcs sample into a fresh store (a SQLite file, or a Postgres schema with `storage`)
 * and builds the customer-360 summary: the whole quickstart, without printing anything.
 */
export async function runQuickstart(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const { storage, where } = await freshStore(options);

  const rulesFile = options.rulesFile === undefined ? defaultRulesFile : options.rulesFile;
  const rules = rulesFile === null ? [] : (JSON.parse(readFileSync(rulesFile, 'utf8')) as unknown);
  const rapport = createRapport({
    storage,
    // No time-triggered rules here, so no timer polling in a short-lived process.
    rules: { rules, timerPollMs: 0 },
  });
  await rapport.start();
  try {
    const imported = await rapport.ingestStream(loadTwcs(options.sampleFile ?? sampleFile), {
      batchSize: 500,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    // Rules run behind the pipeline; let them finish before reading what they did.
    await rapport.settle();
    const summary = await buildSummary(rapport);
    return { ...where, imported, summary };
  } finally {
    await rapport.stop();
  }
}
