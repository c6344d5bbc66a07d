import type { CaseState, CaseStatus } from '../domain/case.js';
import type { Consent } from '../domain/consent.js';
import type { Conversation, ConversationKey } from '../domain/conversation.js';
import type { Customer } from '../domain/customer.js';
import type { Identity, IdentityKey } from '../domain/identity.js';
import type { Interaction, InteractionHead, InteractionKey } from '../domain/interaction.js';
import type { MergeRecord } from '../domain/merge.js';
import type { OutboxFilter, OutboxMessage } from '../domain/outbox.js';
import type { RuleFiring, RuleTimer, SegmentMembership } from '../domain/rule-records.js';
import type { Score } from '../domain/score.js';
import type { Tenant } from '../domain/tenant.js';
import type { MaybePromise, PluginBase, PluginContext } from './plugin.js';

/** The storage contract version this core speaks. */
export const STORAGE_SPEC_VERSION = 'rapport.storage/v1';

/** What a store can do. */
export interface StorageCapabilities {
  /** Data survives a restart of the process. */
  durable: boolean;
  /** Several processes may write to the same store at once. */
  concurrentProcesses: boolean;
  /** `exportCustomer` returns everything held about a customer. */
  exportCustomer: boolean;
  /** `eraseCustomer` removes a customer's personal data and remembers the erasure. */
  eraseCustomer: boolean;
}

/** A page of results with an opaque cursor to the next page (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset paging: `limit` items after `cursor` (from a previous page). */
export interface PageRequest {
  limit: number;
  cursor?: string | null;
}

/** A page of a customer's score log, optionally of one score name. */
export interface ScoreHistoryQuery extends PageRequest {
  /** Only scores of this name (e.g. `engagement` or `engagement.level`). */
  name?: string;
}

/** Counts across a tenant. */
export interface StorageStats {
  customers: number;
  identities: number;
  interactions: number;
  conversations: number;
  merges: number;
  /** Interactions per channel. */
  byChannel: Array<{ channel: string; interactions: number }>;
  /** The busiest accounts (organization handles) by interactions, most first, at most 10. */
  busiestAccounts: Array<{ channel: string; account: string; interactions: number }>;
}

/** Filters for listing conversations. */
export interface ConversationFilter {
  customerId?: string;
  channel?: string;
  account?: string;
  /** Only conversations with a case (true) or without one (false). */
  hasCase?: boolean;
  /** Only conversations whose case is in one of these statuses. */
  caseStatus?: readonly CaseStatus[];
  /** Only cases routed to this queue. */
  queue?: string;
  /** Only cases assigned to this agent. */
  assignee?: string;
}

/** Everything held about one customer, for data portability. */
export interface CustomerExport {
  customer: Customer;
  /** Customers merged into this one (and not unmerged), as they are kept. */
  mergedCustomers: Customer[];
  identities: Identity[];
  interactions: Interaction[];
  conversations: Conversation[];
  consents: Consent[];
  scores: Score[];
  merges: MergeRecord[];
  /** Segment memberships of the customer (and of those merged into it), oldest first. */
  segments: SegmentMembership[];
  /** Rule firings about the customer (and those merged into it), oldest first. */
  ruleFirings: RuleFiring[];
  /** Outbox messages to the customer (and those merged into it), oldest first (createdAt, then id). */
  outbox: OutboxMessage[];
}

/** A range of occurrence times; `from` inclusive, `to` exclusive, either open. */
export interface TimeRange {
  from?: Date;
  to?: Date;
}

/** Filters for listing rule firings. */
export interface RuleFiringFilter {
  ruleId?: string;
  customerId?: string;
}

/** A new case state for a conversation (null closes the record of a case entirely). */
export interface ConversationCaseUpdate {
  id: string;
  case: CaseState | null;
}

/** New action outcomes for a recorded firing (after-commit actions report here). */
export interface RuleFiringUpdate {
  id: string;
  actions: RuleFiring['actions'];
}

