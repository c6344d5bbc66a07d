import EventEmitter from 'eventemitter3';
import type { SlaTarget } from '../domain/case.js';
import type { Consent } from '../domain/consent.js';
import type { Conversation } from '../domain/conversation.js';
import type { Customer } from '../domain/customer.js';
import type { Identity, LinkReason } from '../domain/identity.js';
import type { Interaction } from '../domain/interaction.js';
import type { MergeRecord } from '../domain/merge.js';
import type { OutboxMessage } from '../domain/outbox.js';
import type { RuleFiring } from '../domain/rule-records.js';
import type { Score, ScoreCause } from '../domain/score.js';
import { RapportError } from '../errors/rapport-error.js';
import type { OutboundMessage } from '../plugins/channel.js';
import { type Logger, silentLogger } from '../plugins/plugin.js';

/**
 * Every event Rapport publishes, by name (`entity.verb`) with its payload. Events are published
 * only after the unit of work that caused them has committed; listeners observe, they cannot veto.
 */
export interface RapportEvents {
  'interaction.received': { tenantId: string; interaction: Interaction };
  'interaction.updated': { tenantId: string; interaction: Interaction; previousVersion: number };
  'customer.created': { tenantId: string; customer: Customer };
  'customer.merged': { tenantId: string; merge: MergeRecord };
  'customer.unmerged': { tenantId: string; merge: MergeRecord };
  'customer.erased': { tenantId: string; customerId: string; actor: string };
  'identity.linked': { tenantId: string; identity: Identity; customerId: string; reason: LinkReason };
  'conversation.started': { tenantId: string; conversation: Conversation };
  'consent.recorded': { tenantId: string; consent: Consent };
  'score.recorded': { tenantId: string; score: Score };
  /** A score's value differs from the previous one of the same name (null: first value). */
  'score.changed': { tenantId: string; score: Score; previous: number | null };
  /**
   * A customer's score crossed into another configured level (`from` null: its first level).
   * `levelScore` is the level's entry in the score log; `cause` says what moved the score.
   */
  'level.changed': {
    tenantId: string;
    customerId: string;
    /** The score whose level changed (e.g. `engagement`). */
    score: string;
    from: { index: number; name: string } | null;
    to: { index: number; name: string };
    /** The score's value that placed the customer in `to`, and the one before it (null: none). */
    value: number;
    previousValue: number | null;
    levelScore: Score;
    cause: ScoreCause | null;
  };
  /** A customer joined a segment (`ruleId` when a rule did it). */
  'segment.entered': { tenantId: string; customerId: string; segment: string; ruleId?: string };
  'segment.left': { tenantId: string; customerId: string; segment: string; ruleId?: string };
  /** A case opened on a conversation (`conversation.case` holds it). */
  'case.opened': { tenantId: string; conversation: Conversation; ruleId?: string };
  /** A case's priority, queue, assignee or status changed. */
  'case.updated': { tenantId: string; conversation: Conversation; ruleId?: string };
  /** A case's status changed (`reopened` when a customer reply reopened a resolved case). */
  'case.status.changed': {
    tenantId: string;
    conversation: Conversation;
    from: string;
    to: string;
    reopened: boolean;
  };
  /** An SLA target of a case passed its due time unmet (fired by a timer, on time). */
  'case.sla.breached': { tenantId: string; conversation: Conversation; target: SlaTarget; dueAt: Date };
  /** A reply was queued in the outbox. */
  'reply.queued': { tenantId: string; message: OutboxMessage };
  /** The channel accepted a reply (`message.externalId` is its id there). */
  'reply.sent': { tenantId: string; message: OutboxMessage };
  /** A reply failed for good (`message.errors` holds every attempt's failure). */
  'reply.failed': { tenantId: string; message: OutboxMessage };
  /** A channel stopped syncing after an error retrying cannot fix (auth, config, permanent). */
  'channel.failed': { tenantId: string; channel: string; account: string; error: RapportError };
  /** A rule fired; `firing` lists every action's outcome. */
  'rule.fired': { tenantId: string; firing: RuleFiring };
  /** A custom event from a rule's `emit` action. */
  'rule.event': {
    tenantId: string;
    name: string;
    payload: Record<string, unknown>;
    ruleId: string;
    event: unknown;
    customerId: string | null;
    interactionId: string | null;
    conversationId: string | null;
  };
  /**
   * A rule asks to reply on the channel an interaction came from, consent and preferences already
   * checked. Whatever delivers outbound messages listens for it; `message.idempotencyKey` makes a
   * repeated request send once.
   */
  'reply.requested': {
    tenantId: string;
    channel: string;
    customerId: string;
    conversationId: string | null;
    ruleId: string;
    message: OutboundMessage;
  };
  /** An item of a batch was rejected; the rest of the batch went on. */
  'ingest.rejected': { tenantId: string; index: number; error: RapportError };
  /** A failure outside any caller's reach (a bus handler, a listener). */
  error: { error: RapportError };
}

/** Name of a Rapport event. */
export type RapportEventName = keyof RapportEvents;

type Listeners = { [K in RapportEventName]: (payload: RapportEvents[K]) => void };

/** The typed event emitter of a Rapport instance (eventemitter3). */
export class RapportEventEmitter extends EventEmitter<Listeners> {
  /** @param logger - where failures go when nobody listens to `error`. */
  constructor(private readonly logger: Logger = silentLogger) {
    super();
  }

  /**
   * Reports a failure nobody's call can catch (a listener, a bus handler, a background stage): as
   * an `error` event when someone listens, else to the logger, so it is never lost silently.
   */
  report(error: RapportError): void {
    if (this.wants('error')) this.emit('error', { error });
    else this.logger.error(error.message, { code: error.code, plugin: error.plugin, cause: error.cause });
  }

  /** True when somebody listens, so publishers can skip building payloads nobody reads. */
  wants(name: RapportEventName): boolean {
    return this.listenerCount(name) > 0;
  }
}

/** Events collected during a unit of work, published in order after it commits. */
export class PendingEvents {
  private readonly queue: Array<{ name: RapportEventName; payload: unknown }> = [];

  constructor(private readonly emitter: RapportEventEmitter) {}

  /** Queues an event if anyone listens; `make` builds the payload lazily. */
  add<K extends RapportEventName>(name: K, make: () => RapportEvents[K]): void {
    if (this.emitter.wants(name)) this.queue.push({ name, payload: make() });
  }

  /** Publishes everything queued; a throwing listener is reported as an `error` event, not rethrown. */
  flush(): void {
    for (const { name, payload } of this.queue.splice(0)) {
      try {
        (this.emitter.emit as (n: string, p: unknown) => boolean)(name, payload);
      } catch (cause) {
        if (name !== 'error') this.emitter.report(listenerError(name, cause));
      }
    }
  }
}

function listenerError(name: string, cause: unknown): RapportError {
  return new RapportError('RAPPORT_PLUGIN_FAILED', `A listener of "${name}" threw`, {
    cause,
    hint: 'Listeners observe; handle errors inside them.',
  });
}
