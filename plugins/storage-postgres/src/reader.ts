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
  type ConsentRow,
  OPEN_CASE_STATUSES,
  type RuleTimerRow,
  type SegmentMemberRow,
  scoreLogPage,
  scoreLogPosition,
  storageReaderMethods,
  toConsent,
  toRuleTimer,
  toSegmentMember,
} from '@rapport/core';
import { type Queryable, queryObjects, queryRows } from './connection.js';
import { notOpen, storageFailure } from './errors.js';
import { outboxReads } from './outbox.js';
import { pageLimit, pagePosition, toPage } from './paging.js';
import { prefixUpperBound } from './prefix-range.js';
import {
  type ConversationRow,
  type CustomerRow,
  type IdentityRow,
  type InteractionRow,
  type MergeRow,
  type OutboxRow,
  type RuleFiringRow,
  type ScoreRow,
  toConversation,
  toCustomer,
  toIdentity,
  toInteraction,
  toMerge,
  toOutbox,
  toRuleFiring,
  toScore,
} from './rows.js';
import { firingBits, listingBits, type Statements } from './statements.js';

/** Whether the store behind a reader is still open. */
export interface StoreLiveness {
  readonly closed: boolean;
}

/**
 * Where a reader's queries run: any free pooled connection holding the reader's tenant (committed
 * data), or the one connection of a unit of work.
 */
export interface Session {
  readonly db: Queryable;
  /**
   * Runs several reads over one consistent state: a read-only repeatable-read transaction on one
   * pooled connection, or the open transaction of a unit of work.
   */
  snapshot<T>(read: (db: Queryable) => Promise<T>): Promise<T>;
}

const timelinePosition = (item: Interaction) => ({ time: item.occurredAt.getTime(), id: item.id });
const conversationPosition = (item: Conversation) => ({
  time: item.lastInteractionAt.getTime(),
  id: item.id,
});
const firingPosition = (item: RuleFiring) => ({ time: item.firedAt.getTime(), id: item.id });
/** Members are ordered by customer id alone, so the cursor's time is always 0. */
const memberPosition = (item: SegmentMembership) => ({ time: 0, id: item.customerId });

/** Compares by code unit, like the `COLLATE "C"` columns, not by locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The distinct values of a list, without allocating for the common one-element case. */
function distinct<T>(values: readonly T[]): T[] {
  return values.length < 2 ? [...values] : [...new Set(values)];
}

/** A time bound for SQL: whole epoch milliseconds, or the given extreme for an open end. */
function bound(date: Date | undefined, open: number): number {
  if (date === undefined) return open;
  const time = date.getTime();
  return Number.isNaN(time) ? open : Math.trunc(time);
}

/** A whole, positive row limit, or 0 for "nothing" (the caller answers `[]`). */
function rowLimit(limit: number): number {
  return limit >= 1 ? Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER) : 0;
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
    params.push([...filter.caseStatus]);
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
 * Reads of one tenant. Batch lookups are one statement per call (a join to the unnested keys),
 * so a remote database costs one round trip per call, not per key.
 */
export class PostgresReader implements StorageReader {
  constructor(
    protected readonly q: Statements,
    readonly tenantId: string,
    protected readonly store: StoreLiveness,
    protected readonly session: Session,
  ) {}

  /** Throws when this reader may no longer be used. Called before every public method. */
  assertUsable(operation: string): void {
    if (this.store.closed) throw notOpen(operation, 'closed');
  }

  /** The error to throw for a failure inside `operation`. */
  failure(operation: string, error: unknown): Error {
    return storageFailure(operation, error);
  }

  protected get db(): Queryable {
    return this.session.db;
  }

  async getCustomers(ids: readonly string[]): Promise<Customer[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<CustomerRow>(this.db, this.q.customersByIds, [this.tenantId, ids]);
    return rows.map(toCustomer);
  }

  async findIdentities(keys: readonly IdentityKey[]): Promise<Identity[]> {
    if (keys.length === 0) return [];
    const rows = await queryRows<IdentityRow>(this.db, this.q.identitiesByKeys, [
      this.tenantId,
      keys.map((k) => k.channel),
      keys.map((k) => k.externalId),
    ]);
    return rows.map(toIdentity);
  }

  async findIdentitiesByVerifiedEmail(emails: readonly string[]): Promise<Identity[]> {
    if (emails.length === 0) return [];
    const rows = await queryRows<IdentityRow>(this.db, this.q.identitiesByVerifiedEmails, [
      this.tenantId,
      distinct(emails.map((e) => e.toLowerCase())),
    ]);
    return rows.map(toIdentity);
  }

