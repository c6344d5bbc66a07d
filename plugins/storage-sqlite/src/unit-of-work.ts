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
  unitOfWorkWriteMethods,
} from '@rapport/core';
import type { SqliteDatabase } from './connection.js';
import { finishedUnitOfWork, storageFailure, tenantMismatch } from './errors.js';
import { outboxWrites } from './outbox.js';
import { guardMethods, SqliteReader, type StoreLiveness } from './reader.js';
import type { ReadStatements, WriteStatements } from './statements.js';

/**
 * The writes (and reads) of one unit of work, on the writer connection inside its open
 * `BEGIN IMMEDIATE` transaction. The store creates one per `unitOfWork` call and finishes it when
 * `work` settles; after that every method throws.
 */
export class SqliteUnitOfWork extends SqliteReader implements UnitOfWork {
  private finished = false;

  constructor(
    q: ReadStatements,
    private readonly w: WriteStatements,
    private readonly db: SqliteDatabase,
    tenantId: string,
    store: StoreLiveness,
  ) {
    super(q, tenantId, store);
  }

  /** Ends the unit of work for its callers; the store then commits or rolls back. */
  finish(): void {
    this.finished = true;
  }

  override assertUsable(operation: string): void {
    super.assertUsable(operation);
    if (this.finished) throw finishedUnitOfWork(operation);
  }

  override failure(operation: string, error: unknown): Error {
    // Some errors (disk full, I/O) make SQLite roll the whole transaction back. Later statements
    // would then run outside any transaction and be kept, so the unit of work ends here.
    if (!this.db.inTransaction) this.finished = true;
    return storageFailure(operation, error);
  }

  insertCustomers(customers: readonly Customer[]): void {
    const t = this.tenantId;
    const statement = this.w.insertCustomer;
    for (const c of customers) {
      if (c.tenantId !== t) throw tenantMismatch('insertCustomers', t, c.tenantId);
      statement.run(t, c.id, ...customerColumns(c));
    }
  }

  updateCustomers(customers: readonly Customer[]): void {
    const t = this.tenantId;
    const statement = this.w.updateCustomer;
    for (const c of customers) {
      if (c.tenantId !== t) throw tenantMismatch('updateCustomers', t, c.tenantId);
      statement.run(...customerColumns(c), t, c.id);
    }
  }

  insertIdentities(identities: readonly Identity[]): void {
    const t = this.tenantId;
    const statement = this.w.insertIdentity;
    for (const i of identities) {
      if (i.tenantId !== t) throw tenantMismatch('insertIdentities', t, i.tenantId);
      statement.run(
        t,
        i.id,
        i.customerId,
        i.channel,
        i.externalId,
        i.handle ?? null,
        i.displayName ?? null,
        i.email ?? null,
        i.verified ? 1 : 0,
        i.source,
        i.createdAt.getTime(),
        lowerOrNull(i.handle),
        lowerOrNull(i.email),
      );
    }
  }

  reassignIdentities(identityIds: readonly string[], customerId: string): void {
    const statement = this.w.reassignIdentity;
    for (const id of identityIds) statement.run(customerId, this.tenantId, id);
  }

  insertInteractions(interactions: readonly Interaction[]): { skipped: string[] } {
    const t = this.tenantId;
    const statement = this.w.insertInteraction;
    const skipped: string[] = [];
    for (let n = 0; n < interactions.length; n++) {
      const i = interactions[n]!;
      if (i.tenantId !== t) throw tenantMismatch('insertInteractions', t, i.tenantId);
      const { changes } = statement.run(
        t,
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
      );
      if (changes === 0) skipped.push(i.id);
    }
    return { skipped };
  }

  updateInteractionContent(updates: readonly InteractionContentUpdate[]): void {
    const statement = this.w.updateInteractionContent;
    for (const u of updates) {
      statement.run(
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
        this.tenantId,
        u.id,
        u.version,
      );
    }
  }

