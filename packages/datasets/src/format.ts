import type { InteractionInput } from '@rapport/core';
import { loadCdnow } from './cdnow/index.js';
import type { BaseLoaderOptions, LoadSummary } from './common/options.js';
import { loadJsonl } from './jsonl/index.js';
import { loadStackExchange } from './stackexchange/index.js';
import { loadTwcs } from './twcs/index.js';

/**
 * A loader: reads the file (or dump folder) at `path` and yields interactions, returning a
 * {@link LoadSummary} when done. Every loader accepts the {@link BaseLoaderOptions}.
 */
export type DatasetLoader = (
  path: string,
  options?: BaseLoaderOptions,
) => AsyncGenerator<InteractionInput, LoadSummary, undefined>;

/** Names of the import formats, as given to `rapport import --format`. */
export const datasetFormatNames = ['jsonl', 'twcs', 'cdnow', 'stackexchange'] as const;

/** An import format name. */
export type DatasetFormat = (typeof datasetFormatNames)[number];

/**
 * Loader per import format; the CLI looks the `--format` value up here:
 * - `jsonl`: one `InteractionInput` per line ({@link loadJsonl});
 * - `twcs`: Customer Support on Twitter CSV ({@link loadTwcs});
 * - `cdnow`: CDNOW purchase file ({@link loadCdnow});
 * - `stackexchange`: a Stack Exchange dump folder ({@link loadStackExchange}).
 */
export const datasetFormats: Readonly<Record<DatasetFormat, DatasetLoader>> = Object.freeze({
  jsonl: loadJsonl,
  twcs: loadTwcs,
  cdnow: loadCdnow,
  stackexchange: loadStackExchange,
});

/** Whether `name` is a known import format (for validating a `--format` value). */
export function isDatasetFormat(name: string): name is DatasetFormat {
  return (datasetFormatNames as readonly string[]).includes(name);
}
