import { SCORING_SPEC_VERSION } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EFFORT_WEIGHTS,
  DEFAULT_KIND_WEIGHTS,
  DEFAULT_LEVELS,
  decayFactor,
  ENGAGEMENT_MODEL_VERSION,
  engagementScoring,
  levelOf,
} from '../src/index.js';
import { at, DAY, interaction, stream, T0 } from './helpers.js';

const now = new Date(T0);

describe('engagementScoring plugin shape', () => {
  it('is incremental and recomputable, speaks rapport.scoring/v1 and records every parameter', () => {
    const plugin = engagementScoring();
    expect(plugin.id).toBe('engagement');
    expect(plugin.specVersion).toBe(SCORING_SPEC_VERSION);
    expect(plugin.capabilities).toEqual({ annotate: false, incremental: true, recompute: true });
    expect(plugin.models).toEqual([
      {
        id: 'engagement-effort-decay',
        version: ENGAGEMENT_MODEL_VERSION,
        params: {
          weights: DEFAULT_KIND_WEIGHTS,
          effortWeights: DEFAULT_EFFORT_WEIGHTS,
          channelWeights: {},
          halfLifeDays: 90,
          levels: DEFAULT_LEVELS,
          exclude: { customerIds: [], actorExternalIds: [], handles: [] },
        },
      },
    ]);
  });

  it('records the score and declares its levels, which the host maps it to', async () => {
    const plugin = engagementScoring();
    const results = await plugin.recompute({
      tenantId: 'default',
      customerId: 'c1',
      interactions: stream([interaction({ kind: 'reply' })]),
      now,
    });
    expect(results.map((r) => [r.name, r.value])).toEqual([['engagement', 6]]);
    expect(results[0]!.model).toMatchObject({ id: 'engagement-effort-decay', version: '1' });
    expect(plugin.levels).toEqual([{ score: 'engagement', levels: DEFAULT_LEVELS }]);
    expect(DEFAULT_LEVELS[levelOf(6, DEFAULT_LEVELS)]!.name).toBe('participant');
  });
});

describe('weights', () => {
  it('weighs each kind by the default table, effortful contributions above one-click signals', () => {
    const plugin = engagementScoring();
    const weightOf = (kind: string) => plugin.weightOf(interaction({ kind }));
    expect(
      Object.fromEntries(
        [
          'reaction',
          'share',
          'mention',
          'message',
          'post',
          'reply',
          'review',
          'referral',
          'answer',
          'purchase',
        ].map((k) => [k, weightOf(k)]),
      ),
    ).toEqual({
      reaction: 1,
      share: 2,
      mention: 3,
      message: 4,
      post: 5,
      reply: 6,
      review: 8,
      referral: 8,
      answer: 10,
      purchase: 0,
    });
  });

  it('falls back to the effort class for kinds without a weight', () => {
    const plugin = engagementScoring({ effortWeights: { contribution: 3 } });
    expect(plugin.weightOf(interaction({ kind: 'vote', effort: 'signal' }))).toBe(1);
    expect(plugin.weightOf(interaction({ kind: 'tutorial', effort: 'contribution' }))).toBe(3);
    expect(plugin.weightOf(interaction({ kind: 'refund', effort: 'transaction' }))).toBe(0);
    // A kind named like an Object.prototype member is just another unknown kind.
    expect(plugin.weightOf(interaction({ kind: 'constructor', effort: 'signal' }))).toBe(1);
  });

  it('merges custom kind weights over the defaults and lets a channel override them', () => {
    const plugin = engagementScoring({
      weights: { reply: 7, vote: 2 },
      channelWeights: { linkedin: { reaction: 0.5, reply: 9 } },
    });
    expect(plugin.weightOf(interaction({ kind: 'reply' }))).toBe(7);
    expect(plugin.weightOf(interaction({ kind: 'vote' }))).toBe(2);
    expect(plugin.weightOf(interaction({ kind: 'review' }))).toBe(8);
    expect(plugin.weightOf(interaction({ kind: 'reply', channel: 'linkedin' }))).toBe(9);
    expect(plugin.weightOf(interaction({ kind: 'reaction', channel: 'linkedin' }))).toBe(0.5);
    // Kinds the channel does not override keep the general weight there.
    expect(plugin.weightOf(interaction({ kind: 'message', channel: 'linkedin' }))).toBe(4);
    expect(plugin.options.weights).toMatchObject({ reply: 7, vote: 2, reaction: 1 });
  });

  it('sums weights of simultaneous interactions', () => {
    const plugin = engagementScoring();
    const items = ['reaction', 'reply', 'review', 'purchase'].map((kind) => interaction({ kind }));
    expect(plugin.scoreOf(items, now)).toBe(1 + 6 + 8 + 0);
  });
});

