import type {
  Consent,
  Conversation,
  ConversationCaseUpdate,
  ConversationTouch,
  Customer,
  Identity,
  Interaction,
  InteractionContentUpdate,
  MergeRecord,
  OutboxMessage,
  RuleFiring,
  RuleFiringUpdate,
  RuleTimer,
  Score,
  SegmentMembership,
  UnitOfWork,
} from '@rapport/core';
import {
  arrayJson,
  caseJson,
  customerSnapshotJson,
  lowerOrNull,
  objectJson,
  type RapportError,
  unitOfWorkWriteMethods,
} from '@rapport/core';
import type pg from 'pg';
import { columns, lastById } from './bulk.js';
import { execute, type PgClient, queryRows, type SerialConnection } from './connection.js';
import {
  abortedUnitOfWork,
  changedConcurrently,
  finishedUnitOfWork,
  sqlState,
  storageFailure,
  tenantMismatch,
} from './errors.js';
import { outboxWrites } from './outbox.js';
import { guardMethods, PostgresReader, type Session, type StoreLiveness } from './reader.js';
import { type CustomerRow, toCustomer } from './rows.js';
import type { Statements } from './statements.js';

/** First key of the tenant barrier's advisory lock (the second hashes schema and tenant). "rbar". */
const BARRIER_CLASS = 0x72626172;
const DONE: Promise<void> = Promise.resolve();
const UNIQUE_VIOLATION = '23505';
const IN_FAILED_TRANSACTION = '25P02';

/**
 * From this many interactions on, a batch is first inserted without conflict arbitration (see
 * `insertInteractions`); below it, the extra statements that takes cost more than they save.
 */
export const PLAIN_INSERT_THRESHOLD = 100;
const SAVEPOINT = 'SAVEPOINT rapport_plain_insert';
const RELEASE = 'RELEASE SAVEPOINT rapport_plain_insert';
const ROLLBACK_TO = 'ROLLBACK TO SAVEPOINT rapport_plain_insert';

/** References a write is about to store: customers it names, and identities with the owner it assumes. */
interface References {
  customers: Set<string>;
  identities: Map<string, string | null>;
}

/**
 * The writes (and reads) of one unit of work, on one pooled connection inside its open
 * transaction. The store creates one per `unitOfWork` call and finishes it when `work` settles;
 * after that every method throws. Each method is a few statements at most whatever the batch size:
 * bulk inserts and updates go through `unnest` of one array per column.
 *
 * Writes that answer nothing return as soon as their statements are queued on the connection, so
 * the caller prepares its next step while Postgres executes them (the connection still runs
 * everything in call order). A failure of such a write is thrown by the next call of the unit of
 * work, or, when none comes, by `unitOfWork` itself before it would commit; either way it is the
 * original error, `retryable` flag and all, and the transaction is rolled back.
 *
 * Concurrency with other processes. Transactions are read committed, and the core decides what to
 * write from what it read earlier in the unit of work; a merge in another process between that read
 * and the commit could otherwise leave a new identity, conversation or interaction on a customer
 * merged away, or an interaction on the former owner of its identity. Two kinds of locks, held
 * until commit, rule that out without serialising ingestion:
 *
 * - `getCustomers` locks the customers it returns (`FOR NO KEY UPDATE`, in id order): a unit of
 *   work reads customers to decide about them (merge, unmerge, erasure, a rule's update) and writes
 *   them back whole, so no other may change them meanwhile; of two merges of one customer, the
 *   second waits and then sees what the first did.
 * - A barrier per tenant (a transaction-scoped advisory lock). A unit of work that moves or deletes
 *   a customer's rows takes it exclusively before it lists them: the core's merges, unmerges and
 *   erasures list a customer's identities, conversations or consents first, and those listings
 *   (and every move or erasure) take it. A write that points new rows at customers or identities
 *   this unit of work neither created nor locked takes it shared, then checks, in the statement
 *   after (so it sees whatever committed while it waited), that the customers are still active
 *   and the identities still theirs; when another process changed them since this unit of work
 *   read them, the check fails with a retryable error and the unit of work runs again on the new
 *   state. While the writers hold it shared, a mover waits, and then finds their rows; while a
 *   mover holds it, writers wait. Postgres queues a shared request behind a waiting exclusive one,
 *   so a stream of writers cannot starve a merge, as share-locking the customer rows would.
 *
 * Deadlocks remain possible when two merges lock the same customers in opposite orders, or a batch
 * that merges linked customers itself meets another; Postgres detects them and fails one, retryably.
 */
