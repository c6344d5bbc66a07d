import type { InteractionHead } from '@rapport/core';
import {
  CONSENT_COLUMNS as CONSENT,
  CONVERSATION_COLUMNS as CONVERSATION,
  type ConsentRow,
  CUSTOMER_COLUMNS as CUSTOMER,
  IDENTITY_COLUMNS as IDENTITY,
  INTERACTION_COLUMNS as INTERACTION,
  MERGE_COLUMNS as MERGE,
  RULE_FIRING_COLUMNS as RULE_FIRING,
  RULE_TIMER_COLUMNS as RULE_TIMER,
  type RuleTimerRow,
  SCORE_COLUMNS as SCORE,
  SEGMENT_MEMBER_COLUMNS as SEGMENT_MEMBER,
  type SegmentMemberRow,
  TENANT_COLUMNS as TENANT,
  type TenantRow,
} from '@rapport/core';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './connection.js';
import { OutboxReadStatements, OutboxWriteStatements } from './outbox.js';
import type {
  ConversationRow,
  CustomerRow,
  IdentityRow,
  InteractionRow,
  MergeRow,
  RuleFiringRow,
  ScoreRow,
} from './rows.js';

/** Interaction counts per (channel, account), from which the stats derive every interaction figure. */
export interface AccountCountRow {
  channel: string;
  account: string;
  n: number;
}

/** Record counts of a tenant (interactions come from {@link AccountCountRow}). */
export interface CountsRow {
  customers: number;
  inactive: number;
  identities: number;
  conversations: number;
  merges: number;
}

/**
 * Keys answered by one call of a bulk lookup statement (`... IN (VALUES (?, ?), ...)`). One call
 * per key costs a round trip into the native addon each; 64 keys a call measured about twice as
 * fast, and larger chunks gained nothing more. A batch's last few keys use the one-key statement.
 */
export const LOOKUP_CHUNK = 64;

/** `(?, ?), (?, ?), ...`: {@link LOOKUP_CHUNK} tuples of `width` parameters. */
function tuples(width: number): string {
  const one = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: LOOKUP_CHUNK }, () => one).join(', ');
}

/** Which conversation filters a listing uses, as bits, to pick its cached statement. */
export const listingBits = {
  customer: 1,
  channel: 2,
  account: 4,
  cursor: 8,
  /** Only conversations with a case. */
  hasCase: 16,
  /** Only conversations without a case. */
  noCase: 32,
  /** Case status in a JSON array of statuses (one parameter). */
  caseStatus: 64,
  /** The statuses asked for are all open ones: the listing can walk `conversations_open_cases`. */
  openCases: 128,
  queue: 256,
  assignee: 512,
} as const;

/** The partial index condition of `conversations_open_cases`, repeated word for word by the listings that use it. */
export const OPEN_CASE_CONDITION = "json_extract(case_data, '$.status') IN ('new', 'open', 'pending')";

/** Which rule firing filters a listing uses, as bits, to pick its cached statement. */
export const firingBits = { rule: 1, customer: 2, cursor: 4 } as const;

/**
 * The read statements of one connection, prepared once. A store has two sets: one on the writer
 * (reads inside a unit of work see its writes) and, for a WAL file, one on the read-only
 * connection (reads of committed data).
 */