/** Change to a conversation caused by newly stored interactions. */
export interface ConversationTouch {
  id: string;
  /** Latest occurredAt among the new interactions. */
  lastInteractionAt: Date;
  /** Number of interactions newly added. */
  added: number;
  /** Set the customer when the conversation had none. */
  customerId: string | null;
}

/** Content of a new version of a stored interaction. */
export type InteractionContentUpdate = Pick<
  Interaction,
  | 'id'
  | 'version'
  | 'kind'
  | 'effort'
  | 'text'
  | 'language'
  | 'receivedAt'
  | 'amount'
  | 'currency'
  | 'scores'
  | 'metadata'
>;

/**
 * Reads within one tenant. Through {@link StoragePlugin.read} they see committed data only; inside
 * a unit of work they also see its own writes.
 */
export interface StorageReader {
  getCustomers(ids: readonly string[]): MaybePromise<Customer[]>;
  /** Identities by (channel, externalId). Missing keys are simply absent from the result. */
  findIdentities(keys: readonly IdentityKey[]): MaybePromise<Identity[]>;
  /** Verified identities whose email is one of `emails` (lower case). */
  findIdentitiesByVerifiedEmail(emails: readonly string[]): MaybePromise<Identity[]>;
  listIdentities(customerId: string): MaybePromise<Identity[]>;
  /** Heads of stored interactions by dedupe key. */
  findInteractions(keys: readonly InteractionKey[]): MaybePromise<InteractionHead[]>;
  getInteraction(id: string): MaybePromise<Interaction | null>;
  /**
   * The stored interactions with these ids, in the order of `ids` (each once); ids not stored
   * are left out. One read for a batch, where a store pays a round trip per `getInteraction`.
   */
  getInteractions(ids: readonly string[]): MaybePromise<Interaction[]>;
  /** A customer's interactions, newest first (occurredAt, then id), keyset paged. */
  timeline(customerId: string, page: PageRequest): MaybePromise<Page<Interaction>>;
  findConversations(keys: readonly ConversationKey[]): MaybePromise<Conversation[]>;
  getConversation(id: string): MaybePromise<Conversation | null>;
  /** Interactions of a conversation, oldest first. */
  conversationInteractions(conversationId: string, page: PageRequest): MaybePromise<Page<Interaction>>;
  /** Conversations, most recently active first, keyset paged. */
  listConversations(filter: ConversationFilter, page: PageRequest): MaybePromise<Page<Conversation>>;
  /**
   * Active customers whose display name, primary email, or an identity's handle or email starts with
   * `prefix` (case-insensitive), each once, ordered by id, at most `limit`.
   */
  searchCustomers(prefix: string, limit: number): MaybePromise<Customer[]>;
  /** Active customers (not merged into another, not erased), by id, keyset paged: for batch jobs. */
  listCustomers(page: PageRequest): MaybePromise<Page<Customer>>;
  getMerge(id: string): MaybePromise<MergeRecord | null>;
  /** Merges where the customer was survivor or absorbed, oldest first. */
  listMerges(customerId: string): MaybePromise<MergeRecord[]>;
  /** Consent decisions of these customers, oldest first (then by id). */
  listConsents(customerIds: readonly string[]): MaybePromise<Consent[]>;
  /** Latest score per (name, model id) for each customer. */
  latestScores(customerIds: readonly string[]): MaybePromise<Score[]>;
  /**
   * A customer's score log, newest first (computedAt, then the order recorded), optionally of one
   * score name: every value ever recorded, with its model and cause.
   */
  scoreHistory(customerId: string, query: ScoreHistoryQuery): MaybePromise<Page<Score>>;
  /**
   * A customer's interactions that occurred in `range`, newest first (occurredAt, then id), at
   * most `limit`: the window rule aggregates read, without paging through a whole timeline.
   */
  recentInteractions(customerId: string, range: TimeRange, limit: number): MaybePromise<Interaction[]>;
  /** Interactions that occurred in `range`, oldest first (occurredAt, then id), keyset paged. */
  scanInteractions(range: TimeRange, page: PageRequest): MaybePromise<Page<Interaction>>;
  /** Segment memberships of these customers, ordered by customer id, then segment. */
  segmentsOf(customerIds: readonly string[]): MaybePromise<SegmentMembership[]>;
  /** Members of a segment, ordered by customer id, keyset paged. */
  segmentMembers(segment: string, page: PageRequest): MaybePromise<Page<SegmentMembership>>;
  /** Rule firings, newest first (firedAt, then id), keyset paged. */
  listRuleFirings(filter: RuleFiringFilter, page: PageRequest): MaybePromise<Page<RuleFiring>>;
  /** Timers due at or before `until`, soonest first (dueAt, then id), at most `limit`. */
  dueTimers(until: Date, limit: number): MaybePromise<RuleTimer[]>;
  /** Outbox messages by id (absent ids are simply missing). */
  getOutboxMessages(ids: readonly string[]): MaybePromise<OutboxMessage[]>;
  /** Outbox messages by idempotency key (absent keys are simply missing). */
  findOutboxByKey(keys: readonly string[]): MaybePromise<OutboxMessage[]>;
  /** Outbox messages, newest first (createdAt, then id), keyset paged. */
  listOutbox(filter: OutboxFilter, page: PageRequest): MaybePromise<Page<OutboxMessage>>;
  /**
   * Messages a sender may claim at `now`, soonest first (nextAttemptAt, then id), at most
   * `limit`: `pending` or `unknown` ones whose `nextAttemptAt` has come, and `sending` ones whose
   * lease has expired (their sender died mid-attempt).
   */
  dueOutbox(now: Date, limit: number): MaybePromise<OutboxMessage[]>;
  /** Values a channel plugin keeps (cursors, remembered delivery ids) under `scope`; absent keys are missing. */
  getChannelState(scope: string, keys: readonly string[]): MaybePromise<Record<string, string>>;
  /** Which of these erasure keys (see {@link erasureKey}) are remembered as erased. */
  findErasures(keys: readonly string[]): MaybePromise<string[]>;
  /** Counts: `customers` counts active customers only; `merges` counts every merge record, undone ones too. */
  stats(): MaybePromise<StorageStats>;
  /**
   * Everything held about a customer and the customers merged into it. Interactions, consents
   * and merges are ordered oldest first.
   */
  exportCustomer(customerId: string): MaybePromise<CustomerExport | null>;
}

