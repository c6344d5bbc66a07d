import type {
  Consent,
  Conversation,
  ConversationFilter,
  ConversationKey,
  Customer,
  CustomerExport,
  Identity,
  IdentityKey,
  Interaction,
  InteractionHead,
  InteractionKey,
  MergeRecord,
  OutboxFilter,
  OutboxMessage,
  Page,
  PageRequest,
  RuleFiring,
  RuleFiringFilter,
  RuleTimer,
  Score,
  ScoreHistoryQuery,
  SegmentMembership,
  StorageReader,
  StorageStats,
  TimeRange,
} from '@rapport/core';
import {
  decodeCursor,
  OPEN_CASE_STATUSES,
  scoreLogPage,
  scoreLogPosition,
  storageReaderMethods,
  toConsent,
  toRuleTimer,
  toSegmentMember,
  type WriteLock,
} from '@rapport/core';
import type { Statement } from 'better-sqlite3';
import { notOpen, storageFailure } from './errors.js';
import { outboxReads } from './outbox.js';
import { pageLimit, toPage } from './paging.js';
import { prefixUpperBound } from './prefix-range.js';
import {
  toConversation,
  toCustomer,
  toIdentity,
  toInteraction,
  toMerge,
  toOutbox,
  toRuleFiring,
  toScore,
} from './rows.js';
import { firingBits, LOOKUP_CHUNK, listingBits, type ReadStatements } from './statements.js';

/** Whether the store behind a reader is still open. */
export interface StoreLiveness {
  readonly closed: boolean;
}

const timelinePosition = (item: Interaction) => ({ time: item.occurredAt.getTime(), id: item.id });
const customerPosition = (item: Customer) => ({ time: 0, id: item.id });
const conversationPosition = (item: Conversation) => ({
  time: item.lastInteractionAt.getTime(),
  id: item.id,
});

const firingPosition = (item: RuleFiring) => ({ time: item.firedAt.getTime(), id: item.id });
/** Members are ordered by customer id alone, so the cursor's time is always 0. */
const memberPosition = (item: SegmentMembership) => ({ time: 0, id: item.customerId });

/** Compares by code unit, like SQLite's BINARY collation, not by locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byTimeThenId(a: { at: Date; id: string }, b: { at: Date; id: string }): number {
  return a.at.getTime() - b.at.getTime() || compareText(a.id, b.id);
}

/** Maps rows onto the end of `target` (a loop: spreading a long timeline could overflow the stack). */
function append<R, T>(target: T[], rows: readonly R[], map: (row: R) => T): void {
  for (const row of rows) target.push(map(row));
}

/** The distinct values of a list, without allocating for the common one-element case. */
function distinct<T>(values: readonly T[]): readonly T[] {
  return values.length < 2 ? values : [...new Set(values)];
}

/**
 * The case filters of a conversation listing, as bits and parameters in bit order (see
 * {@link listingBits}); null when they match nothing (no statuses at all).
 */
function caseListing(filter: ConversationFilter): { bits: number; params: unknown[] } | null {
  let bits = 0;
  const params: unknown[] = [];
  if (filter.hasCase != null) bits |= filter.hasCase ? listingBits.hasCase : listingBits.noCase;
  if (filter.caseStatus != null) {
    if (filter.caseStatus.length === 0) return null;
    bits |= listingBits.caseStatus;
    if (filter.caseStatus.every((status) => OPEN_CASE_STATUSES.includes(status)))
      bits |= listingBits.openCases;
    params.push(JSON.stringify(filter.caseStatus));
  }
  if (filter.queue != null) {
    bits |= listingBits.queue;
    params.push(filter.queue);
  }
  if (filter.assignee != null) {
    bits |= listingBits.assignee;
    params.push(filter.assignee);
  }
  return { bits, params };
}

/**
 * The parameters of a bulk lookup: the tenant, then room for {@link LOOKUP_CHUNK} keys of `width`
 * values each. Filled in place chunk after chunk.
 */
