import { newId } from '../../domain/ids.js';
import type { InteractionInput } from '../../domain/interaction.js';
import type { OutboxAttempt, OutboxMessage, OutboxPayload } from '../../domain/outbox.js';
import type { Tenant } from '../../domain/tenant.js';
import { RapportError } from '../../errors/rapport-error.js';
import type { RapportEventEmitter } from '../../events/events.js';
import type { IngestBatchResult } from '../../ingest/results.js';
import type { ChannelErrorKind, OutboundMessage, SendResult } from '../../plugins/channel.js';
import type { Clock, Logger, MaybePromise } from '../../plugins/plugin.js';
import type { StorageReader, UnitOfWork } from '../../plugins/storage.js';
import type { ChannelHost } from '../channels/channel-host.js';
import { asChannelError } from '../channels/channel-host.js';
import { realSleep, type Sleep } from '../channels/rate-budget.js';
import { type BackoffOptions, retryDelayMs } from './backoff.js';

/** Options of the outbox (`createRapport({ outbox })`). */
export interface OutboxOptions {
  /** How often due messages are looked for, in ms (default 1000). 0: only `outbox.run()` sends. */
  pollMs?: number;
  /** Attempts before a message fails for good (default 8). */
  maxAttempts?: number;
  /** Back-off between attempts. */
  backoff?: BackoffOptions;
  /** How long a sender holds a claimed message before another may take it over, in ms (default 60 000). */
  leaseMs?: number;
  /** How the sender waits (a fake in tests). */
  sleep?: Sleep;
}

/** What to queue. */
export interface OutboxRequest {
  tenantId: string;
  channel: string;
  account: string;
  conversationId: string | null;
  customerId: string | null;
  author: string | null;
  payload: OutboxPayload;
  /** Reuse to make a repeated request queue (and send) once; a new id by default. */
  idempotencyKey?: string;
}

/** What the sender needs from the runtime. */
export interface OutboxSenderDeps {
  host(): ChannelHost | null;
  read(tenantId: string): StorageReader;
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  listTenants(): MaybePromise<Tenant[]>;
  ingest(tenantId: string, items: readonly unknown[]): Promise<IngestBatchResult>;
  emitter: RapportEventEmitter;
  clock: Clock;
  logger: Logger;
  options: OutboxOptions;
}

/** Errors after which the channel surely did not send: retrying is safe (or pointless). */
const NOT_SENT: ReadonlySet<ChannelErrorKind> = new Set([
  'rate-limited',
  'auth',
  'config',
  'permanent',
  'policy',
]);
/** Of those, the ones a later attempt may get past. */
const RETRY_LATER: ReadonlySet<ChannelErrorKind> = new Set(['rate-limited']);
/** Failures kept on a message (the oldest are dropped). */
const MAX_ERRORS = 20;

/**
 * The durable outbox: replies are stored first (`pending`), then claimed under a lease
 * (`sending`), sent with one idempotency key for every attempt, and recorded `sent` with the
 * channel's id, `failed` for good, or `unknown` when an attempt ended ambiguously. An unknown
 * message (or one whose sender died mid-attempt) is reconciled with the channel before any
 * retry, so a crash never sends twice and never loses the reply.
 */
export class OutboxSender {
  private interval: ReturnType<typeof setInterval> | null = null;
  private running: Promise<number> | null = null;
  private readonly sleep: Sleep;

  constructor(private readonly deps: OutboxSenderDeps) {
    this.sleep = deps.options.sleep ?? realSleep;
  }

  start(): void {
    const pollMs = this.deps.options.pollMs ?? 1000;
    if (pollMs <= 0) return;
    this.interval = setInterval(() => {
      if (this.running === null) void this.pass();
    }, pollMs);
    this.interval.unref?.();
    // Messages left behind by a previous run (pending, or claimed by a sender that died) go now.
    void this.pass();
  }

  async stop(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    await this.running?.catch(() => 0);
  }