export class PostgresUnitOfWork extends PostgresReader implements UnitOfWork {
  private finished = false;
  /** The first statement error: Postgres has aborted the transaction, nothing more can run in it. */
  private abortedBy: unknown = null;
  /** The failure of a write that ran after its call returned, until it is thrown to someone. */
  private unseen: RapportError | null = null;
  /** Writes still running after their calls returned. */
  private pending: Promise<void>[] = [];
  /** Customers this unit of work created or holds a lock on: new rows may name them freely. */
  private readonly ownCustomers = new Set<string>();
  /**
   * Identities this unit of work created, moved, or found with the owner it holds a lock on: none
   * of them can change owner before it ends.
   */
  private readonly ownIdentities = new Set<string>();

  /** How this unit of work holds its tenant's barrier (see the class notes). */
  private barrier: 'none' | 'shared' | 'exclusive' = 'none';
  /** The key of that barrier: the schema and the tenant. */
  private readonly barrierKey: string;

  constructor(
    q: Statements,
    tenantId: string,
    store: StoreLiveness,
    session: Session,
    private readonly connection: SerialConnection,
  ) {
    super(q, tenantId, store, session);
    this.barrierKey = `${q.schema}/${tenantId}`;
  }

  /** Ends the unit of work for its callers; the store then commits or rolls back. */
  finish(): void {
    this.finished = true;
  }

  /** The error that aborted the transaction, or null while it is healthy. */
  get aborted(): unknown {
    return this.abortedBy;
  }

  /** Waits for the writes still running; their failures are then in `aborted` and `takeUnseen`. */
  async settle(): Promise<void> {
    while (this.pending.length > 0) {
      const running = this.pending;
      this.pending = [];
      await Promise.all(running);
    }
  }

  /** The failure of a write nobody has been told about yet, if any; it counts as told from here. */
  takeUnseen(): RapportError | null {
    const failure = this.unseen;
    this.unseen = null;
    return failure;
  }

  override assertUsable(operation: string): void {
    super.assertUsable(operation);
    if (this.finished) throw finishedUnitOfWork(operation);
    const unseen = this.takeUnseen();
    if (unseen !== null) throw unseen;
    if (this.abortedBy !== null) throw abortedUnitOfWork(operation, this.abortedBy);
  }

  override failure(operation: string, error: unknown): Error {
    // A statement queued behind one that failed finds the transaction aborted: what to report is
    // the first failure.
    if (this.abortedBy !== null && sqlState(error) === IN_FAILED_TRANSACTION) {
      return this.takeUnseen() ?? abortedUnitOfWork(operation, this.abortedBy);
    }
    const failure = storageFailure(operation, error);
    // A failed statement aborts the whole transaction in Postgres (input checks done before any
    // statement, such as a tenant mismatch or a bad cursor, leave it usable).
    if (failure.code === 'RAPPORT_STORAGE_FAILED') this.abortedBy ??= failure;
    return failure;
  }

  /** Lets `write` run on after its call returns (see the class notes). */
  private later(operation: string, write: Promise<unknown>): void {
    this.pending.push(
      write.then(
        () => undefined,
        (error: unknown) => {
          // After a first failure, what fails is its consequence (the transaction is aborted).
          if (this.abortedBy !== null) return;
          const failure = storageFailure(operation, error);
          this.abortedBy = failure;
          this.unseen = failure;
        },
      ),
    );
  }

