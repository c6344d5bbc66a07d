/**
 * Child process for the concurrent-writers test: ingests the seeded synthetic stream into the
 * Postgres schema given on the command line, in batches of the given size, and prints the counts.
 * Several of these run at once on the same database, over the same (overlapping) items.
 */
import { createRapport } from '@rapport/core';
import { syntheticStream } from '@rapport/testkit';
import { postgresStorage } from '../src/index.js';

const [url, schema, interactions, batchSize] = process.argv.slice(2);
if (!url || !schema || !interactions || !batchSize) {
  throw new Error('usage: ingest-child <url> <schema> <interactions> <batch size>');
}

const rapport = createRapport({ storage: postgresStorage({ connectionString: url, schema, max: 2 }) });
await rapport.start();
const summary = await rapport.ingestStream(syntheticStream({ seed: 7, interactions: Number(interactions) }), {
  batchSize: Number(batchSize),
});
await rapport.stop();
process.stdout.write(`${JSON.stringify(summary.counts)}\n`);
