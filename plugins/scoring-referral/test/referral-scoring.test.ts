import {
  createTestRapport,
  type Interaction,
  memoryStorage,
  type Rapport,
  SCORING_SPEC_VERSION,
} from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { referralScoring, referralValues, timelinePurchases } from '../src/index.js';
import { economics, purchase, referral } from './helpers.js';

const day = (iso: string) => `${iso}T12:00:00Z`;

async function timelineOf(rapport: Rapport, customerId: string): Promise<Interaction[]> {
  return (await rapport.customers.timeline(customerId, { limit: 1000 })).items;
}

describe('referralScoring plugin', () => {
  it('declares the scoring contract and its model with every input', () => {
    const plugin = referralScoring({ economics, purchasesOf: () => [] });
    expect(plugin).toMatchObject({
      id: 'referral',
      specVersion: SCORING_SPEC_VERSION,
      capabilities: { annotate: false, incremental: false, recompute: true },
    });
    expect(plugin.models[0]).toEqual({
      id: 'customer-referral-value',
      version: '1',
      params: {
        contributionMargin: 100,
        referralCost: 10,
        marketingCost: 20,
        acquisitionSavingsNew: 30,
        acquisitionSavingsAnyway: 25,
        shareWouldJoinAnyway: 0.2,
        discountRate: 0.1,
        periodDays: 365,
        origin: '2025-01-01T00:00:00.000Z',
        conversionWindowDays: null,
        requireNewCustomer: true,
        referralKinds: ['referral'],
        purchaseKinds: ['purchase'],
      },
    });
  });

  it('requires purchasesOf and the economics', () => {
    expect(() => referralScoring({ economics } as never)).toThrow(/purchasesOf/);
    expect(() => referralScoring({ purchasesOf: () => [] } as never)).toThrow(/economics/);
  });

  it('gives 0 and 0 to a customer without referrals', async () => {
    const plugin = referralScoring({ economics, purchasesOf: () => [] });
    const scores = await plugin.recompute!({
      tenantId: 't',
      customerId: 'ann',
      interactions: (async function* () {
        yield purchase('ann', '2025-03-01');
      })(),
      now: new Date(),
    });
    expect(scores.map((s) => [s.name, s.value])).toEqual([
      ['referral_value', 0],
      ['referrals_converted', 0],
    ]);
  });

  it('agrees with referralValues over the same interactions (each attribution)', async () => {
    const items = [
      referral('ann', 'f1', '2025-02-01'),
      purchase('f1', '2025-03-01', 80),
      referral('ann', 'f2', '2025-06-01'),
      purchase('f2', '2026-02-01'),
      referral('bob', 'f1', '2025-02-15'),
      referral('ann', 'f3', '2025-07-01'),
    ];
    const batch = referralValues(items, { economics });
    const byCustomer = (id: string) => items.filter((i) => i.customerId === id);
    const plugin = referralScoring({ economics, purchasesOf: (_tenant, customer) => byCustomer(customer) });
    for (const referrer of ['ann', 'bob']) {
      const explained = await plugin.explain({
        tenantId: 't',
        customerId: referrer,
        interactions: byCustomer(referrer),
      });
      expect(explained).toEqual(batch.get(referrer));
    }
  });
});

describe('referral value through the Rapport runtime', () => {
  it('records referral_value and referrals_converted on recompute, with the evidence', async () => {
    let rapport: Rapport | undefined;
    const plugin = referralScoring({
      economics,
      purchasesOf: timelinePurchases((tenantId) => rapport!.tenant(tenantId), 2),
    });
    rapport = await createTestRapport({ storage: memoryStorage(), scoring: [plugin] });
    const base = { channel: 'shop', account: 'store', direction: 'inbound' as const };
    const { results } = await rapport.ingest([
      {
        ...base,
        externalId: 'ref-1',
        kind: 'referral',
        occurredAt: day('2025-02-01'),
        actor: { externalId: 'ann' },
        referred: { externalId: 'f1' },
      },
      {
        ...base,
        externalId: 'ref-2',
        kind: 'referral',
        occurredAt: day('2025-06-01'),
        actor: { externalId: 'ann' },
        referred: { externalId: 'f2' },
      },
      {
        ...base,
        externalId: 'ref-3',
        kind: 'referral',
        occurredAt: day('2025-07-01'),
        actor: { externalId: 'ann' },
        referred: { externalId: 'f3' },
      },
      {
        ...base,
        externalId: 'o-1',
        kind: 'purchase',
        occurredAt: day('2025-03-01'),
        actor: { externalId: 'f1' },
        amount: 80,
        currency: 'EUR',
      },
      {
        ...base,
        externalId: 'o-2',
        kind: 'message',
        text: 'hi',
        occurredAt: day('2025-03-02'),
        actor: { externalId: 'f2' },
      },
      {
        ...base,
        externalId: 'o-3',
        kind: 'purchase',
        occurredAt: day('2026-02-01'),
        actor: { externalId: 'f2' },
        amount: 20,
        currency: 'EUR',
      },
      {
        ...base,
        externalId: 'o-4',
        kind: 'purchase',
        occurredAt: day('2026-03-01'),
        actor: { externalId: 'f2' },
        amount: 20,
        currency: 'EUR',
      },
    ]);
    expect(results.every((r) => r.status === 'created')).toBe(true);
    const ann = results[0]!.customerId!;

    const recorded = await rapport.scores.recompute(ann);
    const value = recorded.find((s) => s.name === 'referral_value')!;
    expect(value.value).toBeCloseTo(85 / 1.1 + 85 / 1.21, 12);
    expect(value.model.id).toBe('customer-referral-value');
    expect(recorded.find((s) => s.name === 'referrals_converted')!.value).toBe(2);
    const latest = await rapport.scores.latest(ann);
    expect(latest.map((s) => s.name).sort()).toEqual(['referral_value', 'referrals_converted']);

    const explained = await plugin.explain({
      tenantId: 'default',
      customerId: ann,
      interactions: await timelineOf(rapport, ann),
    });
    expect(explained.conversions.map((c) => [c.referralInteractionId, c.purchaseInteractionId])).toEqual([
      [results[0]!.interactionId, results[3]!.interactionId],
      [results[1]!.interactionId, results[5]!.interactionId],
    ]);
    expect(explained.unconverted).toMatchObject([
      { referralInteractionId: results[2]!.interactionId, reason: 'no-purchase' },
    ]);
    await rapport.stop();
  });
});
