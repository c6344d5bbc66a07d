export * from './bus/bus.js';
export * from './bus/in-process-bus.js';
export * from './domain/common.js';
export * from './domain/consent.js';
export * from './domain/conversation.js';
export * from './domain/customer.js';
export * from './domain/effort.js';
export * from './domain/identity.js';
export * from './domain/ids.js';
export * from './domain/interaction.js';
export * from './domain/merge.js';
export * from './domain/score.js';
export * from './domain/segment.js';
export * from './domain/tenant.js';
export * from './errors/codes.js';
export * from './errors/rapport-error.js';
export * from './errors/validation.js';
export * from './events/events.js';
export * from './ingest/results.js';
export * from './plugins/channel.js';
export * from './plugins/plugin.js';
export * from './plugins/scoring.js';
export * from './plugins/storage.js';
export * from './plugins/storage-raw-queries.js';
export * from './runtime/rapport.js';
export type {
  Attribution,
  CustomerProfile,
  IngestStreamOptions,
  IngestStreamSummary,
  TenantScope,
} from './runtime/tenant-scope.js';
export * from './runtime/test-rapport.js';
export * from './storage/memory/memory-storage.js';
export type { TenantData as MemoryTenantData } from './storage/memory/tenant-data.js';
export * from './storage/paging.js';
export * from './storage/write-lock.js';
