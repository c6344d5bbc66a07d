import { z } from 'zod';
import type { Bus } from '../bus/bus.js';
import { inProcessBus } from '../bus/in-process-bus.js';
import { type Assignment, parseAssignment } from '../cases/assignment.js';
import { parseSlaPolicies } from '../cases/sla-policy.js';
import { tenantIdSchema } from '../domain/common.js';
import type { InteractionKindRegistry } from '../domain/effort.js';
import type { RuleTimer } from '../domain/rule-records.js';
import type { ScoreLevels } from '../domain/score.js';
import { DEFAULT_TENANT } from '../domain/tenant.js';
import { RapportError } from '../errors/rapport-error.js';
import { parseOrThrow } from '../errors/validation.js';
import { RapportEventEmitter, type RapportEvents } from '../events/events.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import type { ChannelPlugin, WebhookRequest } from '../plugins/channel.js';
import { guardPlugin, pluginFailure } from '../plugins/guard.js';
import { type Clock, type Logger, silentLogger, systemClock } from '../plugins/plugin.js';
import type { ScoringPlugin } from '../plugins/scoring.js';
import type { StoragePlugin, StorageReader, UnitOfWork } from '../plugins/storage.js';
import type { RuleExtension } from '../rules/extension.js';
import { compileRules, type EvaluationOptions, type RuleExplanation, RuleSet } from '../rules/rule-set.js';
import { laddersByScore, scoreLevelsSchema } from '../scoring/levels.js';
import { CaseStage, type CasesConfig, SLA_TIMER_RULE } from './cases/case-stage.js';
import { defaultCaseRules } from './cases/default-rules.js';
import {
  ChannelHost,
  type ChannelHostOptions,
  type ChannelStatus,
  type ChannelSyncReport,
  type WebhookResponse,
} from './channels/channel-host.js';
import { type OutboxOptions, OutboxSender } from './outbox/outbox-sender.js';
import { assertPlugins } from './plugins.js';
import { RuleExecutor } from './rules/executor.js';
import { RulesStage } from './rules/stage.js';
import { startScoringStage } from './scoring/scoring-stage.js';
import { TenantScope } from './tenant-scope.js';

/** Options of {@link createRapport}. */
export interface RapportOptions {
  /** Where data lives: `sqliteStorage()` (embedded default), `postgresStorage()`, `memoryStorage()`. */
  storage: StoragePlugin;
  /** The tenant `rapport.*` methods act on (default `default`); `rapport.tenant(id)` reaches others. */
  tenant?: string;
  /** Scoring plugins: per-interaction annotations, incremental and full customer scores. */
  scoring?: readonly ScoringPlugin[];
  /**
   * Named levels of scores, e.g. `{ score: 'engagement', levels: [{ name: 'observer', min: 0 }, …] }`.
   * They override a scoring plugin's own levels for the same score. When a recorded score puts a
   * customer in another level, the level is recorded in the score log and `level.changed` fires.
   */
  levels?: readonly ScoreLevels[];
  /** Channel plugins (contract `rapport.channel/v1`), checked at start. */
  channels?: readonly ChannelPlugin[];
  /** The hand-off bus between pipeline stages (default: in-process). */
  bus?: Bus;
  /**
   * Rules that automate routing, tagging, replies and escalation: an array of rules (see
   * docs/rules.md), or options with the rules and extensions. Invalid rules throw
   * `RAPPORT_INVALID_RULE` here, before anything starts.
   */
  rules?: readonly unknown[] | RulesOptions;
  /**
   * Cases: which interactions open one (rules; a default ships), SLA policies, assignment. Given
   * (even `{}`), conversations get cases as interactions arrive; see docs/cases.md.
   */
  cases?: CasesOptions;
  /** How channels are read: poll interval, lookback window, back-off. */
  channelHost?: ChannelHostOptions;
  /** How replies are sent: poll interval, attempts, back-off, lease. */
  outbox?: OutboxOptions;
  /** Custom interaction kinds and their effort class, e.g. `{ answer: { effort: 'contribution' } }`. */
  kinds?: InteractionKindRegistry;
  logger?: Logger;
  clock?: Clock;
}

