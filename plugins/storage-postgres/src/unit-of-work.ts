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
import { unitOfWorkWriteMethods } from '@rapport/core';
import { columns, lastById } from './bulk.js';
import { execute, queryRows } from './connection.js';
import { abortedUnitOfWork, finishedUnitOfWork, storageFailure, tenantMismatch } from './errors.js';
import { outboxWrites } from './outbox.js';
import { guardMethods, PostgresReader, type Session, type StoreLiveness } from './reader.js';
import { arrayJson, caseJson, customerSnapshotJson, lowerOrNull, objectJson } from './rows.js';
import type { Statements } from './statements.js';

/**
 * The writes (and reads) of one unit of work, on one pooled connection inside its open
 * transaction. The store creates one per `unitOfWork` call and finishes it when `work` settles;
 * after that every method throws. Each method is one statement (a few for erasure) whatever the
 * batch size: bulk inserts and updates go through `unnest` of one array per column.
 */
export class PostgresUnitOfWork extends PostgresReader implements UnitOfWork {
  private finished = false;
  /** The first statement error: Postgres has aborted the transaction, nothing more can run in it. */
  private abortedBy: unknown = null;

  constructor(q: Statements, tenantId: string, store: StoreLiveness, session: Session) {
    super(q, tenantId, store, session);
  }

  /** Ends the unit of work for its callers; the store then commits or rolls back. */
  finish(): void {
    this.finished = true;
  }

  /** The error that aborted the transaction, or null while it is healthy. */
  get aborted(): unknown {
    return this.abortedBy;
  }

  override assertUsable(operation: string): void {
    super.assertUsable(operation);
    if (this.finished) throw finishedUnitOfWork(operation);
    if (this.abortedBy !== null) throw abortedUnitOfWork(operation, this.abortedBy);
  }

  override failure(operation: string, error: unknown): Error {
    const failure = storageFailure(operation, error);
    // A failed statement aborts the whole transaction in Postgres (input checks done before any
    // statement, such as a tenant mismatch or a bad cursor, leave it usable).
    if (failure.code === 'RAPPORT_STORAGE_FAILED') this.abortedBy ??= failure;
    return failure;
  }

  private check(operation: string, records: readonly { tenantId: string }[]): void {
    for (const record of records) {
      if (record.tenantId !== this.tenantId) throw tenantMismatch(operation, this.tenantId, record.tenantId);
    }
  }

  async insertCustomers(customers: readonly Customer[]): Promise<void> {
    this.check('insertCustomers', customers);
    if (customers.length === 0) return;
    await execute(this.db, this.q.insertCustomers, [this.tenantId, ...columns(customers, 11, customerRow)]);
  }

  async updateCustomers(customers: readonly Customer[]): Promise<void> {
    this.check('updateCustomers', customers);
    if (customers.length === 0) return;
    await execute(this.db, this.q.updateCustomers, [
      this.tenantId,
      ...columns(lastById(customers), 11, customerRow),
    ]);
  }