export class ReadStatements {
  readonly customerById: Statement<[string, string], CustomerRow>;
  readonly identityByKey: Statement<[string, string, string], IdentityRow>;
  /** Tenant, then {@link LOOKUP_CHUNK} (channel, externalId) pairs. */
  readonly identitiesByKeys: Statement<unknown[], IdentityRow>;
  readonly identitiesByVerifiedEmail: Statement<[string, string], IdentityRow>;
  readonly identitiesByCustomer: Statement<[string, string], IdentityRow>;
  /** Aliased to the head's property names, so each row already is an `InteractionHead`. */
  readonly interactionHeadByKey: Statement<[string, string, string, string], InteractionHead>;
  /** Tenant, then {@link LOOKUP_CHUNK} (channel, account, externalId) triples. */
  readonly interactionHeadsByKeys: Statement<unknown[], InteractionHead>;
  /** Tenant, then {@link LOOKUP_CHUNK} interaction ids. */
  readonly interactionsByIds: Statement<unknown[], InteractionRow>;
  readonly interactionById: Statement<[string, string], InteractionRow>;
  readonly timelineFirst: Statement<[string, string, number], InteractionRow>;
  readonly timelineAfter: Statement<[string, string, number, string, number], InteractionRow>;
  readonly conversationInteractionsFirst: Statement<[string, string, number], InteractionRow>;
  readonly conversationInteractionsAfter: Statement<[string, string, number, string, number], InteractionRow>;
  readonly conversationByKey: Statement<[string, string, string, string], ConversationRow>;
  /** Tenant, then {@link LOOKUP_CHUNK} (channel, account, externalId) triples. */
  readonly conversationsByKeys: Statement<unknown[], ConversationRow>;
  readonly conversationById: Statement<[string, string], ConversationRow>;
  readonly searchBounded: Statement<
    [{ tenant: string; low: string; high: string; limit: number }],
    CustomerRow
  >;
  readonly searchUnbounded: Statement<[{ tenant: string; low: string; limit: number }], CustomerRow>;
  /** Active customers by id, after `after` (`''`: from the first). */
  readonly activeCustomers: Statement<[{ tenant: string; after: string; limit: number }], CustomerRow>;
  readonly mergeById: Statement<[string, string], MergeRow>;
  readonly mergesOf: Statement<[{ tenant: string; customer: string }], MergeRow>;
  readonly consentsOf: Statement<[string, string], ConsentRow>;
  readonly latestScoresOf: Statement<[string, string], ScoreRow>;
  /** A customer's score log newest first, each row ending with its rowid (the tie-breaker). */
  readonly scoreHistory: Statement<
    [
      {
        tenant: string;
        customer: string;
        name: string | null;
        time: number | null;
        seq: number | null;
        limit: number;
      },
    ],
    [...ScoreRow, number]
  >;
  readonly erasureExists: Statement<[string, string], number>;
  /** Tenant, then {@link LOOKUP_CHUNK} erasure keys; yields the keys found. */
  readonly erasuresByKeys: Statement<unknown[], string>;
  readonly counts: Statement<[{ tenant: string }], CountsRow>;
  readonly accountCounts: Statement<[string], AccountCountRow>;
  /** The customer and, transitively, every customer merged into it. */
  readonly customerFamily: Statement<[{ tenant: string; customer: string }], string>;
  readonly interactionsOfCustomer: Statement<[string, string], InteractionRow>;
  readonly conversationsOfCustomer: Statement<[string, string], ConversationRow>;
  readonly scoresOfCustomer: Statement<[string, string], ScoreRow>;
  /** Interactions with `from <= occurred_at < to`, oldest first. */
  readonly recentInteractions: Statement<[string, string, number, number, number], InteractionRow>;
  readonly scanInteractionsFirst: Statement<[string, number, number, number], InteractionRow>;
  /** Interactions after a position and before `to`, oldest first. */
  readonly scanInteractionsAfter: Statement<[string, number, string, number, number], InteractionRow>;
  readonly segmentsOfCustomer: Statement<[string, string], SegmentMemberRow>;
  readonly segmentMembersFirst: Statement<[string, string, number], SegmentMemberRow>;
  readonly segmentMembersAfter: Statement<[string, string, string, number], SegmentMemberRow>;
  /** A customer's rule firings, oldest first (for the export). */
  readonly ruleFiringsOfCustomer: Statement<[string, string], RuleFiringRow>;
  readonly dueTimers: Statement<[string, number, number], RuleTimerRow>;
  /** Every tenant of the store, by id (not scoped to one tenant). */
  readonly allTenants: Statement<[], TenantRow>;
  /** The outbox and channel state reads (outbox.ts). */
  readonly outbox: OutboxReadStatements;
  /**
   * Runs several reads as one read transaction, so they see one state of the database (nested in
   * a unit of work it becomes a savepoint).
   */
  readonly snapshot: <T>(read: () => T) => T;
  private readonly listings = new Map<number, Statement<unknown[], ConversationRow>>();
  private readonly firingListings = new Map<number, Statement<unknown[], RuleFiringRow>>();