  private check(operation: string, records: readonly { tenantId: string }[]): void {
    for (const record of records) {
      if (record.tenantId !== this.tenantId) throw tenantMismatch(operation, this.tenantId, record.tenantId);
    }
  }

  /** Starts collecting the references of a write. */
  private references(): References {
    return { customers: new Set(), identities: new Map() };
  }

  /** Notes that a new row names `customerId`. */
  private refersToCustomer(refs: References, customerId: string | null | undefined): void {
    if (customerId != null && !this.ownCustomers.has(customerId)) refs.customers.add(customerId);
  }

  /**
   * Notes that a new row names `identityId` as owned by `customerId`: the customer is held, and the
   * identity checked unless this unit of work created, moved or checked it already.
   */
  private refersToIdentity(
    refs: References,
    identityId: string | null | undefined,
    customerId: string | null | undefined,
  ): void {
    this.refersToCustomer(refs, customerId);
    if (identityId == null || this.ownIdentities.has(identityId)) return;
    // Named twice with two owners, one row is wrong whatever others do: not a concurrent change.
    if (!refs.identities.has(identityId)) refs.identities.set(identityId, customerId ?? null);
  }

  /** Takes the tenant's barrier shared, once (see the class notes). */
  private enterShared(): void {
    if (this.barrier !== 'none') return;
    this.barrier = 'shared';
    this.later('(tenant barrier)', execute(this.db, this.q.barrierShared, [BARRIER_CLASS, this.barrierKey]));
  }

  /**
   * Takes the tenant's barrier exclusively, once, before this unit of work lists or moves a
   * customer's rows (see the class notes). Queued ahead of what follows, like any write.
   */
  private enterExclusive(operation: string): void {
    if (this.barrier === 'exclusive') return;
    this.barrier = 'exclusive';
    this.later(operation, execute(this.db, this.q.barrierExclusive, [BARRIER_CLASS, this.barrierKey]));
  }

  /**
   * Holds what `refs` names (see the class notes): takes the barrier shared, then queues one
   * statement checking the customers this unit of work does not hold yet and the identities it has
   * not checked yet (nothing when there are neither). The promise rejects, retryably, when another
   * unit of work changed them since this one read them; what they name counts as held from now on,
   * since a failed check ends the unit of work anyway.
   */
  private hold(operation: string, refs: References): Promise<void> {
    if (refs.customers.size === 0 && refs.identities.size === 0) return DONE;
    this.enterShared();
    const customers = [...refs.customers];
    const identities = [...refs.identities.keys()];
    for (const id of customers) this.ownCustomers.add(id);
    for (const id of identities) this.ownIdentities.add(id);
    return queryRows<[id: string, found: string | null, named: string | null]>(
      this.db,
      this.q.referencesChanged,
      [this.tenantId, customers, identities, [...refs.identities.values()]],
    ).then((changed) => {
      if (changed.length === 0) return;
      const [id, found, named] = changed[0]!;
      throw changedConcurrently(
        operation,
        refs.identities.has(id)
          ? `identity ${id} as a customer's (${named ?? 'none'}), now ${found ?? 'nobody'}'s`
          : `customer ${id}, now ${found}`,
      );
    });
  }

  /** Lists a customer's identities, taking the barrier first: what merges and erasures do before they move. */
  override listIdentities(customerId: string): Promise<Identity[]> {
    this.enterExclusive('listIdentities');
    return super.listIdentities(customerId);
  }

