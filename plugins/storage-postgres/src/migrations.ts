import { RapportError } from '@rapport/core';
import { type PgPool, quoteIdentifier } from './connection.js';
import { PLUGIN } from './errors.js';

/**
 * One schema step. Migrations are forward-only: a released migration is never edited or removed;
 * a change is a new migration with the next version. `{schema}` in the SQL stands for the store's
 * quoted schema name.
 */
export interface PostgresMigration {
  /** Position in the sequence: 1, 2, 3... without gaps. */
  readonly version: number;
  /** Short description, recorded with the version. */
  readonly name: string;
  /** Statements to run, all inside one transaction. */
  readonly sql: string;
}

/**
 * Row-level security on `tables` (the SQL of migration 2, which must keep producing the same text).
 *
 * Every statement of the store already filters by `tenant_id`; the policies are defence in depth
 * against one that forgets, or a connection reused by another tenant. A row is visible and
 * writable only while `rapport.tenant` (set per transaction by a unit of work, per session for
 * committed reads) names its tenant; with none set, a table looks empty and refuses every insert.
 * FORCE makes the policies bind the tables' owner too, which is usually the role the app connects
 * as; superusers and BYPASSRLS roles are never bound (see the README).
 *
 * Two things stay outside on purpose. `tenants` is the registry of tenants: it holds their ids,
 * names and creation dates and none of their data, and the runtime reads it across tenants
 * (`listTenants` drives the timer scheduler), so it has no policy. The alternative, a SECURITY
 * DEFINER function over a protected table, cannot work under FORCE unless its owner bypasses row
 * security, which would put a role that sees every tenant back into the app's reach. And
 * `rapport_migrations` has no tenant at all. Migrations change the schema, which row security
 * does not govern; a future migration that must rewrite every tenant's rows lifts FORCE inside its
 * own transaction (`ALTER TABLE … NO FORCE ROW LEVEL SECURITY`, the work, then `FORCE` again),
 * which only the owner may do and no other session can observe half-done.
 */
function tenantIsolation(tables: readonly string[]): string {
  const visible = `tenant_id = current_setting('rapport.tenant', true)`;
  return tables
    .map(
      (table) => `
ALTER TABLE {schema}.${table} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {schema}.${table} USING (${visible}) WITH CHECK (${visible});`,
    )
    .join('\n');
}

/**
 * The schema. Design notes (it mirrors the SQLite store's tables one for one):
 * - every table leads with `tenant_id` and every index starts with it, so one tenant's rows are
 *   contiguous in each index and no lookup can reach another tenant's through one;
 * - every text column is `COLLATE "C"`: ids and keys compare by code point, as the keyset cursors
 *   and the other stores order them (whatever the database's locale), and a prefix is an index
 *   range (`>= prefix AND < upper bound`), so no `text_pattern_ops` indexes are needed;
 * - dates are `bigint` epoch milliseconds, exactly what the API's `Date`s and cursors hold
 *   (`timestamptz` keeps microseconds and would need a conversion on every read and key);
 * - JSON is `jsonb`, and empty JSON values are NULL so the hot path neither writes nor parses
 *   `{}` and `[]`;
 * - `*_lc` columns hold lower-cased copies (JavaScript `toLowerCase`, the same folding as the other
 *   stores) for case-insensitive prefix search by index range;
 * - partial indexes (`WHERE x IS NOT NULL`) leave out the rows a lookup can never ask for;
 * - there are no foreign keys: the pipeline keeps references consistent inside its unit of work,
 *   and checking them would cost an index probe per reference per inserted row.
 */
