import { RapportError } from '../../errors/rapport-error.js';
import type { RapportEventEmitter } from '../../events/events.js';
import type { IngestBatchResult } from '../../ingest/results.js';
import {
  type ChannelBatch,
  type ChannelConnection,
  ChannelError,
  type ChannelPlugin,
  type WebhookRequest,
} from '../../plugins/channel.js';
import { guardPlugin, pluginFailure } from '../../plugins/guard.js';
import type { Clock, Logger } from '../../plugins/plugin.js';
import type { StorageReader, UnitOfWork } from '../../plugins/storage.js';
import { type BackoffOptions, retryDelayMs } from '../outbox/backoff.js';
import { RateBudget, realSleep, type Sleep } from './rate-budget.js';

/** Options of the channel host (`createRapport({ channelHost })`). */
export interface ChannelHostOptions {
  /**
   * How often each channel with `read` is polled, in ms (default 60 000). 0 turns the loops
   * off: nothing is read unless you call `channels.sync()` (tests, cron-driven apps).
   */
  pollMs?: number;
  /** How far back every incremental read looks again, in ms, for late or edited items (default 1 h). */
  lookbackMs?: number;
  /** Back-off of failed reads. */
  backoff?: BackoffOptions;
  /** How the host waits (a fake in tests). */
  sleep?: Sleep;
}

/** What one sync of a channel did. */
export interface ChannelSyncReport {
  channel: string;
  account: string;
  batches: number;
  interactions: number;
  rejected: number;
  /** The committed cursor after the sync. */
  cursor: string | null;
}

/** How a channel is doing. */
export interface ChannelStatus {
  id: string;
  channel: string;
  account: string;
  state: 'starting' | 'idle' | 'syncing' | 'waiting' | 'failed' | 'stopped';
  lastSyncAt: Date | null;
  lastError: { kind: string; message: string; at: Date } | null;
}

/** The answer to give a webhook caller. */
export interface WebhookResponse {
  status: number;
  body: string;
}

/** What the host needs from the runtime. */
export interface ChannelHostDeps {
  channels: readonly ChannelPlugin[];
  tenantId: string;
  ingest(items: readonly unknown[]): Promise<IngestBatchResult>;
  read(tenantId: string): StorageReader;
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  emitter: RapportEventEmitter;
  clock: Clock;
  logger: Logger;
  options: ChannelHostOptions;
}

const CURSOR_KEY = 'cursor';

/** A started channel instance and its bookkeeping. */
interface Hosted {
  plugin: ChannelPlugin;
  connection: ChannelConnection;
  scope: string;
  budget: RateBudget;
  status: ChannelStatus;
  /** Syncs of one channel never overlap: the cursor has one writer. */
  running: Promise<ChannelSyncReport> | null;
  /** Consecutive failures, for the back-off. */
  failures: number;
}

/** The key-value scope of a channel instance: its plugin id and account. */
export function channelScope(plugin: Pick<ChannelPlugin, 'id' | 'account'>): string {
  return `${plugin.id}:${plugin.account}`;
}

/**
 * Runs channel plugins: starts them with host services, reads them in loops with back-off, a
 * rate budget and a lookback window, commits each cursor only after its batch is stored, keeps
 * long-lived subscriptions going, and takes webhooks (verify first, acknowledge fast, store
 * after). Sends go through the outbox, which asks the host for the connection.
 */
export class ChannelHost {
  private readonly hosted = new Map<string, Hosted>();
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly pendingWebhooks = new Set<Promise<void>>();
  private readonly sleep: Sleep;

  constructor(private readonly deps: ChannelHostDeps) {
    this.sleep = deps.options.sleep ?? realSleep;
    const ids = new Set<string>();
    for (const plugin of deps.channels) {
      const scope = channelScope(plugin);
      if (ids.has(scope)) {
        throw new RapportError('RAPPORT_INVALID_OPTIONS', `Two channel instances act as "${scope}"`, {
          path: ['channels'],
          hint: 'give each instance of a channel plugin its own account',
        });
      }
      ids.add(scope);
    }
  }

  /** Starts every channel: `init` with host services, then the read and subscribe loops. */
  async start(): Promise<void> {
    for (const plugin of this.deps.channels) {
      const connection = guardPlugin(
        'channel',
        plugin.id,
        await this.initPlugin(plugin),
      ) as ChannelConnection;
      // Read after init: a plugin may learn its account from the remote side (whose token it is).
      const scope = channelScope(plugin);
      const status: ChannelStatus = {
        id: plugin.id,
        channel: plugin.channel,
        account: plugin.account,
        state: 'starting',
        lastSyncAt: null,
        lastError: null,
      };
      const hosted: Hosted = {
        plugin,
        connection,
        scope,
        budget: new RateBudget(plugin.rateLimits, this.deps.clock, this.sleep),
        status,
        running: null,
        failures: 0,
      };
      status.state = 'idle';
      this.hosted.set(scope, hosted);
    }
    const pollMs = this.deps.options.pollMs ?? 60_000;
    for (const hosted of this.hosted.values()) {
      if (hosted.connection.read && pollMs > 0) this.loops.push(this.pollLoop(hosted, pollMs));
      if (hosted.connection.subscribe) this.loops.push(this.subscribeLoop(hosted));
    }
  }

