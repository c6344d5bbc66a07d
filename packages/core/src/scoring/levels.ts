import { z } from 'zod';
import type { Score, ScoreLevel, ScoreLevels } from '../domain/score.js';

/** The suffix of a level score's name: the level of `engagement` is recorded as `engagement.level`. */
export const LEVEL_SCORE_SUFFIX = '.level';

/** The name under which the level of score `name` is recorded in the score log. */
export function levelScoreName(name: string): string {
  return `${name}${LEVEL_SCORE_SUFFIX}`;
}

/** Id of the model of level scores; its params name the score, the level and the whole ladder. */
export const LEVEL_MODEL_ID = 'rapport.level';
/** Version of the level mapping (the last level whose `min` ≤ value). */
export const LEVEL_MODEL_VERSION = '1';

/**
 * Schema of one ladder of levels: at least one level, thresholds strictly increasing, names unique.
 * Plugins may narrow it (engagement requires the first level at 0).
 */
export const scoreLevelListSchema = z
  .array(
    z.strictObject({
      name: z.string().min(1).max(64).describe('Level name, recorded with the level score'),
      min: z.number().finite().describe('Lowest value at this level, inclusive'),
    }),
  )
  .min(1)
  .max(100)
  .check((payload) => {
    const levels = payload.value;
    const seen = new Set<string>();
    for (const [index, level] of levels.entries()) {
      const previous = levels[index - 1];
      if (previous !== undefined && level.min <= previous.min) {
        payload.issues.push({
          code: 'custom',
          path: [index, 'min'],
          message: `level thresholds must increase: ${level.min} is not above ${previous.min} (level "${previous.name}")`,
          input: level.min,
        });
      }
      if (seen.has(level.name)) {
        payload.issues.push({
          code: 'custom',
          path: [index, 'name'],
          message: `level name "${level.name}" is used twice`,
          input: level.name,
        });
      }
      seen.add(level.name);
    }
  });

/** Schema of {@link ScoreLevels}: the score they classify and its ladder. */
export const scoreLevelsSchema = z.strictObject({
  score: z
    .string()
    .min(1)
    .max(128)
    .refine((name) => !name.endsWith(LEVEL_SCORE_SUFFIX), {
      message: `levels classify a score, not another level (a name ending in "${LEVEL_SCORE_SUFFIX}")`,
    })
    .describe('Name of the score the levels classify'),
  levels: scoreLevelListSchema,
});

/**
 * The index of the level `value` falls in: the last level whose `min` is ≤ value. A value below
 * the first threshold, or NaN, is at level 0.
 *
 * @param levels - ascending by `min`, as {@link scoreLevelListSchema} requires.
 *
 * ```ts
 * const ladder = [{ name: 'low', min: 0 }, { name: 'high', min: 10 }];
 * levelOf(12, ladder); // 1: high
 * ```
 */
export function levelOf(value: number, levels: readonly ScoreLevel[]): number {
  // Binary search: ladders are short, but levelOf also runs over whole populations in reports.
  let lo = 0;
  let hi = levels.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (levels[mid]!.min <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A level as events and explanations report it. */
export interface LevelRef {
  /** Position in the ladder, 0 the lowest. */
  index: number;
  name: string;
}

/**
 * The level a recorded level score stands for: its value is the index and its model params
 * carry the name.
 */
export function levelOfScore(score: Score): LevelRef {
  const name = score.model.params?.level;
  return { index: score.value, name: typeof name === 'string' ? name : String(score.value) };
}

/**
 * Ladders by score name. Later entries win, so a Rapport's own `levels` option overrides a
 * plugin's default for the same score.
 */
export function laddersByScore(
  ...sources: readonly (readonly ScoreLevels[] | undefined)[]
): Map<string, ScoreLevels> {
  const byScore = new Map<string, ScoreLevels>();
  for (const source of sources) for (const ladder of source ?? []) byScore.set(ladder.score, ladder);
  return byScore;
}
