import type { Consent } from '../../domain/consent.js';
import type { Conversation, ConversationKey } from '../../domain/conversation.js';
import type { Customer } from '../../domain/customer.js';
import { type Identity, type IdentityKey, identityKeyString } from '../../domain/identity.js';
import {
  type Interaction,
  type InteractionHead,
  type InteractionKey,
  interactionKeyString,
} from '../../domain/interaction.js';
import type { MergeRecord } from '../../domain/merge.js';
import type { OutboxFilter, OutboxMessage } from '../../domain/outbox.js';
import type { RuleFiring, RuleTimer, SegmentMembership } from '../../domain/rule-records.js';
import type { Score } from '../../domain/score.js';
import type {
  ConversationFilter,
  CustomerExport,
  Page,
  PageRequest,
  RuleFiringFilter,
  ScoreHistoryQuery,
  StorageReader,
  StorageStats,
  TimeRange,
} from '../../plugins/storage.js';
import { decodeCursor, encodeCursor } from '../paging.js';
import {
  channelStateKey,
  copyConversation,
  copyFiring,
  copyOutbox,
  copyTimer,
  isOutboxDue,
  type TenantData,
} from './tenant-data.js';

function copyScore(score: Score): Score {
  return {
    ...score,
    model: { ...score.model },
    ...(score.cause ? { cause: structuredClone(score.cause) } : {}),
  };
}

