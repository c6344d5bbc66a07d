/**
 * Child process for the crash test: ingests numbered batches into the Postgres schema given on
 * the command line, forever, printing `committed <n>` after each batch is acknowledged. The
 * parent kills it with SIGKILL at an arbitrary moment, then starts it again to resume.
 */
import { createRapport } from '@rapport/core';
import { postgresStorage } from '../src/index.js';

const BATCH_SIZE = 200;

const [url, schema, from] = process.argv.slice(2);
if (!url || !schema) throw new Error('usage: crash-child <url> <schema> [first batch]');

const rapport = createRapport({ storage: postgresStorage({ connectionString: url, schema, max: 2 }) });
await rapport.start();
for (let batch = Number(from ?? 0); ; batch++) {
  const items = Array.from({ length: BATCH_SIZE }, (_, j) => ({
    channel: 'forum',
    account: 'community',
    externalId: `b${batch}-${j}`,
    direction: 'inbound' as const,
    kind: 'post',
    text: `post ${j} of batch ${batch} `.repeat(8),
    occurredAt: new Date(Date.UTC(2024, 0, 1) + batch * 1000 + j),
    actor: { externalId: `a${batch}-${j}`, handle: `user_${batch}_${j}` },
  }));
  const { counts } = await rapport.ingest(items);
  // A resumed run starts again at the batch in flight when it died: that one may be stored already.
  if (counts.created + counts.duplicate !== BATCH_SIZE)
    throw new Error(`batch ${batch}: ${JSON.stringify(counts)}`);
  process.stdout.write(`committed ${batch}\n`);
}