  /** Queues a reply; a repeated idempotency key returns the message already queued. */
  async enqueue(request: OutboxRequest): Promise<OutboxMessage> {
    const now = this.deps.clock.now();
    const message: OutboxMessage = {
      id: newId(),
      tenantId: request.tenantId,
      idempotencyKey: request.idempotencyKey ?? newId(),
      channel: request.channel,
      account: request.account,
      conversationId: request.conversationId,
      customerId: request.customerId,
      author: request.author,
      payload: request.payload,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      errors: [],
      externalId: null,
      sentAt: null,
      createdAt: now,
      updatedAt: now,
    };
    const stored = await this.deps.unitOfWork(request.tenantId, async (uow) => {
      const { skipped } = await uow.insertOutbox([message]);
      if (skipped.length === 0) return message;
      const [existing] = await uow.findOutboxByKey([message.idempotencyKey]);
      return existing ?? message;
    });
    if (stored === message && this.deps.emitter.wants('reply.queued'))
      this.deps.emitter.emit('reply.queued', { tenantId: request.tenantId, message: stored });
    if (this.interval) void this.kick();
    return stored;
  }

  /** Sends every due message now, in every tenant; resolves to how many reached a final state. */
  async run(): Promise<number> {
    await this.running?.catch(() => 0);
    return this.pass();
  }

  /** Starts a pass soon unless one is running: a new message need not wait for the next tick. */
  private async kick(): Promise<void> {
    await Promise.resolve();
    if (this.running === null) void this.pass();
  }

