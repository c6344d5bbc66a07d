import type * as core from '@rapport/core';
import { type RowAdapter, rowDecoders } from '@rapport/core';

// Rows are read in better-sqlite3's raw mode, as arrays; core's row codecs hold the column lists,
// row types and mappers the stores share. SQLite keeps booleans as 0/1 and JSON as text.

/** How better-sqlite3 hands over booleans (0/1) and JSON (text). */
export interface SqliteRowFormat {
  readonly bool: number;
  readonly json: 'text';
}

/** A `customers` row. */
export type CustomerRow = core.CustomerRow<SqliteRowFormat>;
/** An `identities` row. */
export type IdentityRow = core.IdentityRow<SqliteRowFormat>;
/** An `interactions` row. */
export type InteractionRow = core.InteractionRow<SqliteRowFormat>;
/** A `conversations` row. */
export type ConversationRow = core.ConversationRow<SqliteRowFormat>;
/** A `scores` row. */
export type ScoreRow = core.ScoreRow<SqliteRowFormat>;
/** A `merges` row. */
export type MergeRow = core.MergeRow<SqliteRowFormat>;
/** An `outbox` row. */
export type OutboxRow = core.OutboxRow<SqliteRowFormat>;
/** A `rule_firings` row. */
export type RuleFiringRow = core.RuleFiringRow<SqliteRowFormat>;

/** The store's conversions of booleans and JSON columns. */
export const sqliteRowAdapter: RowAdapter<SqliteRowFormat> = {
  bool: (value) => value === 1,
  json: <T>(value: string): T => JSON.parse(value) as T,
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
} = rowDecoders(sqliteRowAdapter);
