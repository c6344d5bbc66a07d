import type { OutboxFilter, OutboxMessage, Page, PageRequest } from '@rapport/core';
import { decodeCursor, OUTBOX_COLUMNS, outboxColumnValues } from '@rapport/core';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './connection.js';
import { tenantMismatch } from './errors.js';
import { pageLimit, toPage } from './paging.js';
import { type OutboxRow, toOutbox } from './rows.js';

// The durable outbox and the channel plugins' state: rows, statements and the reads and writes the
// reader and the unit of work delegate to.

/**
 * The states in which a sender may claim a message whose `next_attempt_at` has come. The partial
 * index `outbox_due` has this very condition: the statements repeat it word for word, which is how
 * SQLite's planner recognises that the index holds every row they may want.
 */
const CLAIMABLE = "state IN ('pending', 'unknown', 'sending')";

/** Which outbox filters a listing uses, as bits, to pick its cached statement. */
export const outboxListingBits = { conversation: 1, state: 2, cursor: 4 } as const;

/** The outbox and channel state reads of one connection, prepared once (see `ReadStatements`). */
export class OutboxReadStatements {
  readonly outboxById: Statement<[string, string], OutboxRow>;
  readonly outboxByKey: Statement<[string, string], OutboxRow>;
  /** A customer's messages, oldest first (for its export): few, so sorted after the customer index. */
  readonly outboxOfCustomer: Statement<[string, string], OutboxRow>;
  readonly dueOutbox: Statement<[string, number, number], OutboxRow>;
  readonly channelStateValue: Statement<[string, string, string], string>;
  private readonly listings = new Map<number, Statement<unknown[], OutboxRow>>();