  reassignInteractionsByIdentity(
    identityIds: readonly string[],
    fromCustomerId: string,
    toCustomerId: string,
  ): void {
    const { reassignInteractionsByIdentity: authored, reassignReferralsByIdentity: referred } = this.w;
    for (const id of identityIds) {
      authored.run(toCustomerId, this.tenantId, fromCustomerId, id);
      referred.run(toCustomerId, this.tenantId, id, fromCustomerId);
    }
  }

  insertConversations(conversations: readonly Conversation[]): void {
    const t = this.tenantId;
    const statement = this.w.insertConversation;
    for (const c of conversations) {
      if (c.tenantId !== t) throw tenantMismatch('insertConversations', t, c.tenantId);
      statement.run(
        t,
        c.id,
        c.channel,
        c.account,
        c.externalId,
        c.customerId ?? null,
        c.startedAt.getTime(),
        c.lastInteractionAt.getTime(),
        c.interactionCount,
        caseJson(c.case),
      );
    }
  }

  touchConversations(touches: readonly ConversationTouch[]): void {
    const { touchConversation, setMissingConversationCustomer } = this.w;
    for (const touch of touches) {
      touchConversation.run(touch.added, touch.lastInteractionAt.getTime(), this.tenantId, touch.id);
      if (touch.customerId != null)
        setMissingConversationCustomer.run(touch.customerId, this.tenantId, touch.id);
    }
  }

  reassignConversations(conversationIds: readonly string[], customerId: string): void {
    const statement = this.w.reassignConversation;
    for (const id of conversationIds) statement.run(customerId, this.tenantId, id);
  }

  conversationIdsOf(customerId: string): string[] {
    // Sorted here: an ORDER BY would tempt the planner into walking the tenant in id order.
    return this.w.conversationIdsOf.all(this.tenantId, customerId).sort();
  }

  insertConsents(consents: readonly Consent[]): void {
    const t = this.tenantId;
    const statement = this.w.insertConsent;
    for (const c of consents) {
      if (c.tenantId !== t) throw tenantMismatch('insertConsents', t, c.tenantId);
      statement.run(t, c.id, c.customerId, c.purpose, c.channel, c.status, c.at.getTime(), c.source);
    }
  }

  reassignConsents(consentIds: readonly string[], customerId: string): void {
    const statement = this.w.reassignConsent;
    for (const id of consentIds) statement.run(customerId, this.tenantId, id);
  }

  consentIdsOf(customerId: string): string[] {
    return this.w.consentIdsOf.all(this.tenantId, customerId);
  }

  insertScores(scores: readonly Score[]): void {
    const t = this.tenantId;
    const statement = this.w.insertScore;
    for (const s of scores) {
      if (s.tenantId !== t) throw tenantMismatch('insertScores', t, s.tenantId);
      statement.run(
        t,
        s.customerId,
        s.name,
        s.model.id,
        s.model.version,
        s.model.params === undefined ? null : JSON.stringify(s.model.params),
        s.value,
        s.computedAt.getTime(),
        s.cause === undefined ? null : JSON.stringify(s.cause),
      );
    }
  }

  insertMerge(merge: MergeRecord): void {
    if (merge.tenantId !== this.tenantId) throw tenantMismatch('insertMerge', this.tenantId, merge.tenantId);
    this.w.insertMerge.run(this.tenantId, merge.id, ...mergeColumns(merge));
  }

  updateMerge(merge: MergeRecord): void {
    if (merge.tenantId !== this.tenantId) throw tenantMismatch('updateMerge', this.tenantId, merge.tenantId);
    this.w.updateMerge.run(...mergeColumns(merge), this.tenantId, merge.id);
  }

  addSegmentMembers(members: readonly SegmentMembership[]): void {
    const t = this.tenantId;
    const statement = this.w.insertSegmentMember;
    for (const m of members) {
      if (m.tenantId !== t) throw tenantMismatch('addSegmentMembers', t, m.tenantId);
      statement.run(t, m.segment, m.customerId, m.addedAt.getTime(), m.source);
    }
  }

