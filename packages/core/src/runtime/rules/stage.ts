import type { Bus } from '../../bus/bus.js';
import { INTERACTIONS_STORED_TOPIC, type InteractionsStoredMessage } from '../../bus/bus.js';
import { newId } from '../../domain/ids.js';
import type { RuleTimer } from '../../domain/rule-records.js';
import type { Tenant } from '../../domain/tenant.js';
import { isRapportError, RapportError } from '../../errors/rapport-error.js';
import type { RapportEventEmitter, RapportEventName, RapportEvents } from '../../events/events.js';
import type { Clock, MaybePromise } from '../../plugins/plugin.js';
import type { StorageReader, UnitOfWork } from '../../plugins/storage.js';
import type { RuleFacts } from '../../rules/facts.js';
import type { CompiledRule, RuleSet } from '../../rules/rule-set.js';
import { CoalescingQueue } from '../coalescing-queue.js';
import { type CausedEvent, type RuleExecutor, type Staged, TimerTaken } from './executor.js';
import { loadFacts, loadHistory, type RuleSubject } from './facts-loader.js';

/** Bus topic carrying rule triggers other than stored interactions, partitioned by customer. */
export const RULES_TRIGGERED_TOPIC = 'rules.triggered';

/** Rules triggering rules (emit → custom trigger → emit…) stop at this depth. */
export const MAX_RULE_DEPTH = 8;

/** Payload of {@link RULES_TRIGGERED_TOPIC}. */
export interface RuleTriggerMessage {
  tenantId: string;
  event: string;
  /** When the event happened (epoch ms). */
  at: number;
  subject: RuleSubject;
  extra: Record<string, unknown>;
  /** How many rule firings led here (0: an event from outside the rule engine). */
  depth: number;
}

/** What one event's evaluation found: the rules that fired and the timers it starts. */
interface Evaluation {
  fired: readonly CompiledRule[];
  facts: RuleFacts;
  event: string;
  now: Date;
  timers: RuleTimer[];
}

/** What the rules stage needs from the runtime. */
export interface RulesStageDeps {
  ruleSet(): RuleSet;
  bus: Bus;
  emitter: RapportEventEmitter;
  clock: Clock;
  read(tenantId: string): StorageReader;
  listTenants(): MaybePromise<Tenant[]>;
  executor: RuleExecutor;
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  timerPollMs: number;
  /**
   * Timers that belong to other stages, by the reserved rule id they carry (starting with `@`,
   * which rule ids cannot): the handler fires the timer and says whether it did.
   */
  timerHandlers?: ReadonlyMap<string, (tenantId: string, timer: RuleTimer) => Promise<boolean>>;
}

/** Core events that may trigger rules, and how to find their subject. */
const listened: {
  [K in RapportEventName]?: (payload: RapportEvents[K]) => RuleSubject & { extra?: Record<string, unknown> };
} = {
  'interaction.updated': (p) => ({
    customerId: p.interaction.customerId,
    conversationId: p.interaction.conversationId,
    interactionId: p.interaction.id,
    extra: { previousVersion: p.previousVersion },
  }),
  'customer.created': (p) => ({ customerId: p.customer.id, conversationId: null, interactionId: null }),
  'customer.merged': (p) => ({
    customerId: p.merge.survivorId,
    conversationId: null,
    interactionId: null,
    extra: { mergeId: p.merge.id, absorbedId: p.merge.absorbedId },
  }),
  'identity.linked': (p) => ({
    customerId: p.customerId,
    conversationId: null,
    interactionId: null,
    extra: { identity: { channel: p.identity.channel, externalId: p.identity.externalId }, reason: p.reason },
  }),
  'conversation.started': (p) => ({
    customerId: p.conversation.customerId,
    conversationId: p.conversation.id,
    interactionId: null,
  }),
  'consent.recorded': (p) => ({
    customerId: p.consent.customerId,
    conversationId: null,
    interactionId: null,
    extra: { purpose: p.consent.purpose, channel: p.consent.channel, status: p.consent.status },
  }),
  'score.changed': (p) => ({
    customerId: p.score.customerId,
    conversationId: null,
    interactionId: null,
    extra: {
      score: { name: p.score.name, value: p.score.value, previous: p.previous, model: p.score.model.id },
    },
  }),
  'level.changed': (p) => ({
    customerId: p.customerId,
    conversationId: null,
    interactionId: null,
    extra: {
      level: {
        score: p.score,
        from: p.from?.name ?? null,
        to: p.to.name,
        index: p.to.index,
        value: p.value,
        previousValue: p.previousValue,
      },
    },
  }),
  'segment.entered': (p) => ({
    customerId: p.customerId,
    conversationId: null,
    interactionId: null,
    extra: { segment: p.segment },
  }),
  'segment.left': (p) => ({
    customerId: p.customerId,
    conversationId: null,
    interactionId: null,
    extra: { segment: p.segment },
  }),
  'case.opened': (p) => ({
    customerId: p.conversation.customerId,
    conversationId: p.conversation.id,
    interactionId: null,
  }),
  'case.updated': (p) => ({
    customerId: p.conversation.customerId,
    conversationId: p.conversation.id,
    interactionId: null,
  }),
};

