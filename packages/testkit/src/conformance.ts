/**
 * The conformance suites, built on vitest: import them from `@rapport/testkit/conformance` in a
 * vitest test file. Kept apart from the main entry so data generators load without vitest.
 */

export * from './channel/conformance.js';
export type { ChannelHarness } from './channel/harness.js';
export * from './scoring/conformance.js';
export * from './storage/conformance.js';
export { checkMergeRoundTrip } from './storage/merge-property.js';
