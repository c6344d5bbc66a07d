import type { EngagementLevel } from './levels.js';
import type { EngagementScoringOptions } from './options.js';
import type { KindWeights } from './weights.js';

/** The Orbit model's monthly retention of love: an activity m months old counts 0.9^m of its weight. */
export const ORBIT_MONTHLY_RETENTION = 0.9;

/** A month, in days, as the Orbit preset measures "months ago": the mean Gregorian month, 365.2425 / 12. */
export const ORBIT_MONTH_DAYS = 365.2425 / 12;

/**
 * The half-life, in days, that makes 2^(−t/h) equal 0.9^(t/month) for every t:
 * h = month × ln 2 / ln(1/0.9) ≈ 6.5788 months ≈ 200.24 days.
 */
export const ORBIT_HALF_LIFE_DAYS = (ORBIT_MONTH_DAYS * Math.LN2) / -Math.log(ORBIT_MONTHLY_RETENTION);

/**
 * Activity weights on the Orbit model's 1–12 scale (1 passive awareness … 12 leadership), mapped to
 * Rapport's kinds: a reaction is passive, a message or post active participation, answering another
 * customer (Orbit's own example weighs a forum answer 6) and reviewing active contribution,
 * bringing someone in (a referral, near Orbit's pull request at 8) more still. Purchases weigh 0:
 * love measures involvement, not spend.
 */
export const ORBIT_WEIGHTS: KindWeights = Object.freeze({
  reaction: 1,
  share: 2,
  mention: 3,
  message: 4,
  post: 5,
  reply: 5,
  answer: 6,
  review: 7,
  referral: 8,
  purchase: 0,
});

/**
 * Orbit levels 4 (outermost) to 1 (inner circle) as love thresholds. Orbit places members by
 * activity weight or presence milestones; on love, a weight-4 activity (a message) repeated at
 * each milestone reaches it: 2 days in a week (love ≈ 8) for Participating, 7 days in a month
 * (≈ 28) for Contributing, 30 days in a quarter (≈ 120) for Leading.
 */
export const ORBIT_LEVELS: readonly EngagementLevel[] = Object.freeze([
  Object.freeze({ name: 'orbit-4-exploring', min: 0 }),
  Object.freeze({ name: 'orbit-3-participating', min: 8 }),
  Object.freeze({ name: 'orbit-2-contributing', min: 28 }),
  Object.freeze({ name: 'orbit-1-leading', min: 120 }),
]);

/**
 * Options reproducing the Orbit model's love: love = Σ weight · 0.9^(months ago), with Orbit's
 * 1–12 weights and orbit levels 4 → 1 by love thresholds. Scores are named `orbit.love` and
 * `orbit.love.level` (the level index: 0 is orbit 4, 3 is orbit 1), model `orbit-love`, plugin id
 * `orbit-love` (so it can run next to the default engagement plugin).
 *
 * Spread it and add your own options, e.g. to exclude teammates as the Orbit model asks:
 *
 * ```ts
 * const love = engagementScoring({ ...orbitPreset(), exclude: { customerIds: teammateIds } });
 * ```
 */
export function orbitPreset(): EngagementScoringOptions {
  return {
    id: 'orbit-love',
    scoreName: 'orbit.love',
    modelId: 'orbit-love',
    weights: { ...ORBIT_WEIGHTS },
    effortWeights: { signal: 1, contribution: 4, transaction: 0 },
    halfLifeDays: ORBIT_HALF_LIFE_DAYS,
    levels: ORBIT_LEVELS.map((level) => ({ ...level })),
  };
}