/** Case options of {@link createRapport}. */
export interface CasesOptions {
  /**
   * Rules deciding which stored interactions open a case (trigger `interaction.received`, an
   * `openCase` action giving priority and queue); the first that matches opens it. Default:
   * {@link defaultCaseRules} (customer messages, mentions, replies and reviews). `false`: only
   * your rules' `openCase` actions and `cases.open()` open cases.
   */
  open?: readonly unknown[] | { rules: readonly unknown[] } | false;
  /** SLA policies (see docs/cases.md): targets per priority, business hours, holidays. */
  sla?: readonly unknown[];
  /**
   * Who gets new cases: one assignment for all (`{ strategy: 'roundRobin', agents: [...] }`,
   * `capacity` with `maxOpen`, or `fixed`), or one per queue (`{ billing: …, '*': … }`).
   */
  assignment?: unknown;
  /** A reopen within this many days after resolution spoils first contact resolution (default 7). */
  fcrReopenWindowDays?: number;
}

/** The channels of a Rapport instance. */
export interface ChannelsApi {
  /** The channel plugins, as given. */
  readonly plugins: readonly ChannelPlugin[];
  /** Reads one channel (by plugin id or `id:account`), or all, now; resolves to what each stored. */
  sync(id?: string): Promise<ChannelSyncReport[]>;
  /** Takes a webhook request for a channel (verify, acknowledge, store after): answer the caller with the result. */
  handleWebhook(id: string, request: WebhookRequest): Promise<WebhookResponse>;
  /** How each channel is doing. */
  status(): ChannelStatus[];
  /** Resolves when every webhook accepted so far has been stored. */
  settle(): Promise<void>;
}

/** The outbox of a Rapport instance. */
export interface OutboxApi {
  /** Sends every due reply now; resolves to how many reached a final state (sent or failed). */
  run(): Promise<number>;
}

/** Rule engine options of {@link createRapport}. */
export interface RulesOptions {
  /** The rules: an array, or `{ rules: [...] }` as read from a rule file. */
  rules?: unknown;
  /** Plugins adding operators and actions. */
  extensions?: readonly RuleExtension[];
  /**
   * How often due timers are looked for, in ms (default 1000). The scheduler also fires, at
   * start, what fell due while nothing ran. 0 turns it off: nothing fires unless you call
   * `rules.runTimers()`. Instances created without `rules` never run it.
   */
  timerPollMs?: number;
  /** The fetch webhook actions use (default: the global one). */
  fetch?: typeof fetch;
}

/** The rule engine of a Rapport instance. */
export interface RulesApi {
  /** The rules in force, compiled. */
  readonly ruleSet: RuleSet;
  /**
   * Replaces the rules (validated and compiled first: on error the old ones stay and
   * `RAPPORT_INVALID_RULE` is thrown). Timers of removed rules are dropped when they fall due.
   */
  load(rules: unknown): RuleSet;
  /** Explains one rule against facts you pass (`rules.explain` reads them from the store instead). */
  explainFacts(ruleId: string, facts: unknown, options?: EvaluationOptions): RuleExplanation;
  /** Fires every due timer now; resolves to how many fired. The scheduler also does this on its own. */
  runTimers(): Promise<number>;
}

const rulesOptionsSchema = z
  .object({
    rules: z.unknown().optional(),
    extensions: z.array(z.custom<RuleExtension>((v) => typeof v === 'object' && v !== null)).optional(),
    timerPollMs: z.number().int().min(0).max(3_600_000).optional(),
    fetch: z.custom<typeof fetch>((v) => typeof v === 'function').optional(),
  })
  .strict();