function lookupParameters(tenantId: string, width: number): unknown[] {
  const params = new Array<unknown>(1 + LOOKUP_CHUNK * width);
  params[0] = tenantId;
  return params;
}

/** Writes a (channel, account, externalId) key: interactions and conversations are keyed so. */
function fillTripleKey(params: unknown[], at: number, key: InteractionKey | ConversationKey): void {
  params[at] = key.channel;
  params[at + 1] = key.account;
  params[at + 2] = key.externalId;
}

/**
 * Looks `keys` up {@link LOOKUP_CHUNK} at a time with `chunked` (whose parameters are the tenant,
 * then each key's `width` values as `fill` writes them from `at`), and the rest one by one with
 * `one`, handing every row found to `found`.
 */
function lookUp<K, R>(
  tenantId: string,
  keys: readonly K[],
  width: number,
  chunked: Statement<unknown[], R>,
  fill: (params: unknown[], at: number, key: K) => void,
  one: (key: K) => R | undefined,
  found: (row: R) => void,
): void {
  let i = 0;
  if (keys.length >= LOOKUP_CHUNK) {
    const params = lookupParameters(tenantId, width);
    for (; i + LOOKUP_CHUNK <= keys.length; i += LOOKUP_CHUNK) {
      for (let j = 0; j < LOOKUP_CHUNK; j++) fill(params, 1 + j * width, keys[i + j]!);
      for (const row of chunked.all(params)) found(row);
    }
  }
  for (; i < keys.length; i++) {
    const row = one(keys[i]!);
    if (row !== undefined) found(row);
  }
}

/**
 * Synchronous reads of one tenant over one connection's prepared statements. Batch lookups by key
 * ask for {@link LOOKUP_CHUNK} keys per statement call and loop a one-key statement over the rest:
 * no SQL is built per call, and the round trips into SQLite stay few. A key asked twice may come
 * back once; callers index the result by key.
 */
export class SqliteReader implements StorageReader {
  constructor(
    protected readonly q: ReadStatements,
    readonly tenantId: string,
    protected readonly store: StoreLiveness,
  ) {}

  /** Throws when this reader may no longer be used. Called before every public method. */
  assertUsable(operation: string): void {
    if (this.store.closed) throw notOpen(operation, 'closed');
  }

  /** The error to throw for a failure inside `operation`. */
  failure(operation: string, error: unknown): Error {
    return storageFailure(operation, error);
  }

  getCustomers(ids: readonly string[]): Customer[] {
    const out: Customer[] = [];
    const statement = this.q.customerById;
    for (const id of ids) {
      const row = statement.get(this.tenantId, id);
      if (row !== undefined) out.push(toCustomer(row));
    }
    return out;
  }

  findIdentities(keys: readonly IdentityKey[]): Identity[] {
    const out: Identity[] = [];
    lookUp(
      this.tenantId,
      keys,
      2,
      this.q.identitiesByKeys,
      (params, at, key) => {
        params[at] = key.channel;
        params[at + 1] = key.externalId;
      },
      (key) => this.q.identityByKey.get(this.tenantId, key.channel, key.externalId),
      (row) => out.push(toIdentity(row)),
    );
    return out;
  }

  findIdentitiesByVerifiedEmail(emails: readonly string[]): Identity[] {
    const out: Identity[] = [];
    for (const email of distinct(emails.map((e) => e.toLowerCase()))) {
      append(out, this.q.identitiesByVerifiedEmail.all(this.tenantId, email), toIdentity);
    }
    return out;
  }

  listIdentities(customerId: string): Identity[] {
    return this.q.identitiesByCustomer.all(this.tenantId, customerId).map(toIdentity);
  }

  findInteractions(keys: readonly InteractionKey[]): InteractionHead[] {
    const out: InteractionHead[] = [];
    lookUp(
      this.tenantId,
      keys,
      3,
      this.q.interactionHeadsByKeys,
      fillTripleKey,
      (key) => this.q.interactionHeadByKey.get(this.tenantId, key.channel, key.account, key.externalId),
      (head) => out.push(head),
    );
    return out;
  }