  constructor(private readonly db: SqliteDatabase) {
    // Record reads return arrays (raw mode), mapped by the functions in rows.ts.
    const rows = <P extends unknown[], R>(sql: string): Statement<P, R> => db.prepare<P, R>(sql).raw(true);
    const transaction = db.transaction((read: () => unknown) => read());
    this.snapshot = <T>(read: () => T): T => transaction.deferred(read) as T;
    this.customerById = rows(`SELECT ${CUSTOMER} FROM customers WHERE tenant_id = ? AND id = ?`);
    this.identityByKey = rows(
      `SELECT ${IDENTITY} FROM identities WHERE tenant_id = ? AND channel = ? AND external_id = ?`,
    );
    // Row values IN a VALUES list: one index probe per pair (see EXPLAIN QUERY PLAN in the tests).
    this.identitiesByKeys = rows(
      `SELECT ${IDENTITY} FROM identities WHERE tenant_id = ? AND (channel, external_id) IN (VALUES ${tuples(2)})`,
    );
    this.identitiesByVerifiedEmail = rows(
      `SELECT ${IDENTITY} FROM identities
       WHERE tenant_id = ? AND email_lc = ? AND verified = 1
       ORDER BY created_at, id`,
    );
    this.identitiesByCustomer = rows(
      `SELECT ${IDENTITY} FROM identities WHERE tenant_id = ? AND customer_id = ? ORDER BY created_at, id`,
    );
    this.interactionHeadByKey = db.prepare(
      `SELECT id, channel, account, external_id AS externalId, version, customer_id AS customerId,
              conversation_id AS conversationId
       FROM interactions WHERE tenant_id = ? AND channel = ? AND account = ? AND external_id = ?`,
    );
    this.interactionsByIds = rows(
      `SELECT ${INTERACTION} FROM interactions WHERE tenant_id = ? AND id IN (VALUES ${tuples(1)})`,
    );
    this.interactionHeadsByKeys = db.prepare(
      `SELECT id, channel, account, external_id AS externalId, version, customer_id AS customerId,
              conversation_id AS conversationId
       FROM interactions WHERE tenant_id = ? AND (channel, account, external_id) IN (VALUES ${tuples(3)})`,
    );
    this.interactionById = rows(`SELECT ${INTERACTION} FROM interactions WHERE tenant_id = ? AND id = ?`);
    this.timelineFirst = rows(
      `SELECT ${INTERACTION} FROM interactions WHERE tenant_id = ? AND customer_id = ?
       ORDER BY occurred_at DESC, id DESC LIMIT ?`,
    );
    this.timelineAfter = rows(
      `SELECT ${INTERACTION} FROM interactions
       WHERE tenant_id = ? AND customer_id = ? AND (occurred_at, id) < (?, ?)
       ORDER BY occurred_at DESC, id DESC LIMIT ?`,
    );
    this.conversationInteractionsFirst = rows(
      `SELECT ${INTERACTION} FROM interactions WHERE tenant_id = ? AND conversation_id = ?
       ORDER BY occurred_at, id LIMIT ?`,
    );
    this.conversationInteractionsAfter = rows(
      `SELECT ${INTERACTION} FROM interactions
       WHERE tenant_id = ? AND conversation_id = ? AND (occurred_at, id) > (?, ?)
       ORDER BY occurred_at, id LIMIT ?`,
    );
    this.conversationByKey = rows(
      `SELECT ${CONVERSATION} FROM conversations WHERE tenant_id = ? AND channel = ? AND account = ? AND external_id = ?`,
    );
    this.conversationsByKeys = rows(
      `SELECT ${CONVERSATION} FROM conversations
       WHERE tenant_id = ? AND (channel, account, external_id) IN (VALUES ${tuples(3)})`,
    );
    this.conversationById = rows(`SELECT ${CONVERSATION} FROM conversations WHERE tenant_id = ? AND id = ?`);
    // The matches are collected first (CROSS JOIN keeps them the outer loop), so a short prefix
    // in a large tenant costs the matches, never a walk over every customer in id order.
    const matches = (upper: (column: string) => string) => `
      SELECT id FROM customers WHERE tenant_id = @tenant AND display_name_lc >= @low ${upper('display_name_lc')}
      UNION SELECT id FROM customers WHERE tenant_id = @tenant AND primary_email_lc >= @low ${upper('primary_email_lc')}
      UNION SELECT customer_id FROM identities WHERE tenant_id = @tenant AND handle_lc >= @low ${upper('handle_lc')}
      UNION SELECT customer_id FROM identities WHERE tenant_id = @tenant AND email_lc >= @low ${upper('email_lc')}`;
    const search = (upper: (column: string) => string) => `
      SELECT ${CUSTOMER.replace(/(\w+)/g, 'c.$1')} FROM (${matches(upper)}) AS m
      CROSS JOIN customers AS c ON c.tenant_id = @tenant AND c.id = m.id
      WHERE c.status = 'active'
      ORDER BY c.id LIMIT @limit`;
    this.searchBounded = rows(search((column) => `AND ${column} < @high`));
    this.searchUnbounded = rows(search(() => ''));
    this.activeCustomers = rows(
      `SELECT ${CUSTOMER} FROM customers
       WHERE tenant_id = @tenant AND status = 'active' AND id > @after
       ORDER BY id LIMIT @limit`,
    );
    this.mergeById = rows(`SELECT ${MERGE} FROM merges WHERE tenant_id = ? AND id = ?`);
    // A UNION of two index lookups: with an OR the planner may settle for every merge of the tenant.
    this.mergesOf = rows(
      `SELECT ${MERGE} FROM merges WHERE tenant_id = @tenant AND survivor_id = @customer
       UNION
       SELECT ${MERGE} FROM merges WHERE tenant_id = @tenant AND absorbed_id = @customer
       ORDER BY at, id`,
    );
    this.consentsOf = rows(
      `SELECT ${CONSENT} FROM consents WHERE tenant_id = ? AND customer_id = ? ORDER BY at, id`,
    );
    // Ties on computed_at go to the later insert (higher rowid), as a history's last entry should.
    this.latestScoresOf = rows(
      `SELECT ${SCORE} FROM (
         SELECT ${SCORE}, row_number() OVER (PARTITION BY name, model_id ORDER BY computed_at DESC, rowid DESC) AS rank
         FROM scores WHERE tenant_id = ? AND customer_id = ?
       ) WHERE rank = 1 ORDER BY name, model_id`,
    );
    this.scoreHistory = rows(
      `SELECT ${SCORE}, rowid FROM scores
       WHERE tenant_id = @tenant AND customer_id = @customer AND (@name IS NULL OR name = @name)
         AND (@time IS NULL OR computed_at < @time OR (computed_at = @time AND rowid < @seq))
       ORDER BY computed_at DESC, rowid DESC LIMIT @limit`,
    );
    this.erasureExists = db
      .prepare<[string, string], number>('SELECT 1 FROM erasures WHERE tenant_id = ? AND erasure_key = ?')
      .pluck();
    this.erasuresByKeys = db
      .prepare<unknown[], string>(
        `SELECT erasure_key FROM erasures WHERE tenant_id = ? AND erasure_key IN (VALUES ${tuples(1)})`,
      )
      .pluck();
    // Active customers = all minus the few inactive ones, which a small partial index counts.
    this.counts = db.prepare(
      `SELECT
         (SELECT count(*) FROM customers WHERE tenant_id = @tenant) AS customers,
         (SELECT count(*) FROM customers WHERE tenant_id = @tenant AND status <> 'active') AS inactive,
         (SELECT count(*) FROM identities WHERE tenant_id = @tenant) AS identities,
         (SELECT count(*) FROM conversations WHERE tenant_id = @tenant) AS conversations,
         (SELECT count(*) FROM merges WHERE tenant_id = @tenant) AS merges`,
    );
    this.accountCounts = db.prepare(
      'SELECT channel, account, count(*) AS n FROM interactions WHERE tenant_id = ? GROUP BY channel, account',
    );
    this.customerFamily = db
      .prepare<[{ tenant: string; customer: string }], string>(
        `WITH RECURSIVE family(id) AS (
           SELECT @customer
           UNION
           SELECT c.id FROM family AS f CROSS JOIN customers AS c
             ON c.tenant_id = @tenant AND c.merged_into = f.id AND c.status = 'merged'
         )
         SELECT id FROM family`,
      )
      .pluck();
    this.interactionsOfCustomer = rows(
      `SELECT ${INTERACTION} FROM interactions WHERE tenant_id = ? AND customer_id = ? ORDER BY occurred_at, id`,
    );
    this.conversationsOfCustomer = rows(
      `SELECT ${CONVERSATION} FROM conversations WHERE tenant_id = ? AND customer_id = ? ORDER BY started_at, id`,
    );
    this.scoresOfCustomer = rows(
      `SELECT ${SCORE} FROM scores WHERE tenant_id = ? AND customer_id = ? ORDER BY computed_at, rowid`,
    );
    this.recentInteractions = rows(
      `SELECT ${INTERACTION} FROM interactions
       WHERE tenant_id = ? AND customer_id = ? AND occurred_at >= ? AND occurred_at < ?
       ORDER BY occurred_at DESC, id DESC LIMIT ?`,
    );
    this.scanInteractionsFirst = rows(
      `SELECT ${INTERACTION} FROM interactions INDEXED BY interactions_occurred
       WHERE tenant_id = ? AND occurred_at >= ? AND occurred_at < ?
       ORDER BY occurred_at, id LIMIT ?`,
    );
    this.scanInteractionsAfter = rows(
      `SELECT ${INTERACTION} FROM interactions INDEXED BY interactions_occurred
       WHERE tenant_id = ? AND (occurred_at, id) > (?, ?) AND occurred_at < ?
       ORDER BY occurred_at, id LIMIT ?`,
    );
    // Without statistics the planner would rather walk the tenant's part of the primary key (the
    // table itself, so no lookups) than find the customer's few rows by index.
    this.segmentsOfCustomer = rows(
      `SELECT ${SEGMENT_MEMBER} FROM segment_members INDEXED BY segment_members_customer
       WHERE tenant_id = ? AND customer_id = ? ORDER BY segment`,
    );
    this.segmentMembersFirst = rows(
      `SELECT ${SEGMENT_MEMBER} FROM segment_members WHERE tenant_id = ? AND segment = ?
       ORDER BY customer_id LIMIT ?`,
    );
    this.segmentMembersAfter = rows(
      `SELECT ${SEGMENT_MEMBER} FROM segment_members WHERE tenant_id = ? AND segment = ? AND customer_id > ?
       ORDER BY customer_id LIMIT ?`,
    );
    this.ruleFiringsOfCustomer = rows(
      `SELECT ${RULE_FIRING} FROM rule_firings WHERE tenant_id = ? AND customer_id = ? ORDER BY fired_at, id`,
    );
    this.dueTimers = rows(
      `SELECT ${RULE_TIMER} FROM rule_timers WHERE tenant_id = ? AND due_at <= ? ORDER BY due_at, id LIMIT ?`,
    );
    this.allTenants = rows(`SELECT ${TENANT} FROM tenants ORDER BY tenant_id`);
    this.outbox = new OutboxReadStatements(db);
  }