/**
 * Runs rules: on stored interactions (after scoring, so scores are fresh), on core events, on
 * events rules cause (with a depth limit), and on timers kept in storage.
 */
export class RulesStage {
  private readonly stops: Array<() => void> = [];
  private unsubscribeStored: (() => void) | null = null;
  private readonly eventListeners = new Map<RapportEventName, () => void>();
  private readonly storedQueues = new Map<string, CoalescingQueue<InteractionsStoredMessage>>();
  private interval: ReturnType<typeof setInterval> | null = null;
  private timerRun: Promise<number> | null = null;

  constructor(private readonly deps: RulesStageDeps) {}

  start(): void {
    const { bus } = this.deps;
    this.refresh();
    this.stops.push(
      () => this.unsubscribeStored?.(),
      bus.subscribe<RuleTriggerMessage>(RULES_TRIGGERED_TOPIC, ({ payload }) =>
        this.guard(payload.tenantId, () => this.handle(payload)),
      ),
    );
    this.stops.push(() => {
      for (const off of this.eventListeners.values()) off();
      this.eventListeners.clear();
    });
    if (this.deps.timerPollMs > 0) {
      this.interval = setInterval(() => {
        if (this.timerRun === null) void this.pass();
      }, this.deps.timerPollMs);
      this.interval.unref?.();
      // Timers that fell due while nothing ran (a restart) fire now.
      void this.pass();
    }
  }

  /**
   * Follows the rule set: stored interactions are only handed to the stage while some rule
   * listens to `interaction.received`, so an app without such rules pays nothing on ingest.
   * Called at start and whenever the rules are replaced.
   */
  refresh(): void {
    // Core events: listened to only while some rule wants them. A listener makes the emitter
    // build payloads it would otherwise skip (`wants()`), which ingest would pay for every item.
    for (const [name, subjectOf] of Object.entries(listened) as Array<
      [RapportEventName, (p: unknown) => RuleSubject & { extra?: Record<string, unknown> }]
    >) {
      const on = this.listens(name);
      const off = this.eventListeners.get(name);
      if (on && !off) this.eventListeners.set(name, this.listenTo(name, subjectOf));
      else if (!on && off) {
        off();
        this.eventListeners.delete(name);
      }
    }
    const wanted = this.listens('interaction.received');
    if (wanted && !this.unsubscribeStored) {
      this.unsubscribeStored = this.deps.bus.subscribe<InteractionsStoredMessage>(
        INTERACTIONS_STORED_TOPIC,
        ({ payload }) => this.storedQueue(payload.tenantId).enqueue(payload),
      );
    } else if (!wanted && this.unsubscribeStored) {
      this.unsubscribeStored();
      this.unsubscribeStored = null;
    }
  }

  async stop(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    for (const stop of this.stops.splice(0)) stop();
    await this.timerRun;
  }

  /**
   * Fires every timer due now, in every tenant, after any pass already running. Resolves to how
   * many fired (their conditions held).
   */
  async runTimers(): Promise<number> {
    await this.timerRun?.catch(() => 0);
    return this.pass();
  }