  getInteraction(id: string): Interaction | null {
    const row = this.q.interactionById.get(this.tenantId, id);
    return row === undefined ? null : toInteraction(row);
  }

  getInteractions(ids: readonly string[]): Interaction[] {
    const wanted = [...new Set(ids)];
    const found = new Map<string, Interaction>();
    lookUp(
      this.tenantId,
      wanted,
      1,
      this.q.interactionsByIds,
      (params, at, id) => {
        params[at] = id;
      },
      (id) => this.q.interactionById.get(this.tenantId, id),
      (row) => {
        const interaction = toInteraction(row);
        found.set(interaction.id, interaction);
      },
    );
    // In the order asked: a chunk's rows come back in the order of the index.
    const out: Interaction[] = [];
    for (const id of wanted) {
      const interaction = found.get(id);
      if (interaction) out.push(interaction);
    }
    return out;
  }

  timeline(customerId: string, page: PageRequest): Page<Interaction> {
    const limit = pageLimit(page);
    const after = page.cursor ? decodeCursor(page.cursor) : null;
    const rows =
      after === null
        ? this.q.timelineFirst.all(this.tenantId, customerId, limit + 1)
        : this.q.timelineAfter.all(this.tenantId, customerId, after.time, after.id, limit + 1);
    return toPage(rows, limit, toInteraction, timelinePosition);
  }

  findConversations(keys: readonly ConversationKey[]): Conversation[] {
    const out: Conversation[] = [];
    lookUp(
      this.tenantId,
      keys,
      3,
      this.q.conversationsByKeys,
      fillTripleKey,
      (key) => this.q.conversationByKey.get(this.tenantId, key.channel, key.account, key.externalId),
      (row) => out.push(toConversation(row)),
    );
    return out;
  }

  getConversation(id: string): Conversation | null {
    const row = this.q.conversationById.get(this.tenantId, id);
    return row === undefined ? null : toConversation(row);
  }

  conversationInteractions(conversationId: string, page: PageRequest): Page<Interaction> {
    const limit = pageLimit(page);
    const after = page.cursor ? decodeCursor(page.cursor) : null;
    const rows =
      after === null
        ? this.q.conversationInteractionsFirst.all(this.tenantId, conversationId, limit + 1)
        : this.q.conversationInteractionsAfter.all(
            this.tenantId,
            conversationId,
            after.time,
            after.id,
            limit + 1,
          );
    return toPage(rows, limit, toInteraction, timelinePosition);
  }

  listConversations(filter: ConversationFilter, page: PageRequest): Page<Conversation> {
    const limit = pageLimit(page);
    let bits = 0;
    const params: unknown[] = [this.tenantId];
    if (filter.customerId != null) {
      bits |= listingBits.customer;
      params.push(filter.customerId);
    }
    if (filter.channel != null) {
      bits |= listingBits.channel;
      params.push(filter.channel);
    }
    if (filter.account != null) {
      bits |= listingBits.account;
      params.push(filter.account);
    }
    const cases = caseListing(filter);
    if (cases === null) {
      if (page.cursor) decodeCursor(page.cursor);
      return { items: [], nextCursor: null };
    }
    bits |= cases.bits;
    params.push(...cases.params);
    if (page.cursor) {
      const position = decodeCursor(page.cursor);
      bits |= listingBits.cursor;
      params.push(position.time, position.id);
    }
    params.push(limit + 1);
    const rows = this.q.listConversations(bits).all(...params);
    return toPage(rows, limit, toConversation, conversationPosition);
  }

