import { isRapportError, SCORING_SPEC_VERSION, type ScoreRecomputeInput } from '@rapport/core';
import { describe, expect, it, vi } from 'vitest';
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

  it('returns the precomputed score of the customer, per tenant', async () => {
    const plugin = influenceScoring();
    plugin.setScores('acme', influenceScores(karate(true)));
    const [score] = await plugin.recompute!(recomputeInput('acme', '33'));
    expect(score!.name).toBe('influence');
    expect(score!.value).toBeGreaterThan(0.09);
    expect(await plugin.recompute!(recomputeInput('acme', 'nobody'))).toEqual([]);
    expect(await plugin.recompute!(recomputeInput('globex', '33'))).toEqual([]);
    plugin.clearScores('acme');
    expect(await plugin.recompute!(recomputeInput('acme', '33'))).toEqual([]);
  });

  it('warns when a tenant has no table yet', async () => {
    const plugin = influenceScoring();
    const warn = vi.fn();
    await plugin.init!({
      logger: { debug() {}, info() {}, warn, error() {} },
      clock: { now: () => new Date() },
    });
    await plugin.recompute!(recomputeInput('acme', '1'));
    expect(warn).toHaveBeenCalledOnce();
  });

  it('reads from `lookup` when given', async () => {
    const model = { id: 'pagerank', version: '1' };
    const plugin = influenceScoring({
      lookup: (_tenant, customer) => (customer === 'a' ? { name: 'influence', value: 2, model } : undefined),
    });
    expect(await plugin.recompute!(recomputeInput('t', 'a'))).toEqual([
      { name: 'influence', value: 2, model },
    ]);
    expect(await plugin.recompute!(recomputeInput('t', 'b'))).toEqual([]);
  });

  it('validates its options and the scores it is given', () => {
    expect(() => influenceScoring({ lookup: 'nope' } as never)).toThrow(/lookup/);
    const plugin = influenceScoring();
    try {
      plugin.setScores('t', [
        ['a', { name: 'influence', value: Number.NaN, model: { id: 'pagerank', version: '1' } }],
      ]);
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_INPUT')).toBe(true);
    }
  });
});
