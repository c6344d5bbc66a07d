import {
  CONSENT_COLUMNS as CONSENT,
  CONVERSATION_COLUMNS as CONVERSATION,
  CUSTOMER_COLUMNS as CUSTOMER,
  IDENTITY_COLUMNS as IDENTITY,
  INTERACTION_COLUMNS as INTERACTION,
  MERGE_COLUMNS as MERGE,
  RULE_FIRING_COLUMNS as RULE_FIRING,
  RULE_TIMER_COLUMNS as RULE_TIMER,
  SCORE_COLUMNS as SCORE,
  SEGMENT_MEMBER_COLUMNS as SEGMENT_MEMBER,
  TENANT_COLUMNS as TENANT,
} from '@rapport/core';
import { quoteIdentifier, type Statement, statement } from './connection.js';
import { OutboxStatements } from './outbox.js';

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
  /** Case status in an array of statuses (one parameter). */
  caseStatus: 64,
  /** The statuses asked for are all open ones: the listing can use `conversations_open_cases`. */
  openCases: 128,
  queue: 256,
  assignee: 512,
} as const;

/** The partial index condition of `conversations_open_cases`, repeated by the listings that use it. */
export const OPEN_CASE_CONDITION = "(case_data->>'status') IN ('new', 'open', 'pending')";

/** Which rule firing filters a listing uses, as bits, to pick its cached statement. */
export const firingBits = { rule: 1, customer: 2, cursor: 4 } as const;

/** `alias.column` for each column of a list. */
function qualify(alias: string, columns: string): string {
  return columns
    .split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');
}

/**
 * Every statement of a store, built once for its schema. Batch lookups join the table to
 * `unnest($n::text[]) WITH ORDINALITY`, so a batch is one round trip and the answer keeps the
 * order of the keys; bulk writes insert from `unnest` of one array per column.
 *
 * Parameter `$1` is always the tenant.
 */
export class Statements {
  readonly schema: string;
  // Reads.
  readonly customersByIds: Statement;
  readonly identitiesByKeys: Statement;
  readonly identitiesByVerifiedEmails: Statement;
  readonly identitiesByCustomer: Statement;
  readonly interactionHeadsByKeys: Statement;
  readonly interactionById: Statement;
  /** Interactions by id, in the order of the ids given. */
  readonly interactionsByIds: Statement;
  readonly timelineFirst: Statement;
  readonly timelineAfter: Statement;
  readonly conversationInteractionsFirst: Statement;
  readonly conversationInteractionsAfter: Statement;
  readonly conversationsByKeys: Statement;
  readonly conversationById: Statement;
  readonly searchBounded: Statement;
  readonly searchUnbounded: Statement;
  /** Active customers by id, after `$2` (null: from the first). */
  readonly activeCustomers: Statement;
  readonly mergeById: Statement;
  readonly mergesOf: Statement;
  readonly consentsOf: Statement;
  readonly latestScoresOf: Statement;
  /** A customer's score log newest first, each row ending with its seq (the tie-breaker). */
  readonly scoreHistory: Statement;
  readonly erasuresByKeys: Statement;
  readonly counts: Statement;
  readonly accountCounts: Statement;
  readonly customerFamily: Statement;
  readonly customersOfFamily: Statement;
  readonly identitiesOfFamily: Statement;
  readonly interactionsOfFamily: Statement;
  readonly conversationsOfFamily: Statement;
  readonly consentsOfFamily: Statement;
  readonly scoresOfFamily: Statement;
  readonly mergesOfFamily: Statement;
  readonly segmentsOfFamily: Statement;
  readonly ruleFiringsOfFamily: Statement;
  readonly recentInteractions: Statement;
  readonly scanInteractionsFirst: Statement;
  readonly scanInteractionsAfter: Statement;
  readonly segmentsOfCustomers: Statement;
  readonly segmentMembersFirst: Statement;
  readonly segmentMembersAfter: Statement;
  readonly dueTimers: Statement;
  readonly allTenants: Statement;
  // Row locks of a unit of work (see unit-of-work.ts).
  readonly lockCustomers: Statement;
  readonly barrierShared: Statement;
  readonly barrierExclusive: Statement;
  readonly referencesChanged: Statement;
  // Writes.
  readonly ensureTenant: Statement;
  readonly insertCustomers: Statement;
  readonly updateCustomers: Statement;
  readonly insertIdentities: Statement;
  readonly reassignIdentities: Statement;
  readonly insertInteractions: Statement;
  readonly insertInteractionsPlain: Statement;
  readonly updateInteractionContent: Statement;
  readonly reassignInteractionsByIdentity: Statement;
  readonly reassignReferralsByIdentity: Statement;
  readonly insertConversations: Statement;
  readonly touchConversations: Statement;
  readonly reassignConversations: Statement;
  readonly conversationIdsOf: Statement;
  readonly insertConsents: Statement;
  readonly reassignConsents: Statement;
  readonly consentIdsOf: Statement;
  readonly insertScores: Statement;
  readonly insertMerge: Statement;
  readonly updateMerge: Statement;
  readonly addSegmentMembers: Statement;
  readonly removeSegmentMembers: Statement;
  readonly updateConversationCases: Statement;
  readonly insertRuleFirings: Statement;
  readonly updateRuleFirings: Statement;
  readonly deleteTimersMovingKey: Statement;
  readonly upsertTimers: Statement;
  readonly deleteTimers: Statement;
  readonly eraseIdentities: Statement;
  readonly eraseInteractions: Statement;
  readonly eraseConversations: Statement;
  readonly eraseConsents: Statement;
  readonly eraseScores: Statement;
  readonly eraseSegmentMembers: Statement;
  readonly eraseRuleFirings: Statement;
  readonly eraseTimers: Statement;
  readonly eraseCustomerRow: Statement;
  readonly eraseMergeSnapshots: Statement;
  readonly eraseReferralPointers: Statement;
  readonly insertErasures: Statement;
  /** The outbox and channel state statements (outbox.ts). */
  readonly outbox: OutboxStatements;