  searchCustomers(prefix: string, limit: number): Customer[] {
    if (!(limit >= 1)) return [];
    const max = Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER);
    const low = prefix.toLowerCase();
    const high = prefixUpperBound(low);
    const rows =
      high === null
        ? this.q.searchUnbounded.all({ tenant: this.tenantId, low, limit: max })
        : this.q.searchBounded.all({ tenant: this.tenantId, low, high, limit: max });
    return rows.map(toCustomer);
  }

  listCustomers(page: PageRequest): Page<Customer> {
    const limit = pageLimit(page);
    // Every id sorts after '': the first page is a range like the others, never a walk from the top.
    const after = page.cursor ? decodeCursor(page.cursor).id : '';
    const rows = this.q.activeCustomers.all({ tenant: this.tenantId, after, limit: limit + 1 });
    return toPage(rows, limit, toCustomer, customerPosition);
  }

  getMerge(id: string): MergeRecord | null {
    const row = this.q.mergeById.get(this.tenantId, id);
    return row === undefined ? null : toMerge(row);
  }

  listMerges(customerId: string): MergeRecord[] {
    return this.q.mergesOf.all({ tenant: this.tenantId, customer: customerId }).map(toMerge);
  }

  listConsents(customerIds: readonly string[]): Consent[] {
    const ids = distinct(customerIds);
    const out: Consent[] = [];
    for (const id of ids) append(out, this.q.consentsOf.all(this.tenantId, id), toConsent);
    // Each customer's consents come sorted; several customers' are merged into one history.
    if (ids.length > 1) out.sort(byTimeThenId);
    return out;
  }

  latestScores(customerIds: readonly string[]): Score[] {
    const out: Score[] = [];
    for (const id of distinct(customerIds))
      append(out, this.q.latestScoresOf.all(this.tenantId, id), toScore);
    return out;
  }

  scoreHistory(customerId: string, query: ScoreHistoryQuery): Page<Score> {
    const limit = pageLimit(query);
    const after = scoreLogPosition(query.cursor);
    const rows = this.q.scoreHistory.all({
      tenant: this.tenantId,
      customer: customerId,
      name: query.name ?? null,
      time: after?.time ?? null,
      seq: after?.seq ?? null,
      limit: limit + 1,
    });
    return scoreLogPage(rows, limit, toScore);
  }

  recentInteractions(customerId: string, range: TimeRange, limit: number): Interaction[] {
    if (!(limit >= 1)) return [];
    const from = range.from?.getTime() ?? Number.MIN_SAFE_INTEGER;
    const to = range.to?.getTime() ?? Number.MAX_SAFE_INTEGER;
    return this.q.recentInteractions
      .all(this.tenantId, customerId, from, to, Math.floor(limit))
      .map(toInteraction);
  }

  scanInteractions(range: TimeRange, page: PageRequest): Page<Interaction> {
    const limit = pageLimit(page);
    const from = range.from?.getTime() ?? Number.MIN_SAFE_INTEGER;
    const to = range.to?.getTime() ?? Number.MAX_SAFE_INTEGER;
    const after = page.cursor ? decodeCursor(page.cursor) : null;
    // A position before `from` is no bound at all: the range starts later.
    const rows =
      after === null || after.time < from
        ? this.q.scanInteractionsFirst.all(this.tenantId, from, to, limit + 1)
        : this.q.scanInteractionsAfter.all(this.tenantId, after.time, after.id, to, limit + 1);
    return toPage(rows, limit, toInteraction, timelinePosition);
  }

  segmentsOf(customerIds: readonly string[]): SegmentMembership[] {
    const ids = distinct(customerIds);
    const out: SegmentMembership[] = [];
    for (const id of ids) append(out, this.q.segmentsOfCustomer.all(this.tenantId, id), toSegmentMember);
    // Each customer's come sorted by segment; the customers are put in id order.
    if (ids.length > 1)
      out.sort((a, b) => compareText(a.customerId, b.customerId) || compareText(a.segment, b.segment));
    return out;
  }

  segmentMembers(segment: string, page: PageRequest): Page<SegmentMembership> {
    const limit = pageLimit(page);
    const after = page.cursor ? decodeCursor(page.cursor) : null;
    const rows =
      after === null
        ? this.q.segmentMembersFirst.all(this.tenantId, segment, limit + 1)
        : this.q.segmentMembersAfter.all(this.tenantId, segment, after.id, limit + 1);
    return toPage(rows, limit, toSegmentMember, memberPosition);
  }

  listRuleFirings(filter: RuleFiringFilter, page: PageRequest): Page<RuleFiring> {
    const limit = pageLimit(page);
    let bits = 0;
    const params: unknown[] = [this.tenantId];
    if (filter.ruleId != null) {
      bits |= firingBits.rule;
      params.push(filter.ruleId);
    }
    if (filter.customerId != null) {
      bits |= firingBits.customer;
      params.push(filter.customerId);
    }
    if (page.cursor) {
      const position = decodeCursor(page.cursor);
      bits |= firingBits.cursor;
      params.push(position.time, position.id);
    }
    params.push(limit + 1);
    const rows = this.q.listRuleFirings(bits).all(...params);
    return toPage(rows, limit, toRuleFiring, firingPosition);
  }

  dueTimers(until: Date, limit: number): RuleTimer[] {
    if (!(limit >= 1)) return [];
    const max = Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER);
    return this.q.dueTimers.all(this.tenantId, until.getTime(), max).map(toRuleTimer);
  }

  getOutboxMessages(ids: readonly string[]): OutboxMessage[] {
    return outboxReads.byIds(this.q.outbox, this.tenantId, ids);
  }

  findOutboxByKey(keys: readonly string[]): OutboxMessage[] {
    return outboxReads.byKeys(this.q.outbox, this.tenantId, keys);
  }

  listOutbox(filter: OutboxFilter, page: PageRequest): Page<OutboxMessage> {
    return outboxReads.list(this.q.outbox, this.tenantId, filter, page);
  }

  dueOutbox(now: Date, limit: number): OutboxMessage[] {
    return outboxReads.due(this.q.outbox, this.tenantId, now, limit);
  }

  getChannelState(scope: string, keys: readonly string[]): Record<string, string> {
    return outboxReads.channelState(this.q.outbox, this.tenantId, scope, keys);
  }

  findErasures(keys: readonly string[]): string[] {
    const out: string[] = [];
    let i = 0;
    if (keys.length >= LOOKUP_CHUNK) {
      const params = lookupParameters(this.tenantId, 1);
      const chunked = this.q.erasuresByKeys;
      for (; i + LOOKUP_CHUNK <= keys.length; i += LOOKUP_CHUNK) {
        for (let j = 0; j < LOOKUP_CHUNK; j++) params[1 + j] = keys[i + j];
        for (const key of chunked.all(params)) out.push(key);
      }
    }
    const statement = this.q.erasureExists;
    for (; i < keys.length; i++) {
      const key = keys[i]!;
      if (statement.get(this.tenantId, key) !== undefined) out.push(key);
    }
    return out;
  }

  stats(): StorageStats {
    return this.q.snapshot(() => {
      const counts = this.q.counts.get({ tenant: this.tenantId })!;
      const accounts = this.q.accountCounts.all(this.tenantId);
      let interactions = 0;
      const channels = new Map<string, number>();
      for (const row of accounts) {
        interactions += row.n;
        channels.set(row.channel, (channels.get(row.channel) ?? 0) + row.n);
      }
      const byChannel = [...channels]
        .map(([channel, n]) => ({ channel, interactions: n }))
        .sort((a, b) => b.interactions - a.interactions || compareText(a.channel, b.channel));
      const busiestAccounts = accounts
        .sort((a, b) => b.n - a.n || compareText(a.account, b.account) || compareText(a.channel, b.channel))
        .slice(0, 10)
        .map((row) => ({ channel: row.channel, account: row.account, interactions: row.n }));
      return {
        customers: counts.customers - counts.inactive,
        identities: counts.identities,
        interactions,
        conversations: counts.conversations,
        merges: counts.merges,
        byChannel,
        busiestAccounts,
      };
    });
  }

  exportCustomer(customerId: string): CustomerExport | null {
    return this.q.snapshot(() => {
      const row = this.q.customerById.get(this.tenantId, customerId);
      if (row === undefined) return null;
      // Customers merged into this one are part of it: what they still hold belongs to the export.
      const family = this.q.customerFamily.all({ tenant: this.tenantId, customer: customerId });
      const result: CustomerExport = {
        customer: toCustomer(row),
        mergedCustomers: [],
        identities: [],
        interactions: [],
        conversations: [],
        consents: [],
        scores: [],
        merges: [],
        segments: [],
        ruleFirings: [],
        outbox: [],
      };
      const merges = new Map<string, MergeRecord>();
      for (const id of family) {
        if (id !== customerId) {
          const merged = this.q.customerById.get(this.tenantId, id);
          if (merged !== undefined) result.mergedCustomers.push(toCustomer(merged));
        }
        append(result.identities, this.q.identitiesByCustomer.all(this.tenantId, id), toIdentity);
        append(result.interactions, this.q.interactionsOfCustomer.all(this.tenantId, id), toInteraction);
        append(result.conversations, this.q.conversationsOfCustomer.all(this.tenantId, id), toConversation);
        append(result.consents, this.q.consentsOf.all(this.tenantId, id), toConsent);
        append(result.scores, this.q.scoresOfCustomer.all(this.tenantId, id), toScore);
        append(result.segments, this.q.segmentsOfCustomer.all(this.tenantId, id), toSegmentMember);
        append(result.ruleFirings, this.q.ruleFiringsOfCustomer.all(this.tenantId, id), toRuleFiring);
        append(result.outbox, this.q.outbox.outboxOfCustomer.all(this.tenantId, id), toOutbox);
        for (const merge of this.q.mergesOf.all({ tenant: this.tenantId, customer: id }).map(toMerge)) {
          if (!merges.has(merge.id)) merges.set(merge.id, merge);
        }
      }
      result.merges = [...merges.values()].sort(byTimeThenId);
      result.segments.sort(
        (a, b) =>
          a.addedAt.getTime() - b.addedAt.getTime() ||
          compareText(a.segment, b.segment) ||
          compareText(a.customerId, b.customerId),
      );
      if (family.length > 1) {
        result.ruleFirings.sort(
          (a, b) => a.firedAt.getTime() - b.firedAt.getTime() || compareText(a.id, b.id),
        );
        result.outbox.sort(
          (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.id, b.id),
        );
      }
      return result;
    });
  }
}

