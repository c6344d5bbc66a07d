import { type Bus, INTERACTIONS_STORED_TOPIC, type InteractionsStoredMessage } from '../../bus/bus.js';
import type { Interaction } from '../../domain/interaction.js';
import type { Score, ScoreCause, ScoreLevels } from '../../domain/score.js';
import { isRapportError, RapportError } from '../../errors/rapport-error.js';
import type { RapportEventEmitter } from '../../events/events.js';
import { PendingEvents } from '../../events/events.js';
import type { Clock } from '../../plugins/plugin.js';
import type { ScoreResult, ScoringPlugin } from '../../plugins/scoring.js';
import type { StorageReader, UnitOfWork } from '../../plugins/storage.js';
import { CoalescingQueue } from '../coalescing-queue.js';
import { type LevelChange, levelChanges } from './level-changes.js';

/** What the scoring stage needs from the runtime. */
export interface ScoringStageDeps {
  scorers: readonly ScoringPlugin[];
  /** Levels by score name: the plugins' own, overridden by the Rapport's `levels` option. */
  levels: ReadonlyMap<string, ScoreLevels>;
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  read(tenantId: string): StorageReader;
  emitter: RapportEventEmitter;
  clock: Clock;
}

function toScores(
  tenantId: string,
  customerId: string,
  results: readonly ScoreResult[],
  at: Date,
  cause: ScoreCause,
): Score[] {
  return results.map((r) => ({
    tenantId,
    customerId,
    name: r.name,
    value: r.value,
    model: r.model,
    computedAt: at,
    cause,
  }));
}

/** What recording scores did, for the events published after commit. */
interface Recorded {
  /** The customers' latest scores before. */
  previous: Score[];
  /** The scores, in order. */
  scores: Score[];
  changes: LevelChange[];
}

/**
 * Records scores in the score log with the level changes they make, inside a unit of work, given
 * the customers' latest scores before them. Scores apply in order: a later score of the same
 * customer, name and model sees the earlier one as its previous value.
 */
async function recordScores(
  deps: ScoringStageDeps,
  uow: UnitOfWork,
  scores: Score[],
  previous: Score[],
): Promise<Recorded> {
  const changes = levelChanges(scores, previous, deps.levels);
  if (scores.length > 0)
    await uow.insertScores(changes.length === 0 ? scores : [...scores, ...changes.map((c) => c.levelScore)]);
  return { previous, scores, changes };
}

/**
 * Publishes `score.recorded`, `score.changed` and `level.changed` for what was recorded.
 *
 * @returns the entries recorded: the scores, then the new levels.
 */
function publishScores(
  deps: ScoringStageDeps,
  tenantId: string,
  { previous, scores, changes }: Recorded,
): Score[] {
  const events = new PendingEvents(deps.emitter);
  const before = new Map<string, number>();
  for (const s of previous) before.set(scoreKey(s), s.value);
  const recorded = [...scores, ...changes.map((c) => c.levelScore)];
  for (const score of recorded) {
    events.add('score.recorded', () => ({ tenantId, score }));
    const key = scoreKey(score);
    const value = before.get(key);
    before.set(key, score.value);
    if (value !== score.value)
      events.add('score.changed', () => ({ tenantId, score, previous: value ?? null }));
  }
  for (const change of changes) {
    events.add('level.changed', () => ({
      tenantId,
      customerId: change.customerId,
      score: change.score,
      from: change.from,
      to: change.to,
      value: change.value,
      previousValue: change.previousValue,
      levelScore: change.levelScore,
      cause: change.levelScore.cause ?? null,
    }));
  }
  events.flush();
  return recorded;
}

/** Records scores in one unit of work (reading the latest before them there), then publishes. */
async function storeScores(deps: ScoringStageDeps, tenantId: string, scores: Score[]): Promise<Score[]> {
  if (scores.length === 0) return [];
  const recorded = await deps.unitOfWork(tenantId, async (uow) =>
    recordScores(deps, uow, scores, await uow.latestScores([...new Set(scores.map((s) => s.customerId))])),
  );
  return publishScores(deps, tenantId, recorded);
}

/** Scores are kept per customer, name and model. */
function scoreKey(score: Score): string {
  return `${score.customerId}\u0000${score.name}\u0000${score.model.id}`;
}

/** Streams a customer's timeline page by page. */
async function* timelineOf(reader: StorageReader, customerId: string): AsyncIterable<Interaction> {
  let cursor: string | null = null;
  do {
    const page = await reader.timeline(customerId, { limit: 500, cursor });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== null);
}

function reportUpdateFailure(deps: ScoringStageDeps, scorer: ScoringPlugin, cause: unknown): void {
  // Scorers are guarded, so their failures already name them; a store failure names the store.
  deps.emitter.report(
    isRapportError(cause)
      ? cause
      : new RapportError('RAPPORT_PLUGIN_FAILED', `scoring plugin "${scorer.id}" failed in update`, {
          cause,
          plugin: scorer.id,
        }),
  );
}

/**
 * Updates the scores of the customers of a group of stored-interaction messages in one unit of
 * work: one read of their interactions and latest scores, each scorer's `update` per message in
 * arrival order (a customer's second message sees the scores of the first), one write. A scorer
 * that fails is reported and skipped for that message. If the group's unit of work fails, each
 * message runs in its own, so one customer cannot hold back the others.
 */
