import { z } from 'zod';
import type { Bus } from '../bus/bus.js';
import { inProcessBus } from '../bus/in-process-bus.js';
import { tenantIdSchema } from '../domain/common.js';
import type { InteractionKindRegistry } from '../domain/effort.js';
import { DEFAULT_TENANT } from '../domain/tenant.js';
import { RapportError } from '../errors/rapport-error.js';
import { parseOrThrow } from '../errors/validation.js';
import { RapportEventEmitter } from '../events/events.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import type { ChannelPlugin } from '../plugins/channel.js';
import { guardPlugin, pluginFailure } from '../plugins/guard.js';
import { type Clock, type Logger, silentLogger, systemClock } from '../plugins/plugin.js';
import type { ScoringPlugin } from '../plugins/scoring.js';
import type { StoragePlugin, StorageReader, UnitOfWork } from '../plugins/storage.js';
import { assertPlugins } from './plugins.js';
import { startScoringStage } from './scoring-stage.js';
import { TenantScope } from './tenant-scope.js';

/** Options of {@link createRapport}. */
export interface RapportOptions {
  /** Where data lives: `sqliteStorage()` (embedded default), `postgresStorage()`, `memoryStorage()`. */
  storage: StoragePlugin;
  /** The tenant `rapport.*` methods act on (default `default`); `rapport.tenant(id)` reaches others. */
  tenant?: string;
  /** Scoring plugins: per-interaction annotations, incremental and full customer scores. */
  scoring?: readonly ScoringPlugin[];
  /** Channel plugins (contract `rapport.channel/v1`), checked at start. */
  channels?: readonly ChannelPlugin[];
  /** The hand-off bus between pipeline stages (default: in-process). */
  bus?: Bus;
  /** Custom interaction kinds and their effort class, e.g. `{ answer: { effort: 'contribution' } }`. */
  kinds?: InteractionKindRegistry;
  logger?: Logger;
  clock?: Clock;
}