  /** Reads and locks customers for the rest of the unit of work (see the class notes), in the order asked. */
  override async getCustomers(ids: readonly string[]): Promise<Customer[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<CustomerRow>(this.db, this.q.lockCustomers, [
      this.tenantId,
      [...new Set(ids)],
    ]);
    const byId = new Map<string, Customer>();
    for (const row of rows) {
      const customer = toCustomer(row);
      byId.set(customer.id, customer);
      this.ownCustomers.add(customer.id);
    }
    const out: Customer[] = [];
    for (const id of ids) {
      const customer = byId.get(id);
      if (customer !== undefined) out.push(customer);
    }
    return out;
  }

  async insertCustomers(customers: readonly Customer[]): Promise<void> {
    this.check('insertCustomers', customers);
    if (customers.length === 0) return;
    for (const c of customers) this.ownCustomers.add(c.id);
    this.later(
      'insertCustomers',
      execute(this.db, this.q.insertCustomers, [this.tenantId, ...columns(customers, 11, customerRow)]),
    );
  }

  async updateCustomers(customers: readonly Customer[]): Promise<void> {
    this.check('updateCustomers', customers);
    if (customers.length === 0) return;
    this.later(
      'updateCustomers',
      execute(this.db, this.q.updateCustomers, [
        this.tenantId,
        ...columns(lastById(customers), 11, customerRow),
      ]),
    );
  }

  async insertIdentities(identities: readonly Identity[]): Promise<void> {
    this.check('insertIdentities', identities);
    if (identities.length === 0) return;
    const refs = this.references();
    for (const i of identities) this.refersToCustomer(refs, i.customerId);
    this.later('insertIdentities', this.hold('insertIdentities', refs));
    for (const i of identities) this.ownIdentities.add(i.id);
    const inserted = execute(this.db, this.q.insertIdentities, [
      this.tenantId,
      ...columns(identities, 12, (i) => [
        i.id,
        i.customerId,
        i.channel,
        i.externalId,
        i.handle ?? null,
        i.displayName ?? null,
        i.email ?? null,
        i.verified,
        i.source,
        i.createdAt.getTime(),
        lowerOrNull(i.handle),
        lowerOrNull(i.email),
      ]),
    ]);
    this.later('insertIdentities', inserted);
  }

  async reassignIdentities(identityIds: readonly string[], customerId: string): Promise<void> {
    if (identityIds.length === 0) return;
    this.enterExclusive('reassignIdentities');
    this.holdCustomer('reassignIdentities', customerId);
    // Updated rows stay locked to this unit of work until it ends.
    for (const id of identityIds) this.ownIdentities.add(id);
    this.later(
      'reassignIdentities',
      execute(this.db, this.q.reassignIdentities, [this.tenantId, customerId, identityIds]),
    );
  }

  /** Holds one customer a write points rows at, unless this unit of work holds it already. */
  private holdCustomer(operation: string, customerId: string): void {
    if (this.ownCustomers.has(customerId)) return;
    const refs = this.references();
    this.refersToCustomer(refs, customerId);
    this.later(operation, this.hold(operation, refs));
  }

  async insertInteractions(interactions: readonly Interaction[]): Promise<{ skipped: string[] }> {
    this.check('insertInteractions', interactions);
    if (interactions.length === 0) return { skipped: [] };
    const refs = this.references();
    for (const i of interactions) {
      this.refersToIdentity(refs, i.identityId, i.customerId);
      this.refersToIdentity(refs, i.referredIdentityId, i.referredCustomerId);
    }
    // The insert is queued right behind the check; should the check fail, the unit of work ends
    // and takes the insert with it.
    const values = interactionColumns(this.tenantId, interactions);
    const [, inserted] = await Promise.all([
      this.hold('insertInteractions', refs),
      interactions.length >= PLAIN_INSERT_THRESHOLD
        ? this.insertPlainFirst(values)
        : queryRows<[string]>(this.db, this.q.insertInteractions, values),
    ]);
    if (inserted.length === interactions.length) return { skipped: [] };
    const stored = new Set(inserted.map(([id]) => id));
    return { skipped: interactions.filter((i) => !stored.has(i.id)).map((i) => i.id) };
  }