  /**
   * The rule firing listing for a combination of filters (see {@link firingBits}), prepared on
   * first use. Parameters: tenant, then the used filters in bit order, then the cursor's time and
   * id when paging on, then the limit.
   */
  listRuleFirings(bits: number): Statement<unknown[], RuleFiringRow> {
    let statement = this.firingListings.get(bits);
    if (statement === undefined) {
      // Each filter has an index in the listing's order; with both, a customer has fewer firings.
      const index =
        bits & firingBits.customer
          ? 'rule_firings_customer'
          : bits & firingBits.rule
            ? 'rule_firings_rule'
            : 'rule_firings_recent';
      let where = 'tenant_id = ?';
      if (bits & firingBits.rule) where += ' AND rule_id = ?';
      if (bits & firingBits.customer) where += ' AND customer_id = ?';
      if (bits & firingBits.cursor) where += ' AND (fired_at, id) < (?, ?)';
      statement = this.db
        .prepare<unknown[], RuleFiringRow>(
          `SELECT ${RULE_FIRING} FROM rule_firings INDEXED BY ${index} WHERE ${where}
           ORDER BY fired_at DESC, id DESC LIMIT ?`,
        )
        .raw(true);
      this.firingListings.set(bits, statement);
    }
    return statement;
  }

  /**
   * The conversation listing for a combination of filters (see {@link listingBits}),
   * prepared on first use. Parameters: tenant, then the used filters in bit order, then the
   * cursor's time and id when paging on, then the limit.
   */
  listConversations(bits: number): Statement<unknown[], ConversationRow> {
    let statement = this.listings.get(bits);
    if (statement === undefined) {
      // A customer has few conversations: find them by customer and sort them, rather than walk
      // the whole tenant by recency looking for them (which the planner may prefer, to skip the sort).
      // Open cases are few among all conversations: find them alone and sort them. Other case
      // filters are checked on the walk by recency.
      const index =
        bits & listingBits.customer
          ? 'INDEXED BY conversations_customer'
          : bits & listingBits.openCases
            ? 'INDEXED BY conversations_open_cases'
            : '';
      let where = 'tenant_id = ?';
      if (bits & listingBits.customer) where += ' AND customer_id = ?';
      if (bits & listingBits.channel) where += ' AND channel = ?';
      if (bits & listingBits.account) where += ' AND account = ?';
      if (bits & listingBits.hasCase) where += ' AND case_data IS NOT NULL';
      if (bits & listingBits.noCase) where += ' AND case_data IS NULL';
      if (bits & listingBits.openCases) where += ` AND ${OPEN_CASE_CONDITION}`;
      if (bits & listingBits.caseStatus)
        where += " AND json_extract(case_data, '$.status') IN (SELECT value FROM json_each(?))";
      if (bits & listingBits.queue) where += " AND json_extract(case_data, '$.queue') = ?";
      if (bits & listingBits.assignee) where += " AND json_extract(case_data, '$.assignee') = ?";
      if (bits & listingBits.cursor) where += ' AND (last_interaction_at, id) < (?, ?)';
      statement = this.db
        .prepare<unknown[], ConversationRow>(
          `SELECT ${CONVERSATION} FROM conversations ${index} WHERE ${where}
           ORDER BY last_interaction_at DESC, id DESC LIMIT ?`,
        )
        .raw(true);
      this.listings.set(bits, statement);
    }
    return statement;
  }
}

