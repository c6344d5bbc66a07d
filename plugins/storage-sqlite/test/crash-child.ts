/**
 * Child process for the crash test: ingests numbered batches into the SQLite file given as the
 * first argument, forever, printing `committed <n>` after each batch is acknowledged. The parent
 * kills it with SIGKILL at an arbitrary moment.
 */
import { createRapport } from '@rapport/core';
import { sqliteStorage } from '../src/index.js';

const BATCH_SIZE = 200;

const filename = process.argv[2];
if (!filename) throw new Error('usage: crash-child <db-file>');

const rapport = createRapport({ storage: sqliteStorage({ filename }) });
await rapport.start();
for (let batch = 0; ; batch++) {
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
  if (counts.created !== BATCH_SIZE) throw new Error(`batch ${batch}: ${JSON.stringify(counts)}`);
  process.stdout.write(`committed ${batch}\n`);
}
