import type {
  CaseState,
  Consent,
  Conversation,
  Customer,
  Direction,
  EffortClass,
  Identity,
  Interaction,
  InteractionScore,
  MergeRecord,
  RuleActionOutcome,
  RuleFiring,
  RuleTimer,
  Score,
  SegmentMembership,
  Tenant,
} from '@rapport/core';
import { decodeCase, encodeCase } from '@rapport/core';

// Rows are read in better-sqlite3's raw mode, as arrays: cheaper to build than objects keyed by
// column name, on a path that reads thousands of rows per batch. Each row type is a labelled
// tuple in the order of its column list, and the two sit together so they cannot drift apart.

/** Columns of a tenant, in {@link TenantRow} order. */
export const TENANT_COLUMNS = 'tenant_id, name, created_at';
/** A `tenants` row. */
export type TenantRow = [tenantId: string, name: string, createdAt: number];

/** Columns of a customer (without the search columns), in {@link CustomerRow} order. */
export const CUSTOMER_COLUMNS =
  'tenant_id, id, status, merged_into, display_name, primary_email, created_at, updated_at, attributes, tags';
/** A `customers` row. */
export type CustomerRow = [
  tenantId: string,
  id: string,
  status: Customer['status'],
  mergedInto: string | null,
  displayName: string | null,
  primaryEmail: string | null,
  createdAt: number,
  updatedAt: number,
  attributes: string | null,
  tags: string | null,
];

/** Columns of an identity (without the search columns), in {@link IdentityRow} order. */
export const IDENTITY_COLUMNS =
  'tenant_id, id, customer_id, channel, external_id, handle, display_name, email, verified, source, created_at';
/** An `identities` row. */
export type IdentityRow = [
  tenantId: string,
  id: string,
  customerId: string,
  channel: string,
  externalId: string,
  handle: string | null,
  displayName: string | null,
  email: string | null,
  verified: number,
  source: string,
  createdAt: number,
];

/** Columns of an interaction, in {@link InteractionRow} order (which is also the table's). */
export const INTERACTION_COLUMNS =
  'tenant_id, id, channel, account, external_id, version, customer_id, conversation_id, identity_id, occurred_at, ' +
  'received_at, direction, kind, effort, language, actor_external_id, actor_handle, thread, parent, amount, currency, ' +
  'referred_identity_id, referred_customer_id, text, scores, metadata';
/** An `interactions` row. */
export type InteractionRow = [
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
  scores: string | null,
  metadata: string | null,
];

/** Columns of a conversation, in {@link ConversationRow} order. */
export const CONVERSATION_COLUMNS =
  'tenant_id, id, channel, account, external_id, customer_id, started_at, last_interaction_at, interaction_count, case_data';
/** A `conversations` row. */
export type ConversationRow = [
  tenantId: string,
  id: string,
  channel: string,
  account: string,
  externalId: string,
  customerId: string | null,
  startedAt: number,
  lastInteractionAt: number,
  interactionCount: number,
  caseData: string | null,
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
  'tenant_id, customer_id, name, model_id, model_version, model_params, value, computed_at';
/** A `scores` row. */
export type ScoreRow = [
  tenantId: string,
  customerId: string,
  name: string,
  modelId: string,
  modelVersion: string,
  modelParams: string | null,
  value: number,
  computedAt: number,
];

/** Columns of a merge, in {@link MergeRow} order. */
export const MERGE_COLUMNS =
  'tenant_id, id, survivor_id, absorbed_id, reason, actor, at, identity_ids, conversation_ids, consent_ids, ' +
  'added_tags, added_attributes, filled_fields, absorbed_snapshot, unmerged_at, unmerged_by';
/** A `merges` row. */
export type MergeRow = [
  tenantId: string,
  id: string,
  survivorId: string,
  absorbedId: string,
  reason: string,
  actor: string,
  at: number,
  identityIds: string,
  conversationIds: string,
  consentIds: string,
  addedTags: string,
  addedAttributes: string,
  filledFields: string,
  absorbedSnapshot: string,
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
export type RuleFiringRow = [
  tenantId: string,
  id: string,
  ruleId: string,
  ruleVersion: number,
  trigger: string,
  customerId: string | null,
  conversationId: string | null,
  interactionId: string | null,
  firedAt: number,
  actions: string | null,
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

function parseObject(json: string | null): Record<string, unknown> {
  return json === null ? {} : (JSON.parse(json) as Record<string, unknown>);
}

function parseArray<T>(json: string | null): T[] {
  return json === null ? [] : (JSON.parse(json) as T[]);
}

/** Lower-cased copy for the search columns; null stays null. */
export function lowerOrNull(value: string | null | undefined): string | null {
  return value == null ? null : value.toLowerCase();
}

/** Tenant from its row. */
export function toTenant([tenantId, name, createdAt]: TenantRow): Tenant {
  return { id: tenantId, name, createdAt: new Date(createdAt) };
}

/** Customer from its row. */
export function toCustomer(row: CustomerRow): Customer {
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
}

/** Identity from its row. */
export function toIdentity(row: IdentityRow): Identity {
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
    verified: verified === 1,
    source,
    createdAt: new Date(createdAt),
  };
}

/** Interaction from its row. */
export function toInteraction(row: InteractionRow): Interaction {
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
}

/** Conversation from its row. */
export function toConversation(row: ConversationRow): Conversation {
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
    case: caseData === null ? null : decodeCase(JSON.parse(caseData) as Record<string, unknown>),
  };
}

/**
 * JSON of a conversation's case (core's `encodeCase`: dates as epoch milliseconds), or null when
 * there is no case.
 */
export function caseJson(value: CaseState | null | undefined): string | null {
  return value == null ? null : JSON.stringify(encodeCase(value));
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

/** Rule firing from its row. */
export function toRuleFiring(row: RuleFiringRow): RuleFiring {
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

/** Score from its row; `model.params` is present only when it was given. */
export function toScore(row: ScoreRow): Score {
  const [tenantId, customerId, name, modelId, modelVersion, modelParams, value, computedAt] = row;
  const model: Score['model'] = { id: modelId, version: modelVersion };
  if (modelParams !== null) model.params = JSON.parse(modelParams) as Record<string, unknown>;
  return { tenantId, customerId, name, value, model, computedAt: new Date(computedAt) };
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

function parseCustomerSnapshot(json: string): Customer {
  const raw = JSON.parse(json) as Omit<Customer, 'createdAt' | 'updatedAt'> & {
    createdAt: number;
    updatedAt: number;
  };
  return { ...raw, createdAt: new Date(raw.createdAt), updatedAt: new Date(raw.updatedAt) };
}

/** Merge record from its row. */
export function toMerge(row: MergeRow): MergeRecord {
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
    identityIds: JSON.parse(identityIds) as string[],
    conversationIds: JSON.parse(conversationIds) as string[],
    consentIds: JSON.parse(consentIds) as string[],
    addedTags: JSON.parse(addedTags) as string[],
    addedAttributes: JSON.parse(addedAttributes) as string[],
    filledFields: JSON.parse(filledFields) as MergeRecord['filledFields'],
    absorbedSnapshot: parseCustomerSnapshot(absorbedSnapshot),
    unmergedAt: unmergedAt === null ? null : new Date(unmergedAt),
    unmergedBy,
  };
}