/** Writes within one tenant, all inside one atomic unit of work. */
export interface UnitOfWork extends StorageReader {
  readonly tenantId: string;
  insertCustomers(customers: readonly Customer[]): MaybePromise<void>;
  /** Replaces customers by id. */
  updateCustomers(customers: readonly Customer[]): MaybePromise<void>;
  insertIdentities(identities: readonly Identity[]): MaybePromise<void>;
  /** Points identities at another customer. */
  reassignIdentities(identityIds: readonly string[], customerId: string): MaybePromise<void>;
  /**
   * Inserts interactions. The pipeline has already checked their keys inside this unit of work;
   * a store that can race with other writers (see `concurrentProcesses`) must skip rows whose key
   * exists and return their ids in `skipped`.
   */
  insertInteractions(interactions: readonly Interaction[]): MaybePromise<{ skipped: string[] }>;
  /** Writes a newer version's content, only where the stored version is lower. */
  updateInteractionContent(updates: readonly InteractionContentUpdate[]): MaybePromise<void>;
  /**
   * Moves the interactions of these identities from customer `fromCustomerId` to `toCustomerId`:
   * sets `customerId` where one of them is the `identityId`, and `referredCustomerId` where one of
   * them is the `referredIdentityId`. An interaction always belongs to the owner of its identity,
   * so stores can find them through the customer (the timeline index) instead of a separate index.
   */
  reassignInteractionsByIdentity(
    identityIds: readonly string[],
    fromCustomerId: string,
    toCustomerId: string,
  ): MaybePromise<void>;
  insertConversations(conversations: readonly Conversation[]): MaybePromise<void>;
  touchConversations(touches: readonly ConversationTouch[]): MaybePromise<void>;
  reassignConversations(conversationIds: readonly string[], customerId: string): MaybePromise<void>;
  /** Ids of conversations whose customer is `customerId`. */
  conversationIdsOf(customerId: string): MaybePromise<string[]>;
  insertConsents(consents: readonly Consent[]): MaybePromise<void>;
  reassignConsents(consentIds: readonly string[], customerId: string): MaybePromise<void>;
  /** Ids of consent records held by `customerId`. */
  consentIdsOf(customerId: string): MaybePromise<string[]>;
  insertScores(scores: readonly Score[]): MaybePromise<void>;
  insertMerge(merge: MergeRecord): MaybePromise<void>;
  /** Adds memberships; a (segment, customer) pair already present is left as it is. */
  addSegmentMembers(members: readonly SegmentMembership[]): MaybePromise<void>;
  /** Removes these customers from the segment (absent pairs are ignored). */
  removeSegmentMembers(segment: string, customerIds: readonly string[]): MaybePromise<void>;
  /** Replaces the case state of conversations. */
  updateConversationCases(updates: readonly ConversationCaseUpdate[]): MaybePromise<void>;
  insertRuleFirings(firings: readonly RuleFiring[]): MaybePromise<void>;
  /** Replaces the action outcomes of recorded firings. */
  updateRuleFirings(updates: readonly RuleFiringUpdate[]): MaybePromise<void>;
  /** Inserts timers; a timer whose key exists replaces the stored one (id, due time, subject and all). */
  upsertTimers(timers: readonly RuleTimer[]): MaybePromise<void>;
  /**
   * Deletes timers by id and returns the ids it deleted (absent ones are not returned). Firing a
   * timer deletes it first in the same unit of work: a process that finds it already gone knows
   * another one fired it, so each timer fires once even with several processes polling.
   */
  deleteTimers(ids: readonly string[]): MaybePromise<string[]>;
  updateMerge(merge: MergeRecord): MaybePromise<void>;
  /**
   * Adds messages to the outbox. A message whose idempotency key is already held is not added;
   * its id is returned in `skipped` (the caller asked twice for the same reply).
   */
  insertOutbox(messages: readonly OutboxMessage[]): MaybePromise<{ skipped: string[] }>;
  /** Replaces outbox messages by id. */
  updateOutbox(messages: readonly OutboxMessage[]): MaybePromise<void>;
  /**
   * Claims outbox messages for sending: those of `ids` still due at `now` (as
   * {@link StorageReader.dueOutbox} defines it) become `sending` with `leaseUntil`, one more
   * attempt and `updatedAt = now`. Returns the ids it claimed: with several senders, each message
   * is claimed by one of them.
   */
  claimOutbox(ids: readonly string[], now: Date, leaseUntil: Date): MaybePromise<string[]>;
  /** Sets (or, for null, deletes) values a channel plugin keeps under `scope`. */
  setChannelState(scope: string, entries: Readonly<Record<string, string | null>>): MaybePromise<void>;
  /**
   * Deletes a customer's identities, interactions they authored or received, conversations,
   * consents, scores, segment memberships, rule firings, timers and outbox messages about them;
   * keeps the customer row with status `erased` and no personal data; clears the personal fields
   * of merge snapshots of this customer and referral pointers to it; and remembers the erasure
   * keys. The runtime calls it for the customers merged into an erased one too.
   */
  eraseCustomer(customerId: string, erasureKeys: readonly string[], at: Date): MaybePromise<void>;
}