  async listIdentities(customerId: string): Promise<Identity[]> {
    const rows = await queryRows<IdentityRow>(this.db, this.q.identitiesByCustomer, [
      this.tenantId,
      customerId,
    ]);
    return rows.map(toIdentity);
  }

  async findInteractions(keys: readonly InteractionKey[]): Promise<InteractionHead[]> {
    if (keys.length === 0) return [];
    return queryObjects<InteractionHead>(this.db, this.q.interactionHeadsByKeys, [
      this.tenantId,
      keys.map((k) => k.channel),
      keys.map((k) => k.account),
      keys.map((k) => k.externalId),
    ]);
  }

  async getInteraction(id: string): Promise<Interaction | null> {
    const [row] = await queryRows<InteractionRow>(this.db, this.q.interactionById, [this.tenantId, id]);
    return row === undefined ? null : toInteraction(row);
  }

  async getInteractions(ids: readonly string[]): Promise<Interaction[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<InteractionRow>(this.db, this.q.interactionsByIds, [
      this.tenantId,
      distinct(ids),
    ]);
    return rows.map(toInteraction);
  }

  async timeline(customerId: string, page: PageRequest): Promise<Page<Interaction>> {
    const limit = pageLimit(page);
    const after = pagePosition(page);
    const rows =
      after === null
        ? await queryRows<InteractionRow>(this.db, this.q.timelineFirst, [
            this.tenantId,
            customerId,
            limit + 1,
          ])
        : await queryRows<InteractionRow>(this.db, this.q.timelineAfter, [
            this.tenantId,
            customerId,
            after.time,
            after.id,
            limit + 1,
          ]);
    return toPage(rows, limit, toInteraction, timelinePosition);
  }

  async findConversations(keys: readonly ConversationKey[]): Promise<Conversation[]> {
    if (keys.length === 0) return [];
    const rows = await queryRows<ConversationRow>(this.db, this.q.conversationsByKeys, [
      this.tenantId,
      keys.map((k) => k.channel),
      keys.map((k) => k.account),
      keys.map((k) => k.externalId),
    ]);
    return rows.map(toConversation);
  }

  async getConversation(id: string): Promise<Conversation | null> {
    const [row] = await queryRows<ConversationRow>(this.db, this.q.conversationById, [this.tenantId, id]);
    return row === undefined ? null : toConversation(row);
  }

  async conversationInteractions(conversationId: string, page: PageRequest): Promise<Page<Interaction>> {
    const limit = pageLimit(page);
    const after = pagePosition(page);
    const rows =
      after === null
        ? await queryRows<InteractionRow>(this.db, this.q.conversationInteractionsFirst, [
            this.tenantId,
            conversationId,
            limit + 1,
          ])
        : await queryRows<InteractionRow>(this.db, this.q.conversationInteractionsAfter, [
            this.tenantId,
            conversationId,
            after.time,
            after.id,
            limit + 1,
          ]);
    return toPage(rows, limit, toInteraction, timelinePosition);
  }

  async listConversations(filter: ConversationFilter, page: PageRequest): Promise<Page<Conversation>> {
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
    const after = pagePosition(page);
    if (cases === null) return { items: [], nextCursor: null };
    bits |= cases.bits;
    params.push(...cases.params);
    if (after !== null) {
      bits |= listingBits.cursor;
      params.push(after.time, after.id);
    }
    params.push(limit + 1);
    const rows = await queryRows<ConversationRow>(this.db, this.q.listConversations(bits), params);
    return toPage(rows, limit, toConversation, conversationPosition);
  }

  async searchCustomers(prefix: string, limit: number): Promise<Customer[]> {
    const max = rowLimit(limit);
    if (max === 0) return [];
    const low = prefix.toLowerCase();
    const high = prefixUpperBound(low);
    const rows =
      high === null
        ? await queryRows<CustomerRow>(this.db, this.q.searchUnbounded, [this.tenantId, low, max])
        : await queryRows<CustomerRow>(this.db, this.q.searchBounded, [this.tenantId, low, high, max]);
    return rows.map(toCustomer);
  }

  async listCustomers(page: PageRequest): Promise<Page<Customer>> {
    const limit = pageLimit(page);
    const after = pagePosition(page)?.id ?? null;
    const rows = await queryRows<CustomerRow>(this.db, this.q.activeCustomers, [
      this.tenantId,
      after,
      limit + 1,
    ]);
    return toPage(rows, limit, toCustomer, (c) => ({ time: 0, id: c.id }));
  }

