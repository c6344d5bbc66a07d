import { copyCase } from '../../domain/case.js';
import type { Consent } from '../../domain/consent.js';
import type { Conversation } from '../../domain/conversation.js';
import type { Customer } from '../../domain/customer.js';
import { type Identity, identityKeyString } from '../../domain/identity.js';
import { type Interaction, interactionKeyString } from '../../domain/interaction.js';
import type { MergeRecord } from '../../domain/merge.js';
import type { OutboxMessage } from '../../domain/outbox.js';
import type { RuleFiring, RuleTimer, SegmentMembership } from '../../domain/rule-records.js';
import type { Score } from '../../domain/score.js';
import type {
  ConversationCaseUpdate,
  ConversationTouch,
  InteractionContentUpdate,
  RuleFiringUpdate,
  UnitOfWork,
} from '../../plugins/storage.js';
import { MemoryReader } from './memory-reader.js';
import {
  channelStateKey,
  copyConversation,
  copyFiring,
  copyOutbox,
  copyTimer,
  isOutboxDue,
  segmentMemberKey,
  type TenantData,
} from './tenant-data.js';

/** Writes straight into the tenant's maps and keeps an undo log, replayed backwards on rollback. */
export class MemoryUnitOfWork extends MemoryReader implements UnitOfWork {
  private readonly undo: Array<() => void> = [];

  constructor(
    data: TenantData,
    readonly tenantId: string,
  ) {
    super(data);
  }

