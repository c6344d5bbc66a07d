import { type CaseState, newCase } from '../../domain/case.js';
import type { Conversation } from '../../domain/conversation.js';
import { newId } from '../../domain/ids.js';
import type { RuleActionOutcome, RuleFiring, RuleTimer } from '../../domain/rule-records.js';
import type { Score } from '../../domain/score.js';
import { isRapportError, RapportError } from '../../errors/rapport-error.js';
import { PendingEvents, type RapportEventEmitter } from '../../events/events.js';
import type { Logger } from '../../plugins/plugin.js';
import type { UnitOfWork } from '../../plugins/storage.js';
import { conflictKey, type PreparedAction, renderTemplate } from '../../rules/actions.js';
import type { CustomerFacts, RuleFacts } from '../../rules/facts.js';
import type { CompiledRule } from '../../rules/rule-set.js';
import { signWebhook, webhookTimestamp } from '../../webhooks/sign.js';

/** The model every `awardPoints` score carries. */
export const POINTS_MODEL = { id: 'rapport.rules.points', version: '1' } as const;

/** What the executor needs from the runtime. */
export interface ExecutorDeps {
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  emitter: RapportEventEmitter;
  logger: Logger;
  fetch: typeof fetch;
}

/** A follow-up event a firing caused (segment, case or custom), to trigger further rules. */
export interface CausedEvent {
  name: string;
  extra: Record<string, unknown>;
}

/** What one execution did. */
export interface Execution {
  firings: RuleFiring[];
  caused: CausedEvent[];
}

/** Thrown inside the unit of work when the timer being fired was already fired (and deleted) elsewhere. */
export class TimerTaken extends Error {
  constructor(readonly timerId: string) {
    super(`timer ${timerId} was fired by another process`);
  }
}

/** Options of a staging: timers to start, and the timer that fired (deleted in the same unit of work). */
export interface StageOptions {
  firedTimer?: RuleTimer;
  timers?: RuleTimer[];
}

/** What a staging wrote, waiting for the commit to be finished. */
export interface Staged {
  events: PendingEvents;
  firings: RuleFiring[];
  after: AfterCommit[];
  caused: CausedEvent[];
}

interface AfterCommit {
  firing: RuleFiring;
  rule: CompiledRule;
  action: PreparedAction;
  outcome: RuleActionOutcome;
}

/** Working copies the store actions change, written once at the end of the unit of work. */
class Changes {
  customerChanged = false;
  caseChanged = false;
  readonly segmentsAdded = new Set<string>();
  readonly segmentsRemoved = new Set<string>();
  points = 0;
  pointsAwarded = false;

  constructor(
    readonly customer: CustomerFacts | null,
    readonly conversation: Conversation | null,
  ) {}
}

function failure(error: unknown): { code: string; message: string } {
  return isRapportError(error)
    ? { code: error.code, message: error.message }
    : { code: 'RAPPORT_RULE_ACTION_FAILED', message: error instanceof Error ? error.message : String(error) };
}

/** A JSON-safe copy of an attribute value (dates become ISO strings). */
function attributeValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** The facts a webhook or plugin receives, without the heavy parts. */
function summary(facts: RuleFacts) {
  return {
    event: facts.event,
    customerId: facts.customer?.id ?? null,
    interactionId: facts.interaction?.id ?? null,
    conversationId: facts.conversation?.id ?? null,
  };
}

/**
 * Runs the actions of fired rules. Store actions (tags, segments, attributes, case fields,
 * points) and the firing records are written in one unit of work, with the timer that fired when
 * there is one: all or nothing. Actions that reach outside (reply, emit, webhook, plugin actions)
 * run after the commit and their outcomes are written back to the firing records.
 */
