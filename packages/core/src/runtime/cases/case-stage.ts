import type { Bus } from '../../bus/bus.js';
import { INTERACTIONS_STORED_TOPIC, type InteractionsStoredMessage } from '../../bus/bus.js';
import { type Assignment, pickAgent } from '../../cases/assignment.js';
import { caseOnAgentReply, caseOnCustomerMessage } from '../../cases/lifecycle.js';
import {
  nextSlaDeadlines,
  type SlaPolicy,
  selectSlaPolicy,
  slaBreach,
  slaOnAgentReply,
  slaOnCustomerMessage,
  slaOnReopened,
  startSla,
} from '../../cases/sla-policy.js';
import {
  type CaseState,
  isCaseOpen,
  newCase,
  OPEN_CASE_STATUSES,
  type SlaTarget,
} from '../../domain/case.js';
import type { Conversation } from '../../domain/conversation.js';
import type { Interaction } from '../../domain/interaction.js';
import type { RuleTimer } from '../../domain/rule-records.js';
import { isRapportError, RapportError } from '../../errors/rapport-error.js';
import { PendingEvents, type RapportEventEmitter } from '../../events/events.js';
import type { Clock } from '../../plugins/plugin.js';
import type { Page, StorageReader, UnitOfWork } from '../../plugins/storage.js';
import type { RuleSet } from '../../rules/rule-set.js';

/** Timers of SLA targets carry this in place of a rule id; the rules stage hands them over. */
export const SLA_TIMER_RULE = '@sla';

/** Where assignment keeps its round-robin position (channel state is the core's small key-value store). */
const ASSIGNMENT_SCOPE = '@cases:assignment';

/** How cases open, are held to SLAs and are assigned (validated by the runtime). */
export interface CasesConfig {
  /** Rules deciding which inbound interactions open a case; null: only rules and the API open cases. */
  openRules: RuleSet | null;
  policies: readonly SlaPolicy[];
  /** Assignment per queue (`*` for any queue, and for cases without one). */
  assignment: Readonly<Record<string, Assignment>>;
}

/** What the stage needs from the runtime. */
export interface CaseStageDeps {
  bus: Bus;
  emitter: RapportEventEmitter;
  clock: Clock;
  read(tenantId: string): StorageReader;
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  config: CasesConfig;
}

/** A case change waiting for the commit, to be announced after it. */
type Announce = (events: PendingEvents, tenantId: string) => void;

/**
 * Keeps cases in step with their conversations: opens a case for an interaction the open rules
 * pick, reopens a resolved one when the customer writes again, records first and next responses
 * when an agent's reply is stored, holds cases to their SLA policy with timers kept in storage
 * (so breaches fire on time and survive restarts), and assigns new cases.
 *
 * Interactions are taken in the order they occurred, and their times (not the wall clock) drive
 * the case, so an imported history yields the same cases and response times as live traffic.
 */
export class CaseStage {
  private readonly stops: Array<() => void> = [];

  constructor(private readonly deps: CaseStageDeps) {}