  private readonly listings = new Map<number, Statement>();
  private readonly firingListings = new Map<number, Statement>();

  constructor(schemaName: string) {
    const s = quoteIdentifier(schemaName);
    this.schema = s;
    const t = (table: string) => `${s}.${table}`;

    this.customersByIds = statement(
      `SELECT ${qualify('c', CUSTOMER)} FROM unnest($2::text[]) WITH ORDINALITY AS k(id, ord)
       JOIN ${t('customers')} AS c ON c.tenant_id = $1 AND c.id = k.id ORDER BY k.ord`,
    );
    this.identitiesByKeys = statement(
      `SELECT ${qualify('i', IDENTITY)} FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS k(channel, external_id, ord)
       JOIN ${t('identities')} AS i ON i.tenant_id = $1 AND i.channel = k.channel AND i.external_id = k.external_id
       ORDER BY k.ord`,
    );
    this.identitiesByVerifiedEmails = statement(
      `SELECT ${qualify('i', IDENTITY)} FROM unnest($2::text[]) WITH ORDINALITY AS k(email, ord)
       JOIN ${t('identities')} AS i ON i.tenant_id = $1 AND i.email_lc = k.email AND i.verified
       ORDER BY k.ord, i.created_at, i.id`,
    );
    this.identitiesByCustomer = statement(
      `SELECT ${IDENTITY} FROM ${t('identities')} WHERE tenant_id = $1 AND customer_id = $2 ORDER BY created_at, id`,
    );
    // Aliased to the head's property names, so each row already is an `InteractionHead`.
    this.interactionHeadsByKeys = statement(
      `SELECT i.id, i.channel, i.account, i.external_id AS "externalId", i.version, i.customer_id AS "customerId",
              i.conversation_id AS "conversationId"
       FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(channel, account, external_id, ord)
       JOIN ${t('interactions')} AS i
         ON i.tenant_id = $1 AND i.channel = k.channel AND i.account = k.account AND i.external_id = k.external_id
       ORDER BY k.ord`,
    );
    this.interactionById = statement(
      `SELECT ${INTERACTION} FROM ${t('interactions')} WHERE tenant_id = $1 AND id = $2`,
    );
    this.interactionsByIds = statement(
      `SELECT ${qualify('i', INTERACTION)} FROM unnest($2::text[]) WITH ORDINALITY AS k(id, ord)
       JOIN ${t('interactions')} AS i ON i.tenant_id = $1 AND i.id = k.id
       ORDER BY k.ord`,
    );
    this.timelineFirst = statement(
      `SELECT ${INTERACTION} FROM ${t('interactions')} WHERE tenant_id = $1 AND customer_id = $2
       ORDER BY occurred_at DESC, id DESC LIMIT $3`,
    );
    this.timelineAfter = statement(
      `SELECT ${INTERACTION} FROM ${t('interactions')}
       WHERE tenant_id = $1 AND customer_id = $2 AND (occurred_at, id) < ($3::bigint, $4::text)
       ORDER BY occurred_at DESC, id DESC LIMIT $5`,
    );
    this.conversationInteractionsFirst = statement(
      `SELECT ${INTERACTION} FROM ${t('interactions')} WHERE tenant_id = $1 AND conversation_id = $2
       ORDER BY occurred_at, id LIMIT $3`,
    );
    this.conversationInteractionsAfter = statement(
      `SELECT ${INTERACTION} FROM ${t('interactions')}
       WHERE tenant_id = $1 AND conversation_id = $2 AND (occurred_at, id) > ($3::bigint, $4::text)
       ORDER BY occurred_at, id LIMIT $5`,
    );
    this.conversationsByKeys = statement(
      `SELECT ${qualify('c', CONVERSATION)}
       FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(channel, account, external_id, ord)
       JOIN ${t('conversations')} AS c
         ON c.tenant_id = $1 AND c.channel = k.channel AND c.account = k.account AND c.external_id = k.external_id
       ORDER BY k.ord`,
    );
    this.conversationById = statement(
      `SELECT ${CONVERSATION} FROM ${t('conversations')} WHERE tenant_id = $1 AND id = $2`,
    );
    // Four index ranges collected first, then the customers they name: a short prefix in a large
    // tenant costs its matches, never a walk over every customer in id order.
    const matches = (upper: (column: string) => string) => `
      SELECT id FROM ${t('customers')} WHERE tenant_id = $1 AND display_name_lc >= $2 ${upper('display_name_lc')}
      UNION SELECT id FROM ${t('customers')} WHERE tenant_id = $1 AND primary_email_lc >= $2 ${upper('primary_email_lc')}
      UNION SELECT customer_id FROM ${t('identities')} WHERE tenant_id = $1 AND handle_lc >= $2 ${upper('handle_lc')}
      UNION SELECT customer_id FROM ${t('identities')} WHERE tenant_id = $1 AND email_lc >= $2 ${upper('email_lc')}`;
    const search = (limit: string, upper: (column: string) => string) => `
      SELECT ${qualify('c', CUSTOMER)} FROM (${matches(upper)}) AS m
      JOIN ${t('customers')} AS c ON c.tenant_id = $1 AND c.id = m.id
      WHERE c.status = 'active'
      ORDER BY c.id LIMIT ${limit}`;
    this.searchBounded = statement(search('$4', (column) => `AND ${column} < $3`));
    this.searchUnbounded = statement(search('$3', () => ''));
    this.activeCustomers = statement(
      `SELECT ${CUSTOMER} FROM ${t('customers')}
       WHERE tenant_id = $1 AND status = 'active' AND ($2::text IS NULL OR id > $2)
       ORDER BY id LIMIT $3`,
    );
    this.mergeById = statement(`SELECT ${MERGE} FROM ${t('merges')} WHERE tenant_id = $1 AND id = $2`);
    // A UNION of two index lookups rather than an OR, which could read every merge of the tenant.
    this.mergesOf = statement(
      `SELECT ${MERGE} FROM ${t('merges')} WHERE tenant_id = $1 AND survivor_id = $2
       UNION
       SELECT ${MERGE} FROM ${t('merges')} WHERE tenant_id = $1 AND absorbed_id = $2
       ORDER BY at, id`,
    );
    this.consentsOf = statement(
      `SELECT ${CONSENT} FROM ${t('consents')} WHERE tenant_id = $1 AND customer_id = ANY($2::text[])
       ORDER BY at, id`,
    );
    // Ties on computed_at go to the later insert (higher seq), as a history's last entry should.
    this.latestScoresOf = statement(
      `SELECT ${SCORE} FROM (
         SELECT DISTINCT ON (k.ord, s.name, s.model_id) k.ord, ${qualify('s', SCORE)}
         FROM unnest($2::text[]) WITH ORDINALITY AS k(id, ord)
         JOIN ${t('scores')} AS s ON s.tenant_id = $1 AND s.customer_id = k.id
         ORDER BY k.ord, s.name, s.model_id, s.computed_at DESC, s.seq DESC
       ) AS latest ORDER BY ord, name, model_id`,
    );
    this.scoreHistory = statement(
      `SELECT ${SCORE}, seq FROM ${t('scores')}
       WHERE tenant_id = $1 AND customer_id = $2 AND ($3::text IS NULL OR name = $3)
         AND ($4::bigint IS NULL OR (computed_at, seq) < ($4::bigint, $5::bigint))
       ORDER BY computed_at DESC, seq DESC LIMIT $6`,
    );
    // A batch asks for thousands of keys: joined, not `= ANY` (see lockCustomers).
    this.erasuresByKeys = statement(
      `SELECT e.erasure_key FROM unnest($2::text[]) AS k(key)
       JOIN ${t('erasures')} AS e ON e.tenant_id = $1 AND e.erasure_key = k.key`,
    );
    // Active customers = all minus the few inactive ones, which a small partial index counts.
    this.counts = statement(
      `SELECT
         (SELECT count(*) FROM ${t('customers')} WHERE tenant_id = $1) AS customers,
         (SELECT count(*) FROM ${t('customers')} WHERE tenant_id = $1 AND status <> 'active') AS inactive,
         (SELECT count(*) FROM ${t('identities')} WHERE tenant_id = $1) AS identities,
         (SELECT count(*) FROM ${t('conversations')} WHERE tenant_id = $1) AS conversations,
         (SELECT count(*) FROM ${t('merges')} WHERE tenant_id = $1) AS merges`,
    );
    this.accountCounts = statement(
      `SELECT channel, account, count(*) AS n FROM ${t('interactions')} WHERE tenant_id = $1 GROUP BY channel, account`,
    );
    this.customerFamily = statement(
      `WITH RECURSIVE family(id) AS (
         SELECT $2::text COLLATE "C"
         UNION
         SELECT c.id FROM family AS f
           JOIN ${t('customers')} AS c ON c.tenant_id = $1 AND c.merged_into = f.id AND c.status = 'merged'
       )
       SELECT id FROM family`,
    );
    const ofFamily = (table: string, columns: string, order: string, column = 'customer_id') =>
      statement(
        `SELECT ${columns} FROM ${t(table)} WHERE tenant_id = $1 AND ${column} = ANY($2::text[]) ORDER BY ${order}`,
      );
    this.customersOfFamily = ofFamily('customers', CUSTOMER, 'id', 'id');
    this.identitiesOfFamily = ofFamily('identities', IDENTITY, 'created_at, id');
    this.interactionsOfFamily = ofFamily('interactions', INTERACTION, 'occurred_at, id');
    this.conversationsOfFamily = ofFamily('conversations', CONVERSATION, 'started_at, id');
    this.consentsOfFamily = ofFamily('consents', CONSENT, 'at, id');
    this.scoresOfFamily = ofFamily('scores', SCORE, 'computed_at, seq');
    this.segmentsOfFamily = ofFamily('segment_members', SEGMENT_MEMBER, 'added_at, segment, customer_id');
    this.ruleFiringsOfFamily = ofFamily('rule_firings', RULE_FIRING, 'fired_at, id');
    this.mergesOfFamily = statement(
      `SELECT ${MERGE} FROM ${t('merges')} WHERE tenant_id = $1 AND survivor_id = ANY($2::text[])
       UNION
       SELECT ${MERGE} FROM ${t('merges')} WHERE tenant_id = $1 AND absorbed_id = ANY($2::text[])
       ORDER BY at, id`,
    );
    this.recentInteractions = statement(
      `SELECT ${INTERACTION} FROM ${t('interactions')}
       WHERE tenant_id = $1 AND customer_id = $2 AND occurred_at >= $3 AND occurred_at < $4
       ORDER BY occurred_at DESC, id DESC LIMIT $5`,
    );
    this.scanInteractionsFirst = statement(
      `SELECT ${INTERACTION} FROM ${t('interactions')}
       WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3
       ORDER BY occurred_at, id LIMIT $4`,
    );
    this.scanInteractionsAfter = statement(
      `SELECT ${INTERACTION} FROM ${t('interactions')}
       WHERE tenant_id = $1 AND (occurred_at, id) > ($2::bigint, $3::text) AND occurred_at < $4
       ORDER BY occurred_at, id LIMIT $5`,
    );
    this.segmentsOfCustomers = statement(
      `SELECT ${SEGMENT_MEMBER} FROM ${t('segment_members')}
       WHERE tenant_id = $1 AND customer_id = ANY($2::text[]) ORDER BY customer_id, segment`,
    );
    this.segmentMembersFirst = statement(
      `SELECT ${SEGMENT_MEMBER} FROM ${t('segment_members')} WHERE tenant_id = $1 AND segment = $2
       ORDER BY customer_id LIMIT $3`,
    );
    this.segmentMembersAfter = statement(
      `SELECT ${SEGMENT_MEMBER} FROM ${t('segment_members')} WHERE tenant_id = $1 AND segment = $2 AND customer_id > $3
       ORDER BY customer_id LIMIT $4`,
    );
    this.dueTimers = statement(
      `SELECT ${RULE_TIMER} FROM ${t('rule_timers')} WHERE tenant_id = $1 AND due_at <= $2
       ORDER BY due_at, id LIMIT $3`,
    );
    this.allTenants = statement(`SELECT ${TENANT} FROM ${t('tenants')} ORDER BY tenant_id`);

    // Locked in id order (ORDER BY applies before the lock), so two statements like these never
    // wait on each other in a circle. Joined to the unnested ids like the batch reads: in a
    // generic plan, `id = ANY($2)` may become a filter that scans the whole array for every row.
    this.lockCustomers = statement(
      `SELECT ${qualify('c', CUSTOMER)} FROM unnest($2::text[]) AS k(id)
       JOIN ${t('customers')} AS c ON c.tenant_id = $1 AND c.id = k.id
       ORDER BY c.id FOR NO KEY UPDATE OF c`,
    );
    // The tenant's barrier between writes that move rows between customers (merges, unmerges,
    // erasures: exclusive) and writes that point new rows at existing customers (shared); see
    // unit-of-work.ts. $1 is the lock class, $2 the schema and tenant.
    this.barrierShared = statement('SELECT pg_advisory_xact_lock_shared($1::integer, hashtext($2::text))');
    this.barrierExclusive = statement('SELECT pg_advisory_xact_lock($1::integer, hashtext($2::text))');
    // What no longer holds of what a write is about to point rows at: customers that are not
    // active any more (merged or erased), identities now owned by another customer.
    this.referencesChanged = statement(
      `SELECT c.id, c.status, NULL::text FROM unnest($2::text[]) AS k(id)
       JOIN ${t('customers')} AS c ON c.tenant_id = $1 AND c.id = k.id
       WHERE c.status <> 'active'
       UNION ALL
       SELECT i.id, i.customer_id, k.customer_id FROM unnest($3::text[], $4::text[]) AS k(id, customer_id)
       JOIN ${t('identities')} AS i ON i.tenant_id = $1 AND i.id = k.id
       WHERE i.customer_id IS DISTINCT FROM k.customer_id`,
    );

    // Writes.
    this.ensureTenant = statement(
      `WITH inserted AS (
         INSERT INTO ${t('tenants')} (${TENANT}) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id) DO NOTHING
         RETURNING ${TENANT}
       )
       SELECT ${TENANT} FROM inserted
       UNION ALL
       SELECT ${TENANT} FROM ${t('tenants')} WHERE tenant_id = $1
       LIMIT 1`,
    );
    this.insertCustomers = statement(
      `INSERT INTO ${t('customers')} (${CUSTOMER}, display_name_lc, primary_email_lc)
       SELECT $1::text, id, status, merged_into, display_name, primary_email, created_at, updated_at,
              attributes::jsonb, tags::jsonb, display_name_lc, primary_email_lc
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
                   $9::text[], $10::text[], $11::text[], $12::text[]) WITH ORDINALITY
         AS u(id, status, merged_into, display_name, primary_email, created_at, updated_at,
              attributes, tags, display_name_lc, primary_email_lc, ord)
       ORDER BY ord`,
    );
    this.updateCustomers = statement(
      `UPDATE ${t('customers')} AS c SET status = u.status, merged_into = u.merged_into,
         display_name = u.display_name, primary_email = u.primary_email, created_at = u.created_at,
         updated_at = u.updated_at, attributes = u.attributes::jsonb, tags = u.tags::jsonb,
         display_name_lc = u.display_name_lc, primary_email_lc = u.primary_email_lc
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
                   $9::text[], $10::text[], $11::text[], $12::text[])
         AS u(id, status, merged_into, display_name, primary_email, created_at, updated_at,
              attributes, tags, display_name_lc, primary_email_lc)
       WHERE c.tenant_id = $1 AND c.id = u.id`,
    );
    this.insertIdentities = statement(
      `INSERT INTO ${t('identities')} (${IDENTITY}, handle_lc, email_lc)
       SELECT $1::text, id, customer_id, channel, external_id, handle, display_name, email, verified, source,
              created_at, handle_lc, email_lc
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::boolean[], $10::text[], $11::bigint[], $12::text[], $13::text[]) WITH ORDINALITY
         AS u(id, customer_id, channel, external_id, handle, display_name, email, verified, source,
              created_at, handle_lc, email_lc, ord)
       ORDER BY ord`,
    );
    this.reassignIdentities = statement(
      `UPDATE ${t('identities')} SET customer_id = $2 WHERE tenant_id = $1 AND id = ANY($3::text[])`,
    );
    // No conflict target: a clash on the dedupe key or on the id is skipped alike. RETURNING says
    // which rows went in; the others were stored by another writer first. The plain variant, without
    // conflict arbitration, is what large batches try first (see unit-of-work.ts).
    const insertInteractions = (conflict: string) =>
      `INSERT INTO ${t('interactions')} (${INTERACTION})
       SELECT $1::text, id, channel, account, external_id, version, customer_id, conversation_id, identity_id,
              occurred_at, received_at, direction, kind, effort, language, actor_external_id, actor_handle,
              thread, parent, amount, currency, referred_identity_id, referred_customer_id, text,
              scores::jsonb, metadata::jsonb
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[],
                   $9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[],
                   $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::float8[],
                   $21::text[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[]) WITH ORDINALITY
         AS u(id, channel, account, external_id, version, customer_id, conversation_id, identity_id,
              occurred_at, received_at, direction, kind, effort, language, actor_external_id, actor_handle,
              thread, parent, amount, currency, referred_identity_id, referred_customer_id, text,
              scores, metadata, ord)
       ORDER BY ord
       ${conflict}
       RETURNING id`;
    this.insertInteractions = statement(insertInteractions('ON CONFLICT DO NOTHING'));
    this.insertInteractionsPlain = statement(insertInteractions(''));
    this.updateInteractionContent = statement(
      `UPDATE ${t('interactions')} AS i SET version = u.version, kind = u.kind, effort = u.effort, text = u.text,
         language = u.language, received_at = u.received_at, amount = u.amount, currency = u.currency,
         scores = u.scores::jsonb, metadata = u.metadata::jsonb
       FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
                   $9::float8[], $10::text[], $11::text[], $12::text[])
         AS u(id, version, kind, effort, text, language, received_at, amount, currency, scores, metadata)
       WHERE i.tenant_id = $1 AND i.id = u.id AND i.version < u.version`,
    );
    // Through the timeline index: an interaction belongs to the owner of its identity.
    this.reassignInteractionsByIdentity = statement(
      `UPDATE ${t('interactions')} SET customer_id = $3
       WHERE tenant_id = $1 AND customer_id = $2 AND identity_id = ANY($4::text[])`,
    );
    this.reassignReferralsByIdentity = statement(
      `UPDATE ${t('interactions')} SET referred_customer_id = $3
       WHERE tenant_id = $1 AND referred_identity_id = ANY($4::text[]) AND referred_customer_id = $2`,
    );
    this.insertConversations = statement(
      `INSERT INTO ${t('conversations')} (${CONVERSATION})
       SELECT $1::text, id, channel, account, external_id, customer_id, started_at, last_interaction_at,
              interaction_count, case_data::jsonb
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
                   $9::integer[], $10::text[]) WITH ORDINALITY
         AS u(id, channel, account, external_id, customer_id, started_at, last_interaction_at,
              interaction_count, case_data, ord)
       ORDER BY ord`,
    );
    this.touchConversations = statement(
      `UPDATE ${t('conversations')} AS c SET interaction_count = c.interaction_count + u.added,
         last_interaction_at = greatest(c.last_interaction_at, u.last_at),
         customer_id = coalesce(c.customer_id, u.customer_id)
       FROM unnest($2::text[], $3::integer[], $4::bigint[], $5::text[]) AS u(id, added, last_at, customer_id)
       WHERE c.tenant_id = $1 AND c.id = u.id`,
    );
    this.reassignConversations = statement(
      `UPDATE ${t('conversations')} SET customer_id = $2 WHERE tenant_id = $1 AND id = ANY($3::text[])`,
    );
    this.conversationIdsOf = statement(
      `SELECT id FROM ${t('conversations')} WHERE tenant_id = $1 AND customer_id = $2 ORDER BY id`,
    );
    this.insertConsents = statement(
      `INSERT INTO ${t('consents')} (${CONSENT})
       SELECT $1::text, id, customer_id, purpose, channel, status, at, source
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])
         WITH ORDINALITY AS u(id, customer_id, purpose, channel, status, at, source, ord)
       ORDER BY ord`,
    );
    this.reassignConsents = statement(
      `UPDATE ${t('consents')} SET customer_id = $2 WHERE tenant_id = $1 AND id = ANY($3::text[])`,
    );
    this.consentIdsOf = statement(
      `SELECT id FROM ${t('consents')} WHERE tenant_id = $1 AND customer_id = $2 ORDER BY at, id`,
    );
    this.insertScores = statement(
      `INSERT INTO ${t('scores')} (${SCORE})
       SELECT $1::text, customer_id, name, model_id, model_version, model_params::jsonb, value, computed_at,
         cause::jsonb
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::bigint[], $9::text[])
         WITH ORDINALITY AS u(customer_id, name, model_id, model_version, model_params, value, computed_at, cause, ord)
       ORDER BY ord`,
    );
    this.insertMerge = statement(
      `INSERT INTO ${t('merges')} (${MERGE})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb, $12::jsonb, $13::jsonb,
               $14::jsonb, $15, $16)`,
    );
    this.updateMerge = statement(
      `UPDATE ${t('merges')} SET survivor_id = $3, absorbed_id = $4, reason = $5, actor = $6, at = $7,
         identity_ids = $8::jsonb, conversation_ids = $9::jsonb, consent_ids = $10::jsonb, added_tags = $11::jsonb,
         added_attributes = $12::jsonb, filled_fields = $13::jsonb, absorbed_snapshot = $14::jsonb,
         unmerged_at = $15, unmerged_by = $16
       WHERE tenant_id = $1 AND id = $2`,
    );
    // A pair already present keeps its date and source; of a pair given twice, the first goes in.
    this.addSegmentMembers = statement(
      `INSERT INTO ${t('segment_members')} (${SEGMENT_MEMBER})
       SELECT $1::text, segment, customer_id, added_at, source
       FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[]) WITH ORDINALITY
         AS u(segment, customer_id, added_at, source, ord)
       ORDER BY ord
       ON CONFLICT DO NOTHING`,
    );
    this.removeSegmentMembers = statement(
      `DELETE FROM ${t('segment_members')} WHERE tenant_id = $1 AND segment = $2 AND customer_id = ANY($3::text[])`,
    );
    this.updateConversationCases = statement(
      `UPDATE ${t('conversations')} AS c SET case_data = u.case_data::jsonb
       FROM unnest($2::text[], $3::text[]) AS u(id, case_data)
       WHERE c.tenant_id = $1 AND c.id = u.id`,
    );
    this.insertRuleFirings = statement(
      `INSERT INTO ${t('rule_firings')} (${RULE_FIRING})
       SELECT $1::text, id, rule_id, rule_version, rule_trigger, customer_id, conversation_id, interaction_id,
              fired_at, actions::jsonb
       FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::bigint[], $10::text[]) WITH ORDINALITY
         AS u(id, rule_id, rule_version, rule_trigger, customer_id, conversation_id, interaction_id,
              fired_at, actions, ord)
       ORDER BY ord`,
    );
    this.updateRuleFirings = statement(
      `UPDATE ${t('rule_firings')} AS f SET actions = u.actions::jsonb
       FROM unnest($2::text[], $3::text[]) AS u(id, actions)
       WHERE f.tenant_id = $1 AND f.id = u.id`,
    );
    // A timer upserted under its id with another key replaces the row holding that id too.
    this.deleteTimersMovingKey = statement(
      `DELETE FROM ${t('rule_timers')} AS r USING unnest($2::text[], $3::text[]) AS u(id, timer_key)
       WHERE r.tenant_id = $1 AND r.id = u.id AND r.timer_key <> u.timer_key`,
    );
    // The key decides: a timer restarted under its key takes the new id, due time and subject.
    this.upsertTimers = statement(
      `INSERT INTO ${t('rule_timers')} (${RULE_TIMER})
       SELECT $1::text, id, timer_key, rule_id, rule_version, due_at, subject_event, subject_customer_id,
              subject_conversation_id, subject_interaction_id, subject_at, created_at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[],
                   $9::text[], $10::text[], $11::bigint[], $12::bigint[])
         AS u(id, timer_key, rule_id, rule_version, due_at, subject_event, subject_customer_id,
              subject_conversation_id, subject_interaction_id, subject_at, created_at)
       ON CONFLICT (tenant_id, timer_key) DO UPDATE SET id = excluded.id, rule_id = excluded.rule_id,
         rule_version = excluded.rule_version, due_at = excluded.due_at, subject_event = excluded.subject_event,
         subject_customer_id = excluded.subject_customer_id,
         subject_conversation_id = excluded.subject_conversation_id,
         subject_interaction_id = excluded.subject_interaction_id, subject_at = excluded.subject_at,
         created_at = excluded.created_at`,
    );
    // Atomic claim: of several processes deleting one timer, one gets its id back.
    this.deleteTimers = statement(
      `DELETE FROM ${t('rule_timers')} WHERE tenant_id = $1 AND id = ANY($2::text[]) RETURNING id`,
    );
    const eraseBy = (table: string, column = 'customer_id') =>
      statement(`DELETE FROM ${t(table)} WHERE tenant_id = $1 AND ${column} = $2`);
    this.eraseIdentities = eraseBy('identities');
    this.eraseInteractions = eraseBy('interactions');
    this.eraseConversations = eraseBy('conversations');
    this.eraseConsents = eraseBy('consents');
    this.eraseScores = eraseBy('scores');
    this.eraseSegmentMembers = eraseBy('segment_members');
    this.eraseRuleFirings = eraseBy('rule_firings');
    this.eraseTimers = eraseBy('rule_timers', 'subject_customer_id');
    this.eraseCustomerRow = statement(
      `UPDATE ${t('customers')} SET status = 'erased', merged_into = NULL, display_name = NULL, primary_email = NULL,
         attributes = NULL, tags = NULL, display_name_lc = NULL, primary_email_lc = NULL, updated_at = $3
       WHERE tenant_id = $1 AND id = $2`,
    );
    // Merge snapshots keep only ids and dates once the absorbed customer is erased.
    this.eraseMergeSnapshots = statement(
      `UPDATE ${t('merges')} SET absorbed_snapshot = absorbed_snapshot || jsonb_build_object(
         'displayName', NULL::text, 'primaryEmail', NULL::text, 'attributes', '{}'::jsonb, 'tags', '[]'::jsonb,
         'status', 'erased', 'updatedAt', $3::bigint)
       WHERE tenant_id = $1 AND absorbed_id = $2`,
    );
    this.eraseReferralPointers = statement(
      `UPDATE ${t('interactions')} SET referred_identity_id = NULL, referred_customer_id = NULL
       WHERE tenant_id = $1 AND referred_customer_id = $2`,
    );
    this.insertErasures = statement(
      `INSERT INTO ${t('erasures')} (tenant_id, erasure_key, erased_at)
       SELECT $1::text, k, $3::bigint FROM unnest($2::text[]) AS u(k)
       ON CONFLICT DO NOTHING`,
    );
    this.outbox = new OutboxStatements(s);
  }