  async insertIdentities(identities: readonly Identity[]): Promise<void> {
    this.check('insertIdentities', identities);
    if (identities.length === 0) return;
    await execute(this.db, this.q.insertIdentities, [
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
  }

  async reassignIdentities(identityIds: readonly string[], customerId: string): Promise<void> {
    if (identityIds.length === 0) return;
    await execute(this.db, this.q.reassignIdentities, [this.tenantId, customerId, identityIds]);
  }

  async insertInteractions(interactions: readonly Interaction[]): Promise<{ skipped: string[] }> {
    this.check('insertInteractions', interactions);
    if (interactions.length === 0) return { skipped: [] };
    const inserted = await queryRows<[string]>(this.db, this.q.insertInteractions, [
      this.tenantId,
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
    ]);
    if (inserted.length === interactions.length) return { skipped: [] };
    const stored = new Set(inserted.map(([id]) => id));
    return { skipped: interactions.filter((i) => !stored.has(i.id)).map((i) => i.id) };
  }

  async updateInteractionContent(updates: readonly InteractionContentUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    // Applied one after another, the highest version given for an id would win: send only that one.
    const best = new Map<string, InteractionContentUpdate>();
    for (const u of updates) {
      const seen = best.get(u.id);
      if (seen === undefined || u.version > seen.version) best.set(u.id, u);
    }
    await execute(this.db, this.q.updateInteractionContent, [
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
    ]);
  }

  async reassignInteractionsByIdentity(
    identityIds: readonly string[],
    fromCustomerId: string,
    toCustomerId: string,
  ): Promise<void> {
    if (identityIds.length === 0) return;
    const params = [this.tenantId, fromCustomerId, toCustomerId, identityIds];
    await execute(this.db, this.q.reassignInteractionsByIdentity, params);
    await execute(this.db, this.q.reassignReferralsByIdentity, params);
  }

  async insertConversations(conversations: readonly Conversation[]): Promise<void> {
    this.check('insertConversations', conversations);
    if (conversations.length === 0) return;
    await execute(this.db, this.q.insertConversations, [
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
    ]);
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
    await execute(this.db, this.q.touchConversations, [
      this.tenantId,
      ...columns(entries, 4, ([id, t]) => [id, t.added, t.last, t.customerId]),
    ]);
  }

  async reassignConversations(conversationIds: readonly string[], customerId: string): Promise<void> {
    if (conversationIds.length === 0) return;
    await execute(this.db, this.q.reassignConversations, [this.tenantId, customerId, conversationIds]);
  }

  async conversationIdsOf(customerId: string): Promise<string[]> {
    const rows = await queryRows<[string]>(this.db, this.q.conversationIdsOf, [this.tenantId, customerId]);
    return rows.map(([id]) => id);
  }

  async insertConsents(consents: readonly Consent[]): Promise<void> {
    this.check('insertConsents', consents);
    if (consents.length === 0) return;
    await execute(this.db, this.q.insertConsents, [
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
    ]);
  }

  async reassignConsents(consentIds: readonly string[], customerId: string): Promise<void> {
    if (consentIds.length === 0) return;
    await execute(this.db, this.q.reassignConsents, [this.tenantId, customerId, consentIds]);
  }

  async consentIdsOf(customerId: string): Promise<string[]> {
    const rows = await queryRows<[string]>(this.db, this.q.consentIdsOf, [this.tenantId, customerId]);
    return rows.map(([id]) => id);
  }

  async insertScores(scores: readonly Score[]): Promise<void> {
    this.check('insertScores', scores);
    if (scores.length === 0) return;
    await execute(this.db, this.q.insertScores, [
      this.tenantId,
      ...columns(scores, 7, (s) => [
        s.customerId,
        s.name,
        s.model.id,
        s.model.version,
        s.model.params === undefined ? null : JSON.stringify(s.model.params),
        s.value,
        s.computedAt.getTime(),
      ]),
    ]);
  }

  async insertMerge(merge: MergeRecord): Promise<void> {
    this.check('insertMerge', [merge]);
    await execute(this.db, this.q.insertMerge, [this.tenantId, merge.id, ...mergeColumns(merge)]);
  }

  async updateMerge(merge: MergeRecord): Promise<void> {
    this.check('updateMerge', [merge]);
    await execute(this.db, this.q.updateMerge, [this.tenantId, merge.id, ...mergeColumns(merge)]);
  }

  async addSegmentMembers(members: readonly SegmentMembership[]): Promise<void> {
    this.check('addSegmentMembers', members);
    if (members.length === 0) return;
    await execute(this.db, this.q.addSegmentMembers, [
      this.tenantId,
      ...columns(members, 4, (m) => [m.segment, m.customerId, m.addedAt.getTime(), m.source]),
    ]);
  }

  async removeSegmentMembers(segment: string, customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    await execute(this.db, this.q.removeSegmentMembers, [this.tenantId, segment, customerIds]);
  }

  async updateConversationCases(updates: readonly ConversationCaseUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await execute(this.db, this.q.updateConversationCases, [
      this.tenantId,
      ...columns(lastById(updates), 2, (u) => [u.id, caseJson(u.case)]),
    ]);
  }

  async insertRuleFirings(firings: readonly RuleFiring[]): Promise<void> {
    this.check('insertRuleFirings', firings);
    if (firings.length === 0) return;
    await execute(this.db, this.q.insertRuleFirings, [
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
    ]);
  }

  async updateRuleFirings(updates: readonly RuleFiringUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await execute(this.db, this.q.updateRuleFirings, [
      this.tenantId,
      ...columns(lastById(updates), 2, (u) => [u.id, arrayJson(u.actions)]),
    ]);
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
    await execute(this.db, this.q.deleteTimersMovingKey, [
      this.tenantId,
      survivors.map((t) => t.id),
      survivors.map((t) => t.key),
    ]);
    await execute(this.db, this.q.upsertTimers, [
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
    ]);
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
      await execute(this.db, s, params);
    }
    const when = at.getTime();
    await execute(this.db, q.eraseCustomerRow, [...params, when]);
    await execute(this.db, q.eraseMergeSnapshots, [...params, when]);
    if (erasureKeys.length > 0) {
      await execute(this.db, q.insertErasures, [this.tenantId, [...new Set(erasureKeys)], when]);
    }
  }
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

guardMethods(PostgresUnitOfWork.prototype, unitOfWorkMethods);
