import type { IngestCounts } from '@rapport/core';
import type { LoadSummary } from '@rapport/datasets';
import type { LabCustomer } from '../dataset/dataset.js';
import type { DatasetFile } from '../dataset/files.js';
import type { LabLoaderName } from '../dataset/spec.js';
import type { Interval } from '../stats/bootstrap.js';
import type { ScoreDistribution } from './distribution.js';

/** What identifies a run: same manifest, same scores and agreement, byte for byte. */
export interface LabManifest {
  lab: { package: '@rapport/lab'; version: string };
  dataset: {
    /** `<loader>:<path>` as given. */
    spec: string;
    loader: LabLoaderName;
    tenant: string;
    /** The files read, with their SHA-256. */
    files: DatasetFile[];
  };
  /** "Now" for decay and value: the dataset's last interaction, ISO 8601. */
  now: string;
  /** Seed of the bootstrap resampling. */
  seed: number;
  resamples: number;
  confidence: number;
  /** The k of the top-k overlaps, ascending. */
  topK: number[];
  /** The models, in the order given. */
  models: Array<{ name: string; id: string; version: string; params: Readonly<Record<string, unknown>> }>;
  /** How the comparison treats what is not obvious; see the README. */
  conventions: {
    missingScore: 0;
    rank: 'competition: 1 + customers with a strictly higher score';
    topKTies: 'broken by customer id, ascending';
    interval: 'bootstrap percentile, customers resampled with replacement';
  };
}

/** The dataset as the comparison saw it. */
export interface LabDatasetSummary {
  /** Customers in the ranked population. */
  customers: number;
  /** Ids of the customers left out as synthetic actors. */
  excluded: string[];
  interactions: number;
  inbound: number;
  outbound: number;
  /** Interactions per kind, kinds in alphabetical order. */
  kinds: Record<string, number>;
  /** First and last interaction (the last is "now"), ISO 8601. */
  first: string;
  last: string;
  /** The loader's account of the file and the ingest counts, for loaded files. */
  loader?: LoadSummary;
  ingest?: IngestCounts;
}

/** Customers per level of a model with levels. */
export interface LabLevelCount {
  name: string;
  /** Lowest score at the level, inclusive. */
  min: number;
  customers: number;
}

/** One model's part of the report. */
export interface LabModelReport {
  name: string;
  id: string;
  version: string;
  description: string;
  params: Readonly<Record<string, unknown>>;
  /** What the model fitted on this dataset (CLV parameters, the graph's size), or null. */
  fitted: Record<string, unknown> | null;
  distribution: ScoreDistribution;
  /** The level funnel, lowest level first, for models with levels; else null. */
  levels: LabLevelCount[] | null;
}

/** How two models' rankings agree. */
export interface LabAgreement {
  a: string;
  b: string;
  customers: number;
  /** Spearman's rho, or null when a ranking is constant (no ranking to correlate). */
  spearman: number | null;
  spearmanInterval: Interval;
  /** Kendall's tau-b, or null like `spearman`. */
  kendallTauB: number | null;
  kendallInterval: Interval;
  /**
   * |top-k(a) ∩ top-k(b)| / k for each k of the manifest; null when a ranking is constant (its top
   * k would be decided by customer ids alone).
   */
  topK: Array<{ k: number; overlap: number | null }>;
}

/** When the run happened and how long its parts took: the only part that differs between runs. */
export interface LabRun {
  startedAt: string;
  durationMs: number;
  /** Milliseconds per model's scoring, and for the statistics. */
  timings: { models: Record<string, number>; statistics: number };
}

/** What `compareModels` found. */
export interface LabReport {
  manifest: LabManifest;
  dataset: LabDatasetSummary;
  models: LabModelReport[];
  /** Every pair of models, in the order the models were given. */
  agreement: LabAgreement[];
  /** The population, sorted by id: the rows of `scores` and `ranks`. */
  customers: readonly LabCustomer[];
  /** Each model's score per customer (0 where the model gave none), by model name. */
  scores: ReadonlyMap<string, Float64Array>;
  /** Each model's competition rank per customer (1 = highest), by model name. */
  ranks: ReadonlyMap<string, Uint32Array>;
  /** Each model's level index per customer, for models with levels. */
  levels: ReadonlyMap<string, Uint16Array>;
  run: LabRun;
}
