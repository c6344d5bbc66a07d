/**
 * Seeded synthetic data: a deterministic, streaming generator of realistic social CRM items,
 * ground truth about the persons behind them, and deliberately broken items.
 *
 * @packageDocumentation
 */
export {
  type ChannelProfile,
  channelProfiles,
  defaultAccounts,
  genericProfile,
  profileOf,
} from './channels.js';
export { INVALID_ITEM_CASES, type InvalidItem, type InvalidItemCase, invalidItems } from './invalid.js';
export {
  DEFAULT_CHANNELS,
  DEFAULT_START_AT,
  type ResolvedSyntheticOptions,
  resolveSyntheticOptions,
  type SyntheticMix,
  type SyntheticOptions,
  syntheticMixSchema,
  syntheticOptionsSchema,
} from './options.js';
export { type SyntheticCustomer, type SyntheticIdentity, syntheticCustomers } from './population.js';
export { SeededRandom } from './random.js';
export { createSyntheticStats, type SyntheticStats } from './stats.js';
export { syntheticBatches, syntheticStream, syntheticStreamAsync } from './stream.js';
export type { Tone } from './text.js';
