import { type Bus, INTERACTIONS_STORED_TOPIC, type InteractionsStoredMessage } from '../bus/bus.js';
import type { Interaction } from '../domain/interaction.js';
import type { Score } from '../domain/score.js';
import { isRapportError, RapportError } from '../errors/rapport-error.js';
import type { RapportEventEmitter } from '../events/events.js';
import { PendingEvents } from '../events/events.js';
import type { Clock } from '../plugins/plugin.js';
import type { ScoreResult, ScoringPlugin } from '../plugins/scoring.js';
import type { StorageReader, UnitOfWork } from '../plugins/storage.js';

/** What the scoring stage needs from the runtime. */
export interface ScoringStageDeps {
  scorers: readonly ScoringPlugin[];
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  read(tenantId: string): StorageReader;
  emitter: RapportEventEmitter;
  clock: Clock;
}

function toScores(tenantId: string, customerId: string, results: readonly ScoreResult[], at: Date): Score[] {
  return results.map((r) => ({
    tenantId,
    customerId,
    name: r.name,
    value: r.value,
    model: r.model,
    computedAt: at,
  }));
}

async function storeScores(deps: ScoringStageDeps, tenantId: string, scores: Score[]): Promise<void> {
  if (scores.length === 0) return;
  const events = new PendingEvents(deps.emitter);
  const previous = new Map<string, number>();
  await deps.unitOfWork(tenantId, async (uow) => {
    if (deps.emitter.wants('score.changed')) {
      const customerIds = [...new Set(scores.map((s) => s.customerId))];
      for (const s of await uow.latestScores(customerIds)) previous.set(scoreKey(s), s.value);
    }
    await uow.insertScores(scores);
  });
  for (const score of scores) {
    events.add('score.recorded', () => ({ tenantId, score }));
    const before = previous.get(scoreKey(score));
    if (before !== score.value)
      events.add('score.changed', () => ({ tenantId, score, previous: before ?? null }));
  }
  events.flush();
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
    const reader = deps.read(tenantId);
    const interactions: Interaction[] = [];
    for (const id of interactionIds) {
      const interaction = await reader.getInteraction(id);
      if (interaction) interactions.push(interaction);
    }
    interactions.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    const latest = await reader.latestScores([customerId]);
    const now = deps.clock.now();
    for (const scorer of incremental) {
      try {
        const modelIds = new Set(scorer.models.map((m) => m.id));
        const current = latest.filter((s) => modelIds.has(s.model.id));
        const results = await scorer.update!({ tenantId, customerId, interactions, current, now });
        await storeScores(deps, tenantId, toScores(tenantId, customerId, results, now));
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

/** Recomputes a customer's scores with every scorer that can, and records them. */
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
    all.push(...toScores(tenantId, customerId, results, now));
  }
  await storeScores(deps, tenantId, all);
  return all;
}