/** Public reader methods: each checks the store first and reports failures as RapportErrors. */
export const readerMethods = storageReaderMethods;

interface Guarded {
  assertUsable(operation: string): void;
  failure(operation: string, error: unknown): Error;
}

/**
 * Wraps the named prototype methods once, at load time, so every call first checks the object is
 * still usable and every failure surfaces as a RapportError naming the method. Doing it on the
 * prototype keeps the method bodies plain and costs one extra call per batch, not per row.
 */
export function guardMethods(prototype: object, methods: readonly string[]): void {
  const target = prototype as Record<string, unknown>;
  for (const name of methods) {
    const method = target[name] as (...args: unknown[]) => unknown;
    target[name] = function guarded(this: Guarded, ...args: unknown[]): unknown {
      this.assertUsable(name);
      try {
        return method.apply(this, args);
      } catch (error) {
        throw this.failure(name, error);
      }
    };
  }
}

guardMethods(SqliteReader.prototype, readerMethods);

/**
 * A reader of committed data over the writer connection, for stores with one connection
 * (`:memory:`, or a file without WAL): while a unit of work is open, a call waits its turn
 * behind it and returns a Promise; otherwise it answers at once.
 *
 * Calling it from inside that unit of work's own `work` would wait for itself; use the unit of
 * work's own reads there.
 */