  /**
   * Most batches clash with nothing, and an insert without conflict arbitration skips the checks
   * that cost ON CONFLICT a good share of its time. It runs in a savepoint: when another writer did
   * store some of the keys first, its unique violation undoes only that attempt, and the
   * arbitrating insert then skips those rows.
   */
  private insertPlainFirst(values: unknown[]): Promise<[string][]> {
    return this.connection.exclusive(async (client: PgClient) => {
      await client.query(SAVEPOINT);
      let statement = this.q.insertInteractionsPlain;
      let result: pg.QueryResult<[string]>;
      try {
        result = await client.query<[string]>({
          name: statement.name,
          text: statement.text,
          values,
          rowMode: 'array',
        });
      } catch (error) {
        if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
        await client.query(ROLLBACK_TO);
        statement = this.q.insertInteractions;
        result = await client.query<[string]>({
          name: statement.name,
          text: statement.text,
          values,
          rowMode: 'array',
        });
      }
      await client.query(RELEASE);
      return result.rows;
    });
  }

  async updateInteractionContent(updates: readonly InteractionContentUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    // Applied one after another, the highest version given for an id would win: send only that one.
    const best = new Map<string, InteractionContentUpdate>();
    for (const u of updates) {
      const seen = best.get(u.id);
      if (seen === undefined || u.version > seen.version) best.set(u.id, u);
    }
    this.later(
      'updateInteractionContent',
      execute(this.db, this.q.updateInteractionContent, [
        this.tenantId,
        ...columns([...best.values()], 11, (u) => [
          u.id,
          u.version,
          u.kind,
          u.effort,
          u.text ?? null,
          u.language ?? null,
          u.receivedAt.getTime(),
          u.amount ?? null,
          u.currency ?? null,
          arrayJson(u.scores),
          objectJson(u.metadata),
        ]),
      ]),
    );
  }

  async reassignInteractionsByIdentity(
    identityIds: readonly string[],
    fromCustomerId: string,
    toCustomerId: string,
  ): Promise<void> {
    if (identityIds.length === 0) return;
    this.enterExclusive('reassignInteractionsByIdentity');
    this.holdCustomer('reassignInteractionsByIdentity', toCustomerId);
    const params = [this.tenantId, fromCustomerId, toCustomerId, identityIds];
    this.later(
      'reassignInteractionsByIdentity',
      execute(this.db, this.q.reassignInteractionsByIdentity, params),
    );
    this.later(
      'reassignInteractionsByIdentity',
      execute(this.db, this.q.reassignReferralsByIdentity, params),
    );
  }

  async insertConversations(conversations: readonly Conversation[]): Promise<void> {
    this.check('insertConversations', conversations);
    if (conversations.length === 0) return;
    const refs = this.references();
    for (const c of conversations) this.refersToCustomer(refs, c.customerId);
    this.later('insertConversations', this.hold('insertConversations', refs));
    this.later(
      'insertConversations',
      execute(this.db, this.q.insertConversations, [
        this.tenantId,
        ...columns(conversations, 9, (c) => [
          c.id,
          c.channel,
          c.account,
          c.externalId,
          c.customerId ?? null,
          c.startedAt.getTime(),
          c.lastInteractionAt.getTime(),
          c.interactionCount,
          caseJson(c.case),
        ]),
      ]),
    );
  }

  async touchConversations(touches: readonly ConversationTouch[]): Promise<void> {
    if (touches.length === 0) return;
    // Touches of one conversation add up (an UPDATE ... FROM applies only one row per target).
    const merged = new Map<string, { added: number; last: number; customerId: string | null }>();
    for (const touch of touches) {
      const last = touch.lastInteractionAt.getTime();
      const seen = merged.get(touch.id);
      if (seen === undefined) {
        merged.set(touch.id, { added: touch.added, last, customerId: touch.customerId ?? null });
      } else {
        seen.added += touch.added;
        seen.last = Math.max(seen.last, last);
        seen.customerId ??= touch.customerId ?? null;
      }
    }
    const entries = [...merged];
    const refs = this.references();
    for (const [, t] of entries) this.refersToCustomer(refs, t.customerId);
    this.later('touchConversations', this.hold('touchConversations', refs));
    this.later(
      'touchConversations',
      execute(this.db, this.q.touchConversations, [
        this.tenantId,
        ...columns(entries, 4, ([id, t]) => [id, t.added, t.last, t.customerId]),
      ]),
    );
  }

