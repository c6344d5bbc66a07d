import { isRapportError, SCORING_SPEC_VERSION, type ScoreRecomputeInput } from '@rapport/core';
import { describe, expect, it, vi } from 'vitest';
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

  it('returns the precomputed score of the customer, per tenant', async () => {
    const plugin = advocacyScoring();
    plugin.setScores('acme', advocacyScores(findAdvocates(timeline)));
    expect(await plugin.recompute!(recomputeInput('acme', 'carol'))).toEqual([
      { name: 'advocacy', value: 5, model: plugin.models[0] },
    ]);
    expect(await plugin.recompute!(recomputeInput('acme', 'alice'))).toEqual([]);
    expect(await plugin.recompute!(recomputeInput('globex', 'carol'))).toEqual([]);
    plugin.clearScores('acme');
    expect(await plugin.recompute!(recomputeInput('acme', 'carol'))).toEqual([]);
  });

  it('warns when a tenant has no table yet', async () => {
    const plugin = advocacyScoring();
    const warn = vi.fn();
    await plugin.init!({
      logger: { debug() {}, info() {}, warn, error() {} },
      clock: { now: () => new Date() },
    });
    await plugin.recompute!(recomputeInput('acme', 'carol'));
    expect(warn).toHaveBeenCalledOnce();
  });

  it('reads from `lookup` when given', async () => {
    const model = { id: 'advocacy-evidence', version: '1' };
    const plugin = advocacyScoring({
      lookup: (_tenant, customer) => (customer === 'a' ? { name: 'advocacy', value: 2, model } : undefined),
    });
    expect(await plugin.recompute!(recomputeInput('t', 'a'))).toEqual([
      { name: 'advocacy', value: 2, model },
    ]);
    expect(await plugin.recompute!(recomputeInput('t', 'b'))).toEqual([]);
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
    const plugin = advocacyScoring();
    try {
      plugin.setScores('t', [
        ['a', { name: 'advocacy', value: Number.NaN, model: { id: 'x', version: '1' } }],
      ]);
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_INPUT')).toBe(true);
    }
    expect(() => advocacyScores([], { 'accepted-answer': -1 })).toThrow(/advocacy weights/);
  });
});