export const migrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'initial schema, with the rule engine records',
    sql: `
CREATE TABLE {schema}.tenants (
  tenant_id text COLLATE "C" NOT NULL PRIMARY KEY,
  name text NOT NULL,
  created_at bigint NOT NULL
);

CREATE TABLE {schema}.customers (
  tenant_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL CHECK (status IN ('active', 'merged', 'erased')),
  merged_into text COLLATE "C",
  display_name text,
  primary_email text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  attributes jsonb,
  tags jsonb,
  display_name_lc text COLLATE "C",
  primary_email_lc text COLLATE "C",
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_display_name ON {schema}.customers (tenant_id, display_name_lc) WHERE display_name_lc IS NOT NULL;
CREATE INDEX customers_primary_email ON {schema}.customers (tenant_id, primary_email_lc) WHERE primary_email_lc IS NOT NULL;
CREATE INDEX customers_merged_into ON {schema}.customers (tenant_id, merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX customers_inactive ON {schema}.customers (tenant_id, status) WHERE status <> 'active';

CREATE TABLE {schema}.identities (
  tenant_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  customer_id text COLLATE "C" NOT NULL,
  channel text COLLATE "C" NOT NULL,
  external_id text COLLATE "C" NOT NULL,
  handle text,
  display_name text,
  email text,
  verified boolean NOT NULL,
  source text NOT NULL,
  created_at bigint NOT NULL,
  handle_lc text COLLATE "C",
  email_lc text COLLATE "C",
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX identities_key ON {schema}.identities (tenant_id, channel, external_id);
CREATE INDEX identities_customer ON {schema}.identities (tenant_id, customer_id);
CREATE INDEX identities_handle ON {schema}.identities (tenant_id, handle_lc) WHERE handle_lc IS NOT NULL;
-- Serves both the prefix search and the verified-email lookup (an email has very few identities).
CREATE INDEX identities_email ON {schema}.identities (tenant_id, email_lc) WHERE email_lc IS NOT NULL;

CREATE TABLE {schema}.interactions (
  tenant_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  channel text COLLATE "C" NOT NULL,
  account text COLLATE "C" NOT NULL,
  external_id text COLLATE "C" NOT NULL,
  version bigint NOT NULL,
  customer_id text COLLATE "C",
  conversation_id text COLLATE "C",
  identity_id text COLLATE "C",
  occurred_at bigint NOT NULL,
  received_at bigint NOT NULL,
  direction text COLLATE "C" NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  kind text COLLATE "C" NOT NULL,
  effort text COLLATE "C" NOT NULL,
  language text COLLATE "C",
  actor_external_id text COLLATE "C" NOT NULL,
  actor_handle text,
  thread text COLLATE "C",
  parent text COLLATE "C",
  amount double precision,
  currency text COLLATE "C",
  referred_identity_id text COLLATE "C",
  referred_customer_id text COLLATE "C",
  text text,
  scores jsonb,
  metadata jsonb,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX interactions_key ON {schema}.interactions (tenant_id, channel, account, external_id);
CREATE INDEX interactions_timeline ON {schema}.interactions (tenant_id, customer_id, occurred_at DESC, id DESC)
  WHERE customer_id IS NOT NULL;
CREATE INDEX interactions_conversation ON {schema}.interactions (tenant_id, conversation_id, occurred_at, id)
  WHERE conversation_id IS NOT NULL;
CREATE INDEX interactions_referred_identity ON {schema}.interactions (tenant_id, referred_identity_id)
  WHERE referred_identity_id IS NOT NULL;
CREATE INDEX interactions_referred_customer ON {schema}.interactions (tenant_id, referred_customer_id)
  WHERE referred_customer_id IS NOT NULL;
-- Time-range scans of a tenant's interactions (rules re-evaluated over a window, backfills).
CREATE INDEX interactions_occurred ON {schema}.interactions (tenant_id, occurred_at, id);

CREATE TABLE {schema}.conversations (
  tenant_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  channel text COLLATE "C" NOT NULL,
  account text COLLATE "C" NOT NULL,
  external_id text COLLATE "C" NOT NULL,
  customer_id text COLLATE "C",
  started_at bigint NOT NULL,
  last_interaction_at bigint NOT NULL,
  interaction_count integer NOT NULL,
  case_data jsonb,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX conversations_key ON {schema}.conversations (tenant_id, channel, account, external_id);
CREATE INDEX conversations_recent ON {schema}.conversations (tenant_id, last_interaction_at DESC, id DESC);
CREATE INDEX conversations_customer ON {schema}.conversations (tenant_id, customer_id, last_interaction_at DESC, id DESC)
  WHERE customer_id IS NOT NULL;

CREATE TABLE {schema}.consents (
  tenant_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  customer_id text COLLATE "C" NOT NULL,
  purpose text COLLATE "C" NOT NULL,
  channel text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL CHECK (status IN ('granted', 'denied', 'revoked')),
  at bigint NOT NULL,
  source text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX consents_customer ON {schema}.consents (tenant_id, customer_id, at, id);

-- seq orders a history whose entries share computed_at (the later insert is the latest score).
CREATE TABLE {schema}.scores (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text COLLATE "C" NOT NULL,
  customer_id text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  model_id text COLLATE "C" NOT NULL,
  model_version text COLLATE "C" NOT NULL,
  model_params jsonb,
  value double precision NOT NULL,
  computed_at bigint NOT NULL
);
CREATE INDEX scores_customer ON {schema}.scores (tenant_id, customer_id, name, model_id, computed_at DESC, seq DESC);

CREATE TABLE {schema}.merges (
  tenant_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  survivor_id text COLLATE "C" NOT NULL,
  absorbed_id text COLLATE "C" NOT NULL,
  reason text NOT NULL,
  actor text NOT NULL,
  at bigint NOT NULL,
  identity_ids jsonb NOT NULL,
  conversation_ids jsonb NOT NULL,
  consent_ids jsonb NOT NULL,
  added_tags jsonb NOT NULL,
  added_attributes jsonb NOT NULL,
  filled_fields jsonb NOT NULL,
  absorbed_snapshot jsonb NOT NULL,
  unmerged_at bigint,
  unmerged_by text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX merges_survivor ON {schema}.merges (tenant_id, survivor_id, at);
CREATE INDEX merges_absorbed ON {schema}.merges (tenant_id, absorbed_id, at);

-- Only hashes of erased identity keys: enough to refuse them later, not to say who they were.
CREATE TABLE {schema}.erasures (
  tenant_id text COLLATE "C" NOT NULL,
  erasure_key text COLLATE "C" NOT NULL,
  erased_at bigint NOT NULL,
  PRIMARY KEY (tenant_id, erasure_key)
);

CREATE TABLE {schema}.segment_members (
  tenant_id text COLLATE "C" NOT NULL,
  segment text COLLATE "C" NOT NULL,
  customer_id text COLLATE "C" NOT NULL,
  added_at bigint NOT NULL,
  source text NOT NULL,
  PRIMARY KEY (tenant_id, segment, customer_id)
);
CREATE INDEX segment_members_customer ON {schema}.segment_members (tenant_id, customer_id, segment);

CREATE TABLE {schema}.rule_firings (
  tenant_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  rule_id text COLLATE "C" NOT NULL,
  rule_version bigint NOT NULL,
  rule_trigger text NOT NULL,
  customer_id text COLLATE "C",
  conversation_id text COLLATE "C",
  interaction_id text COLLATE "C",
  fired_at bigint NOT NULL,
  actions jsonb,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX rule_firings_recent ON {schema}.rule_firings (tenant_id, fired_at DESC, id DESC);
CREATE INDEX rule_firings_rule ON {schema}.rule_firings (tenant_id, rule_id, fired_at DESC, id DESC);
CREATE INDEX rule_firings_customer ON {schema}.rule_firings (tenant_id, customer_id, fired_at DESC, id DESC)
  WHERE customer_id IS NOT NULL;

-- The subject is flattened into columns so an erasure finds a customer's timers by index.
CREATE TABLE {schema}.rule_timers (
  tenant_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  timer_key text COLLATE "C" NOT NULL,
  rule_id text COLLATE "C" NOT NULL,
  rule_version bigint NOT NULL,
  due_at bigint NOT NULL,
  subject_event text COLLATE "C" NOT NULL,
  subject_customer_id text COLLATE "C",
  subject_conversation_id text COLLATE "C",
  subject_interaction_id text COLLATE "C",
  subject_at bigint NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX rule_timers_key ON {schema}.rule_timers (tenant_id, timer_key);
CREATE INDEX rule_timers_due ON {schema}.rule_timers (tenant_id, due_at, id);
CREATE INDEX rule_timers_customer ON {schema}.rule_timers (tenant_id, subject_customer_id)
  WHERE subject_customer_id IS NOT NULL;
`,
  },
  {
    version: 2,
    name: 'row-level security: each table holding tenant rows shows a connection its tenant only',
    sql: tenantIsolation([
      'customers',
      'identities',
      'interactions',
      'conversations',
      'consents',
      'scores',
      'merges',
      'erasures',
      'segment_members',
      'rule_firings',
      'rule_timers',
    ]),
  },
  {
    version: 3,
    name: 'outbox, channel state, open cases index',
    sql: `
CREATE TABLE {schema}.outbox (
  tenant_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  idempotency_key text COLLATE "C" NOT NULL,
  channel text COLLATE "C" NOT NULL,
  account text COLLATE "C" NOT NULL,
  conversation_id text COLLATE "C",
  customer_id text COLLATE "C",
  author text COLLATE "C",
  state text COLLATE "C" NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
  attempts integer NOT NULL,
  next_attempt_at bigint NOT NULL,
  lease_until bigint,
  external_id text COLLATE "C",
  sent_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  errors jsonb,
  payload jsonb NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX outbox_key ON {schema}.outbox (tenant_id, idempotency_key);
-- Only the messages a sender may still claim: sent and failed ones (nearly all, in time) stay out.
CREATE INDEX outbox_due ON {schema}.outbox (tenant_id, next_attempt_at, id)
  WHERE state IN ('pending', 'unknown', 'sending');
CREATE INDEX outbox_recent ON {schema}.outbox (tenant_id, created_at DESC, id DESC);
-- Listing by state (the failed or unknown few among many sent) without walking them all.
CREATE INDEX outbox_state ON {schema}.outbox (tenant_id, state, created_at DESC, id DESC);
CREATE INDEX outbox_conversation ON {schema}.outbox (tenant_id, conversation_id, created_at DESC, id DESC)
  WHERE conversation_id IS NOT NULL;
CREATE INDEX outbox_customer ON {schema}.outbox (tenant_id, customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE {schema}.channel_state (
  tenant_id text COLLATE "C" NOT NULL,
  scope text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  value text NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (tenant_id, scope, key)
);

-- The conversations whose case still needs work, newest first: an inbox lists a few of them among
-- many, which a walk by recency would read all of to fill (or end) a page. A touch is never a HOT
-- update (conversations_recent holds last_interaction_at), so ordering this index costs nothing
-- more. Listings repeat this exact condition, which is how the planner proves the index usable.
CREATE INDEX conversations_open_cases ON {schema}.conversations (tenant_id, last_interaction_at DESC, id DESC)
  WHERE (case_data->>'status') IN ('new', 'open', 'pending');
${tenantIsolation(['outbox', 'channel_state'])}
`,
  },
  {
    version: 4,
    name: 'score log: causes and history order',
    sql: `
-- Why each score was recorded (the interactions of an update, or a recompute), so the log
-- can explain a change; NULL for scores recorded before.
ALTER TABLE {schema}.scores ADD COLUMN cause jsonb;
-- A customer's score log newest first, across names.
CREATE INDEX scores_history ON {schema}.scores (tenant_id, customer_id, computed_at DESC, seq DESC);
`,
  },
];

