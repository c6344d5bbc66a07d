import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRapport, type IngestStreamOptions, type IngestStreamSummary } from '@rapport/core';
import { loadTwcs } from '@rapport/datasets';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { buildSummary, type QuickstartSummary } from './summary.js';

/** The sample the quickstart imports: the first 5,000 tweets of Customer Support on Twitter. */
export const sampleFile = fileURLToPath(
  new URL('../../../fixtures/twcs/twcs_first5000.csv', import.meta.url),
);

/** The rules the quickstart runs while importing: plain JSON, no code (see docs/rules.md). */
export const defaultRulesFile = fileURLToPath(new URL('../rules.json', import.meta.url));

/** Where `npm start` keeps its database (git-ignored). */
export const defaultDbFile = fileURLToPath(new URL('../data/quickstart.db', import.meta.url));

/** Options of {@link runQuickstart}. */
export interface QuickstartOptions {
  /** SQLite file to create; an existing one is deleted first, so every run starts fresh. */
  dbFile?: string;
  /** twcs CSV to import (default: the repository's sample). */
  sampleFile?: string;
  /** Rule file to run while importing (default: the example's `rules.json`; null for none). */
  rulesFile?: string | null;
  /** Called after every batch with the running totals. */
  onProgress?: IngestStreamOptions['onProgress'];
}

/** What {@link runQuickstart} did and found. */
export interface QuickstartResult {
  dbFile: string;
  imported: IngestStreamSummary;
  summary: QuickstartSummary;
}

/**
 * Imports the twcs sample into a fresh SQLite file and builds the customer-360 summary: the whole
 * quickstart, without printing anything.
 */
export async function runQuickstart(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const dbFile = options.dbFile ?? defaultDbFile;
  // The database and its WAL files: a leftover -wal from an older run must not be replayed.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });

  const rulesFile = options.rulesFile === undefined ? defaultRulesFile : options.rulesFile;
  const rules = rulesFile === null ? [] : (JSON.parse(readFileSync(rulesFile, 'utf8')) as unknown);
  const rapport = createRapport({
    storage: sqliteStorage({ filename: dbFile }),
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
    return { dbFile, imported, summary };
  } finally {
    await rapport.stop();
  }
}