const optionsSchema = z.object({
  storage: z.custom<StoragePlugin>(
    (v) => typeof v === 'object' && v !== null,
    'a storage plugin is required (e.g. `sqliteStorage()`)',
  ),
  tenant: tenantIdSchema.optional(),
  scoring: z.array(z.custom<ScoringPlugin>((v) => typeof v === 'object' && v !== null)).optional(),
  levels: z.array(scoreLevelsSchema).optional(),
  channels: z.array(z.custom<ChannelPlugin>((v) => typeof v === 'object' && v !== null)).optional(),
  bus: z.custom<Bus>((v) => typeof v === 'object' && v !== null).optional(),
  cases: z
    .strictObject({
      open: z
        .union([z.array(z.unknown()), z.looseObject({ rules: z.array(z.unknown()) }), z.literal(false)])
        .optional(),
      sla: z.array(z.unknown()).optional(),
      assignment: z.unknown().optional(),
      fcrReopenWindowDays: z.number().int().min(0).max(365).optional(),
    })
    .optional(),
  channelHost: z
    .strictObject({
      pollMs: z.number().int().min(0).optional(),
      lookbackMs: z.number().int().min(0).optional(),
      backoff: z
        .strictObject({
          baseMs: z.number().int().min(1).optional(),
          maxMs: z.number().int().min(1).optional(),
        })
        .optional(),
      sleep: z.custom<(ms: number) => Promise<void>>((v) => typeof v === 'function').optional(),
    })
    .optional(),
  outbox: z
    .strictObject({
      pollMs: z.number().int().min(0).optional(),
      maxAttempts: z.number().int().min(1).max(100).optional(),
      leaseMs: z.number().int().min(1).optional(),
      backoff: z
        .strictObject({
          baseMs: z.number().int().min(1).optional(),
          maxMs: z.number().int().min(1).optional(),
        })
        .optional(),
      sleep: z.custom<(ms: number) => Promise<void>>((v) => typeof v === 'function').optional(),
    })
    .optional(),
  rules: z.union([z.array(z.unknown()), rulesOptionsSchema]).optional(),
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
export interface Rapport extends Omit<TenantScope, 'rules'> {
  /** Typed events, published after commit. */
  readonly events: RapportEventEmitter;
  readonly bus: Bus;
  /** The storage plugin's id, version and capabilities. */
  readonly storageInfo: Pick<StoragePlugin, 'id' | 'version' | 'specVersion' | 'capabilities'>;
  /** Channels: sync now, take webhooks, status. */
  readonly channels: ChannelsApi;
  /** The durable outbox of replies. */
  readonly outbox: OutboxApi;
  /** The rule engine (rules in force, hot reload, timers) and the default tenant's firings, explain and backtest. */
  readonly rules: TenantScope['rules'] & RulesApi;
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
  const rulesOptions: RulesOptions = Array.isArray(options.rules)
    ? { rules: options.rules }
    : ((options.rules as RulesOptions | undefined) ?? {});
  const extensions = rulesOptions.extensions ?? [];
  assertPlugins(storage, scoring, channels, extensions);
  let ruleSet =
    rulesOptions.rules === undefined ? new RuleSet([]) : compileRules(rulesOptions.rules, { extensions });

  const casesConfig = parsed.cases ? parseCasesConfig(parsed.cases, extensions) : null;
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
  let rulesStage: RulesStage | null = null;
  let caseStage: CaseStage | null = null;
  let channelHost: ChannelHost | null = null;
  let outboxSender: OutboxSender | null = null;
  let stopReplies = () => {};

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

  const scoringDeps = {
    scorers: guardedScoring,
    levels: laddersByScore(...scoring.map((s) => s.levels), parsed.levels),
    unitOfWork,
    read,
    emitter,
    clock,
  };
  const pipeline = new IngestPipeline({
    unitOfWork,
    ensureTenant,
    emitter,
    bus,
    clock,
    kinds: parsed.kinds ?? {},
    annotators: guardedScoring.filter((s) => s.capabilities.annotate),
  });
  const executor = new RuleExecutor({
    unitOfWork,
    emitter,
    logger,
    fetch: rulesOptions.fetch ?? globalThis.fetch,
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
    ruleSet: () => ruleSet,
    compileRules: (input: unknown) => compileRules(input, { extensions }),
    cases: {
      read,
      unitOfWork,
      emitter,
      clock,
      assertStarted,
      stage: () => caseStage,
      outbox: () => outboxSender,
      fcrReopenWindowDays: parsed.cases?.fcrReopenWindowDays ?? 7,
    },
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

  const instance = tenant(defaultTenant) as unknown as Rapport;
  const engine: RulesApi = {
    get ruleSet() {
      return ruleSet;
    },
    load(rules: unknown) {
      ruleSet = compileRules(rules, { extensions });
      rulesStage?.refresh();
      return ruleSet;
    },
    explainFacts: (ruleId, facts, evaluation) => ruleSet.explain(ruleId, facts, evaluation),
    runTimers: async () => {
      assertStarted();
      return rulesStage ? rulesStage.runTimers() : 0;
    },
  };
  Object.defineProperties(instance.rules, Object.getOwnPropertyDescriptors(engine));
  const extras: Omit<Rapport, keyof TenantScope> = {
    events: emitter,
    bus,
    storageInfo: {
      id: storage.id,
      version: storage.version,
      specVersion: storage.specVersion,
      capabilities: storage.capabilities,
    },
    channels: {
      plugins: channels,
      sync: (id) => {
        assertStarted();
        return channelHost!.sync(id);
      },
      handleWebhook: (id, request) => {
        assertStarted();
        return channelHost!.handleWebhook(id, request);
      },
      status: () => channelHost?.status() ?? [],
      settle: async () => {
        await channelHost?.settle();
        await bus.drain();
      },
    },
    outbox: {
      run: () => {
        assertStarted();
        return outboxSender!.run();
      },
    },
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
      if (casesConfig) {
        caseStage = new CaseStage({ bus, emitter, clock, read, unitOfWork, config: casesConfig });
        caseStage.start();
      }
      // Subscribed after scoring: the bus runs one message's handlers in order, so rules see fresh scores.
      rulesStage = new RulesStage({
        ruleSet: () => ruleSet,
        bus,
        emitter,
        clock,
        read,
        listTenants: () => guarded.listTenants(),
        executor,
        unitOfWork,
        // Only an instance given rules runs the scheduler: it owns the timers, and drops those of
        // rules it no longer has. One opened just to read (a CLI command) leaves them alone.
        // Likewise an instance holding cases to SLA policies runs it for their breach timers.
        timerPollMs:
          rulesOptions.rules === undefined && !casesConfig?.policies.length
            ? 0
            : (rulesOptions.timerPollMs ?? 1000),
        timerHandlers: new Map(
          caseStage
            ? [
                [
                  SLA_TIMER_RULE,
                  (tenantId: string, timer: RuleTimer) => caseStage!.fireTimer(tenantId, timer),
                ],
              ]
            : [],
        ),
      });
      rulesStage.start();
      const scope = instance as unknown as TenantScope;
      channelHost = new ChannelHost({
        channels: channels.map((c) => c),
        tenantId: defaultTenant,
        ingest: (items) => scope.ingest(items),
        read,
        unitOfWork,
        emitter,
        clock,
        logger,
        options: parsed.channelHost ?? {},
      });
      outboxSender = new OutboxSender({
        host: () => channelHost,
        read,
        unitOfWork,
        listTenants: () => guarded.listTenants(),
        ingest: (tenantId, items) => tenant(tenantId).ingest(items),
        emitter,
        clock,
        logger,
        options: parsed.outbox ?? {},
      });
      // Replies rules ask for go through the outbox too, with the rule's idempotency key.
      const onReply = (p: RapportEvents['reply.requested']) => {
        const { idempotencyKey, account, ...payload } = p.message;
        void outboxSender
          ?.enqueue({
            tenantId: p.tenantId,
            channel: p.channel,
            account,
            conversationId: p.conversationId,
            customerId: p.customerId,
            author: `rule:${p.ruleId}`,
            idempotencyKey,
            payload,
          })
          .catch((cause: unknown) =>
            emitter.report(
              new RapportError('RAPPORT_STORAGE_FAILED', 'Could not queue a rule reply', { cause }),
            ),
          );
      };
      emitter.on('reply.requested', onReply);
      stopReplies = () => emitter.off('reply.requested', onReply);
      await channelHost.start();
      outboxSender.start();
    },
    async stop() {
      if (state !== 'started') return;
      stopReplies();
      await outboxSender?.stop();
      await channelHost?.stop();
      caseStage?.stop();
      await rulesStage?.stop();
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

/** Validates the case options: open rules compiled, SLA policies and assignments parsed. */
function parseCasesConfig(
  options: NonNullable<RapportOptions['cases']>,
  extensions: readonly RuleExtension[],
): CasesConfig {
  const open = options.open === undefined ? defaultCaseRules : options.open;
  const assignment: Record<string, Assignment> = {};
  const raw = options.assignment;
  if (raw !== undefined) {
    if (raw !== null && typeof raw === 'object' && 'strategy' in raw) assignment['*'] = parseAssignment(raw);
    else if (raw !== null && typeof raw === 'object') {
      for (const [queue, value] of Object.entries(raw)) assignment[queue] = parseAssignment(value);
    } else {
      throw new RapportError(
        'RAPPORT_INVALID_OPTIONS',
        'cases.assignment must be an assignment or one per queue',
        {
          path: ['cases', 'assignment'],
          hint: "e.g. { strategy: 'roundRobin', agents: ['ann', 'bob'] } or { billing: { strategy: 'fixed', agent: 'ann' } }",
        },
      );
    }
  }
  return {
    openRules: open === false ? null : compileRules(open, { extensions }),
    policies: options.sla ? parseSlaPolicies(options.sla) : [],
    assignment,
  };
}
