/**
 * `npm start`: imports the Customer Support on Twitter sample into a fresh SQLite file and prints
 * a customer-360 summary. Pass another database path as the first argument to keep the default
 * one untouched (`npm start -- /tmp/try.db`).
 */
import { isAbsolute, relative } from 'node:path';
import { runQuickstart, sampleFile } from './quickstart.js';
import { renderSummary } from './summary.js';

const dbFile = process.argv[2];
const started = performance.now();
// Paths below the current directory are shown short; others in full.
const here = (path: string) => {
  const short = relative(process.cwd(), path);
  return short === '' || short.startsWith('..') || isAbsolute(short) ? path : short;
};

process.stdout.write(`Importing ${here(sampleFile)} into SQLite…\n`);
// On a terminal the progress line rewrites itself; in a log every batch gets a line of its own.
const live = process.stdout.isTTY === true;
const result = await runQuickstart({
  ...(dbFile ? { dbFile } : {}),
  onProgress: ({ processed, counts }) => {
    const line = `  ${processed.toLocaleString('en-US')} interactions (${counts.created.toLocaleString('en-US')} new, ${counts.rejected} rejected)`;
    process.stdout.write(live ? `\r${line}` : `${line}\n`);
  },
});
if (live) process.stdout.write('\n');

const { imported } = result;
const seconds = (imported.durationMs / 1000).toFixed(1);
const rate = Math.round(imported.processed / (imported.durationMs / 1000)).toLocaleString('en-US');
process.stdout.write(
  `Imported ${imported.processed.toLocaleString('en-US')} interactions in ${seconds} s (${rate}/s) into ${here(result.dbFile)}\n\n`,
);
process.stdout.write(renderSummary(result.summary));
process.stdout.write(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