export class RuleExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  async execute(
    tenantId: string,
    fired: readonly CompiledRule[],
    facts: RuleFacts,
    trigger: string,
    now: Date,
    options: StageOptions = {},
  ): Promise<Execution> {
    const staged = await this.deps.unitOfWork(tenantId, (uow) =>
      this.stage(uow, tenantId, fired, facts, trigger, now, options),
    );
    return this.finish(tenantId, staged, facts, now);
  }

  /**
   * The part of an execution inside a unit of work: plans the actions, writes the store actions,
   * the firing records and the timers. Several stagings may share one unit of work (the rules of
   * one bus message); each is then finished after the commit.
   */
  async stage(
    uow: UnitOfWork,
    tenantId: string,
    fired: readonly CompiledRule[],
    facts: RuleFacts,
    trigger: string,
    now: Date,
    options: StageOptions = {},
  ): Promise<Staged> {
    const changes = new Changes(
      facts.customer
        ? { ...facts.customer, tags: [...facts.customer.tags], attributes: { ...facts.customer.attributes } }
        : null,
      facts.conversation
        ? { ...facts.conversation, case: facts.conversation.case ? { ...facts.conversation.case } : null }
        : null,
    );
    const events = new PendingEvents(this.deps.emitter);
    const caused: CausedEvent[] = [];
    const firings: RuleFiring[] = [];
    const after: AfterCommit[] = [];
    const claimed = new Map<string, string>();

    for (const rule of fired) {
      const firing: RuleFiring = {
        id: newId(),
        tenantId,
        ruleId: rule.id,
        ruleVersion: rule.version,
        trigger,
        customerId: facts.customer?.id ?? null,
        conversationId: facts.conversation?.id ?? null,
        interactionId: facts.interaction?.id ?? null,
        actions: [],
        firedAt: now,
      };
      firings.push(firing);
      for (const action of rule.actions) {
        const outcome: RuleActionOutcome = { index: action.index, type: action.type, status: 'applied' };
        firing.actions.push(outcome);
        const key = conflictKey(action);
        if (key !== null) {
          const effect = JSON.stringify(action.options);
          const owner = claimed.get(key);
          // Same effect twice is no conflict; a different one loses to the higher-priority rule.
          if (owner !== undefined && owner !== effect) {
            outcome.status = 'overridden';
            outcome.detail = `a higher-priority rule already decided ${key}`;
            continue;
          }
          claimed.set(key, effect);
        }
        if (action.phase === 'after-commit') {
          outcome.status = 'pending';
          after.push({ firing, rule, action, outcome });
          continue;
        }
        try {
          const skipped = this.applyStoreAction(action, facts, changes, outcome, caused, rule, now);
          if (skipped !== undefined) {
            outcome.status = 'skipped';
            outcome.detail = skipped;
          }
        } catch (error) {
          outcome.status = 'failed';
          outcome.error = failure(error);
        }
      }
    }

    // Claim the timer before writing anything: if another process fired it, nothing is written.
    if (options.firedTimer && (await uow.deleteTimers([options.firedTimer.id])).length === 0) {
      throw new TimerTaken(options.firedTimer.id);
    }
    await this.writeChanges(uow, tenantId, changes, now, events, caused, fired);
    if (firings.length > 0) await uow.insertRuleFirings(firings);
    if (options.timers && options.timers.length > 0) await uow.upsertTimers(options.timers);
    return { events, firings, after, caused };
  }

  /** After the commit: publishes events, runs the outside actions and records their outcomes. */
  async finish(tenantId: string, staged: Staged, facts: RuleFacts, now: Date): Promise<Execution> {
    const { events, firings, after, caused } = staged;
    events.flush();

    if (after.length > 0) {
      for (const item of after) await this.runAfterCommit(tenantId, item, facts, now, caused);
      await this.deps.unitOfWork(tenantId, async (uow) => {
        await uow.updateRuleFirings(
          [...new Set(after.map((a) => a.firing))].map((f) => ({ id: f.id, actions: f.actions })),
        );
      });
    }
    for (const firing of firings) {
      if (this.deps.emitter.wants('rule.fired')) this.deps.emitter.emit('rule.fired', { tenantId, firing });
      for (const outcome of firing.actions) {
        if (outcome.status === 'failed') {
          this.deps.emitter.report(
            new RapportError(
              'RAPPORT_RULE_ACTION_FAILED',
              `Rule "${firing.ruleId}" v${firing.ruleVersion}: action ${outcome.index} (${outcome.type}) failed: ${outcome.error?.message}`,
            ),
          );
        }
      }
    }
    return { firings, caused };
  }

  private applyStoreAction(
    action: PreparedAction,
    facts: RuleFacts,
    changes: Changes,
    outcome: RuleActionOutcome,
    caused: CausedEvent[],
    rule: CompiledRule,
    now: Date,
  ): string | undefined {
    const o = action.options;
    const customer = changes.customer;
    if (
      action.type === 'openCase' ||
      action.type === 'assignCase' ||
      action.type === 'setPriority' ||
      action.type === 'routeToQueue'
    ) {
      const conversation = changes.conversation;
      if (!conversation) return 'no conversation to act on';
      const current = conversation.case;
      const open = current !== null && current.status !== 'resolved' && current.status !== 'closed';
      if (action.type === 'openCase') {
        if (open) return 'a case is already open';
        conversation.case = newCase(now, {
          priority: o.priority as CaseState['priority'] | undefined,
          queue: (o.queue as string | undefined) ?? null,
          openedBy: `rule:${rule.id}`,
          openingInteractionId: facts.interaction?.id ?? null,
        });
        changes.caseChanged = true;
        caused.push({ name: 'case.opened', extra: { conversationId: conversation.id, ruleId: rule.id } });
        return;
      }
      if (!open || !current) return 'no open case';
      if (action.type === 'assignCase') current.assignee = String(o.assignee);
      if (action.type === 'setPriority') current.priority = o.priority as CaseState['priority'];
      if (action.type === 'routeToQueue') current.queue = String(o.queue);
      current.updatedAt = now;
      changes.caseChanged = true;
      caused.push({ name: 'case.updated', extra: { conversationId: conversation.id, ruleId: rule.id } });
      return;
    }
    if (!customer) return 'no customer to act on';
    switch (action.type) {
      case 'tag': {
        const tag = String(o.tag);
        if (customer.tags.includes(tag)) return 'already tagged';
        customer.tags.push(tag);
        changes.customerChanged = true;
        return;
      }
      case 'untag': {
        const at = customer.tags.indexOf(String(o.tag));
        if (at < 0) return 'not tagged';
        customer.tags.splice(at, 1);
        changes.customerChanged = true;
        return;
      }
      case 'setAttribute': {
        const value = action.valueRef ? action.valueRef(facts) : o.value;
        customer.attributes[String(o.name)] = attributeValue(value);
        changes.customerChanged = true;
        return;
      }
      case 'addToSegment': {
        const segment = String(o.segment);
        if (customer.segments.includes(segment)) return 'already a member';
        customer.segments.push(segment);
        changes.segmentsAdded.add(segment);
        changes.segmentsRemoved.delete(segment);
        caused.push({ name: 'segment.entered', extra: { segment, ruleId: rule.id } });
        return;
      }
      case 'removeFromSegment': {
        const segment = String(o.segment);
        const at = customer.segments.indexOf(segment);
        if (at < 0) return 'not a member';
        customer.segments.splice(at, 1);
        changes.segmentsRemoved.add(segment);
        changes.segmentsAdded.delete(segment);
        caused.push({ name: 'segment.left', extra: { segment, ruleId: rule.id } });
        return;
      }
      case 'awardPoints': {
        changes.points += Number(o.points);
        changes.pointsAwarded = true;
        outcome.detail = `${Number(o.points) >= 0 ? '+' : ''}${o.points} points`;
        return;
      }
      default:
        throw new RapportError('RAPPORT_RULE_ACTION_FAILED', `No store action "${action.type}"`);
    }
  }

  private async writeChanges(
    uow: UnitOfWork,
    tenantId: string,
    changes: Changes,
    now: Date,
    events: PendingEvents,
    caused: CausedEvent[],
    fired: readonly CompiledRule[],
  ): Promise<void> {
    const customer = changes.customer;
    if (customer && changes.customerChanged) {
      const { segments: _s, scores: _sc, consent: _c, ...record } = customer;
      await uow.updateCustomers([{ ...record, updatedAt: now }]);
    }
    if (customer && changes.segmentsAdded.size > 0) {
      const source = `rule:${fired.map((r) => `${r.id}@${r.version}`).join(',')}`;
      await uow.addSegmentMembers(
        [...changes.segmentsAdded].map((segment) => ({
          tenantId,
          segment,
          customerId: customer.id,
          addedAt: now,
          source,
        })),
      );
    }
    if (customer) {
      for (const segment of changes.segmentsRemoved) await uow.removeSegmentMembers(segment, [customer.id]);
    }
    const conversation = changes.conversation;
    if (conversation && changes.caseChanged) {
      await uow.updateConversationCases([{ id: conversation.id, case: conversation.case }]);
    }
    if (customer && changes.pointsAwarded) {
      const previous = customer.scores.points ?? 0;
      const score: Score = {
        tenantId,
        customerId: customer.id,
        name: 'points',
        value: previous + changes.points,
        model: { ...POINTS_MODEL },
        computedAt: now,
      };
      await uow.insertScores([score]);
      events.add('score.recorded', () => ({ tenantId, score }));
      if (score.value !== previous) {
        events.add('score.changed', () => ({ tenantId, score, previous: customer.scores.points ?? null }));
        caused.push({
          name: 'score.changed',
          extra: { score: { name: 'points', value: score.value, previous } },
        });
      }
    }
    for (const c of caused) {
      const customerId = customer?.id ?? null;
      if (c.name === 'segment.entered' || c.name === 'segment.left') {
        const name = c.name;
        events.add(name, () => ({
          tenantId,
          customerId: customerId!,
          segment: String(c.extra.segment),
          ruleId: String(c.extra.ruleId),
        }));
      } else if ((c.name === 'case.opened' || c.name === 'case.updated') && conversation?.case) {
        const name = c.name;
        const state = conversation.case;
        events.add(name, () => ({
          tenantId,
          conversation: { ...conversation, case: state },
          ruleId: String(c.extra.ruleId),
        }));
      }
    }
  }

  private async runAfterCommit(
    tenantId: string,
    item: AfterCommit,
    facts: RuleFacts,
    now: Date,
    caused: CausedEvent[],
  ): Promise<void> {
    const { action, outcome, rule } = item;
    const o = action.options;
    try {
      if (action.type === 'emit') {
        const name = String(o.event);
        const payload = (o.payload as Record<string, unknown> | undefined) ?? {};
        this.deps.emitter.emit('rule.event', { tenantId, name, payload, ruleId: rule.id, ...summary(facts) });
        caused.push({ name: `custom:${name}`, extra: { payload, ruleId: rule.id } });
        outcome.status = 'applied';
      } else if (action.type === 'webhook') {
        outcome.detail = await this.webhook(tenantId, item, facts, now);
        outcome.status = 'applied';
      } else if (action.type === 'reply') {
        this.reply(tenantId, item, facts);
      } else if (action.plugin) {
        const detail = await action.plugin.definition.run(action.plugin.options, {
          tenantId,
          rule: { id: rule.id, version: rule.version },
          facts,
          now,
          logger: this.deps.logger,
        });
        outcome.status = 'applied';
        if (typeof detail === 'string') outcome.detail = detail;
      }
    } catch (error) {
      outcome.status = 'failed';
      outcome.error = failure(error);
    }
  }

  /**
   * Asks for a reply on the channel the interaction came from. Sending belongs to the outbox
   * (idempotent, retried); the rule checks consent and preferences, renders the template and
   * publishes `reply.requested` with an idempotency key stable for this rule version and item.
   */
  private reply(tenantId: string, item: AfterCommit, facts: RuleFacts): void {
    const { action, outcome, rule } = item;
    const interaction = facts.interaction;
    if (!interaction || !facts.customer) {
      outcome.status = 'skipped';
      outcome.detail = 'no interaction to reply to';
      return;
    }
    const purpose = String(action.options.purpose ?? 'support');
    const consent = facts.customer.consent[purpose];
    if (consent === 'denied' || consent === 'revoked') {
      outcome.status = 'suppressed';
      outcome.detail = `consent for "${purpose}" on ${interaction.channel} is ${consent}`;
      return;
    }
    const paused = facts.customer.attributes.contactPaused;
    if (paused === true) {
      outcome.status = 'suppressed';
      outcome.detail = 'the customer paused contact (attributes.contactPaused)';
      return;
    }
    const text = renderTemplate(action.template ?? [], facts);
    this.deps.emitter.emit('reply.requested', {
      tenantId,
      channel: interaction.channel,
      customerId: facts.customer.id,
      conversationId: interaction.conversationId,
      ruleId: rule.id,
      message: {
        idempotencyKey: `rule:${rule.id}:${rule.version}:${interaction.id}:${action.index}`,
        account: interaction.account,
        to: {
          externalId: interaction.actorExternalId,
          ...(interaction.actorHandle ? { handle: interaction.actorHandle } : {}),
        },
        inReplyTo: interaction.externalId,
        ...(interaction.thread ? { thread: interaction.thread } : {}),
        text,
      },
    });
    outcome.status = 'applied';
    outcome.detail = 'reply requested';
  }

  /** Posts the firing as JSON, signed Standard Webhooks style when the action has a secret. */
  private async webhook(tenantId: string, item: AfterCommit, facts: RuleFacts, now: Date): Promise<string> {
    const { action, rule, firing } = item;
    const o = action.options as {
      url: string;
      secret?: string;
      headers?: Record<string, string>;
      timeoutMs?: number;
    };
    const id = `${firing.id}.${action.index}`;
    const body = JSON.stringify({
      type: 'rule.fired',
      id,
      tenantId,
      rule: { id: rule.id, version: rule.version, name: rule.name },
      firedAt: now.toISOString(),
      ...summary(facts),
    });
    const timestamp = webhookTimestamp(now);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      ...o.headers,
    };
    if (o.secret) {
      // The rule's secret is keyed as its UTF-8 bytes, as it always was, even when it starts with
      // `whsec_`: decoding it now would change the signature receivers already check.
      headers['webhook-signature'] = signWebhook({ id, timestamp: now, body }, Buffer.from(o.secret, 'utf8'));
    }
    const response = await this.deps.fetch(o.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) {
      throw new RapportError('RAPPORT_RULE_ACTION_FAILED', `webhook ${o.url} answered ${response.status}`, {
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    return `HTTP ${response.status}`;
  }
}
