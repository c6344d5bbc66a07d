/**
 * Row codecs for store authors: the column lists, row shapes and row → domain mappers that the SQL
 * stores share. Rows are read as arrays (cheaper to build than objects keyed by column name, on a
 * path that reads thousands of rows per batch); each row type is a labelled tuple in the order of
 * its column list, and the two sit together so they cannot drift apart.
 *
 * The stores differ only in how a driver hands over booleans and JSON columns, which a
 * {@link RowFormat} describes at the type level and a {@link RowAdapter} converts at run time.
 * Times are epoch milliseconds as numbers in every store.
 *
 * @module
 */
import type { CaseState } from '../domain/case.js';
import { decodeCase, encodeCase } from '../domain/case.js';
import type { Consent } from '../domain/consent.js';
import type { Conversation } from '../domain/conversation.js';
import type { Customer } from '../domain/customer.js';
import type { EffortClass } from '../domain/effort.js';
import type { Identity } from '../domain/identity.js';
import type { Direction, Interaction, InteractionScore } from '../domain/interaction.js';
import type { MergeRecord } from '../domain/merge.js';
import type { OutboxAttempt, OutboxMessage, OutboxPayload, OutboxState } from '../domain/outbox.js';
import type { RuleActionOutcome, RuleFiring, RuleTimer, SegmentMembership } from '../domain/rule-records.js';
import type { Score, ScoreCause } from '../domain/score.js';
import type { Tenant } from '../domain/tenant.js';

/**
 * How a store's driver hands over the values that differ between stores: `bool` is the type of a
 * boolean column (`number` for SQLite's 0/1, `boolean` for Postgres), and `json` says whether a
 * JSON column arrives as its `'text'` (SQLite) or already `'parsed'` (Postgres `jsonb`).
 */
export interface RowFormat {
  readonly bool: unknown;
  readonly json: 'text' | 'parsed';
}

/** A JSON column holding a `T`, as a store of format `F` reads it. */
export type RowJson<F extends RowFormat, T> = F['json'] extends 'text' ? string : T;

/** The run-time conversions of a {@link RowFormat}: a store's only store-specific part of reading rows. */
export interface RowAdapter<F extends RowFormat> {
  /** The boolean of a boolean column. */
  bool(value: F['bool']): boolean;
  /** The value of a (non-null) JSON column. */
  json<T>(value: RowJson<F, T>): T;
}

/** A customer as a merge record keeps it: dates as epoch milliseconds. */
export type CustomerSnapshot = Omit<Customer, 'createdAt' | 'updatedAt'> & {
  createdAt: number;
  updatedAt: number;
};

/** Columns of a tenant, in {@link TenantRow} order. */
export const TENANT_COLUMNS = 'tenant_id, name, created_at';
/** A `tenants` row. */
export type TenantRow = [tenantId: string, name: string, createdAt: number];

/** Columns of a customer (without the search columns), in {@link CustomerRow} order. */
export const CUSTOMER_COLUMNS =
  'tenant_id, id, status, merged_into, display_name, primary_email, created_at, updated_at, attributes, tags';
/** A `customers` row. */
export type CustomerRow<F extends RowFormat> = [
  tenantId: string,
  id: string,
  status: Customer['status'],
  mergedInto: string | null,
  displayName: string | null,
  primaryEmail: string | null,
  createdAt: number,
  updatedAt: number,
  attributes: RowJson<F, Record<string, unknown>> | null,
  tags: RowJson<F, string[]> | null,
];

/** Columns of an identity (without the search columns), in {@link IdentityRow} order. */
export const IDENTITY_COLUMNS =
  'tenant_id, id, customer_id, channel, external_id, handle, display_name, email, verified, source, created_at';
/** An `identities` row. */
export type IdentityRow<F extends RowFormat> = [
  tenantId: string,
  id: string,
  customerId: string,
  channel: string,
  externalId: string,
  handle: string | null,
  displayName: string | null,
  email: string | null,
  verified: F['bool'],
  source: string,
  createdAt: number,
];

/** Columns of an interaction, in {@link InteractionRow} order (which is also the table's). */
export const INTERACTION_COLUMNS =
  'tenant_id, id, channel, account, external_id, version, customer_id, conversation_id, identity_id, occurred_at, ' +
  'received_at, direction, kind, effort, language, actor_external_id, actor_handle, thread, parent, amount, currency, ' +
  'referred_identity_id, referred_customer_id, text, scores, metadata';
