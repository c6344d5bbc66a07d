import { isRapportError, SCORING_SPEC_VERSION, type ScoreRecomputeInput } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { advocacyScores, advocacyScoring, findAdvocates } from '../src/index.js';
import { stored } from './helpers.js';

function recomputeInput(tenantId: string, customerId: string): ScoreRecomputeInput {
  return {
    tenantId,
    customerId,
    interactions: (async function* () {})(),
    now: new Date('2025-01-01T00:00:00Z'),
  };
}

const timeline = [
  stored('q1', 'post', 'alice'),
  stored('r1', 'reply', 'bob', { parent: 'q1' }),
  stored('l1', 'reaction', 'alice', { parent: 'r1', effort: 'signal' }),
  stored('ref', 'referral', 'carol', { referredCustomerId: 'dan' }),
  stored('buy', 'purchase', 'dan', { occurredAt: new Date('2024-02-01T00:00:00Z'), amount: 10 }),
];

describe('advocacyScores', () => {
  it('turns advocates into `advocacy` scores with the model and its weights', () => {
    const weights = { 'converted-referral': 10 };
    const scores = advocacyScores(findAdvocates(timeline, { weights }), weights);
    const model = {
      id: 'advocacy-evidence',
      version: '1',
      params: { 'accepted-answer': 3, 'upvoted-answer': 2, 'appreciated-reply': 1, 'converted-referral': 10 },
    };
    expect(scores).toEqual(
      new Map([
        ['carol', { name: 'advocacy', value: 10, model }],
        ['bob', { name: 'advocacy', value: 1, model }],
      ]),
    );
  });

  it('leaves out advocates without a customer id', () => {
    const advocate = { id: 'forum:x', customerId: null, actor: { channel: 'forum', externalId: 'x' } };
    const counts = {
      'accepted-answer': 1,
      'upvoted-answer': 0,
      'appreciated-reply': 0,
      'converted-referral': 0,
    };
    expect(advocacyScores([{ ...advocate, score: 3, counts, evidence: [] }]).size).toBe(0);
  });
});

describe('advocacyScoring plugin', () => {
  it('declares the scoring contract and its model with the weights', () => {
    expect(advocacyScoring({ weights: { 'appreciated-reply': 0.5 } })).toMatchObject({
      id: 'advocacy',
      specVersion: SCORING_SPEC_VERSION,
      capabilities: { annotate: false, incremental: false, recompute: true },
      models: [
        {
          id: 'advocacy-evidence',
          version: '1',
          params: {
            'accepted-answer': 3,
            'upvoted-answer': 2,
            'appreciated-reply': 0.5,
            'converted-referral': 5,
          },
        },
      ],
    });
  });

  it('serves the scores of advocacyScores, or those `lookup` finds', async () => {
    const plugin = advocacyScoring();
    plugin.setScores('acme', advocacyScores(findAdvocates(timeline)));
    expect(await plugin.recompute!(recomputeInput('acme', 'carol'))).toEqual([
      { name: 'advocacy', value: 5, model: plugin.models[0] },
    ]);
    expect(await plugin.recompute!(recomputeInput('acme', 'alice'))).toEqual([]);
    const found = { name: 'advocacy', value: 2, model: { id: 'advocacy-evidence', version: '1' } };
    const looked = advocacyScoring({ lookup: () => found });
    expect(await looked.recompute!(recomputeInput('t', 'a'))).toEqual([found]);
  });

  it('validates its options and the scores it is given', () => {
    try {
      advocacyScoring({ wieghts: {} } as never);
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_OPTIONS')).toBe(true);
      expect((error as { path: unknown }).path).toEqual(['wieghts']);
    }
    expect(() => advocacyScoring({ lookup: 'nope' } as never)).toThrow(/lookup/);
    const score = { name: 'advocacy', value: Number.NaN, model: { id: 'x', version: '1' } };
    expect(() => advocacyScoring().setScores('t', [['a', score]])).toThrow(/^Invalid advocacy scores/);
    expect(() => advocacyScores([], { 'accepted-answer': -1 })).toThrow(/advocacy weights/);
  });
});