describe('decay', () => {
  it('halves a contribution at the half-life and quarters it at twice the half-life', () => {
    const plugin = engagementScoring({ halfLifeDays: 30 });
    const review = interaction({ kind: 'review' });
    expect(plugin.scoreOf([review], new Date(T0 + 30 * DAY))).toBeCloseTo(4, 12);
    expect(plugin.scoreOf([review], new Date(T0 + 60 * DAY))).toBeCloseTo(2, 12);
    expect(engagementScoring().scoreOf([review], new Date(T0 + 90 * DAY))).toBeCloseTo(4, 12);
    expect(decayFactor(7 * DAY, 7)).toBeCloseTo(0.5, 15);
  });

  it('decays each interaction from its own time', () => {
    const plugin = engagementScoring({ halfLifeDays: 10 });
    const score = plugin.scoreOf(
      [at(0, { kind: 'reaction' }), at(10, { kind: 'reply' })],
      new Date(T0 + 20 * DAY),
    );
    expect(score).toBeCloseTo(1 * 0.25 + 6 * 0.5, 12);
  });
});

describe('who counts', () => {
  it('counts nothing outbound: the organization’s own interactions are not the customer’s engagement', () => {
    const plugin = engagementScoring();
    const items = [
      interaction({ kind: 'reply', direction: 'outbound', actorExternalId: 'agent-7' }),
      interaction({ kind: 'message', direction: 'outbound' }),
    ];
    expect(plugin.scoreOf(items, now)).toBe(0);
    expect(plugin.scoreOf([...items, interaction({ kind: 'reaction' })], now)).toBe(1);
  });

  it('counts nothing from excluded actors, by external id or handle pattern', () => {
    const plugin = engagementScoring({
      exclude: { actorExternalIds: ['staff-1'], handles: [/bot$/gi, '^team-'] },
    });
    const excluded = [
      interaction({ actorExternalId: 'staff-1' }),
      interaction({ actorHandle: 'DependaBot' }),
      // The `g` flag is dropped: the same handle twice must be excluded twice.
      interaction({ actorHandle: 'dependabot' }),
      interaction({ actorHandle: 'team-anna' }),
    ];
    expect(plugin.scoreOf(excluded, now)).toBe(0);
    expect(plugin.scoreOf([interaction({ actorHandle: 'bottle' })], now)).toBe(4);
    expect(plugin.options.exclude.handles.map(String)).toEqual(['/bot$/i', '/^team-/']);
    expect(plugin.models[0]!.params!.exclude).toEqual({
      customerIds: [],
      actorExternalIds: ['staff-1'],
      handles: ['/bot$/i', '/^team-/'],
    });
  });

  it('gives excluded customers no scores at all', async () => {
    const plugin = engagementScoring({ exclude: { customerIds: ['staff'] } });
    const input = { tenantId: 'default', customerId: 'staff', now, current: [] };
    expect(plugin.update({ ...input, interactions: [interaction()] })).toEqual([]);
    expect(await plugin.recompute({ ...input, interactions: stream([interaction()]) })).toEqual([]);
  });
});

describe('levels', () => {
  it('places scores by the default thresholds, lower bounds inclusive', () => {
    const names = (score: number) => DEFAULT_LEVELS[levelOf(score, DEFAULT_LEVELS)]!.name;
    expect([0, 0.99, 1, 4.99, 5, 19.9, 20, 49.99, 50, 1e9].map(names)).toEqual([
      'inactive',
      'inactive',
      'observer',
      'observer',
      'participant',
      'participant',
      'contributor',
      'contributor',
      'advocate',
      'advocate',
    ]);
  });

  it('handles one-level and custom ladders, and values below the first threshold', () => {
    expect(levelOf(100, [{ name: 'all', min: 0 }])).toBe(0);
    const ladder = [
      { name: 'low', min: 0 },
      { name: 'mid', min: 10 },
      { name: 'high', min: 100 },
    ];
    expect([-1, Number.NaN, 9, 10, 99, 100].map((s) => levelOf(s, ladder))).toEqual([0, 0, 0, 1, 1, 2]);
  });

  it('records the configured level of a score', async () => {
    const plugin = engagementScoring({
      levels: [
        { name: 'quiet', min: 0 },
        { name: 'loud', min: 10 },
      ],
    });
    const results = plugin.update({
      tenantId: 'default',
      customerId: 'c1',
      interactions: [interaction({ kind: 'answer' })],
      current: [],
      now,
    });
    const ladder = plugin.levels![0]!.levels;
    expect(ladder[levelOf(results[0]!.value, ladder)]!.name).toBe('loud');
  });
});
