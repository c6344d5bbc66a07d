import { levelOf as coreLevelOf, type ScoreLevel, scoreLevelListSchema } from '@rapport/core';

/**
 * A named engagement level: every score at or above `min` (and below the next level's `min`) is
 * at this level. The same shape as core's {@link ScoreLevel}.
 */
export type EngagementLevel = ScoreLevel;

/**
 * The default ladder, an effort reading of the Social Technographics rungs: one fresh reaction
 * (weight 1) makes an observer, a handful of messages a participant, sustained replies and reviews
 * a contributor, and only steady, effortful activity an advocate.
 *
 * inactive < 1 ≤ observer < 5 ≤ participant < 20 ≤ contributor < 50 ≤ advocate
 */
export const DEFAULT_LEVELS: readonly EngagementLevel[] = Object.freeze([
  Object.freeze({ name: 'inactive', min: 0 }),
  Object.freeze({ name: 'observer', min: 1 }),
  Object.freeze({ name: 'participant', min: 5 }),
  Object.freeze({ name: 'contributor', min: 20 }),
  Object.freeze({ name: 'advocate', min: 50 }),
]);

/**
 * Schema of an engagement ladder: core's level ladder (thresholds strictly increasing, names
 * unique) whose first level starts at 0, so every engagement score (never negative) has a level.
 */
export const levelsSchema = scoreLevelListSchema.check((payload) => {
  const first = payload.value[0];
  if (first !== undefined && first.min !== 0) {
    payload.issues.push({
      code: 'custom',
      path: [0, 'min'],
      message: 'the first level must start at 0 so that every score has a level',
      input: first.min,
    });
  }
});

/**
 * The index of the level `score` falls in: the last level whose `min` is ≤ score (core's
 * `levelOf`, re-exported for engagement reports).
 *
 * ```ts
 * levelOf(7, DEFAULT_LEVELS); // 2: participant (5 ≤ 7 < 20)
 * DEFAULT_LEVELS[levelOf(7, DEFAULT_LEVELS)]!.name; // 'participant'
 * ```
 */
export const levelOf: (score: number, levels: readonly EngagementLevel[]) => number = coreLevelOf;