/** Compares by code unit (as SQLite's BINARY collation does), not by locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Newest first by (time, id). */
function newestFirst(a: { t: number; id: string }, b: { t: number; id: string }): number {
  return b.t - a.t || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function pageOf<T>(
  sorted: Array<{ t: number; id: string; item: T }>,
  page: PageRequest,
  ascending: boolean,
): Page<T> {
  let start = 0;
  if (page.cursor) {
    const { time: t, id } = decodeCursor(page.cursor);
    start = sorted.findIndex((row) =>
      ascending ? row.t > t || (row.t === t && row.id > id) : row.t < t || (row.t === t && row.id < id),
    );
    if (start < 0) start = sorted.length;
  }
  const slice = sorted.slice(start, start + page.limit);
  const last = slice[slice.length - 1];
  const more = start + page.limit < sorted.length;
  return {
    items: slice.map((row) => row.item),
    nextCursor: more && last ? encodeCursor({ time: last.t, id: last.id }) : null,
  };
}

/** Reads over one tenant's maps. */
export class MemoryReader implements StorageReader {
  constructor(protected readonly data: TenantData) {}

  getCustomers(ids: readonly string[]): Customer[] {
    const out: Customer[] = [];
    for (const id of ids) {
      const customer = this.data.customers.get(id);
      if (customer) out.push({ ...customer });
    }
    return out;
  }

  findIdentities(keys: readonly IdentityKey[]): Identity[] {
    const out: Identity[] = [];
    for (const key of keys) {
      const id = this.data.identityByKey.get(identityKeyString(key));
      const identity = id === undefined ? undefined : this.data.identities.get(id);
      if (identity) out.push({ ...identity });
    }
    return out;
  }

  findIdentitiesByVerifiedEmail(emails: readonly string[]): Identity[] {
    const wanted = new Set(emails);
    return [...this.data.identities.values()].filter(
      (i) => i.verified && i.email !== null && wanted.has(i.email),
    );
  }

  listIdentities(customerId: string): Identity[] {
    return [...this.data.identities.values()]
      .filter((i) => i.customerId === customerId)
      .map((i) => ({ ...i }));
  }

  findInteractions(keys: readonly InteractionKey[]): InteractionHead[] {
    const out: InteractionHead[] = [];
    for (const key of keys) {
      const id = this.data.interactionByKey.get(interactionKeyString(key));
      const row = id === undefined ? undefined : this.data.interactions.get(id);
      if (row) {
        out.push({
          id: row.id,
          channel: row.channel,
          account: row.account,
          externalId: row.externalId,
          version: row.version,
          customerId: row.customerId,
          conversationId: row.conversationId,
        });
      }
    }
    return out;
  }

  getInteraction(id: string): Interaction | null {
    const row = this.data.interactions.get(id);
    return row ? { ...row } : null;
  }

  getInteractions(ids: readonly string[]): Interaction[] {
    const out: Interaction[] = [];
    for (const id of new Set(ids)) {
      const row = this.data.interactions.get(id);
      if (row) out.push({ ...row });
    }
    return out;
  }

  timeline(customerId: string, page: PageRequest): Page<Interaction> {
    const rows = [...this.data.interactions.values()]
      .filter((i) => i.customerId === customerId)
      .map((item) => ({ t: item.occurredAt.getTime(), id: item.id, item: { ...item } }))
      .sort(newestFirst);
    return pageOf(rows, page, false);
  }

  findConversations(keys: readonly ConversationKey[]): Conversation[] {
    const out: Conversation[] = [];
    for (const key of keys) {
      const id = this.data.conversationByKey.get(interactionKeyString(key));
      const row = id === undefined ? undefined : this.data.conversations.get(id);
      if (row) out.push(copyConversation(row));
    }
    return out;
  }

  getConversation(id: string): Conversation | null {
    const row = this.data.conversations.get(id);
    return row ? copyConversation(row) : null;
  }

  conversationInteractions(conversationId: string, page: PageRequest): Page<Interaction> {
    const rows = [...this.data.interactions.values()]
      .filter((i) => i.conversationId === conversationId)
      .map((item) => ({ t: item.occurredAt.getTime(), id: item.id, item: { ...item } }))
      .sort((a, b) => -newestFirst(a, b));
    return pageOf(rows, page, true);
  }

  listConversations(filter: ConversationFilter, page: PageRequest): Page<Conversation> {
    const rows = [...this.data.conversations.values()]
      .filter(
        (c) =>
          (filter.customerId === undefined || c.customerId === filter.customerId) &&
          (filter.channel === undefined || c.channel === filter.channel) &&
          (filter.account === undefined || c.account === filter.account) &&
          (filter.hasCase === undefined || (c.case !== null) === filter.hasCase) &&
          (filter.caseStatus === undefined ||
            (c.case !== null && filter.caseStatus.includes(c.case.status))) &&
          (filter.queue === undefined || c.case?.queue === filter.queue) &&
          (filter.assignee === undefined || c.case?.assignee === filter.assignee),
      )
      .map((item) => ({ t: item.lastInteractionAt.getTime(), id: item.id, item: copyConversation(item) }))
      .sort(newestFirst);
    return pageOf(rows, page, false);
  }

  listCustomers(page: PageRequest): Page<Customer> {
    const rows: Array<{ t: number; id: string; item: Customer }> = [];
    for (const c of this.data.customers.values())
      if (c.status === 'active') rows.push({ t: 0, id: c.id, item: c });
    rows.sort((a, b) => compareText(a.id, b.id));
    const found = pageOf(rows, page, true);
    return { items: found.items.map((c) => ({ ...c })), nextCursor: found.nextCursor };
  }

  searchCustomers(prefix: string, limit: number): Customer[] {
    const p = prefix.toLowerCase();
    const starts = (value: string | null) => value?.toLowerCase().startsWith(p);
    const found = new Set<string>();
    for (const c of this.data.customers.values()) {
      if (c.status === 'active' && (starts(c.displayName) || starts(c.primaryEmail))) found.add(c.id);
    }
    for (const i of this.data.identities.values()) {
      if (starts(i.handle) || starts(i.email)) found.add(i.customerId);
    }
    return [...found]
      .map((id) => this.data.customers.get(id))
      .filter((c): c is Customer => c !== undefined && c.status === 'active')
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((c) => ({ ...c }));
  }

  getMerge(id: string): MergeRecord | null {
    const merge = this.data.merges.get(id);
    return merge ? { ...merge } : null;
  }

  listMerges(customerId: string): MergeRecord[] {
    return [...this.data.merges.values()]
      .filter((m) => m.survivorId === customerId || m.absorbedId === customerId)
      .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : 1))
      .map((m) => ({ ...m }));
  }

  listConsents(customerIds: readonly string[]): Consent[] {
    const wanted = new Set(customerIds);
    return [...this.data.consents.values()]
      .filter((c) => wanted.has(c.customerId))
      .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : 1))
      .map((c) => ({ ...c }));
  }

  latestScores(customerIds: readonly string[]): Score[] {
    const wanted = new Set(customerIds);
    const latest = new Map<string, Score>();
    for (const score of this.data.scores) {
      if (!wanted.has(score.customerId)) continue;
      const key = `${score.customerId}\u0000${score.name}\u0000${score.model.id}`;
      const current = latest.get(key);
      if (!current || current.computedAt.getTime() <= score.computedAt.getTime()) latest.set(key, score);
    }
    return [...latest.values()].map((s) => ({ ...s }));
  }

  scoreHistory(customerId: string, query: ScoreHistoryQuery): Page<Score> {
    // A customer's entries only ever grow (erasure removes them all), so the position among them
    // is a stable tie-breaker for entries recorded in the same millisecond.
    const rows: Array<{ t: number; id: string; item: Score }> = [];
    let position = 0;
    for (const score of this.data.scores) {
      if (score.customerId !== customerId) continue;
      const id = String(position++).padStart(12, '0');
      if (query.name === undefined || score.name === query.name)
        rows.push({ t: score.computedAt.getTime(), id, item: copyScore(score) });
    }
    return pageOf(rows.sort(newestFirst), query, false);
  }

  recentInteractions(customerId: string, range: TimeRange, limit: number): Interaction[] {
    const from = range.from?.getTime() ?? Number.NEGATIVE_INFINITY;
    const to = range.to?.getTime() ?? Number.POSITIVE_INFINITY;
    const rows: Array<{ t: number; id: string; item: Interaction }> = [];
    for (const item of this.data.interactions.values()) {
      const t = item.occurredAt.getTime();
      if (item.customerId === customerId && t >= from && t < to) rows.push({ t, id: item.id, item });
    }
    return rows
      .sort(newestFirst)
      .slice(0, Math.max(0, limit))
      .map((r) => ({ ...r.item }));
  }

  scanInteractions(range: TimeRange, page: PageRequest): Page<Interaction> {
    const from = range.from?.getTime() ?? Number.NEGATIVE_INFINITY;
    const to = range.to?.getTime() ?? Number.POSITIVE_INFINITY;
    const rows: Array<{ t: number; id: string; item: Interaction }> = [];
    for (const item of this.data.interactions.values()) {
      const t = item.occurredAt.getTime();
      if (t >= from && t < to) rows.push({ t, id: item.id, item });
    }
    rows.sort((a, b) => -newestFirst(a, b));
    const result = pageOf(rows, page, true);
    return { ...result, items: result.items.map((i) => ({ ...i })) };
  }

  segmentsOf(customerIds: readonly string[]): SegmentMembership[] {
    const wanted = new Set(customerIds);
    return [...this.data.segmentMembers.values()]
      .filter((m) => wanted.has(m.customerId))
      .sort((a, b) => compareText(a.customerId, b.customerId) || compareText(a.segment, b.segment))
      .map((m) => ({ ...m }));
  }

  segmentMembers(segment: string, page: PageRequest): Page<SegmentMembership> {
    // Ordered by customer id alone: the cursor's time is always 0.
    const rows = [...this.data.segmentMembers.values()]
      .filter((m) => m.segment === segment)
      .sort((a, b) => compareText(a.customerId, b.customerId))
      .map((m) => ({ t: 0, id: m.customerId, item: { ...m } }));
    return pageOf(rows, page, true);
  }

  listRuleFirings(filter: RuleFiringFilter, page: PageRequest): Page<RuleFiring> {
    const rows: Array<{ t: number; id: string; item: RuleFiring }> = [];
    for (const f of this.data.ruleFirings.values()) {
      if (filter.ruleId != null && f.ruleId !== filter.ruleId) continue;
      if (filter.customerId != null && f.customerId !== filter.customerId) continue;
      rows.push({ t: f.firedAt.getTime(), id: f.id, item: f });
    }
    rows.sort(newestFirst);
    const result = pageOf(rows, page, false);
    return { ...result, items: result.items.map(copyFiring) };
  }

  dueTimers(until: Date, limit: number): RuleTimer[] {
    if (!(limit >= 1)) return [];
    const due = until.getTime();
    return [...this.data.timers.values()]
      .filter((t) => t.dueAt.getTime() <= due)
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || compareText(a.id, b.id))
      .slice(0, Math.floor(limit))
      .map(copyTimer);
  }

  getOutboxMessages(ids: readonly string[]): OutboxMessage[] {
    return ids.flatMap((id) => {
      const m = this.data.outbox.get(id);
      return m ? [copyOutbox(m)] : [];
    });
  }

  findOutboxByKey(keys: readonly string[]): OutboxMessage[] {
    return this.getOutboxMessages(keys.flatMap((k) => this.data.outboxByKey.get(k) ?? []));
  }

  listOutbox(filter: OutboxFilter, page: PageRequest): Page<OutboxMessage> {
    const rows = [...this.data.outbox.values()]
      .filter(
        (m) =>
          (filter.conversationId === undefined || m.conversationId === filter.conversationId) &&
          (filter.state === undefined || m.state === filter.state),
      )
      .map((item) => ({ t: item.createdAt.getTime(), id: item.id, item: copyOutbox(item) }))
      .sort(newestFirst);
    return pageOf(rows, page, false);
  }

  dueOutbox(now: Date, limit: number): OutboxMessage[] {
    if (!(limit >= 1)) return [];
    const at = now.getTime();
    return [...this.data.outbox.values()]
      .filter((m) => isOutboxDue(m, at))
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || compareText(a.id, b.id))
      .slice(0, Math.floor(limit))
      .map(copyOutbox);
  }

  getChannelState(scope: string, keys: readonly string[]): Record<string, string> {
    const found: Record<string, string> = {};
    for (const key of keys) {
      const value = this.data.channelState.get(channelStateKey(scope, key));
      if (value !== undefined) found[key] = value;
    }
    return found;
  }

  findErasures(keys: readonly string[]): string[] {
    return keys.filter((k) => this.data.erasures.has(k));
  }

  stats(): StorageStats {
    const byChannel = new Map<string, number>();
    const byAccount = new Map<string, { channel: string; account: string; interactions: number }>();
    for (const i of this.data.interactions.values()) {
      byChannel.set(i.channel, (byChannel.get(i.channel) ?? 0) + 1);
      const key = `${i.channel}\u0000${i.account}`;
      const entry = byAccount.get(key) ?? { channel: i.channel, account: i.account, interactions: 0 };
      entry.interactions++;
      byAccount.set(key, entry);
    }
    let customers = 0;
    for (const c of this.data.customers.values()) if (c.status === 'active') customers++;
    return {
      customers,
      identities: this.data.identities.size,
      interactions: this.data.interactions.size,
      conversations: this.data.conversations.size,
      merges: this.data.merges.size,
      byChannel: [...byChannel]
        .map(([channel, interactions]) => ({ channel, interactions }))
        .sort((a, b) => b.interactions - a.interactions || a.channel.localeCompare(b.channel)),
      busiestAccounts: [...byAccount.values()]
        .sort((a, b) => b.interactions - a.interactions || a.account.localeCompare(b.account))
        .slice(0, 10),
    };
  }

  exportCustomer(customerId: string): CustomerExport | null {
    const customer = this.data.customers.get(customerId);
    if (!customer) return null;
    const merged: Customer[] = [];
    for (let i = -1; i < merged.length; i++) {
      const survivor = i < 0 ? customerId : merged[i]!.id;
      for (const m of this.data.merges.values()) {
        const absorbed = this.data.customers.get(m.absorbedId);
        if (m.survivorId === survivor && m.unmergedAt === null && absorbed?.mergedInto === survivor)
          merged.push({ ...absorbed });
      }
    }
    const family = new Set([customerId, ...merged.map((c) => c.id)]);
    return {
      customer: { ...customer },
      mergedCustomers: merged,
      identities: this.listIdentities(customerId),
      interactions: [...this.data.interactions.values()]
        .filter((i) => i.customerId === customerId)
        .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : 1))
        .map((i) => ({ ...i })),
      conversations: [...this.data.conversations.values()]
        .filter((c) => c.customerId === customerId)
        .map(copyConversation),
      consents: this.listConsents([customerId]),
      scores: this.data.scores.filter((s) => s.customerId === customerId).map((s) => ({ ...s })),
      merges: this.listMerges(customerId),
      segments: [...this.data.segmentMembers.values()]
        .filter((m) => family.has(m.customerId))
        .sort(
          (a, b) =>
            a.addedAt.getTime() - b.addedAt.getTime() ||
            compareText(a.segment, b.segment) ||
            compareText(a.customerId, b.customerId),
        )
        .map((m) => ({ ...m })),
      ruleFirings: [...this.data.ruleFirings.values()]
        .filter((f) => f.customerId !== null && family.has(f.customerId))
        .sort((a, b) => a.firedAt.getTime() - b.firedAt.getTime() || compareText(a.id, b.id))
        .map(copyFiring),
      outbox: [...this.data.outbox.values()]
        .filter((m) => m.customerId !== null && family.has(m.customerId))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.id, b.id))
        .map(copyOutbox),
    };
  }
}
