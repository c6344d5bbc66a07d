import type { Customer, Identity, IngestCounts, Interaction } from '@rapport/core';
import type { LoadSummary } from '@rapport/datasets';
import { invalidInput } from '../errors.js';
import type { DatasetFile } from './files.js';
import { type LabLoaderName, storeLoaderNames } from './spec.js';

/** A customer of a lab dataset. */
export interface LabCustomer {
  /**
   * The customer's id in the lab's outputs. For a store (`sqlite:`), the Rapport customer id. For a
   * loaded file, the smallest of the customer's identity keys (`twitter:115712`), since the
   * customer ids Rapport gives a fresh in-memory store differ from run to run.
   */
  id: string;
  /** The handle (or, failing one, the display name) to show, if the data has one. */
  handle: string | null;
  /** The customer's identities as `<channel>:<externalId>`, sorted. */
  identities: readonly string[];
}

/** Where a dataset came from. */
export interface LabDatasetSource {
  /** `<loader>:<path>` as given (a Postgres URL with its password masked). */
  spec: string;
  loader: LabLoaderName;
  /** Absolute path of the file or folder; for Postgres, the URL with its password masked. */
  path: string;
  tenant: string;
  /** The files read, with their SHA-256 (none for a Postgres store). */
  files: DatasetFile[];
}

/** What loading did: the loader's account and the ingest counts (loaded files only). */
export interface LabDatasetLoad {
  loader?: LoadSummary;
  ingest?: IngestCounts;
}

/**
 * Customers and their interactions, as Rapport resolved them, ready to be scored by lab models.
 */
export interface LabDataset {
  source: LabDatasetSource;
  /** The population the models rank, sorted by id. */
  customers: readonly LabCustomer[];
  /**
   * Customers left out of the population: synthetic actors and bots (the anonymous voter and the
   * Community bot of Stack Exchange dumps), whose interactions stay in `interactions`.
   */
  excluded: readonly LabCustomer[];
  /**
   * Every stored interaction, customer ids (`customerId`, `referredCustomerId`) replaced by lab
   * customer ids, ordered by time, then channel, account and external id.
   */
  interactions: readonly Interaction[];
  /** Each customer's interactions (population and excluded), oldest first. */
  timelines: ReadonlyMap<string, readonly Interaction[]>;
  /** The time of the last interaction: "now" for decay and value, so a run is reproducible. */
  now: Date;
  load: LabDatasetLoad;
}

/** What a store holds, read back in full. */
export interface StoreContents {
  interactions: Interaction[];
  customers: ReadonlyMap<string, Customer>;
  identities: ReadonlyMap<string, readonly Identity[]>;
}

/** Options of {@link buildLabDataset}. */
export interface BuildLabDatasetOptions {
  source: LabDatasetSource;
  load: LabDatasetLoad;
  /** `customer`: lab ids are Rapport customer ids; `identity`: the smallest identity key. */
  idBy: 'customer' | 'identity';
  /** Actors whose customers leave the population: an external id, or `<channel>:<externalId>`. */
  excludeActors: readonly string[];
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareInteractions(a: Interaction, b: Interaction): number {
  return (
    a.occurredAt.getTime() - b.occurredAt.getTime() ||
    byCodeUnit(a.channel, b.channel) ||
    byCodeUnit(a.account, b.account) ||
    byCodeUnit(a.externalId, b.externalId)
  );
}

/**
 * Turns a store's contents into a {@link LabDataset}: lab ids for customers, synthetic actors set
 * aside, interactions in a fixed order (a store orders equal times by its random record ids, and
 * the order reaches floating-point sums), timelines, and now.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` when there is no interaction with a customer.
 */
export function buildLabDataset(contents: StoreContents, options: BuildLabDatasetOptions): LabDataset {
  const excludeActors = new Set(options.excludeActors);
  const labIds = new Map<string, string>();
  const population: LabCustomer[] = [];
  const excluded: LabCustomer[] = [];
  for (const [rapportId, customer] of contents.customers) {
    const identities = [...(contents.identities.get(rapportId) ?? [])].sort((a, b) =>
      byCodeUnit(`${a.channel}:${a.externalId}`, `${b.channel}:${b.externalId}`),
    );
    const keys = identities.map((identity) => `${identity.channel}:${identity.externalId}`);
    const primary = identities[0];
    const id = options.idBy === 'identity' && keys[0] !== undefined ? keys[0] : rapportId;
    labIds.set(rapportId, id);
    const labCustomer: LabCustomer = {
      id,
      handle: primary?.handle ?? customer.displayName ?? primary?.displayName ?? null,
      identities: keys,
    };
    const isExcluded = identities.some(
      (identity, i) => excludeActors.has(identity.externalId) || excludeActors.has(keys[i]!),
    );
    if (isExcluded) excluded.push(labCustomer);
    else population.push(labCustomer);
  }
  population.sort((a, b) => byCodeUnit(a.id, b.id));
  excluded.sort((a, b) => byCodeUnit(a.id, b.id));

  const labId = (rapportId: string | null) =>
    rapportId === null ? null : (labIds.get(rapportId) ?? rapportId);
  const interactions = contents.interactions
    .map((interaction) => ({
      ...interaction,
      customerId: labId(interaction.customerId),
      referredCustomerId: labId(interaction.referredCustomerId),
    }))
    .sort(compareInteractions);
  const timelines = new Map<string, Interaction[]>();
  for (const interaction of interactions) {
    if (interaction.customerId === null) continue;
    let timeline = timelines.get(interaction.customerId);
    if (!timeline) {
      timeline = [];
      timelines.set(interaction.customerId, timeline);
    }
    timeline.push(interaction);
  }
  const last = interactions.at(-1);
  const isStore = storeLoaderNames.includes(options.source.loader);
  if (last === undefined || population.length === 0) {
    throw invalidInput(
      `${options.source.spec} holds no interaction of a customer${isStore ? ` in tenant ${options.source.tenant}` : ''}`,
      ['dataset'],
      isStore
        ? 'import data into the store first (rapport import), or name the tenant that holds it'
        : 'check that the file is in the format the loader name says',
    );
  }
  return {
    source: options.source,
    customers: population,
    excluded,
    interactions,
    timelines,
    now: new Date(last.occurredAt.getTime()),
    load: options.load,
  };
}