/** What {@link migrate} did. */
export interface MigrationResult {
  /** Schema version before. 0 for a new schema. */
  from: number;
  /** Schema version after. */
  to: number;
  /** Versions applied now, in order. */
  applied: number[];
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** The Postgres schema to migrate (default `rapport`). */
  schema?: string;
  /** The migrations (default: this package's). */
  list?: readonly PostgresMigration[];
  /** false: apply nothing, refuse a schema that is behind (default true). */
  apply?: boolean;
  now?: () => number;
}

/** First key of the advisory lock migrations take (the second is the schema's hash). "rapp". */
const MIGRATION_LOCK_CLASS = 0x72617070;

/**
 * Brings a schema up to date: in one transaction, holding a transaction-scoped advisory lock for
 * the schema (so several processes starting at once apply each migration once, the others waiting
 * and then finding nothing to do), creates the schema when missing and applies every migration
 * newer than the version recorded in `rapport_migrations`. Running it again does nothing. A schema
 * written by a newer release (a version this code does not know) is refused rather than used.
 */
export async function migrate(pool: PgPool, options: MigrateOptions = {}): Promise<MigrationResult> {
  const schemaName = options.schema ?? 'rapport';
  const list = options.list ?? migrations;
  const now = options.now ?? Date.now;
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.version !== i + 1) {
      throw new RapportError(
        'RAPPORT_STORAGE_FAILED',
        `Migration versions must run 1, 2, 3... (found ${list[i]!.version} at ${i})`,
        { plugin: PLUGIN },
      );
    }
  }
  const schema = quoteIdentifier(schemaName);
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schemaName]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    // The bookkeeping table is not tenant data, so it is the one table without `tenant_id`.
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.rapport_migrations (
      version integer NOT NULL PRIMARY KEY,
      name text NOT NULL,
      applied_at bigint NOT NULL
    )`);
    const { rows } = await client.query<{ v: number }>(
      `SELECT coalesce(max(version), 0)::integer AS v FROM ${schema}.rapport_migrations`,
    );
    const from = rows[0]!.v;
    const latest = list.length;
    if (from > latest) {
      throw new RapportError(
        'RAPPORT_STORAGE_FAILED',
        `The Postgres schema "${schemaName}" is at version ${from}, newer than this @rapport/storage-postgres knows (${latest})`,
        { hint: 'Upgrade @rapport/storage-postgres to the release that wrote this schema.', plugin: PLUGIN },
      );
    }
    if (from < latest && options.apply === false) {
      throw new RapportError(
        'RAPPORT_STORAGE_FAILED',
        `The Postgres schema "${schemaName}" is at version ${from}; this @rapport/storage-postgres needs ${latest}`,
        {
          hint: 'Run the migrations first (`rapport migrate`, or `migrate(pool)`), or start the store with `migrate: true`.',
          plugin: PLUGIN,
        },
      );
    }
    const applied: number[] = [];
    for (const migration of list.slice(from)) {
      await client.query(migration.sql.replaceAll('{schema}', schema));
      await client.query(
        `INSERT INTO ${schema}.rapport_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
        [migration.version, migration.name, now()],
      );
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, latest), applied };
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    // A connection whose rollback may have failed is not given back to the pool.
    client.release(failed ? true : undefined);
  }
}
