export * from './bus/bus.js';
export * from './bus/in-process-bus.js';
export * from './cases/index.js';
export * from './domain/case.js';
export * from './domain/common.js';
export * from './domain/consent.js';
export * from './domain/conversation.js';
export * from './domain/customer.js';
export * from './domain/effort.js';
export * from './domain/identity.js';
export * from './domain/ids.js';
export * from './domain/interaction.js';
export * from './domain/merge.js';
export * from './domain/outbox.js';
export * from './domain/rule-records.js';
export * from './domain/score.js';
export * from './domain/segment.js';
export * from './domain/tenant.js';
export * from './errors/codes.js';
export * from './errors/rapport-error.js';
export * from './errors/redact.js';
export * from './errors/validation.js';
export * from './events/events.js';
export * from './ingest/results.js';
export * from './plugins/channel.js';
export * from './plugins/plugin.js';
export * from './plugins/precomputed-scores.js';
export * from './plugins/scoring.js';
export * from './plugins/storage.js';
export * from './plugins/storage-raw-queries.js';
export { type PreparedAction, parseTemplate, renderTemplate, type Template } from './rules/actions.js';
export * from './rules/backtest.js';
export type { ConditionExplanation, Evaluator, HistoryItem } from './rules/conditions.js';
export { type ParsedDuration, parseDuration } from './rules/duration.js';
export * from './rules/extension.js';
export type * from './rules/facts.js';
export { formatExplanation } from './rules/format.js';
export * from './rules/operators.js';
export type { Getter } from './rules/paths.js';
export * from './rules/rule-set.js';
export * from './rules/schema.js';
export type {
  CaseChange,
  CaseListFilter,
  CasesApi,
  OpenCaseInput,
  ReplyBody,
  ReplyOptions,
} from './runtime/cases/cases-api.js';
export { defaultCaseRules } from './runtime/cases/default-rules.js';
export {
  type ChannelHostOptions,
  type ChannelStatus,
  type ChannelSyncReport,
  channelScope,
  type WebhookResponse,
} from './runtime/channels/channel-host.js';
export type { Sleep } from './runtime/channels/rate-budget.js';
export { type BackoffOptions, retryDelayMs } from './runtime/outbox/backoff.js';
export type { OutboxOptions } from './runtime/outbox/outbox-sender.js';
export * from './runtime/rapport.js';
export { POINTS_MODEL } from './runtime/rules/executor.js';
export type { RuleSubject } from './runtime/rules/facts-loader.js';
export { MAX_RULE_DEPTH, RULES_TRIGGERED_TOPIC, type RuleTriggerMessage } from './runtime/rules/stage.js';
export type { LevelChangeRecord, LevelExplanation } from './runtime/scoring/scores-api.js';
export type {
  Attribution,
  CustomerProfile,
  IngestStreamOptions,
  IngestStreamSummary,
  StoreBacktestOptions,
  TenantScope,
} from './runtime/tenant-scope.js';
export * from './runtime/test-rapport.js';
export * from './scoring/levels.js';
export * from './storage/lifecycle-errors.js';
export * from './storage/memory/memory-storage.js';
export type { TenantData as MemoryTenantData } from './storage/memory/tenant-data.js';
export * from './storage/paging.js';
/**
 * For store authors: the column lists, tuple row types and row → domain mappers shared by the SQL
 * stores, parameterised by a {@link RowAdapter} for the few values their drivers hand over
 * differently (booleans, JSON columns). Not for application code.
 */
export * from './storage/row-codecs.js';
export * from './storage/write-lock.js';
export * from './webhooks/index.js';