  async reassignConversations(conversationIds: readonly string[], customerId: string): Promise<void> {
    if (conversationIds.length === 0) return;
    this.enterExclusive('reassignConversations');
    this.holdCustomer('reassignConversations', customerId);
    this.later(
      'reassignConversations',
      execute(this.db, this.q.reassignConversations, [this.tenantId, customerId, conversationIds]),
    );
  }

  async conversationIdsOf(customerId: string): Promise<string[]> {
    this.enterExclusive('conversationIdsOf');
    const rows = await queryRows<[string]>(this.db, this.q.conversationIdsOf, [this.tenantId, customerId]);
    return rows.map(([id]) => id);
  }

  async insertConsents(consents: readonly Consent[]): Promise<void> {
    this.check('insertConsents', consents);
    if (consents.length === 0) return;
    const refs = this.references();
    for (const c of consents) this.refersToCustomer(refs, c.customerId);
    this.later('insertConsents', this.hold('insertConsents', refs));
    this.later(
      'insertConsents',
      execute(this.db, this.q.insertConsents, [
        this.tenantId,
        ...columns(consents, 7, (c) => [
          c.id,
          c.customerId,
          c.purpose,
          c.channel,
          c.status,
          c.at.getTime(),
          c.source,
        ]),
      ]),
    );
  }

  async reassignConsents(consentIds: readonly string[], customerId: string): Promise<void> {
    if (consentIds.length === 0) return;
    this.enterExclusive('reassignConsents');
    this.holdCustomer('reassignConsents', customerId);
    this.later(
      'reassignConsents',
      execute(this.db, this.q.reassignConsents, [this.tenantId, customerId, consentIds]),
    );
  }

  async consentIdsOf(customerId: string): Promise<string[]> {
    this.enterExclusive('consentIdsOf');
    const rows = await queryRows<[string]>(this.db, this.q.consentIdsOf, [this.tenantId, customerId]);
    return rows.map(([id]) => id);
  }

  async insertScores(scores: readonly Score[]): Promise<void> {
    this.check('insertScores', scores);
    if (scores.length === 0) return;
    this.later(
      'insertScores',
      execute(this.db, this.q.insertScores, [
        this.tenantId,
        ...columns(scores, 8, (s) => [
          s.customerId,
          s.name,
          s.model.id,
          s.model.version,
          s.model.params === undefined ? null : JSON.stringify(s.model.params),
          s.value,
          s.computedAt.getTime(),
          s.cause === undefined ? null : JSON.stringify(s.cause),
        ]),
      ]),
    );
  }

  async insertMerge(merge: MergeRecord): Promise<void> {
    this.check('insertMerge', [merge]);
    this.later(
      'insertMerge',
      execute(this.db, this.q.insertMerge, [this.tenantId, merge.id, ...mergeColumns(merge)]),
    );
  }

  async updateMerge(merge: MergeRecord): Promise<void> {
    this.check('updateMerge', [merge]);
    this.later(
      'updateMerge',
      execute(this.db, this.q.updateMerge, [this.tenantId, merge.id, ...mergeColumns(merge)]),
    );
  }

  async addSegmentMembers(members: readonly SegmentMembership[]): Promise<void> {
    this.check('addSegmentMembers', members);
    if (members.length === 0) return;
    this.later(
      'addSegmentMembers',
      execute(this.db, this.q.addSegmentMembers, [
        this.tenantId,
        ...columns(members, 4, (m) => [m.segment, m.customerId, m.addedAt.getTime(), m.source]),
      ]),
    );
  }