async function updateGroup(
  deps: ScoringStageDeps,
  scorers: readonly ScoringPlugin[],
  tenantId: string,
  payloads: readonly InteractionsStoredMessage[],
): Promise<void> {
  let recorded: Recorded;
  try {
    recorded = await deps.unitOfWork(tenantId, (uow) => updateInUnitOfWork(deps, scorers, uow, payloads));
  } catch (failure) {
    if (payloads.length <= 1) throw failure;
    for (const payload of payloads) {
      try {
        await updateGroup(deps, scorers, tenantId, [payload]);
      } catch (cause) {
        deps.emitter.report(
          isRapportError(cause)
            ? cause
            : new RapportError('RAPPORT_STORAGE_FAILED', 'Recording scores failed', { cause }),
        );
      }
    }
    return;
  }
  publishScores(deps, tenantId, recorded);
}

async function updateInUnitOfWork(
  deps: ScoringStageDeps,
  scorers: readonly ScoringPlugin[],
  uow: UnitOfWork,
  payloads: readonly InteractionsStoredMessage[],
): Promise<Recorded> {
  const tenantId = uow.tenantId;
  const stored = new Map<string, Interaction>();
  for (const interaction of await uow.getInteractions(payloads.flatMap((p) => p.interactionIds)))
    stored.set(interaction.id, interaction);
  const customerIds = [...new Set(payloads.map((p) => p.customerId))];
  const previous = await uow.latestScores(customerIds);
  const current = new Map<string, Map<string, Score>>(customerIds.map((id) => [id, new Map()]));
  for (const score of previous)
    current.get(score.customerId)?.set(`${score.name}\u0000${score.model.id}`, score);
  const modelIds = new Map(scorers.map((s) => [s, new Set(s.models.map((m) => m.id))]));
  const now = deps.clock.now();
  const oldestFirst = (a: Interaction, b: Interaction) => a.occurredAt.getTime() - b.occurredAt.getTime();
  const scores: Score[] = [];

  for (const { customerId, interactionIds, editedIds } of payloads) {
    const editedSet = new Set(editedIds);
    const interactions: Interaction[] = [];
    const edited: Interaction[] = [];
    for (const id of interactionIds) {
      const interaction = stored.get(id);
      if (interaction) (editedSet.has(id) ? edited : interactions).push(interaction);
    }
    interactions.sort(oldestFirst);
    edited.sort(oldestFirst);
    const cause: ScoreCause = {
      kind: 'interactions',
      interactionIds: [...interactions, ...edited].map((i) => i.id),
    };
    const latest = current.get(customerId)!;
    for (const scorer of scorers) {
      try {
        const own = modelIds.get(scorer)!;
        const mine = [...latest.values()].filter((s) => own.has(s.model.id));
        const results = await scorer.update!({
          tenantId,
          customerId,
          interactions,
          edited,
          current: mine,
          now,
        });
        for (const score of toScores(tenantId, customerId, results, now, cause)) {
          latest.set(`${score.name}\u0000${score.model.id}`, score);
          scores.push(score);
        }
      } catch (cause) {
        reportUpdateFailure(deps, scorer, cause);
      }
    }
  }
  return recordScores(deps, uow, scores, previous);
}

/**
 * Subscribes incremental scorers to stored interactions. The bus partitions by customer, so one
 * customer's updates apply in order; the messages that arrive while a group is being written are
 * handled together in the next one (a commit per ingested batch, not per customer).
 */
export function startScoringStage(bus: Bus, deps: ScoringStageDeps): () => void {
  const incremental = deps.scorers.filter((s) => s.capabilities.incremental && s.update);
  if (incremental.length === 0) return () => {};
  const queues = new Map<string, CoalescingQueue<InteractionsStoredMessage>>();
  const queueOf = (tenantId: string) => {
    let queue = queues.get(tenantId);
    if (!queue) {
      queue = new CoalescingQueue((payloads) =>
        updateGroup(deps, incremental, tenantId, payloads).catch((cause: unknown) => {
          deps.emitter.report(
            isRapportError(cause)
              ? cause
              : new RapportError('RAPPORT_STORAGE_FAILED', 'Recording scores failed', { cause }),
          );
        }),
      );
      queues.set(tenantId, queue);
    }
    return queue;
  };
  return bus.subscribe<InteractionsStoredMessage>(INTERACTIONS_STORED_TOPIC, ({ payload }) =>
    queueOf(payload.tenantId).enqueue(payload),
  );
}

/**
 * Recomputes a customer's scores with every scorer that can, and records them with the level
 * changes they make.
 *
 * @returns the entries recorded: the scores, then any new levels.
 */
export async function recomputeScores(
  deps: ScoringStageDeps,
  tenantId: string,
  customerId: string,
): Promise<Score[]> {
  const now = deps.clock.now();
  const all: Score[] = [];
  for (const scorer of deps.scorers) {
    if (!scorer.capabilities.recompute || !scorer.recompute) continue;
    const results = await scorer.recompute({
      tenantId,
      customerId,
      interactions: timelineOf(deps.read(tenantId), customerId),
      now,
    });
    all.push(...toScores(tenantId, customerId, results, now, { kind: 'recompute' }));
  }
  return storeScores(deps, tenantId, all);
}