  /** Stops the loops, lets accepted webhooks finish, and closes the connections. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
    await this.settle();
    for (const hosted of this.hosted.values()) {
      hosted.status.state = 'stopped';
      try {
        await hosted.connection.close?.();
      } catch (error) {
        this.deps.emitter.report(pluginFailure('channel', hosted.plugin.id, 'close', error));
      }
    }
  }

  /** Resolves when every accepted webhook has been stored. */
  async settle(): Promise<void> {
    while (this.pendingWebhooks.size > 0) await Promise.allSettled([...this.pendingWebhooks]);
  }

  /** The started connection acting as `account` on `channel`, for sends. */
  connectionFor(
    channel: string,
    account: string,
  ): { plugin: ChannelPlugin; connection: ChannelConnection; budget: RateBudget } | null {
    for (const h of this.hosted.values()) {
      if (h.plugin.channel === channel && h.plugin.account === account) return h;
    }
    return null;
  }

  /** How every channel is doing. */
  status(): ChannelStatus[] {
    return [...this.hosted.values()].map((h) => ({ ...h.status }));
  }

  /**
   * Reads a channel (or every channel with `read`) now, from its committed cursor, storing
   * each batch and then committing its cursor. Errors are thrown, typed (`ChannelError`).
   */
  async sync(id?: string): Promise<ChannelSyncReport[]> {
    const targets = [...this.hosted.values()].filter(
      (h) => h.connection.read && (id === undefined || h.plugin.id === id || h.scope === id),
    );
    if (id !== undefined && targets.length === 0) {
      throw new RapportError('RAPPORT_INVALID_INPUT', `No channel "${id}" that can read`, {
        path: ['id'],
        hint: `started channels: ${[...this.hosted.keys()].join(', ') || 'none'}`,
      });
    }
    const reports: ChannelSyncReport[] = [];
    for (const h of targets) reports.push(await this.syncOne(h));
    return reports;
  }

  /**
   * Takes a webhook for a channel: a handshake is answered, an unverified request is refused
   * with 401 and stores nothing, a verified one is acknowledged at once (202) and parsed and
   * stored afterwards (`settle()` waits for that).
   */
  async handleWebhook(id: string, request: WebhookRequest): Promise<WebhookResponse> {
    const h = [...this.hosted.values()].find((x) => x.plugin.id === id || x.scope === id);
    const webhook = h?.connection.webhook;
    if (!h || !webhook) return { status: 404, body: 'no such webhook channel' };
    const handshake = await webhook.handshake?.(request);
    if (handshake) return handshake;
    let verified = false;
    try {
      verified = await webhook.verify(request);
    } catch (error) {
      this.deps.logger.warn('webhook verification failed', { channel: h.scope, error: String(error) });
    }
    if (!verified) return { status: 401, body: 'signature not verified' };
    const work = (async () => {
      try {
        const items = await webhook.parse(request);
        if (items.length > 0) await this.store(h, items);
      } catch (error) {
        this.deps.emitter.report(pluginFailure('channel', h.plugin.id, 'webhook', error));
      }
    })();
    this.pendingWebhooks.add(work);
    void work.finally(() => this.pendingWebhooks.delete(work));
    return { status: 202, body: 'accepted' };
  }

  private async initPlugin(plugin: ChannelPlugin): Promise<ChannelConnection> {
    const { tenantId, read, unitOfWork, clock, logger } = this.deps;
    try {
      return await plugin.init({
        tenantId,
        clock,
        logger,
        signal: this.abort.signal,
        kv: {
          get: async (key) =>
            (await read(tenantId).getChannelState(channelScope(plugin), [key]))[key] ?? null,
          set: (key, value) =>
            unitOfWork(tenantId, async (uow) => uow.setChannelState(channelScope(plugin), { [key]: value })),
        },
      });
    } catch (error) {
      throw pluginFailure('channel', plugin.id, 'init', error);
    }
  }

  private syncOne(h: Hosted): Promise<ChannelSyncReport> {
    if (h.running) return h.running;
    const run = this.readAll(h).finally(() => {
      h.running = null;
    });
    h.running = run;
    return run;
  }

  /** One incremental read: from the committed cursor to the end, cursor committed after each batch. */
  private async readAll(h: Hosted): Promise<ChannelSyncReport> {
    const report: ChannelSyncReport = {
      channel: h.plugin.channel,
      account: h.plugin.account,
      batches: 0,
      interactions: 0,
      rejected: 0,
      cursor: null,
    };
    const { tenantId, read } = this.deps;
    let cursor = (await read(tenantId).getChannelState(h.scope, [CURSOR_KEY]))[CURSOR_KEY] ?? null;
    h.status.state = 'syncing';
    try {
      cursor = await this.consume(
        h,
        h.connection.read!({ cursor, lookbackMs: this.lookbackMs }),
        cursor,
        report,
      );
    } catch (error) {
      if (error instanceof ChannelError && error.kind === 'cursor-invalid') {
        // The channel no longer knows the cursor: start over from nothing, bounded by the lookback.
        this.deps.logger.warn('channel cursor invalid: re-reading the lookback window', { channel: h.scope });
        await this.commitCursor(h, null);
        cursor = await this.consume(
          h,
          h.connection.read!({ cursor: null, lookbackMs: this.lookbackMs }),
          null,
          report,
        );
      } else throw error;
    } finally {
      if (h.status.state === 'syncing') h.status.state = 'idle';
    }
    h.status.lastSyncAt = this.deps.clock.now();
    report.cursor = cursor;
    return report;
  }