/** Every method of {@link StorageReader}, for stores and tools that wrap them (checked complete). */
export const storageReaderMethods = [
  'getCustomers',
  'findIdentities',
  'findIdentitiesByVerifiedEmail',
  'listIdentities',
  'findInteractions',
  'getInteraction',
  'getInteractions',
  'timeline',
  'findConversations',
  'getConversation',
  'conversationInteractions',
  'listConversations',
  'searchCustomers',
  'listCustomers',
  'getMerge',
  'listMerges',
  'listConsents',
  'latestScores',
  'scoreHistory',
  'recentInteractions',
  'scanInteractions',
  'segmentsOf',
  'segmentMembers',
  'listRuleFirings',
  'dueTimers',
  'getOutboxMessages',
  'findOutboxByKey',
  'listOutbox',
  'dueOutbox',
  'getChannelState',
  'findErasures',
  'stats',
  'exportCustomer',
] as const satisfies ReadonlyArray<keyof StorageReader>;

/** The write methods a {@link UnitOfWork} adds to the reader's (checked complete). */
export const unitOfWorkWriteMethods = [
  'insertCustomers',
  'updateCustomers',
  'insertIdentities',
  'reassignIdentities',
  'insertInteractions',
  'updateInteractionContent',
  'reassignInteractionsByIdentity',
  'insertConversations',
  'touchConversations',
  'reassignConversations',
  'conversationIdsOf',
  'insertConsents',
  'reassignConsents',
  'consentIdsOf',
  'insertScores',
  'insertMerge',
  'updateMerge',
  'addSegmentMembers',
  'removeSegmentMembers',
  'updateConversationCases',
  'insertRuleFirings',
  'updateRuleFirings',
  'upsertTimers',
  'deleteTimers',
  'insertOutbox',
  'updateOutbox',
  'claimOutbox',
  'setChannelState',
  'eraseCustomer',
] as const satisfies ReadonlyArray<Exclude<keyof UnitOfWork, 'tenantId' | keyof StorageReader>>;