  /** One pass over due timers; the scheduler skips a tick while one is running. */
  private pass(): Promise<number> {
    const run = this.fireDueTimers().finally(() => {
      if (this.timerRun === run) this.timerRun = null;
    });
    this.timerRun = run;
    return run;
  }

  private listens(event: string): boolean {
    const set = this.deps.ruleSet();
    return set.eventRules(event).length > 0 || set.timerRules(event).length > 0;
  }

  private async publish(messages: RuleTriggerMessage[]): Promise<void> {
    try {
      await this.deps.bus.publish(
        RULES_TRIGGERED_TOPIC,
        messages.map((m) => ({
          key: m.subject.customerId ?? m.subject.conversationId ?? m.tenantId,
          payload: m,
        })),
      );
    } catch (cause) {
      this.deps.emitter.report(
        new RapportError('RAPPORT_PLUGIN_FAILED', 'Could not hand a rule trigger to the bus', { cause }),
      );
    }
  }

  private async guard(tenantId: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (cause) {
      this.deps.emitter.report(
        isRapportError(cause)
          ? cause
          : new RapportError('RAPPORT_PLUGIN_FAILED', `Rules failed for tenant "${tenantId}"`, { cause }),
      );
    }
  }

  private async withHistory(
    reader: StorageReader,
    rules: readonly CompiledRule[],
    facts: RuleFacts,
    now: number,
  ) {
    const windowMs = this.deps.ruleSet().historyMs(rules);
    if (windowMs < 0 || !facts.customer) return undefined;
    return loadHistory(reader, facts.customer.id, now, windowMs);
  }

  /** Evaluates the rules of one event: starts its timers and runs the event rules that match. */
  private async handle(message: RuleTriggerMessage): Promise<void> {
    if (!this.wanted(message)) return;
    const evaluation = await this.evaluate(this.deps.read(message.tenantId), message);
    if (!evaluation) return;
    const { fired, facts, event, now, timers } = evaluation;
    const execution = await this.deps.executor.execute(message.tenantId, fired, facts, event, now, {
      timers,
    });
    await this.follow(message, facts, execution.caused, now);
  }

  /**
   * Stored interactions are evaluated and their actions written in one unit of work per group:
   * the bus messages (one per customer) that arrived while the previous group was being written.
   * Reads inside it see the earlier interactions' writes, in arrival order, so one customer's
   * interactions are judged in order; the store commits once per group instead of once per
   * interaction. Should that unit of work fail, each message is retried in its own, and then
   * each interaction, so one bad item cannot hold back the others.
   */
  private async handleStoredGroup(tenantId: string, payloads: InteractionsStoredMessage[]): Promise<void> {
    const messages = payloads.flatMap((payload) =>
      payload.interactionIds.map(
        (interactionId): RuleTriggerMessage => ({
          tenantId,
          event: 'interaction.received',
          at: Number.NaN,
          subject: { customerId: payload.customerId, conversationId: null, interactionId },
          extra: {},
          depth: 0,
        }),
      ),
    );
    if (messages.length === 0 || !this.wanted(messages[0]!)) return;
    if (await this.stageTogether(tenantId, messages)) return;
    if (payloads.length > 1) {
      for (const payload of payloads) await this.handleStoredGroup(tenantId, [payload]);
      return;
    }
    for (const message of messages) await this.guard(tenantId, () => this.handle(message));
  }

  /** Evaluates and writes messages in one unit of work, then finishes each; false if the unit of work failed. */
  private async stageTogether(tenantId: string, messages: RuleTriggerMessage[]): Promise<boolean> {
    type Done = { message: RuleTriggerMessage; evaluation: Evaluation; staged: Staged };
    let done: Done[];
    try {
      done = await this.deps.unitOfWork(tenantId, async (uow) => {
        const out: Done[] = [];
        for (const message of messages) {
          const evaluation = await this.evaluate(uow, message);
          if (!evaluation) continue;
          const { fired, facts, event, now, timers } = evaluation;
          out.push({
            message,
            evaluation,
            staged: await this.deps.executor.stage(uow, tenantId, fired, facts, event, now, { timers }),
          });
        }
        return out;
      });
    } catch {
      return false;
    }
    for (const { message, evaluation, staged } of done) {
      await this.guard(tenantId, async () => {
        const execution = await this.deps.executor.finish(tenantId, staged, evaluation.facts, evaluation.now);
        await this.follow(message, evaluation.facts, execution.caused, evaluation.now);
      });
    }
    return true;
  }

