import type { RapportError } from '../errors/rapport-error.js';

/**
 * What happened to one item of a batch:
 * - `created`: stored for the first time;
 * - `updated`: a higher content version replaced the stored one;
 * - `duplicate`: the same version was already stored (nothing changed);
 * - `stale`: an older version than the stored one (nothing changed);
 * - `rejected`: invalid, see `error` (code, path, hint);
 * - `suppressed`: it belongs to an erased customer and stays erased.
 */
export type IngestStatus = 'created' | 'updated' | 'duplicate' | 'stale' | 'rejected' | 'suppressed';

/** The result of one item, in the order of the input. */
export interface IngestItemResult {
  /** Position of the item in the batch (or in the stream). */
  index: number;
  status: IngestStatus;
  interactionId?: string;
  customerId?: string | null;
  error?: RapportError;
}

/** Counts per status. */
export type IngestCounts = Record<IngestStatus, number>;

/** A batch's results. */
export interface IngestBatchResult {
  results: IngestItemResult[];
  counts: IngestCounts;
}

/** Zero counts. */
export function emptyCounts(): IngestCounts {
  return { created: 0, updated: 0, duplicate: 0, stale: 0, rejected: 0, suppressed: 0 };
}