const optionsSchema = z.object({
  storage: z.custom<StoragePlugin>(
    (v) => typeof v === 'object' && v !== null,
    'a storage plugin is required (e.g. `sqliteStorage()`)',
  ),
  tenant: tenantIdSchema.optional(),
  scoring: z.array(z.custom<ScoringPlugin>((v) => typeof v === 'object' && v !== null)).optional(),
  channels: z.array(z.custom<ChannelPlugin>((v) => typeof v === 'object' && v !== null)).optional(),
  bus: z.custom<Bus>((v) => typeof v === 'object' && v !== null).optional(),
  kinds: z
    .record(
      z.string().regex(/^[a-z][a-z0-9_.-]*$/),
      z.object({ effort: z.enum(['signal', 'contribution', 'transaction']) }),
    )
    .optional(),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null).optional(),
  clock: z
    .custom<Clock>((v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function')
    .optional(),
});

/** A Rapport instance: the default tenant's API plus lifecycle, events and other tenants. */
export interface Rapport extends TenantScope {
  /** Typed events, published after commit. */
  readonly events: RapportEventEmitter;
  readonly bus: Bus;
  /** The storage plugin's id, version and capabilities. */
  readonly storageInfo: Pick<StoragePlugin, 'id' | 'version' | 'specVersion' | 'capabilities'>;
  readonly channels: readonly ChannelPlugin[];
  /** Opens the store (running migrations) and starts the pipeline stages. */
  start(): Promise<void>;
  /** Lets in-flight hand-offs finish and closes the store. */
  stop(): Promise<void>;
  /** The API for another tenant. */
  tenant(id: string): TenantScope;
  /** Resolves when every hand-off published so far (e.g. incremental scoring) has been handled. */
  settle(): Promise<void>;
}

/**
 * Creates a Rapport instance. Nothing runs until `start()`.
 *
 * @example
 * ```ts
 * const rapport = createRapport({ storage: sqliteStorage({ filename: 'crm.db' }) });
 * await rapport.start();
 * await rapport.ingest([{ channel: 'email', account: 'support@acme.test', externalId: '<m1@x>', direction: 'inbound',
 *   kind: 'message', text: 'Hello', occurredAt: '2024-05-01T10:00:00Z', actor: { externalId: 'ann@x.test' } }]);
 * ```
 */
export function createRapport(options: RapportOptions): Rapport {
  const parsed = parseOrThrow(optionsSchema, options, 'RAPPORT_INVALID_OPTIONS', 'Rapport options');
  const storage = options.storage;
  const scoring = options.scoring ?? [];
  const channels = options.channels ?? [];
  assertPlugins(storage, scoring, channels);

  const defaultTenant = parsed.tenant ?? DEFAULT_TENANT;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const emitter = new RapportEventEmitter(logger);
  const bus =
    options.bus ??
    inProcessBus({
      onError: (cause, topic) => {
        emitter.report(
          new RapportError('RAPPORT_PLUGIN_FAILED', `A handler of bus topic "${topic}" failed`, { cause }),
        );
      },
    });
  const guarded = guardPlugin('storage', storage.id, storage, ['read']);
  const guardedScoring = scoring.map((s) => guardPlugin('scoring', s.id, s));
  const ensuredTenants = new Set<string>();
  let state: 'created' | 'started' | 'stopped' = 'created';
  let stopScoring = () => {};

  const assertStarted = () => {
    if (state !== 'started') {
      throw new RapportError(
        'RAPPORT_NOT_STARTED',
        `Rapport is ${state === 'created' ? 'not started' : 'stopped'}`,
      );
    }
  };

  /**
   * Runs work in a unit of work; errors from the store name the plugin, errors from the work
   * itself pass through untouched.
   */
  const unitOfWork = async <T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> => {
    const workFailed: { error?: unknown } = {};
    try {
      return await storage.unitOfWork(tenantId, async (uow) => {
        try {
          return await work(guardPlugin('storage', storage.id, uow));
        } catch (error) {
          workFailed.error = error;
          throw error;
        }
      });
    } catch (error) {
      if ('error' in workFailed && workFailed.error === error) throw error;
      throw pluginFailure('storage', storage.id, 'unitOfWork', error);
    }
  };
  const read = (tenantId: string): StorageReader => guarded.read(tenantId);
  const ensureTenant = async (tenantId: string) => {
    if (ensuredTenants.has(tenantId)) return;
    await guarded.ensureTenant({ id: tenantId, name: tenantId, createdAt: clock.now() });
    ensuredTenants.add(tenantId);
  };

  const scoringDeps = { scorers: guardedScoring, unitOfWork, read, emitter, clock };
  const pipeline = new IngestPipeline({
    unitOfWork,
    ensureTenant,
    emitter,
    bus,
    clock,
    kinds: parsed.kinds ?? {},
    annotators: guardedScoring.filter((s) => s.capabilities.annotate),
  });
  const scopeDeps = {
    pipeline,
    unitOfWork,
    read,
    capabilities: () => storage.capabilities,
    emitter,
    clock,
    scoring: scoringDeps,
    assertStarted,
  };
  const scopes = new Map<string, TenantScope>();
  const tenant = (id: string): TenantScope => {
    const tenantId = parseOrThrow(tenantIdSchema, id, 'RAPPORT_INVALID_INPUT', 'tenant id');
    let scope = scopes.get(tenantId);
    if (!scope) {
      scope = new TenantScope(tenantId, scopeDeps);
      scopes.set(tenantId, scope);
    }
    return scope;
  };

  const instance = tenant(defaultTenant) as Rapport;
  const extras: Omit<Rapport, keyof TenantScope> = {
    events: emitter,
    bus,
    storageInfo: {
      id: storage.id,
      version: storage.version,
      specVersion: storage.specVersion,
      capabilities: storage.capabilities,
    },
    channels,
    async start() {
      if (state === 'started') return;
      if (state === 'stopped')
        throw new RapportError(
          'RAPPORT_NOT_STARTED',
          'A stopped Rapport cannot start again; create a new one',
        );
      const context = { logger, clock };
      await guarded.init(context);
      for (const scorer of guardedScoring) await scorer.init?.(context);
      state = 'started';
      await ensureTenant(defaultTenant);
      stopScoring = startScoringStage(bus, scoringDeps);
    },
    async stop() {
      if (state !== 'started') return;
      await bus.drain();
      stopScoring();
      state = 'stopped';
      if (!options.bus) await bus.close();
      await guarded.close();
    },
    tenant,
    settle: () => bus.drain(),
  };
  return Object.assign(instance, extras);
}