  /**
   * The rule firing listing for a combination of filters (see {@link firingBits}), built on first
   * use. Parameters: tenant, then the used filters in bit order, then the cursor's time and id when
   * paging on, then the limit.
   */
  listRuleFirings(bits: number): Statement {
    let found = this.firingListings.get(bits);
    if (found === undefined) {
      let count = 1;
      const next = () => `$${++count}`;
      let where = 'tenant_id = $1';
      if (bits & firingBits.rule) where += ` AND rule_id = ${next()}`;
      if (bits & firingBits.customer) where += ` AND customer_id = ${next()}`;
      if (bits & firingBits.cursor) where += ` AND (fired_at, id) < (${next()}::bigint, ${next()}::text)`;
      found = statement(
        `SELECT ${RULE_FIRING} FROM ${this.schema}.rule_firings WHERE ${where}
         ORDER BY fired_at DESC, id DESC LIMIT ${next()}`,
      );
      this.firingListings.set(bits, found);
    }
    return found;
  }

  /**
   * The conversation listing for a combination of filters (see {@link listingBits}), built on
   * first use. Parameters: tenant, then the used filters in bit order, then the cursor's time and
   * id when paging on, then the limit.
   */
  listConversations(bits: number): Statement {
    let found = this.listings.get(bits);
    if (found === undefined) {
      let count = 1;
      const next = () => `$${++count}`;
      let where = 'tenant_id = $1';
      if (bits & listingBits.customer) where += ` AND customer_id = ${next()}`;
      if (bits & listingBits.channel) where += ` AND channel = ${next()}`;
      if (bits & listingBits.account) where += ` AND account = ${next()}`;
      // Open cases are few among all conversations: the planner walks their own index, in listing
      // order. Other case filters are checked on the walk by recency.
      if (bits & listingBits.hasCase) where += ' AND case_data IS NOT NULL';
      if (bits & listingBits.noCase) where += ' AND case_data IS NULL';
      if (bits & listingBits.openCases) where += ` AND ${OPEN_CASE_CONDITION}`;
      if (bits & listingBits.caseStatus) where += ` AND (case_data->>'status') = ANY(${next()}::text[])`;
      if (bits & listingBits.queue) where += ` AND (case_data->>'queue') = ${next()}`;
      if (bits & listingBits.assignee) where += ` AND (case_data->>'assignee') = ${next()}`;
      if (bits & listingBits.cursor)
        where += ` AND (last_interaction_at, id) < (${next()}::bigint, ${next()}::text)`;
      found = statement(
        `SELECT ${CONVERSATION} FROM ${this.schema}.conversations WHERE ${where}
         ORDER BY last_interaction_at DESC, id DESC LIMIT ${next()}`,
      );
      this.listings.set(bits, found);
    }
    return found;
  }
}