  private pass(): Promise<number> {
    const run = this.sendDue().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async sendDue(): Promise<number> {
    let done = 0;
    let tenants: Tenant[];
    try {
      tenants = await this.deps.listTenants();
    } catch (cause) {
      this.deps.emitter.report(
        new RapportError('RAPPORT_STORAGE_FAILED', 'Could not list tenants for the outbox', { cause }),
      );
      return 0;
    }
    for (const tenant of tenants) {
      for (;;) {
        const now = this.deps.clock.now();
        const due = await this.deps.read(tenant.id).dueOutbox(now, 50);
        if (due.length === 0) break;
        const lease = new Date(now.getTime() + (this.deps.options.leaseMs ?? 60_000));
        const claimed = new Set(
          await this.deps.unitOfWork(tenant.id, async (uow) =>
            uow.claimOutbox(
              due.map((m) => m.id),
              now,
              lease,
            ),
          ),
        );
        for (const message of due) {
          if (!claimed.has(message.id)) continue;
          try {
            if (await this.attempt(message)) done++;
          } catch (cause) {
            this.deps.emitter.report(
              new RapportError(
                'RAPPORT_PLUGIN_FAILED',
                `Outbox message ${message.id} could not be processed`,
                { cause },
              ),
            );
          }
        }
        // Everything claimed is now in a later state; unclaimed ones belong to another sender.
        if (claimed.size === 0) break;
      }
    }
    return done;
  }

  /**
   * One attempt at a claimed message (`message` is as it was before the claim). Resolves true
   * when it reached a final state (sent or failed).
   */
  private async attempt(message: OutboxMessage): Promise<boolean> {
    const attempts = message.attempts + 1;
    const route = this.deps.host()?.connectionFor(message.channel, message.account) ?? null;
    const send = route?.connection.send?.bind(route.connection);
    if (!route || !send) {
      return this.finish(message, attempts, {
        state: 'failed',
        error: this.attemptError(
          'config',
          `No started channel can send as ${message.channel}:${message.account}`,
        ),
      });
    }
    const { plugin, connection, budget } = route;
    const outbound: OutboundMessage = {
      idempotencyKey: message.idempotencyKey,
      account: message.account,
      ...message.payload,
    };
    // The last attempt may have reached the channel: ask before sending again.
    const ambiguous = message.state === 'sending' || message.state === 'unknown';
    if (ambiguous) {
      if (connection.reconcile) {
        try {
          await budget.take();
          const found = await connection.reconcile(outbound);
          if (found) return this.sent(message, attempts, found);
        } catch (error) {
          return this.retryOrFail(message, attempts, asChannelError({ plugin }, error), 'unknown');
        }
      } else if (!plugin.capabilities.nativeIdempotency) {
        // Neither deduplicated by the channel nor findable: resending could send twice.
        return this.finish(message, attempts, {
          state: 'failed',
          error: this.attemptError(
            'unknown',
            'The last attempt may have been sent, and the channel can neither deduplicate nor reconcile; check the channel before sending again',
          ),
        });
      }
    }
    let result: SendResult;
    try {
      await budget.take();
      result = await send(outbound);
    } catch (error) {
      const channelError = asChannelError({ plugin }, error);
      return this.retryOrFail(
        message,
        attempts,
        channelError,
        NOT_SENT.has(channelError.kind) ? 'pending' : 'unknown',
      );
    }
    return this.sent(message, attempts, result);
  }

  private async retryOrFail(
    message: OutboxMessage,
    attempts: number,
    error: { kind: ChannelErrorKind; message: string; code: string; retryAfterMs?: number | undefined },
    retryState: 'pending' | 'unknown',
  ): Promise<boolean> {
    const recorded = this.attemptError(
      retryState === 'unknown' ? 'unknown' : error.kind,
      error.message,
      error.code,
    );
    const retryable = retryState === 'unknown' || RETRY_LATER.has(error.kind) || error.kind === 'transient';
    const maxAttempts = this.deps.options.maxAttempts ?? 8;
    if (!retryable || attempts >= maxAttempts) {
      return this.finish(message, attempts, { state: 'failed', error: recorded });
    }
    const delay = retryDelayMs(attempts, this.deps.options.backoff, error.retryAfterMs);
    return this.finish(message, attempts, {
      state: retryState,
      error: recorded,
      nextAttemptAt: new Date(this.deps.clock.now().getTime() + delay),
    });
  }

  /**
   * Records a sent message: first the reply as an outbound interaction (deduplicated by the
   * channel's id, so a reconciled retry stores it once and the channel reading it back later
   * is a no-op), then the outbox state.
   */
  private async sent(message: OutboxMessage, attempts: number, result: SendResult): Promise<boolean> {
    const p = message.payload;
    const interaction: InteractionInput = {
      channel: message.channel,
      account: message.account,
      externalId: result.externalId,
      direction: 'outbound',
      kind: p.inReplyTo ? 'reply' : 'message',
      text: p.text,
      occurredAt: result.sentAt,
      actor: { externalId: message.account },
      recipient: { externalId: p.to.externalId, ...(p.to.handle ? { handle: p.to.handle } : {}) },
      ...(p.thread ? { thread: p.thread } : {}),
      ...(p.inReplyTo ? { parent: p.inReplyTo } : {}),
      metadata: { outboxId: message.id, ...(message.author ? { author: message.author } : {}) },
    };
    const stored = await this.deps.ingest(message.tenantId, [interaction]);
    const rejected = stored.results.find((r) => r.status === 'rejected');
    if (rejected) {
      this.deps.logger.warn('a sent reply could not be stored as an interaction', {
        outboxId: message.id,
        error: JSON.stringify(rejected),
      });
    }
    return this.finish(message, attempts, {
      state: 'sent',
      externalId: result.externalId,
      sentAt: result.sentAt,
    });
  }

  private async finish(
    message: OutboxMessage,
    attempts: number,
    change: {
      state: OutboxMessage['state'];
      error?: OutboxAttempt;
      nextAttemptAt?: Date;
      externalId?: string;
      sentAt?: Date;
    },
  ): Promise<boolean> {
    const now = this.deps.clock.now();
    const updated: OutboxMessage = {
      ...message,
      state: change.state,
      attempts,
      leaseUntil: null,
      nextAttemptAt: change.nextAttemptAt ?? now,
      errors: change.error ? [...message.errors, change.error].slice(-MAX_ERRORS) : message.errors,
      externalId: change.externalId ?? message.externalId,
      sentAt: change.sentAt ?? message.sentAt,
      updatedAt: now,
    };
    await this.deps.unitOfWork(message.tenantId, async (uow) => uow.updateOutbox([updated]));
    const final = updated.state === 'sent' || updated.state === 'failed';
    if (updated.state === 'sent' && this.deps.emitter.wants('reply.sent'))
      this.deps.emitter.emit('reply.sent', { tenantId: message.tenantId, message: updated });
    if (updated.state === 'failed' && this.deps.emitter.wants('reply.failed'))
      this.deps.emitter.emit('reply.failed', { tenantId: message.tenantId, message: updated });
    if (!final && updated.state === 'pending') void this.wake(updated.nextAttemptAt);
    return final;
  }

  /** With the poller running, a retry due before its next tick is still picked up on time. */
  private async wake(at: Date): Promise<void> {
    if (!this.interval) return;
    await this.sleep(Math.max(0, at.getTime() - this.deps.clock.now().getTime()));
    if (this.interval && this.running === null) void this.pass();
  }

  private attemptError(kind: string, message: string, code = 'RAPPORT_CHANNEL_ERROR'): OutboxAttempt {
    return { at: this.deps.clock.now(), kind, code, message };
  }
}