  /** Triggers rules on a core event; returns the function that stops listening. */
  private listenTo(
    name: RapportEventName,
    subjectOf: (p: unknown) => RuleSubject & { extra?: Record<string, unknown> },
  ): () => void {
    const emitter = this.deps.emitter;
    const listener = (payload: unknown) => {
      // Events a rule caused are triggered by the stage itself, with their depth.
      if ((payload as { ruleId?: string }).ruleId !== undefined) return;
      const { extra = {}, ...subject } = subjectOf(payload);
      const tenantId = (payload as { tenantId: string }).tenantId;
      void this.publish([
        { tenantId, event: name, at: this.deps.clock.now().getTime(), subject, extra, depth: 0 },
      ]);
    };
    (emitter.on as (n: string, l: (p: unknown) => void) => void)(name, listener);
    return () => (emitter.off as (n: string, l: (p: unknown) => void) => void)(name, listener);
  }

  /** The queue that groups a tenant's stored-interaction messages into units of work. */
  private storedQueue(tenantId: string): CoalescingQueue<InteractionsStoredMessage> {
    let queue = this.storedQueues.get(tenantId);
    if (!queue) {
      queue = new CoalescingQueue((payloads) =>
        this.guard(tenantId, () => this.handleStoredGroup(tenantId, payloads)),
      );
      this.storedQueues.set(tenantId, queue);
    }
    return queue;
  }

  /** True when some rule listens to the message's event and the chain is not too deep (reported). */
  private wanted(message: RuleTriggerMessage): boolean {
    if (!this.listens(message.event)) return false;
    if (message.depth <= MAX_RULE_DEPTH) return true;
    this.deps.emitter.report(
      new RapportError(
        'RAPPORT_RULE_LOOP',
        `Rules triggered each other ${message.depth} times in a row on "${message.event}"`,
      ),
    );
    return false;
  }

  /**
   * Loads the facts of one event through `reader` (a unit of work sees its own writes), works
   * out the timers it starts and the event rules that match. Null when nothing is to be done.
   */
  private async evaluate(reader: StorageReader, message: RuleTriggerMessage): Promise<Evaluation | null> {
    const set = this.deps.ruleSet();
    const eventRules = set.eventRules(message.event);
    const timerRules = set.timerRules(message.event);
    const now = this.deps.clock.now();
    const at = Number.isNaN(message.at) ? now.getTime() : message.at;
    const facts = await loadFacts(reader, message.subject, {
      name: message.event,
      at: new Date(at),
      ...message.extra,
    });
    // An interaction's clock starts when it occurred, so "90 days without a message" counts from the message.
    const startedAt = facts.interaction?.occurredAt.getTime() ?? at;
    const timers = timerRules.flatMap((rule) => this.timerFor(message, rule, facts, startedAt, now));
    // Backfilled interactions are judged as of when they happened, as a backtest would judge them:
    // "3 messages in the last hour" means the hour before that message, not before the import.
    const evaluatedAt = Math.min(
      now.getTime(),
      facts.interaction?.occurredAt.getTime() ?? Number.POSITIVE_INFINITY,
    );
    const history =
      eventRules.length > 0 ? await this.withHistory(reader, eventRules, facts, evaluatedAt) : undefined;
    const fired = set.match(message.event, facts, evaluatedAt, history);
    if (fired.length === 0 && timers.length === 0) return null;
    return { fired, facts, event: message.event, now, timers };
  }

  /** Triggers the rules of events the firings caused, one level deeper. */
  private async follow(
    message: { tenantId: string; depth: number },
    facts: RuleFacts,
    caused: CausedEvent[],
    now: Date,
  ) {
    if (caused.length === 0) return;
    const subject: RuleSubject = {
      customerId: facts.customer?.id ?? null,
      conversationId: facts.conversation?.id ?? null,
      interactionId: facts.interaction?.id ?? null,
    };
    const set = this.deps.ruleSet();
    const wanted = caused.filter(
      (c) => set.eventRules(c.name).length > 0 || set.timerRules(c.name).length > 0,
    );
    if (wanted.length === 0) return;
    await this.publish(
      wanted.map((c) => {
        const { ruleId: _ruleId, ...extra } = c.extra;
        return {
          tenantId: message.tenantId,
          event: c.name,
          at: now.getTime(),
          subject,
          extra,
          depth: message.depth + 1,
        };
      }),
    );
  }