// A method added to the contract but not to the lists above fails to compile here.
type Unlisted<T, Listed> = Exclude<T, Listed>;
const readerListComplete: [Unlisted<keyof StorageReader, (typeof storageReaderMethods)[number]>] extends [
  never,
]
  ? true
  : never = true;
const writeListComplete: [
  Unlisted<
    Exclude<keyof UnitOfWork, 'tenantId' | keyof StorageReader>,
    (typeof unitOfWorkWriteMethods)[number]
  >,
] extends [never]
  ? true
  : never = true;
void readerListComplete;
void writeListComplete;

/** Context handed to a store when it starts. */
export type StorageContext = PluginContext;

/**
 * A storage plugin. Made by a factory (`sqliteStorage(options)`), started by the runtime.
 *
 * Contract (checked by the `@rapport/testkit` storage conformance suite):
 * - every method is scoped to the tenant it was opened for;
 * - `unitOfWork` is atomic: when `work` throws or the process dies, nothing of it is kept;
 * - reads through `read` see committed data only.
 */
export interface StoragePlugin extends PluginBase<typeof STORAGE_SPEC_VERSION, StorageCapabilities> {
  /** Opens the store and runs pending migrations. */
  init(context: StorageContext): MaybePromise<void>;
  close(): MaybePromise<void>;
  /** Creates the tenant when missing; returns the stored tenant. */
  ensureTenant(tenant: Tenant): MaybePromise<Tenant>;
  /** Runs `work` in one atomic unit of work for `tenantId`; units of work for one store run one at a time. */
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  /** A reader of committed data for `tenantId`. */
  read(tenantId: string): StorageReader;
  /** Every tenant in the store (the timer scheduler visits each). */
  listTenants(): MaybePromise<Tenant[]>;
}

/**
 * The erasure key of an identity: a hash so the store remembers *that* an identity was erased
 * without keeping who it was.
 */
export { erasureKey } from '../storage/erasure-key.js';