  constructor(private readonly db: SqliteDatabase) {
    const rows = <P extends unknown[]>(sql: string): Statement<P, OutboxRow> =>
      db.prepare<P, OutboxRow>(sql).raw(true);
    this.outboxById = rows(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE tenant_id = ? AND id = ?`);
    this.outboxByKey = rows(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE tenant_id = ? AND idempotency_key = ?`,
    );
    this.outboxOfCustomer = rows(
      // Without the hint the planner may walk the tenant's whole `outbox_recent` to skip the sort.
      `SELECT ${OUTBOX_COLUMNS} FROM outbox INDEXED BY outbox_customer
       WHERE tenant_id = ? AND customer_id = ? ORDER BY created_at, id`,
    );
    this.dueOutbox = rows(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox
       WHERE tenant_id = ? AND ${CLAIMABLE} AND next_attempt_at <= ?
       ORDER BY next_attempt_at, id LIMIT ?`,
    );
    this.channelStateValue = db
      .prepare<[string, string, string], string>(
        'SELECT value FROM channel_state WHERE tenant_id = ? AND scope = ? AND key = ?',
      )
      .pluck();
  }

  /**
   * The outbox listing for a combination of filters (see {@link outboxListingBits}), prepared on
   * first use. Parameters: tenant, then the used filters in bit order, then the cursor's time and
   * id when paging on, then the limit.
   */
  listOutbox(bits: number): Statement<unknown[], OutboxRow> {
    let statement = this.listings.get(bits);
    if (statement === undefined) {
      // A conversation has few messages; a state is one range of its own index, in listing order.
      const index =
        bits & outboxListingBits.conversation
          ? 'outbox_conversation'
          : bits & outboxListingBits.state
            ? 'outbox_state'
            : 'outbox_recent';
      let where = 'tenant_id = ?';
      if (bits & outboxListingBits.conversation) where += ' AND conversation_id = ?';
      if (bits & outboxListingBits.state) where += ' AND state = ?';
      if (bits & outboxListingBits.cursor) where += ' AND (created_at, id) < (?, ?)';
      statement = this.db
        .prepare<unknown[], OutboxRow>(
          `SELECT ${OUTBOX_COLUMNS} FROM outbox INDEXED BY ${index} WHERE ${where}
           ORDER BY created_at DESC, id DESC LIMIT ?`,
        )
        .raw(true);
      this.listings.set(bits, statement);
    }
    return statement;
  }
}

/** The outbox and channel state writes, prepared once on the writer connection (see `WriteStatements`). */
export class OutboxWriteStatements {
  /** No conflict target: a message whose idempotency key (or id) is held is skipped. */
  readonly insertOutbox: Statement<unknown[]>;
  /** Everything but the idempotency key, the message's identity on its channel. */
  readonly updateOutbox: Statement<unknown[]>;
  /** Claims one message if it is still due: of two claims, the second finds it leased. */
  readonly claimOutbox: Statement<[number, number, number, string, string, number]>;
  readonly setChannelState: Statement<[string, string, string, string, number]>;
  readonly deleteChannelState: Statement<[string, string, string]>;
  readonly eraseOutbox: Statement<[string, string]>;

  constructor(db: SqliteDatabase) {
    this.insertOutbox = db.prepare(
      `INSERT INTO outbox (${OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    this.updateOutbox = db.prepare(
      `UPDATE outbox SET channel = ?, account = ?, conversation_id = ?, customer_id = ?, author = ?, state = ?,
         attempts = ?, next_attempt_at = ?, lease_until = ?, external_id = ?, sent_at = ?, created_at = ?,
         updated_at = ?, errors = ?, payload = ?
       WHERE tenant_id = ? AND id = ?`,
    );
    this.claimOutbox = db.prepare(
      `UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_until = ?, next_attempt_at = ?,
         updated_at = ?
       WHERE tenant_id = ? AND id = ? AND ${CLAIMABLE} AND next_attempt_at <= ?`,
    );
    this.setChannelState = db.prepare(
      `INSERT INTO channel_state (tenant_id, scope, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.deleteChannelState = db.prepare(
      'DELETE FROM channel_state WHERE tenant_id = ? AND scope = ? AND key = ?',
    );
    this.eraseOutbox = db.prepare('DELETE FROM outbox WHERE tenant_id = ? AND customer_id = ?');
  }
}

const createdPosition = (item: OutboxMessage) => ({ time: item.createdAt.getTime(), id: item.id });

/** Outbox reads of one tenant (a reader's `getOutboxMessages`, `listOutbox`...). */
export const outboxReads = {
  byIds(q: OutboxReadStatements, tenantId: string, ids: readonly string[]): OutboxMessage[] {
    const out: OutboxMessage[] = [];
    for (const id of ids) {
      const row = q.outboxById.get(tenantId, id);
      if (row !== undefined) out.push(toOutbox(row));
    }
    return out;
  },

  byKeys(q: OutboxReadStatements, tenantId: string, keys: readonly string[]): OutboxMessage[] {
    const out: OutboxMessage[] = [];
    for (const key of keys) {
      const row = q.outboxByKey.get(tenantId, key);
      if (row !== undefined) out.push(toOutbox(row));
    }
    return out;
  },

  list(
    q: OutboxReadStatements,
    tenantId: string,
    filter: OutboxFilter,
    page: PageRequest,
  ): Page<OutboxMessage> {
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
    if (page.cursor) {
      const position = decodeCursor(page.cursor);
      bits |= outboxListingBits.cursor;
      params.push(position.time, position.id);
    }
    params.push(limit + 1);
    return toPage(q.listOutbox(bits).all(...params), limit, toOutbox, createdPosition);
  },

  due(q: OutboxReadStatements, tenantId: string, now: Date, limit: number): OutboxMessage[] {
    if (!(limit >= 1)) return [];
    const max = Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER);
    return q.dueOutbox.all(tenantId, now.getTime(), max).map(toOutbox);
  },

  channelState(
    q: OutboxReadStatements,
    tenantId: string,
    scope: string,
    keys: readonly string[],
  ): Record<string, string> {
    const found: Record<string, string> = {};
    for (const key of keys) {
      const value = q.channelStateValue.get(tenantId, scope, key);
      if (value !== undefined) found[key] = value;
    }
    return found;
  },
};

/** Outbox writes of one tenant, inside a unit of work (its `insertOutbox`, `claimOutbox`...). */
export const outboxWrites = {
  insert(
    w: OutboxWriteStatements,
    tenantId: string,
    messages: readonly OutboxMessage[],
  ): { skipped: string[] } {
    const skipped: string[] = [];
    for (const m of messages) {
      if (m.tenantId !== tenantId) throw tenantMismatch('insertOutbox', tenantId, m.tenantId);
      const { changes } = w.insertOutbox.run(tenantId, m.id, m.idempotencyKey, ...outboxColumnValues(m));
      if (changes === 0) skipped.push(m.id);
    }
    return { skipped };
  },

  /** By id within the tenant; the message's own `tenantId` is not consulted (another tenant's id matches nothing). */
  update(w: OutboxWriteStatements, tenantId: string, messages: readonly OutboxMessage[]): void {
    for (const m of messages) w.updateOutbox.run(...outboxColumnValues(m), tenantId, m.id);
  },

  claim(
    w: OutboxWriteStatements,
    tenantId: string,
    ids: readonly string[],
    now: Date,
    leaseUntil: Date,
  ): string[] {
    const at = now.getTime();
    const lease = leaseUntil.getTime();
    return ids.filter((id) => w.claimOutbox.run(lease, lease, at, tenantId, id, at).changes > 0);
  },

  setChannelState(
    w: OutboxWriteStatements,
    tenantId: string,
    scope: string,
    entries: Readonly<Record<string, string | null>>,
  ): void {
    // The contract gives no time; the column only records when a value last changed.
    const now = Date.now();
    for (const [key, value] of Object.entries(entries)) {
      if (value == null) w.deleteChannelState.run(tenantId, scope, key);
      else w.setChannelState.run(tenantId, scope, key, value, now);
    }
  },
};
