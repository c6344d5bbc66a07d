import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  isRapportError,
  precomputedScoring,
  SCORING_SPEC_VERSION,
  type ScoreRecomputeInput,
  type ScoreResult,
  scoreLookupOptionSchema,
} from '../src/index.js';

function recomputeInput(tenantId: string, customerId: string): ScoreRecomputeInput {
  return {
    tenantId,
    customerId,
    interactions: (async function* () {})(),
    now: new Date('2025-01-01T00:00:00Z'),
  };
}

const model = { id: 'demo-model', version: '2', params: { alpha: 1 } };
const score = (value: number): ScoreResult => ({ name: 'demo', value, model });

function demo(lookup?: Parameters<typeof precomputedScoring>[0]['lookup']) {
  return precomputedScoring({ id: 'demo', version: '1.0.0', model, source: 'demoScores', lookup });
}

describe('precomputedScoring', () => {
  it('is a recompute-only scoring plugin declaring its one model', () => {
    expect(demo()).toMatchObject({
      id: 'demo',
      version: '1.0.0',
      specVersion: SCORING_SPEC_VERSION,
      capabilities: { annotate: false, incremental: false, recompute: true },
      models: [model],
    });
  });

  it('returns the stored score of the customer, per tenant, until the table is cleared', async () => {
    const plugin = demo();
    plugin.setScores('acme', new Map([['carol', score(5)]]));
    plugin.setScores('globex', [['dan', score(1)]]);
    expect(await plugin.recompute!(recomputeInput('acme', 'carol'))).toEqual([score(5)]);
    expect(await plugin.recompute!(recomputeInput('acme', 'alice'))).toEqual([]);
    expect(await plugin.recompute!(recomputeInput('acme', 'dan'))).toEqual([]);
    expect(await plugin.recompute!(recomputeInput('globex', 'dan'))).toEqual([score(1)]);

    plugin.setScores('acme', [['alice', score(2)]]);
    expect(await plugin.recompute!(recomputeInput('acme', 'carol'))).toEqual([]);
    expect(await plugin.recompute!(recomputeInput('acme', 'alice'))).toEqual([score(2)]);

    plugin.clearScores('acme');
    expect(await plugin.recompute!(recomputeInput('acme', 'alice'))).toEqual([]);
    expect(await plugin.recompute!(recomputeInput('globex', 'dan'))).toEqual([score(1)]);
    plugin.clearScores();
    expect(await plugin.recompute!(recomputeInput('globex', 'dan'))).toEqual([]);
  });

  it('warns, naming the plugin and tenant, when a tenant has no table yet', async () => {
    const plugin = demo();
    const warn = vi.fn();
    await plugin.init!({
      logger: { debug() {}, info() {}, warn, error() {} },
      clock: { now: () => new Date() },
    });
    expect(await plugin.recompute!(recomputeInput('acme', 'carol'))).toEqual([]);
    expect(warn).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledWith('demo: no scores loaded for this tenant; call setScores first', {
      plugin: 'demo',
      tenantId: 'acme',
    });
    plugin.setScores('acme', []);
    await plugin.recompute!(recomputeInput('acme', 'carol'));
    expect(warn).toHaveBeenCalledOnce();
  });

  it('reads from `lookup` when given, one score or several, and not from the table', async () => {
    const lookup = vi.fn((tenant: string, customer: string) => {
      if (customer === 'a') return score(2);
      if (customer === 'b') return Promise.resolve([score(3), { ...score(4), name: 'demo_core' }]);
      return tenant === 't' ? undefined : [];
    });
    const plugin = demo(lookup);
    plugin.setScores('t', [['c', score(9)]]);
    expect(await plugin.recompute!(recomputeInput('t', 'a'))).toEqual([score(2)]);
    expect(await plugin.recompute!(recomputeInput('t', 'b'))).toEqual([
      score(3),
      { ...score(4), name: 'demo_core' },
    ]);
    expect(await plugin.recompute!(recomputeInput('t', 'c'))).toEqual([]);
    expect(lookup).toHaveBeenLastCalledWith('t', 'c');
  });

  it('rejects malformed scores, naming the plugin and the function that makes them', () => {
    const plugin = demo();
    for (const bad of [
      [['a', { ...score(1), value: Number.NaN }]],
      [['a', { ...score(1), name: '' }]],
      [['a', { ...score(1), model: { id: 'x' } }]],
      [['', score(1)]],
    ]) {
      try {
        plugin.setScores('t', bad as never);
        expect.unreachable();
      } catch (error) {
        expect(isRapportError(error, 'RAPPORT_INVALID_INPUT')).toBe(true);
        expect((error as Error).message).toMatch(/^Invalid demo scores/);
      }
    }
    expect(() => plugin.setScores('t', [['', score(1)]])).toThrow(
      expect.objectContaining({
        hint: 'give scores as [customerId, { name, value, model }] pairs, as demoScores returns them',
      }),
    );
  });

  it('offers the `lookup` option schema for plugin options: a function, or nothing', () => {
    const schema = z.object({ lookup: scoreLookupOptionSchema }).strict();
    expect(schema.safeParse({}).success).toBe(true);
    expect(schema.safeParse({ lookup: () => undefined }).success).toBe(true);
    expect(schema.safeParse({ lookup: 'nope' }).success).toBe(false);
  });
});