  private timerFor(
    message: RuleTriggerMessage,
    rule: CompiledRule,
    facts: RuleFacts,
    startedAt: number,
    now: Date,
  ): RuleTimer[] {
    const trigger = rule.trigger;
    if (trigger.kind !== 'timer') return [];
    if (trigger.inboundOnly && facts.interaction?.direction !== 'inbound') return [];
    const subject = {
      event: message.event,
      customerId: facts.customer?.id ?? message.subject.customerId,
      conversationId: facts.conversation?.id ?? message.subject.conversationId,
      interactionId: facts.interaction?.id ?? message.subject.interactionId,
      at: new Date(startedAt),
    };
    let key: string;
    if (trigger.per === 'customer') {
      if (!subject.customerId) return [];
      key = `${rule.id}:customer:${subject.customerId}`;
    } else if (trigger.per === 'conversation') {
      if (!subject.conversationId) return [];
      key = `${rule.id}:conversation:${subject.conversationId}`;
    } else {
      key = `${rule.id}:${message.event}:${subject.interactionId ?? subject.conversationId ?? subject.customerId ?? newId()}`;
    }
    return [
      {
        id: newId(),
        tenantId: message.tenantId,
        key,
        ruleId: rule.id,
        ruleVersion: rule.version,
        dueAt: new Date(trigger.delay.after(startedAt)),
        subject,
        createdAt: now,
      },
    ];
  }

  private async fireDueTimers(): Promise<number> {
    let fired = 0;
    let tenants: Tenant[];
    try {
      tenants = await this.deps.listTenants();
    } catch (cause) {
      this.deps.emitter.report(
        isRapportError(cause)
          ? cause
          : new RapportError('RAPPORT_STORAGE_FAILED', 'Could not list tenants for timers', { cause }),
      );
      return 0;
    }
    for (const tenant of tenants) {
      await this.guard(tenant.id, async () => {
        for (;;) {
          const now = this.deps.clock.now();
          const due = await this.deps.read(tenant.id).dueTimers(now, 100);
          for (const timer of due) if (await this.fireTimer(tenant.id, timer)) fired++;
          if (due.length < 100) break;
        }
      });
    }
    return fired;
  }

  /**
   * Fires one due timer: evaluates its rule against the facts of now and removes the timer
   * either way. The timer is claimed in the same unit of work as the actions, so with several
   * processes polling one store it fires once: the others find it gone and write nothing.
   */
  private async fireTimer(tenantId: string, timer: RuleTimer): Promise<boolean> {
    const handler = this.deps.timerHandlers?.get(timer.ruleId);
    if (handler) return handler(tenantId, timer);
    const rule = this.deps.ruleSet().get(timer.ruleId);
    const now = this.deps.clock.now();
    try {
      if (!rule?.enabled || rule.trigger.kind !== 'timer') {
        // The rule was removed, disabled or changed to another trigger since the timer started.
        await this.deps.executor.execute(tenantId, [], {}, `timer:${timer.subject.event}`, now, {
          firedTimer: timer,
        });
        return false;
      }
      const reader = this.deps.read(tenantId);
      const { event, at, ...ids } = timer.subject;
      const facts = await loadFacts(reader, ids, { name: `timer:${event}`, at: timer.dueAt, startedAt: at });
      const history = await this.withHistory(reader, [rule], facts, now.getTime());
      const passed = rule.test(facts, now.getTime(), history);
      const execution = await this.deps.executor.execute(
        tenantId,
        passed ? [rule] : [],
        facts,
        `timer:${event}`,
        now,
        {
          firedTimer: timer,
        },
      );
      await this.follow({ tenantId, depth: 1 }, facts, execution.caused, now);
      return passed;
    } catch (error) {
      if (error instanceof TimerTaken) return false;
      throw error;
    }
  }
}
