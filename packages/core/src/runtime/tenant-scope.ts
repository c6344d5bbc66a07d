import { type Consent, type ConsentInput, consentInputSchema } from '../domain/consent.js';
import type { Conversation } from '../domain/conversation.js';
import type { Customer } from '../domain/customer.js';
import type { Identity, IdentityKey } from '../domain/identity.js';
import { newId } from '../domain/ids.js';
import type { Interaction } from '../domain/interaction.js';
import type { MergeRecord } from '../domain/merge.js';
import type { RuleFiring } from '../domain/rule-records.js';
import type { Score } from '../domain/score.js';
import { RapportError } from '../errors/rapport-error.js';
import { retryingConflicts } from '../errors/retry.js';
import { parseOrThrow } from '../errors/validation.js';
import {
  PendingEvents,
  type RapportEventEmitter,
  type RapportEventName,
  type RapportEvents,
} from '../events/events.js';
import { mergeCustomers, unmergeCustomers } from '../identity/merge.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { IngestBatchResult, IngestCounts, IngestItemResult } from '../ingest/results.js';
import { emptyCounts } from '../ingest/results.js';
import type { Clock } from '../plugins/plugin.js';
import type {
  ConversationFilter,
  CustomerExport,
  Page,
  PageRequest,
  RuleFiringFilter,
  StorageCapabilities,
  StorageReader,
  StorageStats,
  TimeRange,
  UnitOfWork,
} from '../plugins/storage.js';
import { type BacktestOptions, type BacktestReport, backtest } from '../rules/backtest.js';
import type { RuleFacts } from '../rules/facts.js';
import type { RuleExplanation, RuleSet } from '../rules/rule-set.js';
import { LEVEL_MODEL_ID } from '../scoring/levels.js';
import { erasureKey } from '../storage/erasure-key.js';
import { CasesApi, type CasesApiDeps } from './cases/cases-api.js';
import { loadFacts, loadHistory, type RuleSubject } from './rules/facts-loader.js';
import { storeReplay } from './rules/store-replay.js';
import { type LevelChangeRecord, type LevelExplanation, ScoresReader } from './scoring/scores-api.js';
import { recomputeScores, type ScoringStageDeps } from './scoring/scoring-stage.js';

/** Options of {@link TenantScope.ingestStream}. */
export interface IngestStreamOptions {
  /** Items per unit of work (default 1000). */
  batchSize?: number;
  /** Called after every batch with the running totals. */
  onProgress?: (progress: { processed: number; counts: IngestCounts }) => void;
  /** Called for every rejected item, with the item as given (the stream goes on). */
  onRejected?: (result: IngestItemResult, item: unknown) => void;
  /** Stops after the current batch. */
  signal?: AbortSignal;
}

/** Totals of a streamed ingest. */
export interface IngestStreamSummary<R = unknown> {
  processed: number;
  counts: IngestCounts;
  durationMs: number;
  /** What the source returned when it ended (a loader's summary, for example); undefined if stopped early. */
  sourceResult: R | undefined;
}

/** Who performs an operation and why. */
export interface Attribution {
  /** `user:<id>`, `system:<name>`, `rule:<id>`... */
  actor: string;
  reason?: string;
}

/** A customer with what an agent needs at a glance. */
export interface CustomerProfile {
  customer: Customer;
  identities: Identity[];
  recent: Interaction[];
  scores: Score[];
  consents: Consent[];
  /** Segment ids the customer belongs to. */
  segments: string[];
}

/** What the runtime hands to a tenant scope. */
export interface TenantScopeDeps {
  pipeline: IngestPipeline;
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  read(tenantId: string): StorageReader;
  capabilities(): StorageCapabilities;
  emitter: RapportEventEmitter;
  clock: Clock;
  scoring: ScoringStageDeps;
  assertStarted(): void;
  /** The rules in force. */
  ruleSet(): RuleSet;
  /** Compiles rules with the instance's extensions. */
  compileRules(input: unknown): RuleSet;
  /** What the cases API needs. */
  cases: CasesApiDeps;
}

/** Options of {@link TenantScope.rules}' backtest. */
export interface StoreBacktestOptions extends BacktestOptions, TimeRange {
  /** Rules to try (an array or `{ rules }`); default: the rules in force. */
  rules?: unknown;
}

const pageRequest = (page: Partial<PageRequest> | undefined): PageRequest => {
  const limit = page?.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new RapportError('RAPPORT_INVALID_INPUT', `Page limit ${limit} is out of range`, {
      path: ['limit'],
      hint: 'use a whole number from 1 to 1000',
    });
  }
  return { limit, cursor: page?.cursor ?? null };
};

