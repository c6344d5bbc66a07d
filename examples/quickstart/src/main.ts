/**
 * `npm start`: imports the Customer Support on Twitter sample into a fresh SQLite file and prints
 * a customer-360 summary. Pass another database path as the first argument to keep the default
 * one untouched (`npm start -- /tmp/try.db`), or a Postgres database to import into it instead
 * (`npm start -- --storage postgres://user@host/db`, in the schema `rapport_quickstart`).
 */
import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type QuickstartResult, runQuickstart, sampleFile } from './quickstart.js';
import { renderSummary } from './summary.js';

const usage = 'usage: npm start -- [<file.db> | --storage postgres://user:password@host/db]';
let dbFile: string | undefined;
let storage: string | undefined;
try {
  const { values, positionals } = parseArgs({
    options: { storage: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length > 1 || (positionals.length > 0 && values.storage !== undefined)) {
    throw new Error('give either a database file or --storage <url>, not both');
  }
  dbFile = positionals[0];
  storage = values.storage;
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n${usage}\n`);
  process.exit(1);
}

const started = performance.now();
// Paths below the current directory are shown short; others in full.
const here = (path: string) => {
  const short = relative(process.cwd(), path);
  return short === '' || short.startsWith('..') || isAbsolute(short) ? path : short;
};

process.stdout.write(
  `Importing ${here(sampleFile)} into ${storage === undefined ? 'SQLite' : 'Postgres'}…\n`,
);
// On a terminal the progress line rewrites itself; in a log every batch gets a line of its own.
const live = process.stdout.isTTY === true;
let result: QuickstartResult;
try {
  result = await runQuickstart({
    ...(dbFile ? { dbFile } : {}),
    ...(storage !== undefined ? { storage } : {}),
    onProgress: ({ processed, counts }) => {
      const line = `  ${processed.toLocaleString('en-US')} interactions (${counts.created.toLocaleString('en-US')} new, ${counts.rejected} rejected)`;
      process.stdout.write(live ? `\r${line}` : `${line}\n`);
    },
  });
} catch (error) {
  if (storage === undefined) throw error;
  // Postgres unreachable or refusing: a message, not a stack trace (the URL is shown masked).
  process.stderr.write(`${live ? '\n' : ''}error: ${(error as Error).message}\n`);
  process.exit(1);
}
if (live) process.stdout.write('\n');

const { imported } = result;
const seconds = (imported.durationMs / 1000).toFixed(1);
const rate = Math.round(imported.processed / (imported.durationMs / 1000)).toLocaleString('en-US');
const into =
  result.store === 'postgres' ? `${result.location}, schema ${result.schema}` : here(result.location);
process.stdout.write(
  `Imported ${imported.processed.toLocaleString('en-US')} interactions in ${seconds} s (${rate}/s) into ${into}\n\n`,
);
process.stdout.write(renderSummary(result.summary));
process.stdout.write(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