  async removeSegmentMembers(segment: string, customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    this.later(
      'removeSegmentMembers',
      execute(this.db, this.q.removeSegmentMembers, [this.tenantId, segment, customerIds]),
    );
  }

  async updateConversationCases(updates: readonly ConversationCaseUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    this.later(
      'updateConversationCases',
      execute(this.db, this.q.updateConversationCases, [
        this.tenantId,
        ...columns(lastById(updates), 2, (u) => [u.id, caseJson(u.case)]),
      ]),
    );
  }

  async insertRuleFirings(firings: readonly RuleFiring[]): Promise<void> {
    this.check('insertRuleFirings', firings);
    if (firings.length === 0) return;
    this.later(
      'insertRuleFirings',
      execute(this.db, this.q.insertRuleFirings, [
        this.tenantId,
        ...columns(firings, 9, (f) => [
          f.id,
          f.ruleId,
          f.ruleVersion,
          f.trigger,
          f.customerId ?? null,
          f.conversationId ?? null,
          f.interactionId ?? null,
          f.firedAt.getTime(),
          arrayJson(f.actions),
        ]),
      ]),
    );
  }

  async updateRuleFirings(updates: readonly RuleFiringUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    this.later(
      'updateRuleFirings',
      execute(this.db, this.q.updateRuleFirings, [
        this.tenantId,
        ...columns(lastById(updates), 2, (u) => [u.id, arrayJson(u.actions)]),
      ]),
    );
  }

  async upsertTimers(timers: readonly RuleTimer[]): Promise<void> {
    this.check('upsertTimers', timers);
    if (timers.length === 0) return;
    // Replayed one by one, a later timer replaces an earlier one holding its key or its id; an
    // INSERT ... ON CONFLICT may touch each row once, so only the survivors are sent.
    const byKey = new Map<string, RuleTimer>();
    for (const timer of timers) {
      for (const [key, held] of byKey) if (held.id === timer.id && key !== timer.key) byKey.delete(key);
      byKey.delete(timer.key);
      byKey.set(timer.key, timer);
    }
    const survivors = [...byKey.values()];
    this.later(
      'upsertTimers',
      execute(this.db, this.q.deleteTimersMovingKey, [
        this.tenantId,
        survivors.map((t) => t.id),
        survivors.map((t) => t.key),
      ]),
    );
    this.later(
      'upsertTimers',
      execute(this.db, this.q.upsertTimers, [
        this.tenantId,
        ...columns(survivors, 11, (timer) => [
          timer.id,
          timer.key,
          timer.ruleId,
          timer.ruleVersion,
          timer.dueAt.getTime(),
          timer.subject.event,
          timer.subject.customerId ?? null,
          timer.subject.conversationId ?? null,
          timer.subject.interactionId ?? null,
          timer.subject.at.getTime(),
          timer.createdAt.getTime(),
        ]),
      ]),
    );
  }

  async deleteTimers(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<[string]>(this.db, this.q.deleteTimers, [this.tenantId, [...new Set(ids)]]);
    const deleted = new Set(rows.map(([id]) => id));
    // In the order asked, each once.
    return ids.filter((id) => deleted.delete(id));
  }

  insertOutbox(messages: readonly OutboxMessage[]): Promise<{ skipped: string[] }> {
    return outboxWrites.insert(this.db, this.q.outbox, this.tenantId, messages);
  }

  updateOutbox(messages: readonly OutboxMessage[]): Promise<void> {
    return outboxWrites.update(this.db, this.q.outbox, this.tenantId, messages);
  }

  claimOutbox(ids: readonly string[], now: Date, leaseUntil: Date): Promise<string[]> {
    return outboxWrites.claim(this.db, this.q.outbox, this.tenantId, ids, now, leaseUntil);
  }

