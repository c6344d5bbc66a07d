import { copyCase } from '../../domain/case.js';
import type { Consent } from '../../domain/consent.js';
import type { Conversation } from '../../domain/conversation.js';
import type { Customer } from '../../domain/customer.js';
import type { Identity } from '../../domain/identity.js';
import type { Interaction } from '../../domain/interaction.js';
import type { MergeRecord } from '../../domain/merge.js';
import type { OutboxMessage } from '../../domain/outbox.js';
import type { RuleFiring, RuleTimer, SegmentMembership } from '../../domain/rule-records.js';
import type { Score } from '../../domain/score.js';

/** One tenant's data in the memory store. Records are replaced, never mutated, so undo is cheap. */
export interface TenantData {
  customers: Map<string, Customer>;
  identities: Map<string, Identity>;
  identityByKey: Map<string, string>;
  interactions: Map<string, Interaction>;
  interactionByKey: Map<string, string>;
  conversations: Map<string, Conversation>;
  conversationByKey: Map<string, string>;
  consents: Map<string, Consent>;
  scores: Score[];
  merges: Map<string, MergeRecord>;
  erasures: Set<string>;
  /** Memberships by `segmentMemberKey`. */
  segmentMembers: Map<string, SegmentMembership>;
  ruleFirings: Map<string, RuleFiring>;
  /** Timers by id, and their ids by key (unique per tenant). */
  timers: Map<string, RuleTimer>;
  timerByKey: Map<string, string>;
  /** Outbox messages by id, and their ids by idempotency key (unique per tenant). */
  outbox: Map<string, OutboxMessage>;
  outboxByKey: Map<string, string>;
  /** Channel plugin state by `scope\u0000key`. */
  channelState: Map<string, string>;
}

/** Key of a membership in {@link TenantData.segmentMembers}. */
export function segmentMemberKey(segment: string, customerId: string): string {
  return `${segment}\u0000${customerId}`;
}

/** Empty tenant data. */
export function emptyTenantData(): TenantData {
  return {
    customers: new Map(),
    identities: new Map(),
    identityByKey: new Map(),
    interactions: new Map(),
    interactionByKey: new Map(),
    conversations: new Map(),
    conversationByKey: new Map(),
    consents: new Map(),
    scores: [],
    merges: new Map(),
    erasures: new Set(),
    segmentMembers: new Map(),
    ruleFirings: new Map(),
    timers: new Map(),
    timerByKey: new Map(),
    outbox: new Map(),
    outboxByKey: new Map(),
    channelState: new Map(),
  };
}

/** A copy of a conversation that shares nothing mutable with the stored one (its case included). */
export function copyConversation(c: Conversation): Conversation {
  return c.case === null ? { ...c } : { ...c, case: copyCase(c.case) };
}

/** A copy of a firing: its action outcomes are nested objects. */
export function copyFiring(f: RuleFiring): RuleFiring {
  return structuredClone(f);
}

/** A copy of a timer: its subject is a nested object. */
export function copyTimer(t: RuleTimer): RuleTimer {
  return structuredClone(t);
}

/** A copy of an outbox message: payload and errors are nested objects. */
export function copyOutbox(m: OutboxMessage): OutboxMessage {
  return structuredClone(m);
}

/** Key of a value in {@link TenantData.channelState}. */
export function channelStateKey(scope: string, key: string): string {
  return `${scope}\u0000${key}`;
}

/** Whether a sender may claim the message at `now` (see `StorageReader.dueOutbox`). */
export function isOutboxDue(m: OutboxMessage, now: number): boolean {
  return (
    (m.state === 'pending' || m.state === 'unknown' || m.state === 'sending') &&
    m.nextAttemptAt.getTime() <= now
  );
}