/** An `interactions` row. */
export type InteractionRow<F extends RowFormat> = [
  tenantId: string,
  id: string,
  channel: string,
  account: string,
  externalId: string,
  version: number,
  customerId: string | null,
  conversationId: string | null,
  identityId: string | null,
  occurredAt: number,
  receivedAt: number,
  direction: Direction,
  kind: string,
  effort: EffortClass,
  language: string | null,
  actorExternalId: string,
  actorHandle: string | null,
  thread: string | null,
  parent: string | null,
  amount: number | null,
  currency: string | null,
  referredIdentityId: string | null,
  referredCustomerId: string | null,
  text: string | null,
  scores: RowJson<F, InteractionScore[]> | null,
  metadata: RowJson<F, Record<string, unknown>> | null,
];

/** Columns of a conversation, in {@link ConversationRow} order. */
export const CONVERSATION_COLUMNS =
  'tenant_id, id, channel, account, external_id, customer_id, started_at, last_interaction_at, interaction_count, case_data';
/** A `conversations` row. */
export type ConversationRow<F extends RowFormat> = [
  tenantId: string,
  id: string,
  channel: string,
  account: string,
  externalId: string,
  customerId: string | null,
  startedAt: number,
  lastInteractionAt: number,
  interactionCount: number,
  caseData: RowJson<F, Record<string, unknown>> | null,
];

/** Columns of a consent, in {@link ConsentRow} order. */
export const CONSENT_COLUMNS = 'tenant_id, id, customer_id, purpose, channel, status, at, source';
/** A `consents` row. */
export type ConsentRow = [
  tenantId: string,
  id: string,
  customerId: string,
  purpose: string,
  channel: string,
  status: Consent['status'],
  at: number,
  source: string,
];

/** Columns of a score, in {@link ScoreRow} order. */
export const SCORE_COLUMNS =
  'tenant_id, customer_id, name, model_id, model_version, model_params, value, computed_at, cause';
/** A `scores` row. */
export type ScoreRow<F extends RowFormat> = [
  tenantId: string,
  customerId: string,
  name: string,
  modelId: string,
  modelVersion: string,
  modelParams: RowJson<F, Record<string, unknown>> | null,
  value: number,
  computedAt: number,
  cause: RowJson<F, ScoreCause> | null,
];

/** Columns of a merge, in {@link MergeRow} order. */
export const MERGE_COLUMNS =
  'tenant_id, id, survivor_id, absorbed_id, reason, actor, at, identity_ids, conversation_ids, consent_ids, ' +
  'added_tags, added_attributes, filled_fields, absorbed_snapshot, unmerged_at, unmerged_by';
/** A `merges` row. */
export type MergeRow<F extends RowFormat> = [
  tenantId: string,
  id: string,
  survivorId: string,
  absorbedId: string,
  reason: string,
  actor: string,
  at: number,
  identityIds: RowJson<F, string[]>,
  conversationIds: RowJson<F, string[]>,
  consentIds: RowJson<F, string[]>,
  addedTags: RowJson<F, string[]>,
  addedAttributes: RowJson<F, string[]>,
  filledFields: RowJson<F, MergeRecord['filledFields']>,
  absorbedSnapshot: RowJson<F, CustomerSnapshot>,
  unmergedAt: number | null,
  unmergedBy: string | null,
];

/** Columns of a segment membership, in {@link SegmentMemberRow} order. */
export const SEGMENT_MEMBER_COLUMNS = 'tenant_id, segment, customer_id, added_at, source';
/** A `segment_members` row. */
export type SegmentMemberRow = [
  tenantId: string,
  segment: string,
  customerId: string,
  addedAt: number,
  source: string,
];

/** Columns of a rule firing, in {@link RuleFiringRow} order. */
export const RULE_FIRING_COLUMNS =
  'tenant_id, id, rule_id, rule_version, rule_trigger, customer_id, conversation_id, interaction_id, fired_at, actions';
/** A `rule_firings` row. */
export type RuleFiringRow<F extends RowFormat> = [
  tenantId: string,
  id: string,
  ruleId: string,
  ruleVersion: number,
  trigger: string,
  customerId: string | null,
  conversationId: string | null,
  interactionId: string | null,
  firedAt: number,
  actions: RowJson<F, RuleActionOutcome[]> | null,
];

