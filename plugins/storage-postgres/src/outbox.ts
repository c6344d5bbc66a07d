import type { OutboxFilter, OutboxMessage, Page, PageRequest } from '@rapport/core';
import { OUTBOX_COLUMNS, outboxColumnValues } from '@rapport/core';
import { columns, lastById } from './bulk.js';
import { execute, type Queryable, queryRows, type Statement, statement } from './connection.js';
import { tenantMismatch } from './errors.js';
import { pageLimit, pagePosition, toPage } from './paging.js';
import { type OutboxRow, toOutbox } from './rows.js';

// The durable outbox and the channel plugins' state: rows, statements and the reads and writes the
// reader and the unit of work delegate to.

/**
 * The states in which a sender may claim a message whose `next_attempt_at` has come. The partial
 * index `outbox_due` has this very condition: the statements repeat it, so the planner can prove
 * that the index holds every row they may want.
 */
const CLAIMABLE = "state IN ('pending', 'unknown', 'sending')";

/** Which outbox filters a listing uses, as bits, to pick its cached statement. */
export const outboxListingBits = { conversation: 1, state: 2, cursor: 4 } as const;

/** The arrays and column names of {@link outboxValues}, for `unnest`, from parameter `$first` on. */
function valueArrays(first: number): { arrays: string; names: string } {
  const types = [
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'integer',
    'bigint',
    'bigint',
    'text',
    'bigint',
    'bigint',
    'bigint',
    'text',
    'text',
  ];
  return {
    arrays: types.map((type, i) => `$${first + i}::${type}[]`).join(', '),
    names:
      'channel, account, conversation_id, customer_id, author, state, attempts, next_attempt_at, lease_until, ' +
      'external_id, sent_at, created_at, updated_at, errors, payload',
  };
}

/** The outbox and channel state statements of a store, built once for its schema (see `Statements`). */
export class OutboxStatements {
  readonly outboxByIds: Statement;
  readonly outboxByKeys: Statement;
  /** The messages of a customer family (`$2`, customer ids), oldest first (for its export). */
  readonly outboxOfFamily: Statement;
  readonly dueOutbox: Statement;
  readonly channelState: Statement;
  /** No conflict target: a message whose idempotency key (or id) is held is skipped; RETURNING names the others. */
  readonly insertOutbox: Statement;
  /** Everything but the idempotency key, the message's identity on its channel. */
  readonly updateOutbox: Statement;
  readonly claimOutbox: Statement;
  readonly setChannelState: Statement;
  readonly deleteChannelState: Statement;
  readonly eraseOutbox: Statement;
  private readonly listings = new Map<number, Statement>();

