import type * as core from '@rapport/core';
import { type RowAdapter, rowDecoders } from '@rapport/core';

// Rows are read in pg's `rowMode: 'array'`; core's row codecs hold the column lists,
// row types and mappers the stores share. Postgres has real booleans, `jsonb` columns arrive
// already parsed, and `bigint` columns as numbers (see connection.ts).

/** How pg hands over booleans (as booleans) and `jsonb` (parsed). */
export interface PostgresRowFormat {
  readonly bool: boolean;
  readonly json: 'parsed';
}

/** A `customers` row. */
export type CustomerRow = core.CustomerRow<PostgresRowFormat>;
/** An `identities` row. */
export type IdentityRow = core.IdentityRow<PostgresRowFormat>;
/** An `interactions` row. */
export type InteractionRow = core.InteractionRow<PostgresRowFormat>;
/** A `conversations` row. */
export type ConversationRow = core.ConversationRow<PostgresRowFormat>;
/** A `scores` row. */
export type ScoreRow = core.ScoreRow<PostgresRowFormat>;
/** A `merges` row. */
export type MergeRow = core.MergeRow<PostgresRowFormat>;
/** An `outbox` row. */
export type OutboxRow = core.OutboxRow<PostgresRowFormat>;
/** A `rule_firings` row. */
export type RuleFiringRow = core.RuleFiringRow<PostgresRowFormat>;

/** The store's conversions of booleans and JSON columns. */
export const postgresRowAdapter: RowAdapter<PostgresRowFormat> = {
  bool: (value) => value,
  json: <T>(value: T): T => value,
};

export const {
  toCustomer,
  toIdentity,
  toInteraction,
  toConversation,
  toRuleFiring,
  toScore,
  toMerge,
  toOutbox,
} = rowDecoders(postgresRowAdapter);
