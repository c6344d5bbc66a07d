import type { Score, ScoreLevels } from '../../domain/score.js';
import {
  LEVEL_MODEL_ID,
  LEVEL_MODEL_VERSION,
  type LevelRef,
  levelOf,
  levelOfScore,
  levelScoreName,
} from '../../scoring/levels.js';

/** A customer's move to another level, found while recording a score. */
export interface LevelChange {
  customerId: string;
  score: string;
  from: LevelRef | null;
  to: LevelRef;
  value: number;
  previousValue: number | null;
  /** The entry recorded in the score log for the new level. */
  levelScore: Score;
}

/** The most recent of `scores` that `match` picks (ties: the later in the list, as stored). */
function latestWhere(scores: readonly Score[], match: (score: Score) => boolean): Score | undefined {
  let latest: Score | undefined;
  for (const score of scores) {
    if (!match(score)) continue;
    if (latest === undefined || score.computedAt.getTime() >= latest.computedAt.getTime()) latest = score;
  }
  return latest;
}

/**
 * The level changes that recording `scores` makes, given each customer's latest scores before
 * them (`previous`). A level is recorded only when it changes, so a customer's level log is the
 * list of its transitions, each with the cause of the score that made it.
 */
export function levelChanges(
  scores: readonly Score[],
  previous: readonly Score[],
  ladders: ReadonlyMap<string, ScoreLevels>,
): LevelChange[] {
  if (ladders.size === 0) return [];
  const changes: LevelChange[] = [];
  for (const score of scores) {
    const ladder = ladders.get(score.name);
    if (ladder === undefined || !Number.isFinite(score.value)) continue;
    const index = levelOf(score.value, ladder.levels);
    const level = ladder.levels[index]!;
    const levelName = levelScoreName(score.name);
    const ofCustomer = (s: Score) => s.customerId === score.customerId;
    const lastLevel = latestWhere(previous, (s) => ofCustomer(s) && s.name === levelName);
    const from = lastLevel ? levelOfScore(lastLevel) : null;
    if (from !== null && from.index === index && from.name === level.name) continue;
    const lastValue = latestWhere(
      previous,
      (s) => ofCustomer(s) && s.name === score.name && s.model.id === score.model.id,
    );
    const levelScore: Score = {
      tenantId: score.tenantId,
      customerId: score.customerId,
      name: levelName,
      value: index,
      model: {
        id: LEVEL_MODEL_ID,
        version: LEVEL_MODEL_VERSION,
        params: {
          score: score.name,
          level: level.name,
          levels: ladder.levels.map((l) => ({ name: l.name, min: l.min })),
          scoreModel: { id: score.model.id, version: score.model.version },
        },
      },
      computedAt: score.computedAt,
      ...(score.cause ? { cause: score.cause } : {}),
    };
    changes.push({
      customerId: score.customerId,
      score: score.name,
      from,
      to: { index, name: level.name },
      value: score.value,
      previousValue: lastValue?.value ?? null,
      levelScore,
    });
  }
  return changes;
}
