import { resolve } from 'node:path';
import {
  createRapport,
  type InteractionKindRegistry,
  memoryStorage,
  parsePluginOptions,
  type Rapport,
  redactUrl,
  type StoragePlugin,
  tenantIdSchema,
} from '@rapport/core';
import { datasetFormats, stackExchangeKinds } from '@rapport/datasets';
import { defaultAnonymousActors } from '@rapport/scoring-advocacy';
import { postgresStorage } from '@rapport/storage-postgres';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { z } from 'zod';
import { LAB } from '../errors.js';
import { buildLabDataset, type LabDataset, type LabDatasetLoad, type LabDatasetSource } from './dataset.js';
import { datasetFiles, fingerprint } from './files.js';
import { readStore } from './read-store.js';
import { parseDatasetSpec } from './spec.js';

/** The Community user of every Stack Exchange site: a bot that bumps and edits posts. */
const STACK_EXCHANGE_COMMUNITY_BOT = 'stackexchange:-1';

/** Schema of {@link LabDatasetOptions}. */
export const labDatasetOptionsSchema = z
  .object({
    cwd: z
      .string()
      .min(1)
      .optional()
      .describe('Directory a relative path is read from (default: the process’s current directory)'),
    tenant: tenantIdSchema
      .default('default')
      .describe('Tenant to read from a store, or to ingest a file into (it makes no difference to scores)'),
    excludeActors: z
      .array(z.string().min(1))
      .default([...defaultAnonymousActors, STACK_EXCHANGE_COMMUNITY_BOT])
      .describe(
        'Actors whose customers are left out of the population, as an external id on any channel or `<channel>:<externalId>` (default: the anonymous voter and deleted user of Stack Exchange dumps, and its Community bot)',
      ),
    kinds: z
      .custom<InteractionKindRegistry>((value) => typeof value === 'object' && value !== null)
      .optional()
      .describe(
        'Custom interaction kinds of a jsonl file, with their effort class (stackexchange registers its own)',
      ),
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1000)
      .describe('Items per unit of work while ingesting a file'),
  })
  .strict();

/** Options of {@link loadLabDataset}. */
export type LabDatasetOptions = z.input<typeof labDatasetOptionsSchema>;

/** Starts a Rapport on `storage`, lets `fill` ingest into it, reads the tenant back, stops it. */
async function readThrough(
  storage: StoragePlugin,
  tenant: string,
  kinds: InteractionKindRegistry | undefined,
  fill: (rapport: Rapport) => Promise<LabDatasetLoad>,
) {
  const rapport = createRapport({ storage, tenant, ...(kinds ? { kinds } : {}) });
  await rapport.start();
  try {
    const load = await fill(rapport);
    return { load, contents: await readStore(storage.read(tenant)) };
  } finally {
    await rapport.stop();
  }
}

/**
 * Loads a dataset for the lab from `<loader>:<path>`:
 *
 * - a `@rapport/datasets` format (`twcs`, `stackexchange`, `cdnow`, `jsonl`): the file is ingested
 *   into a fresh in-memory Rapport, so customers are resolved by Rapport's identity resolution
 *   exactly as in production, then read back with their timelines;
 * - `sqlite:<file>`: a Rapport SQLite store, read as it is (tenant `tenant`);
 * - `postgres://user@host/db` (`?schema=<name>` for another schema): a Rapport Postgres store,
 *   read as it is; the manifest records the URL without its password.
 *
 * Customers of the actors in `excludeActors` (synthetic ones and bots) leave the ranked
 * population; their interactions stay, so votes still count for the answers they were cast on. The files read are hashed
 * (SHA-256) for the run's manifest; "now" is the last interaction's time.
 *
 * ```ts
 * const dataset = await loadLabDataset('stackexchange:fixtures/stackexchange-meta-conlang');
 * dataset.customers.length; // 70: the site's members, without the anonymous voter and the Community bot
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` (path `dataset`) for an unknown loader (the hint
 * lists them), a missing path or one of the wrong shape, or a dataset without interactions;
 * `RAPPORT_INVALID_OPTIONS` for invalid options; the loader's own error for a malformed file.
 */
export async function loadLabDataset(spec: string, options?: LabDatasetOptions): Promise<LabDataset> {
  const { cwd, tenant, excludeActors, kinds, batchSize } = parsePluginOptions(
    labDatasetOptionsSchema,
    options,
    'loadLabDataset',
    LAB,
  );
  const { loader, path: given } = parseDatasetSpec(spec);
  if (loader === 'postgres') {
    // A store reached by URL: nothing to hash, and the password stays out of the manifest.
    const shown = redactUrl(given);
    const source: LabDatasetSource = { spec: shown, loader, path: shown, tenant, files: [] };
    const { load, contents } = await readThrough(
      postgresStorage({ connectionString: given }),
      tenant,
      undefined,
      async () => ({}),
    );
    return buildLabDataset(contents, { source, load, idBy: 'customer', excludeActors });
  }
  const path = resolve(cwd ?? process.cwd(), given);
  const files = datasetFiles(loader, path);
  const source: LabDatasetSource = { spec, loader, path, tenant, files: await fingerprint(files) };

  if (loader === 'sqlite') {
    const { load, contents } = await readThrough(
      sqliteStorage({ filename: path }),
      tenant,
      undefined,
      async () => ({}),
    );
    return buildLabDataset(contents, { source, load, idBy: 'customer', excludeActors });
  }
  const registry = kinds ?? (loader === 'stackexchange' ? stackExchangeKinds : undefined);
  const { load, contents } = await readThrough(memoryStorage(), tenant, registry, async (rapport) => {
    const summary = await rapport.ingestStream(datasetFormats[loader](path), { batchSize });
    return { ...(summary.sourceResult ? { loader: summary.sourceResult } : {}), ingest: summary.counts };
  });
  return buildLabDataset(contents, { source, load, idBy: 'identity', excludeActors });
}