  /** Puts `value` under `key`, remembering what was there. */
  private put<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const previous = map.get(key);
    map.set(key, value);
    this.undo.push(had ? () => map.set(key, previous as V) : () => map.delete(key));
  }

  private remove<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const previous = map.get(key) as V;
    map.delete(key);
    this.undo.push(() => map.set(key, previous));
  }

  /** Undoes every write of this unit of work. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
    this.undo.length = 0;
  }

  insertCustomers(customers: readonly Customer[]): void {
    for (const c of customers) this.put(this.data.customers, c.id, { ...c });
  }

  updateCustomers(customers: readonly Customer[]): void {
    for (const c of customers)
      if (this.data.customers.has(c.id)) this.put(this.data.customers, c.id, { ...c });
  }

  insertIdentities(identities: readonly Identity[]): void {
    for (const i of identities) {
      const key = identityKeyString(i);
      if (this.data.identityByKey.has(key))
        throw new Error(`identity ${i.channel}/${i.externalId} already exists`);
      this.put(this.data.identities, i.id, { ...i });
      this.put(this.data.identityByKey, key, i.id);
    }
  }

  reassignIdentities(identityIds: readonly string[], customerId: string): void {
    for (const id of identityIds) {
      const identity = this.data.identities.get(id);
      if (identity) this.put(this.data.identities, id, { ...identity, customerId });
    }
  }

  insertInteractions(interactions: readonly Interaction[]): { skipped: string[] } {
    const skipped: string[] = [];
    for (const i of interactions) {
      const key = interactionKeyString(i);
      if (this.data.interactionByKey.has(key)) {
        skipped.push(i.id);
        continue;
      }
      this.put(this.data.interactions, i.id, i);
      this.put(this.data.interactionByKey, key, i.id);
    }
    return { skipped };
  }

  updateInteractionContent(updates: readonly InteractionContentUpdate[]): void {
    for (const u of updates) {
      const row = this.data.interactions.get(u.id);
      if (row && row.version < u.version) this.put(this.data.interactions, u.id, { ...row, ...u });
    }
  }

  private reassignInteractionsWhere(match: (i: Interaction) => boolean, change: Partial<Interaction>): void {
    for (const row of this.data.interactions.values()) {
      if (match(row)) this.put(this.data.interactions, row.id, { ...row, ...change });
    }
  }

  reassignInteractionsByIdentity(
    identityIds: readonly string[],
    fromCustomerId: string,
    toCustomerId: string,
  ): void {
    const ids = new Set(identityIds);
    this.reassignInteractionsWhere(
      (i) => i.customerId === fromCustomerId && i.identityId !== null && ids.has(i.identityId),
      { customerId: toCustomerId },
    );
    this.reassignInteractionsWhere(
      (i) =>
        i.referredCustomerId === fromCustomerId &&
        i.referredIdentityId !== null &&
        ids.has(i.referredIdentityId),
      { referredCustomerId: toCustomerId },
    );
  }

  insertConversations(conversations: readonly Conversation[]): void {
    for (const c of conversations) {
      const key = interactionKeyString(c);
      if (this.data.conversationByKey.has(key))
        throw new Error(`conversation ${c.channel}/${c.externalId} already exists`);
      this.put(this.data.conversations, c.id, copyConversation(c));
      this.put(this.data.conversationByKey, key, c.id);
    }
  }

  touchConversations(touches: readonly ConversationTouch[]): void {
    for (const t of touches) {
      const c = this.data.conversations.get(t.id);
      if (!c) continue;
      this.put(this.data.conversations, t.id, {
        ...c,
        interactionCount: c.interactionCount + t.added,
        lastInteractionAt:
          t.lastInteractionAt > c.lastInteractionAt ? t.lastInteractionAt : c.lastInteractionAt,
        customerId: c.customerId ?? t.customerId,
      });
    }
  }

  reassignConversations(conversationIds: readonly string[], customerId: string): void {
    for (const id of conversationIds) {
      const c = this.data.conversations.get(id);
      if (c) this.put(this.data.conversations, id, { ...c, customerId });
    }
  }

  conversationIdsOf(customerId: string): string[] {
    return [...this.data.conversations.values()].filter((c) => c.customerId === customerId).map((c) => c.id);
  }

  insertConsents(consents: readonly Consent[]): void {
    for (const c of consents) this.put(this.data.consents, c.id, { ...c });
  }

  reassignConsents(consentIds: readonly string[], customerId: string): void {
    for (const id of consentIds) {
      const c = this.data.consents.get(id);
      if (c) this.put(this.data.consents, id, { ...c, customerId });
    }
  }

  consentIdsOf(customerId: string): string[] {
    return [...this.data.consents.values()].filter((c) => c.customerId === customerId).map((c) => c.id);
  }

  insertScores(scores: readonly Score[]): void {
    const list = this.data.scores;
    const before = list.length;
    list.push(...scores.map((s) => ({ ...s })));
    this.undo.push(() => {
      list.length = before;
    });
  }

  insertMerge(merge: MergeRecord): void {
    this.put(this.data.merges, merge.id, { ...merge });
  }

  updateMerge(merge: MergeRecord): void {
    this.put(this.data.merges, merge.id, { ...merge });
  }

  addSegmentMembers(members: readonly SegmentMembership[]): void {
    for (const m of members) {
      const key = segmentMemberKey(m.segment, m.customerId);
      if (!this.data.segmentMembers.has(key))
        this.put(this.data.segmentMembers, key, { ...m, tenantId: this.tenantId });
    }
  }

  removeSegmentMembers(segment: string, customerIds: readonly string[]): void {
    for (const id of customerIds) this.remove(this.data.segmentMembers, segmentMemberKey(segment, id));
  }

  updateConversationCases(updates: readonly ConversationCaseUpdate[]): void {
    for (const u of updates) {
      const c = this.data.conversations.get(u.id);
      if (c)
        this.put(this.data.conversations, u.id, { ...c, case: u.case === null ? null : copyCase(u.case) });
    }
  }

  insertRuleFirings(firings: readonly RuleFiring[]): void {
    for (const f of firings) {
      if (this.data.ruleFirings.has(f.id)) throw new Error(`rule firing ${f.id} already exists`);
      this.put(this.data.ruleFirings, f.id, { ...copyFiring(f), tenantId: this.tenantId });
    }
  }

  updateRuleFirings(updates: readonly RuleFiringUpdate[]): void {
    for (const u of updates) {
      const f = this.data.ruleFirings.get(u.id);
      if (f) this.put(this.data.ruleFirings, u.id, { ...f, actions: structuredClone(u.actions) });
    }
  }

  upsertTimers(timers: readonly RuleTimer[]): void {
    for (const t of timers) {
      // The key is unique per tenant and the id is unique: whatever holds either is replaced.
      const previousId = this.data.timerByKey.get(t.key);
      if (previousId !== undefined) this.removeTimer(previousId);
      this.removeTimer(t.id);
      this.put(this.data.timers, t.id, { ...copyTimer(t), tenantId: this.tenantId });
      this.put(this.data.timerByKey, t.key, t.id);
    }
  }

  deleteTimers(ids: readonly string[]): string[] {
    return ids.filter((id) => this.removeTimer(id));
  }

  insertOutbox(messages: readonly OutboxMessage[]): { skipped: string[] } {
    const skipped: string[] = [];
    for (const m of messages) {
      if (this.data.outboxByKey.has(m.idempotencyKey) || this.data.outbox.has(m.id)) {
        skipped.push(m.id);
        continue;
      }
      this.put(this.data.outbox, m.id, { ...copyOutbox(m), tenantId: this.tenantId });
      this.put(this.data.outboxByKey, m.idempotencyKey, m.id);
    }
    return { skipped };
  }

  updateOutbox(messages: readonly OutboxMessage[]): void {
    for (const m of messages) {
      const stored = this.data.outbox.get(m.id);
      // The idempotency key is the message's identity on the channel: it never changes.
      if (stored)
        this.put(this.data.outbox, m.id, {
          ...copyOutbox(m),
          tenantId: this.tenantId,
          idempotencyKey: stored.idempotencyKey,
        });
    }
  }

  claimOutbox(ids: readonly string[], now: Date, leaseUntil: Date): string[] {
    const claimed: string[] = [];
    for (const id of ids) {
      const m = this.data.outbox.get(id);
      if (!m || !isOutboxDue(m, now.getTime())) continue;
      this.put(this.data.outbox, id, {
        ...m,
        state: 'sending',
        attempts: m.attempts + 1,
        leaseUntil,
        nextAttemptAt: leaseUntil,
        updatedAt: now,
      });
      claimed.push(id);
    }
    return claimed;
  }

  setChannelState(scope: string, entries: Readonly<Record<string, string | null>>): void {
    for (const [key, value] of Object.entries(entries)) {
      if (value === null) this.remove(this.data.channelState, channelStateKey(scope, key));
      else this.put(this.data.channelState, channelStateKey(scope, key), value);
    }
  }

  private removeTimer(id: string): boolean {
    const timer = this.data.timers.get(id);
    if (!timer) return false;
    this.remove(this.data.timers, id);
    if (this.data.timerByKey.get(timer.key) === id) this.remove(this.data.timerByKey, timer.key);
    return true;
  }

  eraseCustomer(customerId: string, erasureKeys: readonly string[], at: Date): void {
    for (const identity of [...this.data.identities.values()]) {
      if (identity.customerId !== customerId) continue;
      this.remove(this.data.identities, identity.id);
      this.remove(this.data.identityByKey, identityKeyString(identity));
    }
    for (const row of [...this.data.interactions.values()]) {
      if (row.customerId !== customerId) continue;
      this.remove(this.data.interactions, row.id);
      this.remove(this.data.interactionByKey, interactionKeyString(row));
    }
    for (const c of [...this.data.conversations.values()]) {
      if (c.customerId !== customerId) continue;
      this.remove(this.data.conversations, c.id);
      this.remove(this.data.conversationByKey, interactionKeyString(c));
    }
    for (const c of [...this.data.consents.values()])
      if (c.customerId === customerId) this.remove(this.data.consents, c.id);
    for (const [key, m] of [...this.data.segmentMembers])
      if (m.customerId === customerId) this.remove(this.data.segmentMembers, key);
    for (const f of [...this.data.ruleFirings.values()])
      if (f.customerId === customerId) this.remove(this.data.ruleFirings, f.id);
    for (const m of [...this.data.outbox.values()]) {
      if (m.customerId !== customerId) continue;
      this.remove(this.data.outbox, m.id);
      this.remove(this.data.outboxByKey, m.idempotencyKey);
    }
    for (const t of [...this.data.timers.values()])
      if (t.subject.customerId === customerId) this.removeTimer(t.id);
    const scores = this.data.scores;
    const kept = scores.filter((s) => s.customerId !== customerId);
    const previous = scores.splice(0, scores.length, ...kept);
    this.undo.push(() => {
      scores.splice(0, scores.length, ...previous);
    });
    const customer = this.data.customers.get(customerId);
    if (customer) {
      this.put(this.data.customers, customerId, {
        ...customer,
        displayName: null,
        primaryEmail: null,
        attributes: {},
        tags: [],
        status: 'erased',
        mergedInto: null,
        updatedAt: at,
      });
    }
    for (const merge of [...this.data.merges.values()]) {
      if (merge.absorbedId !== customerId) continue;
      const snapshot = merge.absorbedSnapshot;
      this.put(this.data.merges, merge.id, {
        ...merge,
        absorbedSnapshot: {
          ...snapshot,
          displayName: null,
          primaryEmail: null,
          attributes: {},
          tags: [],
          status: 'erased',
          updatedAt: at,
        },
      });
    }
    this.reassignInteractionsWhere((i) => i.referredCustomerId === customerId, {
      referredIdentityId: null,
      referredCustomerId: null,
    });
    for (const key of erasureKeys) {
      if (this.data.erasures.has(key)) continue;
      this.data.erasures.add(key);
      this.undo.push(() => this.data.erasures.delete(key));
    }
  }
}