  async getMerge(id: string): Promise<MergeRecord | null> {
    const [row] = await queryRows<MergeRow>(this.db, this.q.mergeById, [this.tenantId, id]);
    return row === undefined ? null : toMerge(row);
  }

  async listMerges(customerId: string): Promise<MergeRecord[]> {
    const rows = await queryRows<MergeRow>(this.db, this.q.mergesOf, [this.tenantId, customerId]);
    return rows.map(toMerge);
  }

  async listConsents(customerIds: readonly string[]): Promise<Consent[]> {
    if (customerIds.length === 0) return [];
    const rows = await queryRows<ConsentRow>(this.db, this.q.consentsOf, [
      this.tenantId,
      distinct(customerIds),
    ]);
    return rows.map(toConsent);
  }

  async latestScores(customerIds: readonly string[]): Promise<Score[]> {
    if (customerIds.length === 0) return [];
    const rows = await queryRows<ScoreRow>(this.db, this.q.latestScoresOf, [
      this.tenantId,
      distinct(customerIds),
    ]);
    return rows.map(toScore);
  }

  async scoreHistory(customerId: string, query: ScoreHistoryQuery): Promise<Page<Score>> {
    const limit = pageLimit(query);
    const after = scoreLogPosition(query.cursor);
    const rows = await queryRows<[...ScoreRow, string]>(this.db, this.q.scoreHistory, [
      this.tenantId,
      customerId,
      query.name ?? null,
      after?.time ?? null,
      after?.seq ?? null,
      limit + 1,
    ]);
    return scoreLogPage(rows, limit, toScore);
  }

  async recentInteractions(customerId: string, range: TimeRange, limit: number): Promise<Interaction[]> {
    const max = rowLimit(limit);
    if (max === 0) return [];
    const rows = await queryRows<InteractionRow>(this.db, this.q.recentInteractions, [
      this.tenantId,
      customerId,
      bound(range.from, Number.MIN_SAFE_INTEGER),
      bound(range.to, Number.MAX_SAFE_INTEGER),
      max,
    ]);
    return rows.map(toInteraction);
  }

  async scanInteractions(range: TimeRange, page: PageRequest): Promise<Page<Interaction>> {
    const limit = pageLimit(page);
    const from = bound(range.from, Number.MIN_SAFE_INTEGER);
    const to = bound(range.to, Number.MAX_SAFE_INTEGER);
    const after = pagePosition(page);
    // A position before `from` is no bound at all: the range starts later.
    const rows =
      after === null || after.time < from
        ? await queryRows<InteractionRow>(this.db, this.q.scanInteractionsFirst, [
            this.tenantId,
            from,
            to,
            limit + 1,
          ])
        : await queryRows<InteractionRow>(this.db, this.q.scanInteractionsAfter, [
            this.tenantId,
            after.time,
            after.id,
            to,
            limit + 1,
          ]);
    return toPage(rows, limit, toInteraction, timelinePosition);
  }

  async segmentsOf(customerIds: readonly string[]): Promise<SegmentMembership[]> {
    if (customerIds.length === 0) return [];
    const rows = await queryRows<SegmentMemberRow>(this.db, this.q.segmentsOfCustomers, [
      this.tenantId,
      distinct(customerIds),
    ]);
    return rows.map(toSegmentMember);
  }

  async segmentMembers(segment: string, page: PageRequest): Promise<Page<SegmentMembership>> {
    const limit = pageLimit(page);
    const after = pagePosition(page);
    const rows =
      after === null
        ? await queryRows<SegmentMemberRow>(this.db, this.q.segmentMembersFirst, [
            this.tenantId,
            segment,
            limit + 1,
          ])
        : await queryRows<SegmentMemberRow>(this.db, this.q.segmentMembersAfter, [
            this.tenantId,
            segment,
            after.id,
            limit + 1,
          ]);
    return toPage(rows, limit, toSegmentMember, memberPosition);
  }

  async listRuleFirings(filter: RuleFiringFilter, page: PageRequest): Promise<Page<RuleFiring>> {
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
    const after = pagePosition(page);
    if (after !== null) {
      bits |= firingBits.cursor;
      params.push(after.time, after.id);
    }
    params.push(limit + 1);
    const rows = await queryRows<RuleFiringRow>(this.db, this.q.listRuleFirings(bits), params);
    return toPage(rows, limit, toRuleFiring, firingPosition);
  }

  async dueTimers(until: Date, limit: number): Promise<RuleTimer[]> {
    const max = rowLimit(limit);
    if (max === 0) return [];
    const rows = await queryRows<RuleTimerRow>(this.db, this.q.dueTimers, [
      this.tenantId,
      bound(until, Number.MIN_SAFE_INTEGER),
      max,
    ]);
    return rows.map(toRuleTimer);
  }

