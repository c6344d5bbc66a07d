import { SCORING_SPEC_VERSION, type ScoreRecomputeInput } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { influenceScores, influenceScoring, pagerank } from '../src/index.js';
import { karate } from './helpers.js';

function recomputeInput(tenantId: string, customerId: string): ScoreRecomputeInput {
  return {
    tenantId,
    customerId,
    interactions: (async function* () {})(),
    now: new Date('2025-01-01T00:00:00Z'),
  };
}

describe('influenceScores', () => {
  it('gives every node its PageRank as an `influence` score with the model and its parameters', () => {
    const graph = karate(true);
    const scores = influenceScores(graph);
    const reference = pagerank(graph, { tolerance: 1e-10, maxIterations: 1000 });
    expect(scores.size).toBe(34);
    expect(scores.get('33')!.value).toBe(reference.get('33'));
    expect(scores.get('33')!.model).toEqual({
      id: 'pagerank',
      version: '1',
      params: {
        alpha: 0.85,
        tolerance: 1e-10,
        maxIterations: 1000,
        weighted: true,
        teleport: 'uniform',
        dangling: 'teleport',
        scale: 'probability',
        nodes: 34,
        edges: 156,
      },
    });
  });

  it('scales to a mean of 1 with `relative`, and names personalized runs', () => {
    const scores = influenceScores(karate(true), {
      scale: 'relative',
      personalization: new Map([
        ['0', 1],
        ['33', 1],
      ]),
      name: 'influence_core',
    });
    let sum = 0;
    for (const score of scores.values()) sum += score.value;
    expect(sum / scores.size).toBeCloseTo(1, 12);
    const score = scores.get('0')!;
    expect(score.name).toBe('influence_core');
    expect(score.model.params).toMatchObject({ teleport: 'personalized', seeds: 2, scale: 'relative' });
  });

  it('rejects unknown options', () => {
    expect(() => influenceScores(karate(true), { sacle: 'relative' } as never)).toThrow(/sacle/);
  });
});

describe('influenceScoring plugin', () => {
  it('declares the scoring contract and its model', () => {
    const plugin = influenceScoring();
    expect(plugin).toMatchObject({
      id: 'influence',
      specVersion: SCORING_SPEC_VERSION,
      capabilities: { annotate: false, incremental: false, recompute: true },
      models: [{ id: 'pagerank', version: '1' }],
    });
  });

  it('serves the scores of influenceScores, or those `lookup` finds', async () => {
    const plugin = influenceScoring();
    plugin.setScores('acme', influenceScores(karate(true)));
    const [score] = await plugin.recompute!(recomputeInput('acme', '33'));
    expect(score!.name).toBe('influence');
    expect(score!.value).toBeGreaterThan(0.09);
    expect(score!.model).toMatchObject(plugin.models[0]!);
    expect(await plugin.recompute!(recomputeInput('acme', 'nobody'))).toEqual([]);
    const found = { name: 'influence', value: 2, model: { id: 'pagerank', version: '1' } };
    const looked = influenceScoring({ lookup: () => found });
    expect(await looked.recompute!(recomputeInput('t', 'a'))).toEqual([found]);
  });

  it('validates its options and the scores it is given', () => {
    expect(() => influenceScoring({ lookup: 'nope' } as never)).toThrow(/lookup/);
    const score = { name: 'influence', value: Number.NaN, model: { id: 'pagerank', version: '1' } };
    expect(() => influenceScoring().setScores('t', [['a', score]])).toThrow(/^Invalid influence scores/);
  });
});