  removeSegmentMembers(segment: string, customerIds: readonly string[]): void {
    const statement = this.w.removeSegmentMember;
    for (const id of customerIds) statement.run(this.tenantId, segment, id);
  }

  updateConversationCases(updates: readonly ConversationCaseUpdate[]): void {
    const statement = this.w.updateConversationCase;
    for (const u of updates) statement.run(caseJson(u.case), this.tenantId, u.id);
  }

  insertRuleFirings(firings: readonly RuleFiring[]): void {
    const t = this.tenantId;
    const statement = this.w.insertRuleFiring;
    for (const f of firings) {
      if (f.tenantId !== t) throw tenantMismatch('insertRuleFirings', t, f.tenantId);
      statement.run(
        t,
        f.id,
        f.ruleId,
        f.ruleVersion,
        f.trigger,
        f.customerId ?? null,
        f.conversationId ?? null,
        f.interactionId ?? null,
        f.firedAt.getTime(),
        arrayJson(f.actions),
      );
    }
  }

  updateRuleFirings(updates: readonly RuleFiringUpdate[]): void {
    const statement = this.w.updateRuleFiringActions;
    for (const u of updates) statement.run(arrayJson(u.actions), this.tenantId, u.id);
  }

  upsertTimers(timers: readonly RuleTimer[]): void {
    const t = this.tenantId;
    const statement = this.w.upsertTimer;
    for (const timer of timers) {
      if (timer.tenantId !== t) throw tenantMismatch('upsertTimers', t, timer.tenantId);
      const { subject } = timer;
      statement.run(
        t,
        timer.id,
        timer.key,
        timer.ruleId,
        timer.ruleVersion,
        timer.dueAt.getTime(),
        subject.event,
        subject.customerId ?? null,
        subject.conversationId ?? null,
        subject.interactionId ?? null,
        subject.at.getTime(),
        timer.createdAt.getTime(),
      );
    }
  }

  deleteTimers(ids: readonly string[]): string[] {
    const statement = this.w.deleteTimer;
    return ids.filter((id) => statement.run(this.tenantId, id).changes > 0);
  }

  insertOutbox(messages: readonly OutboxMessage[]): { skipped: string[] } {
    return outboxWrites.insert(this.w.outbox, this.tenantId, messages);
  }

  updateOutbox(messages: readonly OutboxMessage[]): void {
    outboxWrites.update(this.w.outbox, this.tenantId, messages);
  }

  claimOutbox(ids: readonly string[], now: Date, leaseUntil: Date): string[] {
    return outboxWrites.claim(this.w.outbox, this.tenantId, ids, now, leaseUntil);
  }

  setChannelState(scope: string, entries: Readonly<Record<string, string | null>>): void {
    outboxWrites.setChannelState(this.w.outbox, this.tenantId, scope, entries);
  }

  eraseCustomer(customerId: string, erasureKeys: readonly string[], at: Date): void {
    const t = this.tenantId;
    const w = this.w;
    w.eraseIdentities.run(t, customerId);
    w.eraseInteractions.run(t, customerId);
    w.eraseConversations.run(t, customerId);
    w.eraseConsents.run(t, customerId);
    w.eraseScores.run(t, customerId);
    w.eraseSegmentMembers.run(t, customerId);
    w.eraseRuleFirings.run(t, customerId);
    w.eraseTimers.run(t, customerId);
    w.outbox.eraseOutbox.run(t, customerId);
    const when = at.getTime();
    w.eraseCustomerRow.run(when, t, customerId);
    w.eraseMergeSnapshots.run(when, t, customerId);
    w.eraseReferralPointers.run(t, customerId);
    for (const key of erasureKeys) w.insertErasure.run(t, key, when);
  }
}

/** The columns of a customer after tenant and id, in schema order (insert and update share them). */
function customerColumns(c: Customer): unknown[] {
  return [
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

/** Public write methods (the reads are guarded on {@link SqliteReader}). */
export const unitOfWorkMethods = unitOfWorkWriteMethods;

guardMethods(SqliteUnitOfWork.prototype, unitOfWorkMethods);
