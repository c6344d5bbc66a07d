import { type Bus, INTERACTIONS_STORED_TOPIC, type InteractionsStoredMessage } from '../../bus/bus.js';
import type { Interaction } from '../../domain/interaction.js';
import type { Score, ScoreCause, ScoreLevels } from '../../domain/score.js';
import { isRapportError, RapportError } from '../../errors/rapport-error.js';
import type { RapportEventEmitter } from '../../events/events.js';
import { PendingEvents } from '../../events/events.js';
import type { Clock } from '../../plugins/plugin.js';
import type { ScoreResult, ScoringPlugin } from '../../plugins/scoring.js';
import type { StorageReader, UnitOfWork } from '../../plugins/storage.js';
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

/**
 * Records scores in the score log with the level changes they make, in one unit of work, then
 * publishes `score.recorded`, `score.changed` and `level.changed`.
 *
 * @returns the entries recorded: the scores, then the new levels.
 */
async function storeScores(deps: ScoringStageDeps, tenantId: string, scores: Score[]): Promise<Score[]> {
  if (scores.length === 0) return [];
  const events = new PendingEvents(deps.emitter);
  const needPrevious = deps.emitter.wants('score.changed') || scores.some((s) => deps.levels.has(s.name));
  let previous: Score[] = [];
  let changes: LevelChange[] = [];
  await deps.unitOfWork(tenantId, async (uow) => {
    if (needPrevious) previous = await uow.latestScores([...new Set(scores.map((s) => s.customerId))]);
    changes = levelChanges(scores, previous, deps.levels);
    await uow.insertScores(changes.length === 0 ? scores : [...scores, ...changes.map((c) => c.levelScore)]);
  });
  const before = new Map<string, number>();
  for (const s of previous) before.set(scoreKey(s), s.value);
  const recorded = [...scores, ...changes.map((c) => c.levelScore)];
  for (const score of recorded) {
    events.add('score.recorded', () => ({ tenantId, score }));
    const value = before.get(scoreKey(score));
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

/**
 * Subscribes incremental scorers to stored interactions. The bus partitions by customer, so one
 * customer's updates apply in order.
 */
export function startScoringStage(bus: Bus, deps: ScoringStageDeps): () => void {
  const incremental = deps.scorers.filter((s) => s.capabilities.incremental && s.update);
  if (incremental.length === 0) return () => {};
  return bus.subscribe<InteractionsStoredMessage>(INTERACTIONS_STORED_TOPIC, async ({ payload }) => {
    const { tenantId, customerId, interactionIds } = payload;
    const editedIds = new Set(payload.editedIds);
    const reader = deps.read(tenantId);
    const interactions: Interaction[] = [];
    const edited: Interaction[] = [];
    for (const interaction of await reader.getInteractions(interactionIds))
      (editedIds.has(interaction.id) ? edited : interactions).push(interaction);
    const oldestFirst = (a: Interaction, b: Interaction) => a.occurredAt.getTime() - b.occurredAt.getTime();
    interactions.sort(oldestFirst);
    edited.sort(oldestFirst);
    const cause: ScoreCause = {
      kind: 'interactions',
      interactionIds: [...interactions, ...edited].map((i) => i.id),
    };
    const latest = await reader.latestScores([customerId]);
    const now = deps.clock.now();
    for (const scorer of incremental) {
      try {
        const modelIds = new Set(scorer.models.map((m) => m.id));
        const current = latest.filter((s) => modelIds.has(s.model.id));
        const results = await scorer.update!({ tenantId, customerId, interactions, edited, current, now });
        await storeScores(deps, tenantId, toScores(tenantId, customerId, results, now, cause));
      } catch (cause) {
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
    }
  });
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
