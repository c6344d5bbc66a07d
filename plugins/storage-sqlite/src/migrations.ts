import { RapportError } from '@rapport/core';
import type { Database } from 'better-sqlite3';

/**
 * One schema step. Migrations are forward-only: a released migration is never edited or removed;
 * a change is a new migration with the next version.
 */
export interface SqliteMigration {
  /** Position in the sequence: 1, 2, 3... without gaps. */
  readonly version: number;
  /** Short description, recorded with the version. */
  readonly name: string;
  /** Statements to run, all inside one transaction. */
  readonly sql: string;
}

/**
 * The schema. Design notes:
 * - every table leads with `tenant_id` and every index starts with it, so one tenant's rows are
 *   contiguous and no query can reach another tenant's through an index;
 * - dates are INTEGER epoch milliseconds, JSON is TEXT, and empty JSON values are NULL so the
 *   hot path neither writes nor parses `{}` and `[]`;
 * - `*_lc` columns hold lower-cased copies (JavaScript `toLowerCase`, which knows Unicode, where
 *   SQLite's `lower()` only knows ASCII) for case-insensitive prefix search by index range;
 * - in `interactions` the small columns the pipeline reads come before `text`, so reading them
 *   never walks the overflow pages of a long text;
 * - partial indexes (`WHERE x IS NOT NULL`) leave out the rows a lookup can never ask for, which
 *   keeps them small and cheap to maintain on insert;
 * - there are no foreign keys: the pipeline keeps references consistent inside its unit of work,
 *   and checking them would cost an index probe per reference per inserted row.
 */
export const migrations: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE tenants (
  tenant_id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE customers (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'merged', 'erased')),
  merged_into TEXT,
  display_name TEXT,
  primary_email TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  attributes TEXT,
  tags TEXT,
  display_name_lc TEXT,
  primary_email_lc TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_display_name ON customers (tenant_id, display_name_lc) WHERE display_name_lc IS NOT NULL;
