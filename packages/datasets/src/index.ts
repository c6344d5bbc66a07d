/**
 * `@rapport/datasets`: loaders that turn public research data sets into streams of Rapport
 * `InteractionInput`s, for imports, examples and benchmarks.
 *
 * @packageDocumentation
 */
export {
  type BtydSummaryOptions,
  type BtydSummaryRow,
  type BtydTransaction,
  type CdnowOptions,
  type CdnowReadOptions,
  type CdnowTransaction,
  cdnowCalibrationSummary,
  cdnowOptionsSchema,
  loadCdnow,
  readCdnowTransactions,
} from './cdnow/index.js';
export { decodeHtmlEntities, htmlToText } from './common/html.js';
export {
  type BaseLoaderOptions,
  baseLoaderOptionsSchema,
  type LoadSummary,
  type SkipHandler,
  type SkippedRecord,
} from './common/options.js';
export {
  type DatasetFormat,
  type DatasetLoader,
  datasetFormatNames,
  datasetFormats,
  isDatasetFormat,
} from './format.js';
export { type JsonlOptions, jsonlOptionsSchema, loadJsonl } from './jsonl/index.js';
export {
  anonymousVoter,
  deletedUser,
  loadStackExchange,
  type StackExchangeKind,
  type StackExchangeOptions,
  stackExchangeKinds,
  stackExchangeOptionsSchema,
} from './stackexchange/index.js';
export {
  loadTwcs,
  parseTwitterDate,
  type TwcsOptions,
  twcsColumns,
  twcsOptionsSchema,
} from './twcs/index.js';