export class QueuedReader implements StorageReader {
  constructor(
    private readonly inner: SqliteReader,
    private readonly lock: WriteLock,
  ) {}

  get tenantId(): string {
    return this.inner.tenantId;
  }

  private gate<T>(read: () => T): T | Promise<T> {
    return this.lock.busy ? this.lock.run(read) : read();
  }

  getCustomers(ids: readonly string[]) {
    return this.gate(() => this.inner.getCustomers(ids));
  }
  findIdentities(keys: readonly IdentityKey[]) {
    return this.gate(() => this.inner.findIdentities(keys));
  }
  findIdentitiesByVerifiedEmail(emails: readonly string[]) {
    return this.gate(() => this.inner.findIdentitiesByVerifiedEmail(emails));
  }
  listIdentities(customerId: string) {
    return this.gate(() => this.inner.listIdentities(customerId));
  }
  findInteractions(keys: readonly InteractionKey[]) {
    return this.gate(() => this.inner.findInteractions(keys));
  }
  getInteraction(id: string) {
    return this.gate(() => this.inner.getInteraction(id));
  }
  getInteractions(ids: readonly string[]) {
    return this.gate(() => this.inner.getInteractions(ids));
  }
  timeline(customerId: string, page: PageRequest) {
    return this.gate(() => this.inner.timeline(customerId, page));
  }
  recentInteractions(customerId: string, range: TimeRange, limit: number) {
    return this.gate(() => this.inner.recentInteractions(customerId, range, limit));
  }
  findConversations(keys: readonly ConversationKey[]) {
    return this.gate(() => this.inner.findConversations(keys));
  }
  getConversation(id: string) {
    return this.gate(() => this.inner.getConversation(id));
  }
  conversationInteractions(conversationId: string, page: PageRequest) {
    return this.gate(() => this.inner.conversationInteractions(conversationId, page));
  }
  listConversations(filter: ConversationFilter, page: PageRequest) {
    return this.gate(() => this.inner.listConversations(filter, page));
  }
  searchCustomers(prefix: string, limit: number) {
    return this.gate(() => this.inner.searchCustomers(prefix, limit));
  }
  listCustomers(page: PageRequest) {
    return this.gate(() => this.inner.listCustomers(page));
  }
  getMerge(id: string) {
    return this.gate(() => this.inner.getMerge(id));
  }
  listMerges(customerId: string) {
    return this.gate(() => this.inner.listMerges(customerId));
  }
  listConsents(customerIds: readonly string[]) {
    return this.gate(() => this.inner.listConsents(customerIds));
  }
  latestScores(customerIds: readonly string[]) {
    return this.gate(() => this.inner.latestScores(customerIds));
  }
  scoreHistory(customerId: string, query: ScoreHistoryQuery) {
    return this.gate(() => this.inner.scoreHistory(customerId, query));
  }
  scanInteractions(range: TimeRange, page: PageRequest) {
    return this.gate(() => this.inner.scanInteractions(range, page));
  }
  segmentsOf(customerIds: readonly string[]) {
    return this.gate(() => this.inner.segmentsOf(customerIds));
  }
  segmentMembers(segment: string, page: PageRequest) {
    return this.gate(() => this.inner.segmentMembers(segment, page));
  }
  listRuleFirings(filter: RuleFiringFilter, page: PageRequest) {
    return this.gate(() => this.inner.listRuleFirings(filter, page));
  }
  dueTimers(until: Date, limit: number) {
    return this.gate(() => this.inner.dueTimers(until, limit));
  }
  getOutboxMessages(ids: readonly string[]) {
    return this.gate(() => this.inner.getOutboxMessages(ids));
  }
  findOutboxByKey(keys: readonly string[]) {
    return this.gate(() => this.inner.findOutboxByKey(keys));
  }
  listOutbox(filter: OutboxFilter, page: PageRequest) {
    return this.gate(() => this.inner.listOutbox(filter, page));
  }
  dueOutbox(now: Date, limit: number) {
    return this.gate(() => this.inner.dueOutbox(now, limit));
  }
  getChannelState(scope: string, keys: readonly string[]) {
    return this.gate(() => this.inner.getChannelState(scope, keys));
  }
  findErasures(keys: readonly string[]) {
    return this.gate(() => this.inner.findErasures(keys));
  }
  stats() {
    return this.gate(() => this.inner.stats());
  }
  exportCustomer(customerId: string) {
    return this.gate(() => this.inner.exportCustomer(customerId));
  }
}