/** The write statements, prepared once on the writer connection. */
export class WriteStatements {
  readonly begin: Statement<[]>;
  readonly commit: Statement<[]>;
  readonly rollback: Statement<[]>;
  readonly insertTenant: Statement<[string, string, number]>;
  readonly tenantById: Statement<[string], TenantRow>;
  readonly insertCustomer: Statement<unknown[]>;
  readonly updateCustomer: Statement<unknown[]>;
  readonly insertIdentity: Statement<unknown[]>;
  readonly reassignIdentity: Statement<[string, string, string]>;
  readonly insertInteraction: Statement<unknown[]>;
  readonly updateInteractionContent: Statement<unknown[]>;
  readonly reassignInteractionsByIdentity: Statement<[string, string, string, string]>;
  readonly reassignReferralsByIdentity: Statement<[string, string, string, string]>;
  readonly insertConversation: Statement<unknown[]>;
  readonly touchConversation: Statement<[number, number, string, string]>;
  readonly setMissingConversationCustomer: Statement<[string, string, string]>;
  readonly reassignConversation: Statement<[string, string, string]>;
  readonly conversationIdsOf: Statement<[string, string], string>;
  readonly insertConsent: Statement<unknown[]>;
  readonly reassignConsent: Statement<[string, string, string]>;
  readonly consentIdsOf: Statement<[string, string], string>;
  readonly insertScore: Statement<unknown[]>;
  readonly insertMerge: Statement<unknown[]>;
  readonly updateMerge: Statement<unknown[]>;
  readonly eraseIdentities: Statement<[string, string]>;
  readonly eraseInteractions: Statement<[string, string]>;
  readonly eraseConversations: Statement<[string, string]>;
  readonly eraseConsents: Statement<[string, string]>;
  readonly eraseScores: Statement<[string, string]>;
  readonly eraseCustomerRow: Statement<[number, string, string]>;
  readonly eraseMergeSnapshots: Statement<[number, string, string]>;
  readonly eraseReferralPointers: Statement<[string, string]>;
  readonly insertErasure: Statement<[string, string, number]>;
  readonly insertSegmentMember: Statement<[string, string, string, number, string]>;
  readonly removeSegmentMember: Statement<[string, string, string]>;
  readonly updateConversationCase: Statement<[string | null, string, string]>;
  readonly insertRuleFiring: Statement<unknown[]>;
  readonly updateRuleFiringActions: Statement<[string | null, string, string]>;
  readonly upsertTimer: Statement<unknown[]>;
  readonly deleteTimer: Statement<[string, string]>;
  readonly eraseSegmentMembers: Statement<[string, string]>;
  readonly eraseRuleFirings: Statement<[string, string]>;
  readonly eraseTimers: Statement<[string, string]>;
  /** The outbox and channel state writes (outbox.ts). */
  readonly outbox: OutboxWriteStatements;