/** Everything Rapport does for one tenant. `rapport.tenant(id)` returns one; `rapport` itself is the default tenant's. */
export class TenantScope {
  constructor(
    readonly tenantId: string,
    private readonly deps: TenantScopeDeps,
  ) {
    this.cases = new CasesApi(tenantId, deps.cases);
  }

  /** Cases: open, assign, move through statuses, reply on the originating channel, measure. */
  readonly cases: CasesApi;

  private reader(): StorageReader {
    this.deps.assertStarted();
    return this.deps.read(this.tenantId);
  }

  private write<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    this.deps.assertStarted();
    return this.deps.unitOfWork(this.tenantId, work);
  }

  /**
   * Ingests a batch of interactions (see `InteractionInput`). Returns one result per item, in
   * order: invalid items are `rejected` with a code, JSON path and hint; valid ones are stored.
   * Re-ingesting the same items changes nothing; a higher `version` updates.
   */
  async ingest(items: readonly unknown[]): Promise<IngestBatchResult> {
    this.deps.assertStarted();
    if (!Array.isArray(items)) {
      throw new RapportError('RAPPORT_INVALID_INPUT', 'ingest() takes an array of interactions', {
        hint: 'wrap a single item in an array, or use ingestStream() for an iterable',
      });
    }
    return this.deps.pipeline.ingest(items, this.tenantId);
  }

  /**
   * Ingests a stream of any size in batches, holding one batch at a time. Rejected items are
   * reported through `onRejected`, not collected.
   */
  async ingestStream<R = unknown>(
    source: AsyncIterable<unknown, R> | Iterable<unknown, R>,
    options: IngestStreamOptions = {},
  ): Promise<IngestStreamSummary<R>> {
    this.deps.assertStarted();
    const batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RapportError('RAPPORT_INVALID_INPUT', `batchSize ${batchSize} is not a positive integer`, {
        path: ['batchSize'],
        hint: 'use a whole number of items per unit of work, such as 1000',
      });
    }
    const started = performance.now();
    const counts = emptyCounts();
    let processed = 0;
    let batch: unknown[] = [];
    const flush = async () => {
      const { results, counts: batchCounts } = await this.deps.pipeline.ingest(
        batch,
        this.tenantId,
        processed,
      );
      if (options.onRejected && batchCounts.rejected > 0) {
        for (const [i, r] of results.entries()) if (r.status === 'rejected') options.onRejected(r, batch[i]);
      }
      processed += batch.length;
      batch = [];
      for (const key of Object.keys(counts) as Array<keyof IngestCounts>) counts[key] += batchCounts[key];
      options.onProgress?.({ processed, counts: { ...counts } });
    };
    // Iterated by hand rather than with for-await so the source's return value (a loader's own
    // summary, say) reaches the caller.
    const iterator =
      Symbol.asyncIterator in source
        ? source[Symbol.asyncIterator]()
        : (source as Iterable<unknown, R>)[Symbol.iterator]();
    let sourceResult: R | undefined;
    try {
      for (;;) {
        const step = await iterator.next();
        if (step.done) {
          sourceResult = step.value;
          break;
        }
        batch.push(step.value);
        if (batch.length >= batchSize) {
          await flush();
          if (options.signal?.aborted) break;
        }
      }
      if (batch.length > 0) await flush();
    } finally {
      if (sourceResult === undefined) await iterator.return?.();
    }
    return { processed, counts, durationMs: performance.now() - started, sourceResult };
  }

  /** Counts across the tenant. */
  async stats(): Promise<StorageStats> {
    return this.reader().stats();
  }

  /** Customers: lookup, search, timeline, merge and unmerge, export and erasure. */
  readonly customers = {
    /** A customer by id (merged customers come back with status `merged` and `mergedInto`). */
    get: async (id: string): Promise<Customer | null> => (await this.reader().getCustomers([id]))[0] ?? null,
    /** A customer with identities, recent interactions, latest scores and consents. */
    profile: async (id: string, options: { recent?: number } = {}): Promise<CustomerProfile | null> => {
      const reader = this.reader();
      const [customer] = await reader.getCustomers([id]);
      if (!customer) return null;
      const [identities, timeline, scores, consents, segments] = await Promise.all([
        reader.listIdentities(id),
        reader.timeline(id, { limit: options.recent ?? 10 }),
        reader.latestScores([id]),
        reader.listConsents([id]),
        reader.segmentsOf([id]),
      ]);
      return {
        customer,
        identities,
        recent: timeline.items,
        scores,
        consents,
        segments: segments.map((m) => m.segment),
      };
    },
    /** Active customers whose name, email or handle starts with `prefix` (case-insensitive). */
    search: async (prefix: string, options: { limit?: number } = {}): Promise<Customer[]> => {
      const limit = options.limit ?? 20;
      if (prefix.length === 0) {
        throw new RapportError('RAPPORT_INVALID_INPUT', 'Search needs a prefix', {
          path: ['prefix'],
          hint: 'give at least one character',
        });
      }
      return this.reader().searchCustomers(prefix, limit);
    },
    /** The customer's identities. */
    identities: async (id: string): Promise<Identity[]> => this.reader().listIdentities(id),
    /** The customer's interactions, newest first. Pass `nextCursor` back for the next page. */
    timeline: async (id: string, page?: Partial<PageRequest>): Promise<Page<Interaction>> =>
      this.reader().timeline(id, pageRequest(page)),
    /** The identity with this key, if any. */
    findIdentity: async (key: IdentityKey): Promise<Identity | null> =>
      (await this.reader().findIdentities([key]))[0] ?? null,
    /** Merges `absorbedId` into `survivorId`. Recorded with reason and actor; undo with `unmerge`. */
    merge: async (
      survivorId: string,
      absorbedId: string,
      by: Attribution & { reason: string },
    ): Promise<MergeRecord> => {
      // Another process may merge or ingest for these customers meanwhile: a conflict runs it again.
      const outcome = await retryingConflicts(() =>
        this.write((uow) =>
          mergeCustomers(uow, survivorId, absorbedId, {
            reason: by.reason,
            actor: by.actor,
            at: this.deps.clock.now(),
          }),
        ),
      );
      this.publish('customer.merged', { tenantId: this.tenantId, merge: outcome.merge });
      return outcome.merge;
    },
    /** Undoes a merge exactly: both customers, their identities and interactions come back apart. */
    unmerge: async (mergeId: string, by: Attribution): Promise<MergeRecord> => {
      const outcome = await retryingConflicts(() =>
        this.write((uow) => unmergeCustomers(uow, mergeId, { actor: by.actor, at: this.deps.clock.now() })),
      );
      this.publish('customer.unmerged', { tenantId: this.tenantId, merge: outcome.merge });
      return outcome.merge;
    },
    /** Merges recorded for a customer, oldest first. */
    merges: async (id: string): Promise<MergeRecord[]> => this.reader().listMerges(id),
    /** Everything held about a customer, for data portability. */
    export: async (id: string): Promise<CustomerExport> => {
      this.requireCapability('exportCustomer');
      const data = await this.reader().exportCustomer(id);
      if (!data) throw new RapportError('RAPPORT_NOT_FOUND', `No customer ${id}`, { path: ['customerId'] });
      return data;
    },
    /**
     * Erases a customer and the customers merged into it: identities, interactions, conversations,
     * consents, scores, segment memberships, rule firings, timers and replies (outbox messages)
     * go; the identities are remembered (as hashes) so they are not ingested again.
     */
    erase: async (id: string, by: Attribution): Promise<void> => {
      this.requireCapability('eraseCustomer');
      const erased = await this.write(async (uow) => {
        const [customer] = await uow.getCustomers([id]);
        if (!customer)
          throw new RapportError('RAPPORT_NOT_FOUND', `No customer ${id}`, { path: ['customerId'] });
        const ids = [id];
        for (let i = 0; i < ids.length; i++) {
          for (const merge of await uow.listMerges(ids[i]!)) {
            if (merge.survivorId === ids[i] && merge.unmergedAt === null && !ids.includes(merge.absorbedId))
              ids.push(merge.absorbedId);
          }
        }
        const at = this.deps.clock.now();
        for (const customerId of ids) {
          const keys = (await uow.listIdentities(customerId)).map((identity) => erasureKey(identity));
          await uow.eraseCustomer(customerId, keys, at);
        }
        return ids;
      });
      for (const customerId of erased)
        this.publish('customer.erased', { tenantId: this.tenantId, customerId, actor: by.actor });
    },
  };

  /** Conversations: threads of interactions on one channel and account. */
  readonly conversations = {
    get: async (id: string): Promise<Conversation | null> => this.reader().getConversation(id),
    /** Conversations, most recently active first. */
    list: async (filter: ConversationFilter = {}, page?: Partial<PageRequest>): Promise<Page<Conversation>> =>
      this.reader().listConversations(filter, pageRequest(page)),
    /** A conversation's interactions, oldest first. */
    interactions: async (id: string, page?: Partial<PageRequest>): Promise<Page<Interaction>> =>
      this.reader().conversationInteractions(id, pageRequest(page)),
  };

  /** Consent decisions, kept as history. */
  readonly consents = {
    /** Records a decision (granted, denied or revoked) for a purpose and channel. */
    record: async (input: ConsentInput): Promise<Consent> => {
      const parsed = parseOrThrow(consentInputSchema, input, 'RAPPORT_INVALID_INPUT', 'consent');
      const consent: Consent = {
        id: newId(),
        tenantId: this.tenantId,
        customerId: parsed.customerId,
        purpose: parsed.purpose,
        channel: parsed.channel,
        status: parsed.status,
        at: parsed.at ?? this.deps.clock.now(),
        source: parsed.source,
      };
      await this.write(async (uow) => {
        const [customer] = await uow.getCustomers([consent.customerId]);
        if (customer?.status !== 'active') {
          throw new RapportError('RAPPORT_NOT_FOUND', `No active customer ${consent.customerId}`, {
            path: ['customerId'],
          });
        }
        await uow.insertConsents([consent]);
      });
      this.publish('consent.recorded', { tenantId: this.tenantId, consent });
      return consent;
    },
    /** Every decision recorded for a customer, oldest first. */
    history: async (customerId: string): Promise<Consent[]> => this.reader().listConsents([customerId]),
    /** The decision in force for a purpose on a channel: the latest for that channel or for `*`. */
    current: async (customerId: string, purpose: string, channel = '*'): Promise<Consent | null> => {
      const history = await this.reader().listConsents([customerId]);
      let found: Consent | null = null;
      for (const c of history) {
        if (c.purpose === purpose && (c.channel === channel || c.channel === '*')) found = c;
      }
      return found;
    },
  };

  /** Customer scores from scoring plugins: the latest, the score log, levels and why they changed. */
  readonly scores = {
    /** Latest score per name and model for a customer. */
    latest: async (customerId: string): Promise<Score[]> => this.reader().latestScores([customerId]),
    /**
     * The customer's score log, newest first: every value recorded, with its model (id, version,
     * parameters) and its cause. `name` keeps one score (e.g. `engagement` or `engagement.level`).
     */
    history: async (
      customerId: string,
      query: Partial<PageRequest> & { name?: string } = {},
    ): Promise<Page<Score>> =>
      new ScoresReader(this.reader()).history(customerId, {
        ...pageRequest(query),
        ...(query.name !== undefined ? { name: query.name } : {}),
      }),
    /** The customer's current level of `score` (e.g. `engagement`), or null if none was recorded. */
    level: async (customerId: string, score: string): Promise<LevelChangeRecord | null> =>
      new ScoresReader(this.reader()).level(customerId, score),
    /** The customer's level transitions for `score`, newest first. */
    levelChanges: async (
      customerId: string,
      score: string,
      page?: Partial<PageRequest>,
    ): Promise<Page<LevelChangeRecord>> =>
      new ScoresReader(this.reader()).levelChanges(customerId, score, pageRequest(page)),
    /**
     * Why the customer is at its level of `score`: the last transition, the level and value
     * before it, and the interactions that moved the score (or `recompute`).
     */
    explainLevel: async (customerId: string, score: string): Promise<LevelExplanation | null> =>
      new ScoresReader(this.reader()).explainLevel(customerId, score),
    /**
     * Recomputes a customer's scores from the whole timeline with every scorer that can, records
     * them (cause `recompute`) with any level changes, and returns what was recorded.
     */
    recompute: async (customerId: string): Promise<Score[]> => {
      this.deps.assertStarted();
      return recomputeScores(this.deps.scoring, this.tenantId, customerId);
    },
    /**
     * Recomputes the scores of every active customer of the tenant, one customer at a time. A
     * batch job: schedule it (nightly, say) so that time-decayed scores and their levels follow
     * time when a customer is quiet, and run it after adding a scorer to existing data or changing
     * its options.
     *
     * @returns how many customers were recomputed, scores recorded and levels changed.
     */
    recomputeAll: async (
      options: { pageSize?: number; onProgress?: (customers: number) => void } = {},
    ): Promise<{ customers: number; scores: number; levelChanges: number }> => {
      this.deps.assertStarted();
      const totals = { customers: 0, scores: 0, levelChanges: 0 };
      const page = pageRequest({ limit: options.pageSize ?? 200 });
      let cursor: string | null = null;
      do {
        const customers: Page<Customer> = await this.reader().listCustomers({ ...page, cursor });
        for (const customer of customers.items) {
          const recorded = await recomputeScores(this.deps.scoring, this.tenantId, customer.id);
          const levels = recorded.filter((s) => s.model.id === LEVEL_MODEL_ID).length;
          totals.customers++;
          totals.scores += recorded.length - levels;
          totals.levelChanges += levels;
        }
        options.onProgress?.(totals.customers);
        cursor = customers.nextCursor;
      } while (cursor !== null);
      return totals;
    },
  };

  /** Rules as they apply to this tenant: firings, facts, explanations and backtests. */
  readonly rules = {
    /** Recorded firings, newest first, each with its actions' outcomes. */
    firings: async (filter: RuleFiringFilter = {}, page?: Partial<PageRequest>): Promise<Page<RuleFiring>> =>
      this.reader().listRuleFirings(filter, pageRequest(page)),
    /** The facts rules would see for an interaction, customer or conversation, as stored now. */
    facts: async (subject: Partial<RuleSubject>, event = 'interaction.received'): Promise<RuleFacts> =>
      loadFacts(this.reader(), this.subject(subject), { name: event, at: this.deps.clock.now() }),
    /**
     * Explains a rule in force against the stored facts of an interaction (or customer), with
     * the customer's history for aggregates, as of the interaction's time (or now, if later).
     */
    explain: async (
      ruleId: string,
      subject: Partial<RuleSubject>,
      event = 'interaction.received',
    ): Promise<RuleExplanation> => {
      const set = this.deps.ruleSet();
      const reader = this.reader();
      const now = this.deps.clock.now();
      const facts = await loadFacts(reader, this.subject(subject), { name: event, at: now });
      const rule = set.get(ruleId);
      const windowMs = rule ? rule.historyMs : -1;
      // As the rules stage does: an interaction is judged as of when it happened.
      const at = Math.min(now.getTime(), facts.interaction?.occurredAt.getTime() ?? Number.POSITIVE_INFINITY);
      const history =
        windowMs >= 0 && facts.customer
          ? await loadHistory(reader, facts.customer.id, at, windowMs)
          : undefined;
      return set.explain(ruleId, facts, { now: at, history });
    },
    /**
     * Replays this tenant's stored interactions (oldest first, within `from`/`to`) through the
     * rules in force or `rules`, as a dry run, and reports per rule how often it would have
     * fired and on what. Nothing is written.
     */
    backtest: async (options: StoreBacktestOptions = {}): Promise<BacktestReport> => {
      const set = options.rules === undefined ? this.deps.ruleSet() : this.deps.compileRules(options.rules);
      const range: TimeRange = {};
      if (options.from) range.from = options.from;
      if (options.to) range.to = options.to;
      return backtest(set, storeReplay(this.reader(), range), options);
    },
  };

  /** Segment membership. */
  readonly segments = {
    /** Members of a segment, by customer id, paged. */
    members: async (segment: string, page?: Partial<PageRequest>) =>
      this.reader().segmentMembers(segment, pageRequest(page)),
    /** Segment ids of a customer. */
    of: async (customerId: string): Promise<string[]> =>
      (await this.reader().segmentsOf([customerId])).map((m) => m.segment),
  };

  private subject(subject: Partial<RuleSubject>): RuleSubject {
    const full = {
      customerId: subject.customerId ?? null,
      conversationId: subject.conversationId ?? null,
      interactionId: subject.interactionId ?? null,
    };
    if (!full.customerId && !full.conversationId && !full.interactionId) {
      throw new RapportError('RAPPORT_INVALID_INPUT', 'Say what the facts are about', {
        hint: 'give `interactionId`, `customerId` or `conversationId`',
      });
    }
    return full;
  }

  private requireCapability(name: keyof StorageCapabilities): void {
    if (!this.deps.capabilities()[name]) {
      throw new RapportError('RAPPORT_MISSING_CAPABILITY', `The store does not support ${name}`, {
        hint: `use a storage plugin with the \`${name}\` capability`,
      });
    }
  }

  /** Publishes one event of an operation that has committed. */
  private publish<K extends RapportEventName>(name: K, payload: RapportEvents[K]): void {
    const events = new PendingEvents(this.deps.emitter);
    events.add(name, () => payload);
    events.flush();
  }
}