/** Columns of a rule timer, in {@link RuleTimerRow} order. */
export const RULE_TIMER_COLUMNS =
  'tenant_id, id, timer_key, rule_id, rule_version, due_at, subject_event, subject_customer_id, ' +
  'subject_conversation_id, subject_interaction_id, subject_at, created_at';
/** A `rule_timers` row. */
export type RuleTimerRow = [
  tenantId: string,
  id: string,
  key: string,
  ruleId: string,
  ruleVersion: number,
  dueAt: number,
  subjectEvent: string,
  subjectCustomerId: string | null,
  subjectConversationId: string | null,
  subjectInteractionId: string | null,
  subjectAt: number,
  createdAt: number,
];

/** Columns of an outbox message, in {@link OutboxRow} order (which is also the table's). */
export const OUTBOX_COLUMNS =
  'tenant_id, id, idempotency_key, channel, account, conversation_id, customer_id, author, state, attempts, ' +
  'next_attempt_at, lease_until, external_id, sent_at, created_at, updated_at, errors, payload';
/** An attempt's failure as an outbox row's `errors` column keeps it: the time as epoch milliseconds. */
export type StoredOutboxAttempt = Omit<OutboxAttempt, 'at'> & { at: number | string };
/** An `outbox` row. */
export type OutboxRow<F extends RowFormat> = [
  tenantId: string,
  id: string,
  idempotencyKey: string,
  channel: string,
  account: string,
  conversationId: string | null,
  customerId: string | null,
  author: string | null,
  state: OutboxState,
  attempts: number,
  nextAttemptAt: number,
  leaseUntil: number | null,
  externalId: string | null,
  sentAt: number | null,
  createdAt: number,
  updatedAt: number,
  errors: RowJson<F, StoredOutboxAttempt[]> | null,
  payload: RowJson<F, OutboxPayload>,
];

/** True when `value` has an own enumerable key; unlike `Object.keys`, allocates nothing. */
export function hasKeys(value: object): boolean {
  for (const key in value) {
    if (Object.hasOwn(value, key)) return true;
  }
  return false;
}

/** JSON of an object, or null when it is empty (read back as `{}`). */
export function objectJson(value: Record<string, unknown> | null | undefined): string | null {
  return value == null || !hasKeys(value) ? null : JSON.stringify(value);
}

/** JSON of an array, or null when it is empty (read back as `[]`). */
export function arrayJson(value: readonly unknown[] | null | undefined): string | null {
  return value == null || value.length === 0 ? null : JSON.stringify(value);
}

/** Lower-cased copy for the search columns; null stays null. */
export function lowerOrNull(value: string | null | undefined): string | null {
  return value == null ? null : value.toLowerCase();
}

/**
 * JSON of a conversation's case (core's `encodeCase`: dates as epoch milliseconds), or null when
 * there is no case.
 */
export function caseJson(value: CaseState | null | undefined): string | null {
  return value == null ? null : JSON.stringify(encodeCase(value));
}

/** JSON of a customer snapshot (kept in a merge record), dates as epoch milliseconds. */
export function customerSnapshotJson(customer: Customer): string {
  return JSON.stringify({
    id: customer.id,
    tenantId: customer.tenantId,
    displayName: customer.displayName,
    primaryEmail: customer.primaryEmail,
    attributes: customer.attributes,
    tags: customer.tags,
    status: customer.status,
    mergedInto: customer.mergedInto,
    createdAt: customer.createdAt.getTime(),
    updatedAt: customer.updatedAt.getTime(),
  });
}

const millis = (date: Date | null | undefined): number | null => (date == null ? null : date.getTime());

/** JSON of a message's attempt errors, dates as epoch milliseconds, or null when there are none. */
export function outboxErrorsJson(errors: readonly OutboxAttempt[] | null | undefined): string | null {
  if (errors == null || errors.length === 0) return null;
  return JSON.stringify(errors.map((e) => ({ ...e, at: e.at.getTime() })));
}

/**
 * The values of an outbox message's columns after tenant, id and idempotency key, in table order
 * (an insert and an update share them), JSON columns as text.
 */
export function outboxColumnValues(m: OutboxMessage): unknown[] {
  return [
    m.channel,
    m.account,
    m.conversationId ?? null,
    m.customerId ?? null,
    m.author ?? null,
    m.state,
    m.attempts,
    m.nextAttemptAt.getTime(),
    millis(m.leaseUntil),
    m.externalId ?? null,
    millis(m.sentAt),
    m.createdAt.getTime(),
    m.updatedAt.getTime(),
    outboxErrorsJson(m.errors),
    JSON.stringify(m.payload),
  ];
}

