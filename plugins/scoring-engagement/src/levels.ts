import { z } from 'zod';

/**
 * A named engagement level: every score at or above `min` (and below the next level's `min`) is
 * at this level.
 */
export interface EngagementLevel {
  name: string;
  /** Lowest score at this level, inclusive. */
  min: number;
}

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
 * Schema of a level ladder: at least one level, the first at 0 (so every score has a level),
 * thresholds strictly increasing, names unique.
 */
export const levelsSchema = z
  .array(
    z
      .object({
        name: z.string().min(1).max(64).describe('Level name, recorded with the level score'),
        min: z.number().finite().min(0).describe('Lowest score at this level, inclusive'),
      })
      .strict(),
  )
  .min(1)
  .max(100)
  .check((payload) => {
    const levels = payload.value;
    const seen = new Set<string>();
    for (const [index, level] of levels.entries()) {
      if (index === 0 && level.min !== 0) {
        payload.issues.push({
          code: 'custom',
          path: [0, 'min'],
          message: 'the first level must start at 0 so that every score has a level',
          input: level.min,
        });
      }
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

/**
 * The index of the level `score` falls in: the last level whose `min` is ≤ score. A score below the
 * first threshold (only possible with a ladder not starting at 0) or NaN is at level 0.
 *
 * @param levels - ascending by `min`, as {@link engagementScoring} validates them.
 *
 * ```ts
 * levelOf(7, DEFAULT_LEVELS); // 2: participant (5 ≤ 7 < 20)
 * DEFAULT_LEVELS[levelOf(7, DEFAULT_LEVELS)]!.name; // 'participant'
 * ```
 */
export function levelOf(score: number, levels: readonly EngagementLevel[]): number {
  // Binary search: ladders are short, but levelOf also runs over whole populations in reports.
  let lo = 0;
  let hi = levels.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (levels[mid]!.min <= score) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