  setChannelState(scope: string, entries: Readonly<Record<string, string | null>>): Promise<void> {
    return outboxWrites.setChannelState(this.db, this.q.outbox, this.tenantId, scope, entries);
  }

  async eraseCustomer(customerId: string, erasureKeys: readonly string[], at: Date): Promise<void> {
    this.enterExclusive('eraseCustomer');
    const q = this.q;
    const params = [this.tenantId, customerId];
    for (const s of [
      q.eraseIdentities,
      q.eraseInteractions,
      q.eraseConversations,
      q.eraseConsents,
      q.eraseScores,
      q.eraseSegmentMembers,
      q.eraseRuleFirings,
      q.eraseTimers,
      q.outbox.eraseOutbox,
      q.eraseReferralPointers,
    ]) {
      this.later('eraseCustomer', execute(this.db, s, params));
    }
    const when = at.getTime();
    this.later('eraseCustomer', execute(this.db, q.eraseCustomerRow, [...params, when]));
    this.later('eraseCustomer', execute(this.db, q.eraseMergeSnapshots, [...params, when]));
    if (erasureKeys.length > 0) {
      this.later(
        'eraseCustomer',
        execute(this.db, q.insertErasures, [this.tenantId, [...new Set(erasureKeys)], when]),
      );
    }
  }
}

/** The parameters of the interaction inserts: the tenant, then one array per column. */
function interactionColumns(tenantId: string, interactions: readonly Interaction[]): unknown[] {
  return [
    tenantId,
    ...columns(interactions, 25, (i) => [
      i.id,
      i.channel,
      i.account,
      i.externalId,
      i.version,
      i.customerId ?? null,
      i.conversationId ?? null,
      i.identityId ?? null,
      i.occurredAt.getTime(),
      i.receivedAt.getTime(),
      i.direction,
      i.kind,
      i.effort,
      i.language ?? null,
      i.actorExternalId,
      i.actorHandle ?? null,
      i.thread ?? null,
      i.parent ?? null,
      i.amount ?? null,
      i.currency ?? null,
      i.referredIdentityId ?? null,
      i.referredCustomerId ?? null,
      i.text ?? null,
      arrayJson(i.scores),
      objectJson(i.metadata),
    ]),
  ];
}

/** The columns of a customer after the tenant, in statement order (insert and update share them). */
function customerRow(c: Customer): unknown[] {
  return [
    c.id,
    c.status,
    c.mergedInto ?? null,
    c.displayName ?? null,
    c.primaryEmail ?? null,
    c.createdAt.getTime(),
    c.updatedAt.getTime(),
    objectJson(c.attributes),
    arrayJson(c.tags),
    lowerOrNull(c.displayName),
    lowerOrNull(c.primaryEmail),
  ];
}

/** The columns of a merge after tenant and id, in schema order. */
function mergeColumns(merge: MergeRecord): unknown[] {
  return [
    merge.survivorId,
    merge.absorbedId,
    merge.reason,
    merge.actor,
    merge.at.getTime(),
    JSON.stringify(merge.identityIds),
    JSON.stringify(merge.conversationIds),
    JSON.stringify(merge.consentIds),
    JSON.stringify(merge.addedTags),
    JSON.stringify(merge.addedAttributes),
    JSON.stringify(merge.filledFields),
    customerSnapshotJson(merge.absorbedSnapshot),
    merge.unmergedAt == null ? null : merge.unmergedAt.getTime(),
    merge.unmergedBy ?? null,
  ];
}

/** Public write methods (the reads are guarded on {@link PostgresReader}). */
export const unitOfWorkMethods = unitOfWorkWriteMethods;

// Reads overridden here need the guard of their own.
guardMethods(PostgresUnitOfWork.prototype, [...unitOfWorkMethods, 'getCustomers', 'listIdentities']);