/** Tenant from its row. */
export function toTenant([tenantId, name, createdAt]: TenantRow): Tenant {
  return { id: tenantId, name, createdAt: new Date(createdAt) };
}

/** Segment membership from its row. */
export function toSegmentMember([
  tenantId,
  segment,
  customerId,
  addedAt,
  source,
]: SegmentMemberRow): SegmentMembership {
  return { tenantId, segment, customerId, addedAt: new Date(addedAt), source };
}

/** Rule timer from its row. */
export function toRuleTimer(row: RuleTimerRow): RuleTimer {
  const [
    tenantId,
    id,
    key,
    ruleId,
    ruleVersion,
    dueAt,
    subjectEvent,
    subjectCustomerId,
    subjectConversationId,
    subjectInteractionId,
    subjectAt,
    createdAt,
  ] = row;
  return {
    id,
    tenantId,
    key,
    ruleId,
    ruleVersion,
    dueAt: new Date(dueAt),
    subject: {
      event: subjectEvent,
      customerId: subjectCustomerId,
      conversationId: subjectConversationId,
      interactionId: subjectInteractionId,
      at: new Date(subjectAt),
    },
    createdAt: new Date(createdAt),
  };
}

/** Consent from its row. */
export function toConsent([
  tenantId,
  id,
  customerId,
  purpose,
  channel,
  status,
  at,
  source,
]: ConsentRow): Consent {
  return { id, tenantId, customerId, purpose, channel, status, at: new Date(at), source };
}

/** The row → domain mappers whose rows hold booleans or JSON, for a store of format `F`. */
export interface RowDecoders<F extends RowFormat> {
  /** Customer from its row. */
  toCustomer(row: CustomerRow<F>): Customer;
  /** Identity from its row. */
  toIdentity(row: IdentityRow<F>): Identity;
  /** Interaction from its row. */
  toInteraction(row: InteractionRow<F>): Interaction;
  /** Conversation from its row. */
  toConversation(row: ConversationRow<F>): Conversation;
  /** Rule firing from its row. */
  toRuleFiring(row: RuleFiringRow<F>): RuleFiring;
  /** Score from its row; `model.params` is present only when it was given. */
  toScore(row: ScoreRow<F>): Score;
  /** Merge record from its row. */
  toMerge(row: MergeRow<F>): MergeRecord;
  /** Outbox message from its row. */
  toOutbox(row: OutboxRow<F>): OutboxMessage;
}