  getOutboxMessages(ids: readonly string[]): Promise<OutboxMessage[]> {
    return outboxReads.byIds(this.db, this.q.outbox, this.tenantId, ids);
  }

  findOutboxByKey(keys: readonly string[]): Promise<OutboxMessage[]> {
    return outboxReads.byKeys(this.db, this.q.outbox, this.tenantId, keys);
  }

  listOutbox(filter: OutboxFilter, page: PageRequest): Promise<Page<OutboxMessage>> {
    return outboxReads.list(this.db, this.q.outbox, this.tenantId, filter, page);
  }

  dueOutbox(now: Date, limit: number): Promise<OutboxMessage[]> {
    return outboxReads.due(this.db, this.q.outbox, this.tenantId, now, limit);
  }

  getChannelState(scope: string, keys: readonly string[]): Promise<Record<string, string>> {
    return outboxReads.channelState(this.db, this.q.outbox, this.tenantId, scope, keys);
  }

  async findErasures(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const rows = await queryRows<[string]>(this.db, this.q.erasuresByKeys, [this.tenantId, distinct(keys)]);
    const found = new Set(rows.map(([key]) => key));
    return keys.filter((key) => found.has(key));
  }

  stats(): Promise<StorageStats> {
    return this.session.snapshot(async (db) => {
      const [counts] = await queryObjects<{
        customers: number;
        inactive: number;
        identities: number;
        conversations: number;
        merges: number;
      }>(db, this.q.counts, [this.tenantId]);
      const accounts = await queryObjects<{ channel: string; account: string; n: number }>(
        db,
        this.q.accountCounts,
        [this.tenantId],
      );
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
        customers: counts!.customers - counts!.inactive,
        identities: counts!.identities,
        interactions,
        conversations: counts!.conversations,
        merges: counts!.merges,
        byChannel,
        busiestAccounts,
      };
    });
  }

  exportCustomer(customerId: string): Promise<CustomerExport | null> {
    return this.session.snapshot(async (db) => {
      const t = this.tenantId;
      const [row] = await queryRows<CustomerRow>(db, this.q.customersByIds, [t, [customerId]]);
      if (row === undefined) return null;
      // Customers merged into this one are part of it: what they still hold belongs to the export.
      const family = (await queryRows<[string]>(db, this.q.customerFamily, [t, customerId])).map(
        ([id]) => id,
      );
      const others = family.filter((id) => id !== customerId);
      const of = <R extends unknown[]>(s: Parameters<typeof queryRows>[1]) =>
        queryRows<R>(db, s, [t, family]);
      const merged =
        others.length === 0 ? [] : await queryRows<CustomerRow>(db, this.q.customersOfFamily, [t, others]);
      return {
        customer: toCustomer(row),
        mergedCustomers: merged.map(toCustomer),
        identities: (await of<IdentityRow>(this.q.identitiesOfFamily)).map(toIdentity),
        interactions: (await of<InteractionRow>(this.q.interactionsOfFamily)).map(toInteraction),
        conversations: (await of<ConversationRow>(this.q.conversationsOfFamily)).map(toConversation),
        consents: (await of<ConsentRow>(this.q.consentsOfFamily)).map(toConsent),
        scores: (await of<ScoreRow>(this.q.scoresOfFamily)).map(toScore),
        merges: (await of<MergeRow>(this.q.mergesOfFamily)).map(toMerge),
        segments: (await of<SegmentMemberRow>(this.q.segmentsOfFamily)).map(toSegmentMember),
        ruleFirings: (await of<RuleFiringRow>(this.q.ruleFiringsOfFamily)).map(toRuleFiring),
        outbox: (await of<OutboxRow>(this.q.outbox.outboxOfFamily)).map(toOutbox),
      };
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
 * Wraps the named (async) prototype methods once, at load time, so every call first checks the
 * object is still usable and every failure surfaces as a RapportError naming the method.
 */
export function guardMethods(prototype: object, methods: readonly string[]): void {
  const target = prototype as Record<string, unknown>;
  for (const name of methods) {
    const method = target[name] as (...args: unknown[]) => Promise<unknown>;
    target[name] = async function guarded(this: Guarded, ...args: unknown[]): Promise<unknown> {
      this.assertUsable(name);
      try {
        return await method.apply(this, args);
      } catch (error) {
        throw this.failure(name, error);
      }
    };
  }
}

guardMethods(PostgresReader.prototype, readerMethods);