CREATE INDEX customers_primary_email ON customers (tenant_id, primary_email_lc) WHERE primary_email_lc IS NOT NULL;
CREATE INDEX customers_merged_into ON customers (tenant_id, merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX customers_inactive ON customers (tenant_id, status) WHERE status <> 'active';

CREATE TABLE identities (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  external_id TEXT NOT NULL,
  handle TEXT,
  display_name TEXT,
  email TEXT,
  verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
  source TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  handle_lc TEXT,
  email_lc TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX identities_key ON identities (tenant_id, channel, external_id);
CREATE INDEX identities_customer ON identities (tenant_id, customer_id);
CREATE INDEX identities_handle ON identities (tenant_id, handle_lc) WHERE handle_lc IS NOT NULL;
-- Serves both the prefix search and the verified-email lookup (an email has very few identities).
CREATE INDEX identities_email ON identities (tenant_id, email_lc) WHERE email_lc IS NOT NULL;

CREATE TABLE interactions (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  channel TEXT NOT NULL,
  account TEXT NOT NULL,
  external_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  customer_id TEXT,
  conversation_id TEXT,
  identity_id TEXT,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  kind TEXT NOT NULL,
  effort TEXT NOT NULL,
  language TEXT,
  actor_external_id TEXT NOT NULL,
  actor_handle TEXT,
  thread TEXT,
  parent TEXT,
  amount REAL,
  currency TEXT,
  referred_identity_id TEXT,
  referred_customer_id TEXT,
  text TEXT,
  scores TEXT,
  metadata TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX interactions_key ON interactions (tenant_id, channel, account, external_id);
CREATE INDEX interactions_timeline ON interactions (tenant_id, customer_id, occurred_at DESC, id DESC)
  WHERE customer_id IS NOT NULL;
CREATE INDEX interactions_conversation ON interactions (tenant_id, conversation_id, occurred_at, id)
  WHERE conversation_id IS NOT NULL;
CREATE INDEX interactions_referred_identity ON interactions (tenant_id, referred_identity_id)
  WHERE referred_identity_id IS NOT NULL;
CREATE INDEX interactions_referred_customer ON interactions (tenant_id, referred_customer_id)
  WHERE referred_customer_id IS NOT NULL;

CREATE TABLE conversations (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  channel TEXT NOT NULL,
  account TEXT NOT NULL,
  external_id TEXT NOT NULL,
  customer_id TEXT,
  started_at INTEGER NOT NULL,
  last_interaction_at INTEGER NOT NULL,
  interaction_count INTEGER NOT NULL,
  case_data TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX conversations_key ON conversations (tenant_id, channel, account, external_id);
CREATE INDEX conversations_recent ON conversations (tenant_id, last_interaction_at DESC, id DESC);
-- Without last_interaction_at, so touching a conversation does not rewrite this entry; a
-- customer has few conversations, which sort quickly.
CREATE INDEX conversations_customer ON conversations (tenant_id, customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE consents (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('granted', 'denied', 'revoked')),
  at INTEGER NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX consents_customer ON consents (tenant_id, customer_id, at, id);

CREATE TABLE scores (
  tenant_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  name TEXT NOT NULL,
  model_id TEXT NOT NULL,
  model_version TEXT NOT NULL,
  model_params TEXT,
  value REAL NOT NULL,
  computed_at INTEGER NOT NULL
);
CREATE INDEX scores_customer ON scores (tenant_id, customer_id, name, model_id, computed_at DESC);

CREATE TABLE merges (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  survivor_id TEXT NOT NULL,
  absorbed_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  identity_ids TEXT NOT NULL,
  conversation_ids TEXT NOT NULL,
  consent_ids TEXT NOT NULL,
  added_tags TEXT NOT NULL,
  added_attributes TEXT NOT NULL,
  filled_fields TEXT NOT NULL,
  absorbed_snapshot TEXT NOT NULL,
  unmerged_at INTEGER,
  unmerged_by TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX merges_survivor ON merges (tenant_id, survivor_id, at);
CREATE INDEX merges_absorbed ON merges (tenant_id, absorbed_id, at);

-- Only hashes of erased identity keys: enough to refuse them later, not to say who they were.
CREATE TABLE erasures (
  tenant_id TEXT NOT NULL,
  erasure_key TEXT NOT NULL,
  erased_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, erasure_key)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'rule engine: segment members, rule firings, rule timers',
    sql: `
-- Time-range scans of a tenant's interactions (rules re-evaluated over a window, backfills).
CREATE INDEX interactions_occurred ON interactions (tenant_id, occurred_at, id);

CREATE TABLE segment_members (
  tenant_id TEXT NOT NULL,
  segment TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (tenant_id, segment, customer_id)
) WITHOUT ROWID;
CREATE INDEX segment_members_customer ON segment_members (tenant_id, customer_id, segment);

CREATE TABLE rule_firings (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  rule_version INTEGER NOT NULL,
  rule_trigger TEXT NOT NULL,
  customer_id TEXT,
  conversation_id TEXT,
  interaction_id TEXT,
  fired_at INTEGER NOT NULL,
  actions TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX rule_firings_recent ON rule_firings (tenant_id, fired_at DESC, id DESC);
CREATE INDEX rule_firings_rule ON rule_firings (tenant_id, rule_id, fired_at DESC, id DESC);
CREATE INDEX rule_firings_customer ON rule_firings (tenant_id, customer_id, fired_at DESC, id DESC)
  WHERE customer_id IS NOT NULL;

-- The subject is flattened into columns so an erasure finds a customer's timers by index.
CREATE TABLE rule_timers (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  timer_key TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  rule_version INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  subject_event TEXT NOT NULL,
  subject_customer_id TEXT,
  subject_conversation_id TEXT,
  subject_interaction_id TEXT,
  subject_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX rule_timers_key ON rule_timers (tenant_id, timer_key);
CREATE INDEX rule_timers_due ON rule_timers (tenant_id, due_at, id);
CREATE INDEX rule_timers_customer ON rule_timers (tenant_id, subject_customer_id)
  WHERE subject_customer_id IS NOT NULL;
`,
  },
  {
    version: 3,
    name: 'outbox, channel state, open cases index',
    sql: `
-- The payload (the reply's text) and the attempt errors come last, so the columns a sender polls
-- and claims by never walk the overflow pages of a long reply.
CREATE TABLE outbox (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  channel TEXT NOT NULL,
  account TEXT NOT NULL,
  conversation_id TEXT,
  customer_id TEXT,
  author TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  external_id TEXT,
  sent_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  errors TEXT,
  payload TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX outbox_key ON outbox (tenant_id, idempotency_key);
-- Only the messages a sender may still claim: sent and failed ones (nearly all, in time) stay out.
CREATE INDEX outbox_due ON outbox (tenant_id, next_attempt_at, id)
  WHERE state IN ('pending', 'unknown', 'sending');
CREATE INDEX outbox_recent ON outbox (tenant_id, created_at DESC, id DESC);
-- Listing by state (the failed or unknown few among many sent) without walking them all.
CREATE INDEX outbox_state ON outbox (tenant_id, state, created_at DESC, id DESC);
CREATE INDEX outbox_conversation ON outbox (tenant_id, conversation_id, created_at DESC, id DESC)
  WHERE conversation_id IS NOT NULL;
CREATE INDEX outbox_customer ON outbox (tenant_id, customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE channel_state (
  tenant_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, scope, key)
) WITHOUT ROWID;

-- The conversations whose case still needs work: an inbox lists a few of them among many, which a
-- walk by recency would read all of to fill (or end) a page. Without last_interaction_at, so that
-- touching a conversation neither rewrites the entry nor parses the case to decide; the open cases
-- of a tenant are few, and sort quickly. Listings repeat this exact condition, which is how the
-- planner knows the index holds every row they may want.
CREATE INDEX conversations_open_cases ON conversations (tenant_id)
  WHERE json_extract(case_data, '$.status') IN ('new', 'open', 'pending');
`,
  },
  {
    version: 4,
    name: 'score log: causes and history order',
    sql: `
-- Why each score was recorded (the interactions of an update, or a recompute), so the log
-- can explain a change; NULL for scores recorded before.
ALTER TABLE scores ADD COLUMN cause TEXT;
-- A customer's score log newest first, across names.
CREATE INDEX scores_history ON scores (tenant_id, customer_id, computed_at DESC);
`,
  },
];

/** What {@link migrate} did. */
export interface MigrationResult {
  /** Schema version before. 0 for a new database. */
  from: number;
  /** Schema version after. */
  to: number;
  /** Versions applied now, in order. */
  applied: number[];
}

/**
 * Brings the schema up to date: applies, in one `BEGIN IMMEDIATE` transaction, every migration
 * newer than the recorded version, recording each in `rapport_migrations`. Running it again
 * does nothing. A database written by a newer release (a version this code does not know) is
 * refused rather than used with a schema the code does not understand.
 */
export function migrate(
  db: Database,
  list: readonly SqliteMigration[] = migrations,
  now: () => number = Date.now,
): MigrationResult {
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.version !== i + 1) {
      throw new RapportError(
        'RAPPORT_STORAGE_FAILED',
        `Migration versions must run 1, 2, 3... (found ${list[i]!.version} at ${i})`,
      );
    }
  }
  // The bookkeeping table is not tenant data, so it is the one table without `tenant_id`.
  db.exec(`CREATE TABLE IF NOT EXISTS rapport_migrations (
    version INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const current = db.prepare('SELECT coalesce(max(version), 0) FROM rapport_migrations').pluck();
  const record = db.prepare('INSERT INTO rapport_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  // IMMEDIATE takes the write lock before reading the version, so two processes opening a new
  // file at once cannot both apply the same migration.
  return db
    .transaction((): MigrationResult => {
      const from = current.get() as number;
      const latest = list.length;
      if (from > latest) {
        throw new RapportError(
          'RAPPORT_STORAGE_FAILED',
          `The database schema is at version ${from}, newer than this @rapport/storage-sqlite knows (${latest})`,
          {
            hint: 'Upgrade @rapport/storage-sqlite to the release that wrote this database.',
            plugin: 'sqlite',
          },
        );
      }
      const applied: number[] = [];
      for (const migration of list.slice(from)) {
        db.exec(migration.sql);
        record.run(migration.version, migration.name, now());
        applied.push(migration.version);
      }
      return { from, to: Math.max(from, latest), applied };
    })
    .immediate();
}
