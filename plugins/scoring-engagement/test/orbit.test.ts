import { describe, expect, it } from 'vitest';
import {
  engagementScoring,
  levelOf,
  ORBIT_HALF_LIFE_DAYS,
  ORBIT_LEVELS,
  ORBIT_MONTH_DAYS,
  orbitPreset,
} from '../src/index.js';
import { DAY, interaction, stream, T0 } from './helpers.js';

const MONTH = ORBIT_MONTH_DAYS * DAY;

describe('Orbit preset', () => {
  it('has a half-life of about 6.58 months, so 2^(−t/h) = 0.9^(t/month)', () => {
    expect(ORBIT_HALF_LIFE_DAYS / ORBIT_MONTH_DAYS).toBeCloseTo(6.5788, 4);
    expect(ORBIT_HALF_LIFE_DAYS).toBeCloseTo(200.24, 2);
    for (const months of [0.5, 1, 3, 12, 40]) {
      expect(2 ** -((months * ORBIT_MONTH_DAYS) / ORBIT_HALF_LIFE_DAYS)).toBeCloseTo(0.9 ** months, 14);
    }
  });

  it('computes love = Σ weight · 0.9^(months ago) on a hand-worked example', async () => {
    const love = engagementScoring(orbitPreset());
    const now = new Date(T0 + 12 * MONTH);
    const ago = (months: number, kind: string) =>
      interaction({ kind, occurredAt: new Date(now.getTime() - months * MONTH) });
    const timeline = [
      ago(0, 'answer'), // 6 · 1       = 6
      ago(1, 'message'), // 4 · 0.9     = 3.6
      ago(2, 'review'), // 7 · 0.81    = 5.67
      ago(3, 'reaction'), // 1 · 0.729   = 0.729
      ago(12, 'referral'), // 8 · 0.9^12 = 2.2594762...
      ago(1, 'purchase'), // 0
      interaction({ kind: 'reply', direction: 'outbound', occurredAt: now }), // 0: the team's own
    ];
    const expected = 6 + 3.6 + 5.67 + 0.729 + 8 * 0.282429536481;
    expect(expected).toBeCloseTo(18.258436291848, 12);
    const results = await love.recompute({
      tenantId: 'default',
      customerId: 'c1',
      interactions: stream(timeline),
      now,
    });
    expect(results[0]).toMatchObject({ name: 'orbit.love', model: { id: 'orbit-love' } });
    expect(results[0]!.value).toBeCloseTo(expected, 10);
    // 8 ≤ 18.26 < 28: orbit 3, participating (the host records the level from the declared ladder).
    expect(results).toHaveLength(1);
    const [ladder] = love.levels!;
    expect(ladder!.score).toBe('orbit.love');
    expect(ladder!.levels[levelOf(results[0]!.value, ladder!.levels)]!.name).toBe('orbit-3-participating');
  });

  it('places love in orbit levels 4 → 1 by threshold', () => {
    const orbitOf = (love: number) => ORBIT_LEVELS[levelOf(love, ORBIT_LEVELS)]!.name;
    expect([0, 7.9, 8, 27.9, 28, 119, 120].map(orbitOf)).toEqual([
      'orbit-4-exploring',
      'orbit-4-exploring',
      'orbit-3-participating',
      'orbit-3-participating',
      'orbit-2-contributing',
      'orbit-2-contributing',
      'orbit-1-leading',
    ]);
  });

  it('runs beside the default plugin under its own id, and takes extra options such as teammates', () => {
    const love = engagementScoring({ ...orbitPreset(), exclude: { customerIds: ['teammate'] } });
    expect(love.id).toBe('orbit-love');
    expect(engagementScoring().id).not.toBe(love.id);
    expect(
      love.update({ tenantId: 'd', customerId: 'teammate', interactions: [], current: [], now: new Date() }),
    ).toEqual([]);
  });
});