/** The row → domain mappers of a store, given its {@link RowAdapter}. */
export function rowDecoders<F extends RowFormat>(adapter: RowAdapter<F>): RowDecoders<F> {
  const { bool, json } = adapter;

  function parseObject(value: RowJson<F, Record<string, unknown>> | null): Record<string, unknown> {
    return value === null ? {} : json<Record<string, unknown>>(value);
  }

  function parseArray<T>(value: RowJson<F, T[]> | null): T[] {
    return value === null ? [] : json<T[]>(value);
  }

  function parseCustomerSnapshot(value: RowJson<F, CustomerSnapshot>): Customer {
    const raw = json<CustomerSnapshot>(value);
    return { ...raw, createdAt: new Date(raw.createdAt), updatedAt: new Date(raw.updatedAt) };
  }

  return {
    toCustomer(row) {
      const [
        tenantId,
        id,
        status,
        mergedInto,
        displayName,
        primaryEmail,
        createdAt,
        updatedAt,
        attributes,
        tags,
      ] = row;
      return {
        id,
        tenantId,
        displayName,
        primaryEmail,
        attributes: parseObject(attributes),
        tags: parseArray<string>(tags),
        status,
        mergedInto,
        createdAt: new Date(createdAt),
        updatedAt: new Date(updatedAt),
      };
    },

    toIdentity(row) {
      const [
        tenantId,
        id,
        customerId,
        channel,
        externalId,
        handle,
        displayName,
        email,
        verified,
        source,
        createdAt,
      ] = row;
      return {
        id,
        tenantId,
        customerId,
        channel,
        externalId,
        handle,
        displayName,
        email,
        verified: bool(verified),
        source,
        createdAt: new Date(createdAt),
      };
    },

    toInteraction(row) {
      const [
        tenantId,
        id,
        channel,
        account,
        externalId,
        version,
        customerId,
        conversationId,
        identityId,
        occurredAt,
        receivedAt,
        direction,
        kind,
        effort,
        language,
        actorExternalId,
        actorHandle,
        thread,
        parent,
        amount,
        currency,
        referredIdentityId,
        referredCustomerId,
        text,
        scores,
        metadata,
      ] = row;
      return {
        id,
        tenantId,
        channel,
        account,
        externalId,
        version,
        direction,
        kind,
        effort,
        text,
        language,
        occurredAt: new Date(occurredAt),
        receivedAt: new Date(receivedAt),
        customerId,
        identityId,
        actorExternalId,
        actorHandle,
        conversationId,
        thread,
        parent,
        amount,
        currency,
        referredIdentityId,
        referredCustomerId,
        scores: parseArray<InteractionScore>(scores),
        metadata: parseObject(metadata),
      };
    },

    toConversation(row) {
      const [
        tenantId,
        id,
        channel,
        account,
        externalId,
        customerId,
        startedAt,
        lastInteractionAt,
        interactionCount,
        caseData,
      ] = row;
      return {
        id,
        tenantId,
        channel,
        account,
        externalId,
        customerId,
        startedAt: new Date(startedAt),
        lastInteractionAt: new Date(lastInteractionAt),
        interactionCount,
        case: caseData === null ? null : decodeCase(json<Record<string, unknown>>(caseData)),
      };
    },

    toRuleFiring(row) {
      const [
        tenantId,
        id,
        ruleId,
        ruleVersion,
        trigger,
        customerId,
        conversationId,
        interactionId,
        firedAt,
        actions,
      ] = row;
      return {
        id,
        tenantId,
        ruleId,
        ruleVersion,
        trigger,
        customerId,
        conversationId,
        interactionId,
        actions: parseArray<RuleActionOutcome>(actions),
        firedAt: new Date(firedAt),
      };
    },

    toScore(row) {
      const [tenantId, customerId, name, modelId, modelVersion, modelParams, value, computedAt, cause] = row;
      const model: Score['model'] = { id: modelId, version: modelVersion };
      if (modelParams !== null) model.params = json<Record<string, unknown>>(modelParams);
      const score: Score = { tenantId, customerId, name, value, model, computedAt: new Date(computedAt) };
      if (cause !== null) score.cause = json<ScoreCause>(cause);
      return score;
    },

    toMerge(row) {
      const [
        tenantId,
        id,
        survivorId,
        absorbedId,
        reason,
        actor,
        at,
        identityIds,
        conversationIds,
        consentIds,
        addedTags,
        addedAttributes,
        filledFields,
        absorbedSnapshot,
        unmergedAt,
        unmergedBy,
      ] = row;
      return {
        id,
        tenantId,
        survivorId,
        absorbedId,
        reason,
        actor,
        at: new Date(at),
        identityIds: json<string[]>(identityIds),
        conversationIds: json<string[]>(conversationIds),
        consentIds: json<string[]>(consentIds),
        addedTags: json<string[]>(addedTags),
        addedAttributes: json<string[]>(addedAttributes),
        filledFields: json<MergeRecord['filledFields']>(filledFields),
        absorbedSnapshot: parseCustomerSnapshot(absorbedSnapshot),
        unmergedAt: unmergedAt === null ? null : new Date(unmergedAt),
        unmergedBy,
      };
    },

    toOutbox(row) {
      const [
        tenantId,
        id,
        idempotencyKey,
        channel,
        account,
        conversationId,
        customerId,
        author,
        state,
        attempts,
        nextAttemptAt,
        leaseUntil,
        externalId,
        sentAt,
        createdAt,
        updatedAt,
        errors,
        payload,
      ] = row;
      return {
        id,
        tenantId,
        idempotencyKey,
        channel,
        account,
        conversationId,
        customerId,
        author,
        payload: json<OutboxPayload>(payload),
        state,
        attempts,
        nextAttemptAt: new Date(nextAttemptAt),
        leaseUntil: leaseUntil === null ? null : new Date(leaseUntil),
        errors:
          errors === null
            ? []
            : json<StoredOutboxAttempt[]>(errors).map((e) => ({ ...e, at: new Date(e.at) })),
        externalId,
        sentAt: sentAt === null ? null : new Date(sentAt),
        createdAt: new Date(createdAt),
        updatedAt: new Date(updatedAt),
      };
    },
  };
}