  start(): void {
    this.stops.push(
      this.deps.bus.subscribe<InteractionsStoredMessage>(INTERACTIONS_STORED_TOPIC, ({ payload }) =>
        this.guard(payload.tenantId, () => this.onStored(payload)),
      ),
    );
    // Cases opened by rules or the API get their SLA and assignee here.
    const onOpened = (p: { tenantId: string; conversation: Conversation; ruleId?: string }) => {
      if (p.ruleId !== undefined)
        void this.guard(p.tenantId, () => this.prepareOpened(p.tenantId, p.conversation.id));
    };
    this.deps.emitter.on('case.opened', onOpened);
    this.stops.push(() => this.deps.emitter.off('case.opened', onOpened));
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  /** Fires an SLA timer: records the breach if the target is still unmet. False when another process took it. */
  async fireTimer(tenantId: string, timer: RuleTimer): Promise<boolean> {
    const target = timer.subject.event.replace(/^sla\./, '') as SlaTarget;
    const events = new PendingEvents(this.deps.emitter);
    const fired = await this.deps.unitOfWork(tenantId, async (uow) => {
      const [taken] = await uow.deleteTimers([timer.id]);
      if (taken === undefined) return false;
      const conversation = timer.subject.conversationId
        ? await uow.getConversation(timer.subject.conversationId)
        : null;
      const state = conversation?.case;
      if (!conversation || !state?.sla) return true;
      const breached = slaBreach(state, target, timer.dueAt);
      if (breached === state || sameClocks(breached, state)) return true;
      const updated = { ...conversation, case: breached };
      await uow.updateConversationCases([{ id: conversation.id, case: breached }]);
      events.add('case.sla.breached', () => ({
        tenantId,
        conversation: updated,
        target,
        dueAt: timer.dueAt,
      }));
      return true;
    });
    events.flush();
    return fired;
  }

  private async guard(tenantId: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (cause) {
      this.deps.emitter.report(
        isRapportError(cause)
          ? cause
          : new RapportError('RAPPORT_PLUGIN_FAILED', `Cases failed for tenant "${tenantId}"`, { cause }),
      );
    }
  }

  private async onStored(message: InteractionsStoredMessage): Promise<void> {
    const { tenantId } = message;
    const events = new PendingEvents(this.deps.emitter);
    await this.deps.unitOfWork(tenantId, async (uow) => {
      const interactions = (await uow.getInteractions(message.interactionIds)).filter(
        (i) => i.conversationId,
      );
      interactions.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : 1));
      const conversations = new Map<string, Conversation>();
      const changed = new Set<string>();
      const announce: Announce[] = [];
      const assigned = new Map<string, number>();
      for (const interaction of interactions) {
        const id = interaction.conversationId!;
        let conversation = conversations.get(id);
        if (!conversation) {
          const loaded = await uow.getConversation(id);
          if (!loaded) continue;
          conversation = loaded;
          conversations.set(id, conversation);
        }
        const next = await this.apply(uow, conversation, interaction, announce, assigned);
        if (next !== conversation.case) {
          conversation.case = next;
          changed.add(id);
        }
      }
      if (changed.size === 0) return;
      const updates = [...changed].map((id) => conversations.get(id)!);
      await uow.updateConversationCases(updates.map((c) => ({ id: c.id, case: c.case })));
      for (const c of updates) await this.scheduleSla(uow, tenantId, c);
      for (const a of announce) a(events, tenantId);
    });
    events.flush();
  }

  /** The case after one interaction (the same object when nothing changed). */
  private async apply(
    uow: UnitOfWork,
    conversation: Conversation,
    interaction: Interaction,
    announce: Announce[],
    assigned: Map<string, number>,
  ): Promise<CaseState | null> {
    const state = conversation.case;
    // Already taken into account (a replay of history got to it first).
    if (state?.appliedThrough && interaction.id <= state.appliedThrough) return state;
    const at = interaction.occurredAt;
    const earlierOpener =
      state !== null && at < state.openedAt && this.openingRule(conversation, interaction) !== null;
    const earlierReply =
      state !== null &&
      interaction.direction === 'outbound' &&
      at >= state.openedAt &&
      state.firstResponseAt !== null &&
      at < state.firstResponseAt;
    if (state && (earlierOpener || earlierReply) && this.rebuildable(state)) {
      // History arriving out of order (an import not sorted by time): a case the rules keep on
      // their own is rebuilt from the conversation's stored history, as if it had come in order.
      return this.rebuild(uow, conversation, state);
    }
    if (state && at < state.openedAt) return withApplied(state, interaction);
    if (state && state.status !== 'closed') {
      const next = this.step(conversation, state, interaction, announce);
      return next === state ? withApplied(state, interaction) : next;
    }
    const opening = this.openingRule(conversation, interaction);
    if (!opening) return state;
    const opened = await this.prepare(
      uow,
      conversation,
      newCase(at, {
        priority: opening.priority,
        queue: opening.queue,
        openedBy: `rule:${opening.ruleId}`,
        openingInteractionId: interaction.id,
      }),
      assigned,
    );
    // What was stored after the opening message before this case opened (history arriving
    // out of order) counts for it too.
    const caught = await this.replay(uow, conversation, opened);
    announce.push((events, t) =>
      events.add('case.opened', () => ({ tenantId: t, conversation: { ...conversation, case: caught } })),
    );
    return caught;
  }

  /** One interaction on an existing case: an agent reply, or a customer message. */
  private step(
    conversation: Conversation,
    state: CaseState,
    interaction: Interaction,
    announce?: Announce[],
  ): CaseState {
    const at = interaction.occurredAt;
    if (interaction.direction === 'outbound') {
      if (!isCaseOpen(state)) return state;
      let next = caseOnAgentReply(state, at);
      if (next.sla) next = slaOnAgentReply(next, at);
      if (next.status !== state.status)
        announce?.push(statusChanged(conversation, state.status, next, false));
      return withApplied(next, interaction);
    }
    const outcome = caseOnCustomerMessage(state, at);
    if (outcome.state === null) return state;
    let next = outcome.state;
    const policy = this.policyOf(next);
    if (policy)
      next = outcome.reopened ? slaOnReopened(next, policy, at) : slaOnCustomerMessage(next, policy, at);
    if (next.status !== state.status)
      announce?.push(statusChanged(conversation, state.status, next, outcome.reopened));
    return withApplied(next, interaction);
  }

  /**
   * A case the rules opened and only traffic has moved (new or open: pending, resolved and
   * closed are an agent's doing): safe to rebuild from history.
   */
  private rebuildable(state: CaseState): boolean {
    return (
      state.openedBy?.startsWith('rule:') === true &&
      state.reopenCount === 0 &&
      (state.status === 'new' || state.status === 'open')
    );
  }

  /** The case as it would be had the conversation's stored history come in time order. */
  private rebuild(uow: UnitOfWork, conversation: Conversation, state: CaseState): Promise<CaseState> {
    return this.replay(uow, conversation, this.restart(state, state.openedAt, state.openingInteractionId));
  }

  /** The case opened afresh at `at` by `openerId`, keeping how it was routed and its SLA policy. */
  private restart(state: CaseState, at: Date, openerId: string | null): CaseState {
    const fresh = newCase(at, {
      priority: state.priority,
      queue: state.queue,
      assignee: state.assignee,
      openedBy: state.openedBy,
      openingInteractionId: openerId,
    });
    const policy = this.policyOf(state);
    return policy ? startSla(policy, fresh, at) : fresh;
  }

  /**
   * Applies the conversation's stored interactions to a case the rules just opened (or are
   * rebuilding): it opens at the earliest stored message the open rules pick, every later
   * interaction counts in time order, and everything stored so far is marked as taken into
   * account. History that arrived out of order thus gives the case it would have had in order.
   */
  private async replay(uow: UnitOfWork, conversation: Conversation, state: CaseState): Promise<CaseState> {
    const history: Interaction[] = [];
    let newest = state.appliedThrough ?? '';
    let cursor: string | null = null;
    do {
      const page: Page<Interaction> = await uow.conversationInteractions(conversation.id, {
        limit: 500,
        cursor,
      });
      for (const i of page.items) {
        if (i.id > newest) newest = i.id;
        history.push(i);
      }
      cursor = page.nextCursor;
    } while (cursor);
    let next = state;
    const earliest = history.find(
      (i) => i.occurredAt < state.openedAt && this.openingRule(conversation, i) !== null,
    );
    if (earliest) next = this.restart(state, earliest.occurredAt, earliest.id);
    for (const i of history) {
      if (i.id !== next.openingInteractionId && i.occurredAt >= next.openedAt)
        next = this.step(conversation, next, i);
    }
    return { ...next, appliedThrough: newest || null };
  }

  /** The first open rule matching the interaction, with its `openCase` options. */
  private openingRule(
    conversation: Conversation,
    interaction: Interaction,
  ): { ruleId: string; priority?: CaseState['priority']; queue: string | null } | null {
    const rules = this.deps.config.openRules;
    if (!rules) return null;
    const facts = {
      event: { name: 'interaction.received', at: interaction.occurredAt },
      interaction: {
        ...interaction,
        score: Object.fromEntries(interaction.scores.map((s) => [s.name, s.value])),
      },
      conversation,
    };
    for (const rule of rules.match('interaction.received', facts, interaction.occurredAt.getTime())) {
      const action = rule.actions.find((a) => a.type === 'openCase');
      if (!action) continue;
      const o = action.options as { priority?: CaseState['priority']; queue?: string };
      return { ruleId: rule.id, priority: o.priority, queue: o.queue ?? null };
    }
    return null;
  }

  /**
   * A new case's SLA and assignee. `assigned` counts cases assigned earlier in the same unit of
   * work, which the store's counts do not show yet.
   */
  async prepare(
    uow: UnitOfWork,
    conversation: Conversation,
    state: CaseState,
    assigned: Map<string, number> = new Map(),
  ): Promise<CaseState> {
    let next = state;
    const policy = selectSlaPolicy(this.deps.config.policies, {
      priority: next.priority,
      channel: conversation.channel,
      queue: next.queue,
    });
    if (policy && !next.sla) next = startSla(policy, next, next.openedAt);
    if (next.assignee === null) {
      const assignee = await this.assign(uow, next.queue, assigned);
      if (assignee) {
        next = { ...next, assignee };
        assigned.set(assignee, (assigned.get(assignee) ?? 0) + 1);
      }
    }
    return next;
  }

  private async prepareOpened(tenantId: string, conversationId: string): Promise<void> {
    await this.deps.unitOfWork(tenantId, async (uow) => {
      const conversation = await uow.getConversation(conversationId);
      const state = conversation?.case;
      if (!conversation || !isCaseOpen(state) || (state.sla && state.assignee)) return;
      const next = await this.prepare(uow, conversation, state);
      if (next === state) return;
      conversation.case = next;
      await uow.updateConversationCases([{ id: conversation.id, case: next }]);
      await this.scheduleSla(uow, tenantId, conversation);
    });
  }

  private async assign(
    uow: UnitOfWork,
    queue: string | null,
    assigned: Map<string, number>,
  ): Promise<string | null> {
    const key = queue ?? '*';
    const assignment = this.deps.config.assignment[key] ?? this.deps.config.assignment['*'];
    if (!assignment) return null;
    const stateKey = `last:${key}`;
    const lastAssigned = (await uow.getChannelState(ASSIGNMENT_SCOPE, [stateKey]))[stateKey] ?? null;
    const openCounts: Record<string, number> = {};
    if (assignment.strategy === 'capacity') {
      for (const agent of assignment.agents)
        openCounts[agent] = (await countOpen(uow, agent)) + (assigned.get(agent) ?? 0);
    }
    const agent = pickAgent(assignment, { lastAssigned, openCounts });
    if (agent) await uow.setChannelState(ASSIGNMENT_SCOPE, { [stateKey]: agent });
    return agent;
  }

  /** The SLA policy a case is held to, if it is still configured. */
  policyOf(state: CaseState): SlaPolicy | null {
    if (!state.sla) return null;
    return this.deps.config.policies.find((p) => p.id === state.sla!.policyId) ?? null;
  }

  /** One timer per running SLA clock (replaced as the clock moves); finished clocks lose theirs. */
  async scheduleSla(uow: UnitOfWork, tenantId: string, conversation: Conversation): Promise<void> {
    const state = conversation.case;
    const running = new Map(state?.sla ? nextSlaDeadlines(state).map((d) => [d.target, d.dueAt]) : []);
    const gone: string[] = [];
    const timers: RuleTimer[] = [];
    const now = this.deps.clock.now();
    for (const target of ['firstResponse', 'nextResponse', 'resolution'] as const) {
      const id = slaTimerId(conversation.id, target);
      const dueAt = running.get(target);
      if (!dueAt) {
        gone.push(id);
        continue;
      }
      timers.push({
        id,
        tenantId,
        key: id,
        ruleId: SLA_TIMER_RULE,
        ruleVersion: 0,
        dueAt,
        subject: {
          event: `sla.${target}`,
          customerId: conversation.customerId,
          conversationId: conversation.id,
          interactionId: null,
          at: state!.openedAt,
        },
        createdAt: now,
      });
    }
    if (gone.length > 0) await uow.deleteTimers(gone);
    if (timers.length > 0) await uow.upsertTimers(timers);
  }
}

/** The timer id (and key) of a conversation's SLA target: fixed, so it is replaced, not duplicated. */
export function slaTimerId(conversationId: string, target: SlaTarget): string {
  return `sla:${conversationId}:${target}`;
}

async function countOpen(uow: UnitOfWork, agent: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page = await uow.listConversations(
      { assignee: agent, caseStatus: OPEN_CASE_STATUSES },
      { limit: 500, cursor },
    );
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

function statusChanged(
  conversation: Conversation,
  from: string,
  next: CaseState,
  reopened: boolean,
): Announce {
  return (events, tenantId) =>
    events.add('case.status.changed', () => ({
      tenantId,
      conversation: { ...conversation, case: next },
      from,
      to: next.status,
      reopened,
    }));
}

function sameClocks(a: CaseState, b: CaseState): boolean {
  return JSON.stringify(a.sla) === JSON.stringify(b.sla);
}

/** The case marked as having taken the interaction into account. */
function withApplied(state: CaseState, interaction: Interaction): CaseState {
  if (state.appliedThrough !== null && interaction.id <= state.appliedThrough) return state;
  return { ...state, appliedThrough: interaction.id };
}