  constructor(db: SqliteDatabase) {
    // IMMEDIATE takes the write lock at once, so a unit of work never fails half-way upgrading a
    // read lock, and another process waits (busy timeout) instead of failing at commit.
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.insertTenant = db.prepare(
      'INSERT INTO tenants (tenant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING',
    );
    this.tenantById = db
      .prepare<[string], TenantRow>(`SELECT ${TENANT} FROM tenants WHERE tenant_id = ?`)
      .raw(true);
    this.insertCustomer = db.prepare(
      `INSERT INTO customers (${CUSTOMER}, display_name_lc, primary_email_lc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateCustomer = db.prepare(
      `UPDATE customers SET status = ?, merged_into = ?, display_name = ?, primary_email = ?, created_at = ?,
         updated_at = ?, attributes = ?, tags = ?, display_name_lc = ?, primary_email_lc = ?
       WHERE tenant_id = ? AND id = ?`,
    );
    this.insertIdentity = db.prepare(
      `INSERT INTO identities (${IDENTITY}, handle_lc, email_lc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.reassignIdentity = db.prepare(
      'UPDATE identities SET customer_id = ? WHERE tenant_id = ? AND id = ?',
    );
    // No conflict target: a clash on the dedupe key or on the id is skipped alike.
    this.insertInteraction = db.prepare(
      `INSERT INTO interactions (${INTERACTION})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    this.updateInteractionContent = db.prepare(
      `UPDATE interactions SET version = ?, kind = ?, effort = ?, text = ?, language = ?, received_at = ?,
         amount = ?, currency = ?, scores = ?, metadata = ?
       WHERE tenant_id = ? AND id = ? AND version < ?`,
    );
    this.reassignInteractionsByIdentity = db.prepare(
      // Through the timeline index: an interaction belongs to the owner of its identity.
      'UPDATE interactions SET customer_id = ? WHERE tenant_id = ? AND customer_id = ? AND identity_id = ?',
    );
    this.reassignReferralsByIdentity = db.prepare(
      'UPDATE interactions SET referred_customer_id = ? WHERE tenant_id = ? AND referred_identity_id = ? AND referred_customer_id = ?',
    );
    this.insertConversation = db.prepare(
      `INSERT INTO conversations (${CONVERSATION}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.touchConversation = db.prepare(
      `UPDATE conversations SET interaction_count = interaction_count + ?, last_interaction_at = max(last_interaction_at, ?)
       WHERE tenant_id = ? AND id = ?`,
    );
    // Apart from the touch: SQLite rewrites an index entry whenever its column is assigned, even
    // to the same value, and the customer is almost always set already.
    this.setMissingConversationCustomer = db.prepare(
      'UPDATE conversations SET customer_id = ? WHERE tenant_id = ? AND id = ? AND customer_id IS NULL',
    );
    this.reassignConversation = db.prepare(
      'UPDATE conversations SET customer_id = ? WHERE tenant_id = ? AND id = ?',
    );
    this.conversationIdsOf = db
      .prepare<[string, string], string>(
        'SELECT id FROM conversations WHERE tenant_id = ? AND customer_id = ?',
      )
      .pluck();
    this.insertConsent = db.prepare(`INSERT INTO consents (${CONSENT}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.reassignConsent = db.prepare('UPDATE consents SET customer_id = ? WHERE tenant_id = ? AND id = ?');
    this.consentIdsOf = db
      .prepare<[string, string], string>(
        'SELECT id FROM consents WHERE tenant_id = ? AND customer_id = ? ORDER BY at, id',
      )
      .pluck();
    this.insertScore = db.prepare(`INSERT INTO scores (${SCORE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertMerge = db.prepare(
      `INSERT INTO merges (${MERGE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateMerge = db.prepare(
      `UPDATE merges SET survivor_id = ?, absorbed_id = ?, reason = ?, actor = ?, at = ?, identity_ids = ?,
         conversation_ids = ?, consent_ids = ?, added_tags = ?, added_attributes = ?, filled_fields = ?,
         absorbed_snapshot = ?, unmerged_at = ?, unmerged_by = ?
       WHERE tenant_id = ? AND id = ?`,
    );
    this.eraseIdentities = db.prepare('DELETE FROM identities WHERE tenant_id = ? AND customer_id = ?');
    this.eraseInteractions = db.prepare('DELETE FROM interactions WHERE tenant_id = ? AND customer_id = ?');
    this.eraseConversations = db.prepare('DELETE FROM conversations WHERE tenant_id = ? AND customer_id = ?');
    this.eraseConsents = db.prepare('DELETE FROM consents WHERE tenant_id = ? AND customer_id = ?');
    this.eraseScores = db.prepare('DELETE FROM scores WHERE tenant_id = ? AND customer_id = ?');
    // Merge snapshots keep only ids and dates once the absorbed customer is erased.
    this.eraseMergeSnapshots = db.prepare(
      `UPDATE merges SET absorbed_snapshot = json_set(absorbed_snapshot, '$.displayName', NULL, '$.primaryEmail', NULL,
         '$.attributes', json('{}'), '$.tags', json('[]'), '$.status', 'erased', '$.updatedAt', ?)
       WHERE tenant_id = ? AND absorbed_id = ?`,
    );
    this.eraseReferralPointers = db.prepare(
      `UPDATE interactions SET referred_identity_id = NULL, referred_customer_id = NULL
       WHERE tenant_id = ? AND referred_customer_id = ?`,
    );
    this.eraseCustomerRow = db.prepare(
      `UPDATE customers SET status = 'erased', merged_into = NULL, display_name = NULL, primary_email = NULL,
         attributes = NULL, tags = NULL, display_name_lc = NULL, primary_email_lc = NULL, updated_at = ?
       WHERE tenant_id = ? AND id = ?`,
    );
    this.insertErasure = db.prepare(
      'INSERT INTO erasures (tenant_id, erasure_key, erased_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    // A pair already present keeps its date and source.
    this.insertSegmentMember = db.prepare(
      `INSERT INTO segment_members (${SEGMENT_MEMBER}) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.removeSegmentMember = db.prepare(
      'DELETE FROM segment_members WHERE tenant_id = ? AND segment = ? AND customer_id = ?',
    );
    this.updateConversationCase = db.prepare(
      'UPDATE conversations SET case_data = ? WHERE tenant_id = ? AND id = ?',
    );
    this.insertRuleFiring = db.prepare(
      `INSERT INTO rule_firings (${RULE_FIRING}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateRuleFiringActions = db.prepare(
      'UPDATE rule_firings SET actions = ? WHERE tenant_id = ? AND id = ?',
    );
    // REPLACE removes the row holding the key (and one holding the id), then inserts: a timer
    // restarted under its key takes the new id, due time and subject.
    this.upsertTimer = db.prepare(
      `INSERT OR REPLACE INTO rule_timers (${RULE_TIMER}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteTimer = db.prepare('DELETE FROM rule_timers WHERE tenant_id = ? AND id = ?');
    this.eraseSegmentMembers = db.prepare(
      'DELETE FROM segment_members INDEXED BY segment_members_customer WHERE tenant_id = ? AND customer_id = ?',
    );
    this.eraseRuleFirings = db.prepare('DELETE FROM rule_firings WHERE tenant_id = ? AND customer_id = ?');
    this.eraseTimers = db.prepare('DELETE FROM rule_timers WHERE tenant_id = ? AND subject_customer_id = ?');
    this.outbox = new OutboxWriteStatements(db);
  }
}
