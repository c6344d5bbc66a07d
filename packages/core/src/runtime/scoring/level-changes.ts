import type { Score, ScoreLevels } from '../../domain/score.js';
import {
  LEVEL_MODEL_ID,
  LEVEL_MODEL_VERSION,
  LEVEL_SCORE_SUFFIX,
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

/**
 * The level changes that recording `scores` (in order) makes, given each customer's latest scores
 * before them (`previous`). A level is recorded only when it changes, so a customer's level log is
 * the list of its transitions, each with the cause of the score that made it. Scores later in the
 * list see the earlier ones (and the levels they made) as their previous values.
 */
export function levelChanges(
  scores: readonly Score[],
  previous: readonly Score[],
  ladders: ReadonlyMap<string, ScoreLevels>,
): LevelChange[] {
  if (ladders.size === 0) return [];
  // Latest value per customer, name and model, and latest level per customer and name, so far.
  const values = new Map<string, Score>();
  const levels = new Map<string, Score>();
  const valueKey = (s: Score) => `${s.customerId}\u0000${s.name}\u0000${s.model.id}`;
  const levelKey = (customerId: string, name: string) => `${customerId}\u0000${name}`;
  const keepLatest = (map: Map<string, Score>, key: string, s: Score) => {
    const known = map.get(key);
    if (known === undefined || s.computedAt.getTime() >= known.computedAt.getTime()) map.set(key, s);
  };
  for (const s of previous) {
    keepLatest(values, valueKey(s), s);
    if (s.name.endsWith(LEVEL_SCORE_SUFFIX)) keepLatest(levels, levelKey(s.customerId, s.name), s);
  }
  const changes: LevelChange[] = [];
  for (const score of scores) {
    const lastValue = values.get(valueKey(score));
    values.set(valueKey(score), score);
    const ladder = ladders.get(score.name);
    if (ladder === undefined || !Number.isFinite(score.value)) continue;
    const index = levelOf(score.value, ladder.levels);
    const level = ladder.levels[index]!;
    const levelName = levelScoreName(score.name);
    const lastLevel = levels.get(levelKey(score.customerId, levelName));
    const from = lastLevel ? levelOfScore(lastLevel) : null;
    if (from !== null && from.index === index && from.name === level.name) continue;
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
    levels.set(levelKey(score.customerId, levelName), levelScore);
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