  /** `schema` is quoted already. */
  constructor(private readonly schema: string) {
    const outbox = `${schema}.outbox`;
    const channelState = `${schema}.channel_state`;
    const qualified = OUTBOX_COLUMNS.split(', ')
      .map((c) => `o.${c}`)
      .join(', ');
    this.outboxByIds = statement(
      `SELECT ${qualified} FROM unnest($2::text[]) WITH ORDINALITY AS k(id, ord)
       JOIN ${outbox} AS o ON o.tenant_id = $1 AND o.id = k.id ORDER BY k.ord`,
    );
    this.outboxByKeys = statement(
      `SELECT ${qualified} FROM unnest($2::text[]) WITH ORDINALITY AS k(idempotency_key, ord)
       JOIN ${outbox} AS o ON o.tenant_id = $1 AND o.idempotency_key = k.idempotency_key ORDER BY k.ord`,
    );
    this.outboxOfFamily = statement(
      `SELECT ${OUTBOX_COLUMNS} FROM ${outbox} WHERE tenant_id = $1 AND customer_id = ANY($2::text[])
       ORDER BY created_at, id`,
    );
    this.dueOutbox = statement(
      `SELECT ${OUTBOX_COLUMNS} FROM ${outbox}
       WHERE tenant_id = $1 AND ${CLAIMABLE} AND next_attempt_at <= $2
       ORDER BY next_attempt_at, id LIMIT $3`,
    );
    this.channelState = statement(
      `SELECT key, value FROM ${channelState} WHERE tenant_id = $1 AND scope = $2 AND key = ANY($3::text[])`,
    );

    const insert = valueArrays(4);
    this.insertOutbox = statement(
      `INSERT INTO ${outbox} (${OUTBOX_COLUMNS})
       SELECT $1::text, id, idempotency_key, channel, account, conversation_id, customer_id, author, state, attempts,
              next_attempt_at, lease_until, external_id, sent_at, created_at, updated_at, errors::jsonb, payload::jsonb
       FROM unnest($2::text[], $3::text[], ${insert.arrays}) WITH ORDINALITY
         AS u(id, idempotency_key, ${insert.names}, ord)
       ORDER BY ord
       ON CONFLICT DO NOTHING
       RETURNING id`,
    );
    const update = valueArrays(3);
    this.updateOutbox = statement(
      `UPDATE ${outbox} AS o SET channel = u.channel, account = u.account, conversation_id = u.conversation_id,
         customer_id = u.customer_id, author = u.author, state = u.state, attempts = u.attempts,
         next_attempt_at = u.next_attempt_at, lease_until = u.lease_until, external_id = u.external_id,
         sent_at = u.sent_at, created_at = u.created_at, updated_at = u.updated_at, errors = u.errors::jsonb,
         payload = u.payload::jsonb
       FROM unnest($2::text[], ${update.arrays}) AS u(id, ${update.names})
       WHERE o.tenant_id = $1 AND o.id = u.id`,
    );
    // One statement, so the claim is atomic however many processes send. Under READ COMMITTED an
    // UPDATE that reaches a row another transaction is changing waits for its row lock; once that
    // transaction commits, Postgres evaluates this WHERE again on the row as it now is (EvalPlanQual).
    // A message another sender claimed meanwhile is `sending` with `next_attempt_at` at its lease,
    // which is after `now`, so it no longer matches: it is skipped, not claimed twice, and each
    // message goes to one sender. (If that transaction rolls back, the row is claimed here.) An
    // index scan takes the ids in index order whatever order they are given in, so claims of
    // overlapping batches lock their rows in the same order and wait rather than deadlock (should
    // one happen anyway, Postgres aborts one claim with 40P01, reported as retryable). A server whose
    // default isolation is REPEATABLE READ or SERIALIZABLE fails the later claim with a
    // serialization error instead (40001, retryable): never two senders either way.
    this.claimOutbox = statement(
      `UPDATE ${outbox} SET state = 'sending', attempts = attempts + 1, lease_until = $4, next_attempt_at = $4,
         updated_at = $3
       WHERE tenant_id = $1 AND id = ANY($2::text[]) AND ${CLAIMABLE} AND next_attempt_at <= $3
       RETURNING id`,
    );
    this.setChannelState = statement(
      `INSERT INTO ${channelState} (tenant_id, scope, key, value, updated_at)
       SELECT $1::text, $2::text, key, value, $5::bigint FROM unnest($3::text[], $4::text[]) AS u(key, value)
       ON CONFLICT (tenant_id, scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.deleteChannelState = statement(
      `DELETE FROM ${channelState} WHERE tenant_id = $1 AND scope = $2 AND key = ANY($3::text[])`,
    );
    this.eraseOutbox = statement(`DELETE FROM ${outbox} WHERE tenant_id = $1 AND customer_id = $2`);
  }

  /**
   * The outbox listing for a combination of filters (see {@link outboxListingBits}), built on first
   * use. Parameters: tenant, then the used filters in bit order, then the cursor's time and id when
   * paging on, then the limit.
   */
  listOutbox(bits: number): Statement {
    let found = this.listings.get(bits);
    if (found === undefined) {
      let count = 1;
      const next = () => `$${++count}`;
      let where = 'tenant_id = $1';
      if (bits & outboxListingBits.conversation) where += ` AND conversation_id = ${next()}`;
      if (bits & outboxListingBits.state) where += ` AND state = ${next()}`;
      if (bits & outboxListingBits.cursor)
        where += ` AND (created_at, id) < (${next()}::bigint, ${next()}::text)`;
      found = statement(
        `SELECT ${OUTBOX_COLUMNS} FROM ${this.schema}.outbox WHERE ${where}
         ORDER BY created_at DESC, id DESC LIMIT ${next()}`,
      );
      this.listings.set(bits, found);
    }
    return found;
  }
}

const createdPosition = (item: OutboxMessage) => ({ time: item.createdAt.getTime(), id: item.id });

/** A whole, positive row limit, or 0 for "nothing" (the caller answers `[]`). */
function rowLimit(limit: number): number {
  return limit >= 1 ? Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER) : 0;
}

/** Outbox reads of one tenant (a reader's `getOutboxMessages`, `listOutbox`...). */
export const outboxReads = {
  async byIds(db: Queryable, q: OutboxStatements, tenantId: string, ids: readonly string[]) {
    if (ids.length === 0) return [];
    const rows = await queryRows<OutboxRow>(db, q.outboxByIds, [tenantId, ids]);
    return rows.map(toOutbox);
  },

  async byKeys(db: Queryable, q: OutboxStatements, tenantId: string, keys: readonly string[]) {
    if (keys.length === 0) return [];
    const rows = await queryRows<OutboxRow>(db, q.outboxByKeys, [tenantId, keys]);
    return rows.map(toOutbox);
  },

  async list(
    db: Queryable,
    q: OutboxStatements,
    tenantId: string,
    filter: OutboxFilter,
    page: PageRequest,
  ): Promise<Page<OutboxMessage>> {
    const limit = pageLimit(page);
    let bits = 0;
    const params: unknown[] = [tenantId];
    if (filter.conversationId != null) {
      bits |= outboxListingBits.conversation;
      params.push(filter.conversationId);
    }
    if (filter.state != null) {
      bits |= outboxListingBits.state;
      params.push(filter.state);
    }
    const after = pagePosition(page);
    if (after !== null) {
      bits |= outboxListingBits.cursor;
      params.push(after.time, after.id);
    }
    params.push(limit + 1);
    const rows = await queryRows<OutboxRow>(db, q.listOutbox(bits), params);
    return toPage(rows, limit, toOutbox, createdPosition);
  },

  async due(db: Queryable, q: OutboxStatements, tenantId: string, now: Date, limit: number) {
    const max = rowLimit(limit);
    const at = now.getTime();
    if (max === 0 || Number.isNaN(at)) return [];
    const rows = await queryRows<OutboxRow>(db, q.dueOutbox, [tenantId, Math.trunc(at), max]);
    return rows.map(toOutbox);
  },

  async channelState(
    db: Queryable,
    q: OutboxStatements,
    tenantId: string,
    scope: string,
    keys: readonly string[],
  ): Promise<Record<string, string>> {
    const found: Record<string, string> = {};
    if (keys.length === 0) return found;
    const rows = await queryRows<[string, string]>(db, q.channelState, [tenantId, scope, [...new Set(keys)]]);
    for (const [key, value] of rows) found[key] = value;
    return found;
  },
};

/** Outbox writes of one tenant, inside a unit of work (its `insertOutbox`, `claimOutbox`...). */
export const outboxWrites = {
  async insert(
    db: Queryable,
    q: OutboxStatements,
    tenantId: string,
    messages: readonly OutboxMessage[],
  ): Promise<{ skipped: string[] }> {
    for (const m of messages) {
      if (m.tenantId !== tenantId) throw tenantMismatch('insertOutbox', tenantId, m.tenantId);
    }
    if (messages.length === 0) return { skipped: [] };
    const inserted = await queryRows<[string]>(db, q.insertOutbox, [
      tenantId,
      ...columns(messages, 17, (m) => [m.id, m.idempotencyKey, ...outboxColumnValues(m)]),
    ]);
    if (inserted.length === messages.length) return { skipped: [] };
    // Each returned id stands for one message given (an id given twice went in at most once).
    const stored = new Set(inserted.map(([id]) => id));
    return { skipped: messages.filter((m) => !stored.delete(m.id)).map((m) => m.id) };
  },

  /** By id within the tenant; the message's own `tenantId` is not consulted (another tenant's id matches nothing). */
  async update(db: Queryable, q: OutboxStatements, tenantId: string, messages: readonly OutboxMessage[]) {
    if (messages.length === 0) return;
    await execute(db, q.updateOutbox, [
      tenantId,
      ...columns(lastById(messages), 16, (m) => [m.id, ...outboxColumnValues(m)]),
    ]);
  },

  async claim(
    db: Queryable,
    q: OutboxStatements,
    tenantId: string,
    ids: readonly string[],
    now: Date,
    leaseUntil: Date,
  ): Promise<string[]> {
    if (ids.length === 0) return [];
    const distinct = [...new Set(ids)];
    const rows = await queryRows<[string]>(db, q.claimOutbox, [
      tenantId,
      distinct,
      now.getTime(),
      leaseUntil.getTime(),
    ]);
    const claimed = new Set(rows.map(([id]) => id));
    // In the order asked, each once.
    return ids.filter((id) => claimed.delete(id));
  },

  async setChannelState(
    db: Queryable,
    q: OutboxStatements,
    tenantId: string,
    scope: string,
    entries: Readonly<Record<string, string | null>>,
  ): Promise<void> {
    const set: Array<[string, string]> = [];
    const deleted: string[] = [];
    for (const [key, value] of Object.entries(entries)) {
      if (value == null) deleted.push(key);
      else set.push([key, value]);
    }
    if (deleted.length > 0) await execute(db, q.deleteChannelState, [tenantId, scope, deleted]);
    if (set.length > 0) {
      // The contract gives no time; the column only records when a value last changed.
      await execute(db, q.setChannelState, [
        tenantId,
        scope,
        set.map(([key]) => key),
        set.map(([, value]) => value),
        Date.now(),
      ]);
    }
  },
};