  /** Stores each batch, then commits its cursor; the budget is taken before each batch is fetched. */
  private async consume(
    h: Hosted,
    batches: AsyncIterable<ChannelBatch>,
    cursor: string | null,
    report: ChannelSyncReport,
  ): Promise<string | null> {
    const iterator = batches[Symbol.asyncIterator]();
    try {
      for (;;) {
        await h.budget.take(this.abort.signal);
        if (this.abort.signal.aborted) return cursor;
        const next = await iterator.next();
        if (next.done) return cursor;
        const batch = next.value;
        if (batch.interactions.length > 0) {
          const stored = await this.store(h, batch.interactions);
          report.interactions += batch.interactions.length - stored.counts.rejected;
          report.rejected += stored.counts.rejected;
        }
        report.batches++;
        if (batch.cursor !== cursor) {
          await this.commitCursor(h, batch.cursor);
          cursor = batch.cursor;
        }
      }
    } finally {
      await iterator.return?.();
    }
  }

  private async store(h: Hosted, items: readonly unknown[]): Promise<IngestBatchResult> {
    const result = await this.deps.ingest(items);
    if (result.counts.rejected > 0) {
      this.deps.logger.warn('channel items rejected', { channel: h.scope, rejected: result.counts.rejected });
    }
    return result;
  }

  private commitCursor(h: Hosted, cursor: string | null): Promise<void> {
    return this.deps.unitOfWork(this.deps.tenantId, async (uow) =>
      uow.setChannelState(h.scope, { [CURSOR_KEY]: cursor }),
    );
  }

  private get lookbackMs(): number {
    return this.deps.options.lookbackMs ?? 3_600_000;
  }

  private async pollLoop(h: Hosted, pollMs: number): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const wait = await this.attempt(h, () => this.syncOne(h));
      if (wait === null || signal.aborted) return;
      await this.sleep(wait ?? pollMs, signal);
    }
  }

  private async subscribeLoop(h: Hosted): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const wait = await this.attempt(h, async () => {
        const { tenantId, read } = this.deps;
        const cursor = (await read(tenantId).getChannelState(h.scope, [CURSOR_KEY]))[CURSOR_KEY] ?? null;
        const report: ChannelSyncReport = {
          channel: h.plugin.channel,
          account: h.plugin.account,
          batches: 0,
          interactions: 0,
          rejected: 0,
          cursor,
        };
        await this.consume(h, h.connection.subscribe!({ cursor }), cursor, report);
      });
      if (wait === null || signal.aborted) return;
      // A stream that ended on its own is reopened after a short pause.
      await this.sleep(wait ?? 1000, signal);
    }
  }

  /**
   * Runs one loop step and says how long to wait before the next: undefined for the normal
   * pace, a back-off after a retryable failure, null to stop (a failure retrying cannot fix).
   */
  private async attempt(h: Hosted, step: () => Promise<unknown>): Promise<number | null | undefined> {
    try {
      await step();
      h.failures = 0;
      return undefined;
    } catch (error) {
      if (this.abort.signal.aborted) return null;
      const at = this.deps.clock.now();
      const channelError = asChannelError(h, error);
      h.status.lastError = { kind: channelError.kind, message: channelError.message, at };
      if (channelError.kind === 'rate-limited' || channelError.kind === 'transient') {
        h.failures++;
        if (channelError.kind === 'rate-limited') h.budget.drain();
        h.status.state = 'waiting';
        const wait = retryDelayMs(h.failures, this.deps.options.backoff, channelError.retryAfterMs);
        this.deps.logger.warn('channel read failed; retrying', {
          channel: h.scope,
          kind: channelError.kind,
          waitMs: wait,
        });
        return wait;
      }
      h.status.state = 'failed';
      const reported = pluginFailure('channel', h.plugin.id, 'read', error);
      this.deps.emitter.report(reported);
      if (this.deps.emitter.wants('channel.failed')) {
        this.deps.emitter.emit('channel.failed', {
          tenantId: this.deps.tenantId,
          channel: h.plugin.channel,
          account: h.plugin.account,
          error: reported,
        });
      }
      return null;
    }
  }
}

/** The channel error inside what a guarded call threw (the guard wraps it, keeping the cause). */
export function asChannelError(h: { plugin: ChannelPlugin }, error: unknown): ChannelError {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ChannelError) return e;
  }
  // Anything else is unexpected: treated as transient, so a bug or a blip does not stop syncing for good.
  return new ChannelError('transient', error instanceof Error ? error.message : String(error), {
    cause: error,
    plugin: h.plugin.id,
  });
}
