import {
  createTestRapport,
  type InteractionInput,
  isRapportError,
  SCORING_SPEC_VERSION,
} from '@rapport/core';
import { describe, expect, it } from 'vitest';
import {
  CLV_MODEL,
  CLV_SCORES,
  clvScoring,
  customerLifetimeValue,
  fitClvModels,
  parseCdnowTransactions,
  summariesFromCdnow,
} from '../src/index.js';
import { cdnowText, cdnowWithSpend } from './fixtures.js';

const models = fitClvModels(cdnowWithSpend);

function rapportErrorOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isRapportError(error)) return error;
    throw error;
  }
  throw new Error('expected a RapportError');
}

describe('clvScoring options', () => {
  it('declares recompute only, speaks rapport.scoring/v1 and names its model with every parameter', () => {
    const plugin = clvScoring({ models, margin: 0.3, discountRate: 0.02 });
    expect(plugin.specVersion).toBe(SCORING_SPEC_VERSION);
    expect(plugin.capabilities).toEqual({ annotate: false, incremental: false, recompute: true });
    expect(plugin.models).toEqual([
      {
        ...CLV_MODEL,
        params: {
          ...models.bgnbd,
          ...models.gammaGamma,
          timeUnit: 'weeks',
          horizon: 52,
          periods: 12,
          discountRate: 0.02,
          margin: 0.3,
        },
      },
    ]);
  });

  it('defaults the horizon to a year in the models’ time unit', () => {
    expect(clvScoring({ models: { ...models, timeUnit: 'days' } }).options.horizon).toBe(365);
  });

  it('rejects invalid options naming them, and a missing fit', () => {
    expect(rapportErrorOf(() => clvScoring({ models, margin: -1 }))).toMatchObject({
      code: 'RAPPORT_INVALID_OPTIONS',
      path: ['margin'],
    });
    expect(rapportErrorOf(() => clvScoring({ models, horizn: 10 } as never))).toMatchObject({
      code: 'RAPPORT_INVALID_OPTIONS',
      path: ['horizn'],
    });
    expect(rapportErrorOf(() => clvScoring({} as never)).path).toEqual(['models']);
    expect(
      rapportErrorOf(() => clvScoring({ models: { ...models, bgnbd: { ...models.bgnbd, a: 0 } } })).path,
    ).toEqual(['models', 'bgnbd', 'a']);
  });
});

describe('clvScoring in a running Rapport', () => {
  const purchasesOf = (sampleId: string): InteractionInput[] =>
    parseCdnowTransactions(cdnowText('CDNOW_sample.txt'))
      .filter((t) => t.customerId === sampleId)
      .map((t, i) => ({
        channel: 'shop',
        account: 'cdnow',
        externalId: `${sampleId}-${i}`,
        direction: 'inbound',
        kind: 'purchase',
        occurredAt: t.date,
        actor: { externalId: `customer-${sampleId}` },
        amount: t.amount,
        currency: 'USD',
      }));

  it('recomputes a customer’s scores from their purchases up to now, as customerLifetimeValue does', async () => {
    // The end of the CDNOW calibration period: purchases after it are in the future and ignored.
    const now = new Date('1997-09-30T18:00:00Z');
    const rapport = await createTestRapport({
      scoring: [clvScoring({ models, margin: 0.3 })],
      clock: { now: () => now },
    });
    const one = purchasesOf('1');
    const three = purchasesOf('3');
    const message: InteractionInput = {
      channel: 'shop',
      account: 'cdnow',
      externalId: 'hello',
      direction: 'inbound',
      kind: 'message',
      text: 'hello',
      occurredAt: '1997-05-01T10:00:00Z',
      actor: { externalId: 'browser' },
    };
    const { results, counts } = await rapport.ingest([...one, ...three, message]);
    expect(counts.created).toBe(one.length + three.length + 1);
    const customerOf: Record<string, string> = {
      '1': results[0]!.customerId!,
      '3': results[one.length]!.customerId!,
    };
    const summaries = summariesFromCdnow(cdnowText('CDNOW_sample.txt'));

    for (const sampleId of ['1', '3']) {
      const customerId = customerOf[sampleId]!;
      const scores = await rapport.scores.recompute(customerId);
      const expected = customerLifetimeValue(models, summaries.find((s) => s.customerId === sampleId)!, {
        horizon: 52,
        margin: 0.3,
      });
      expect(Object.fromEntries(scores.map((s) => [s.name, s.value]))).toEqual({
        [CLV_SCORES.pAlive]: expected.pAlive,
        [CLV_SCORES.expectedTransactions]: expected.expectedTransactions,
        [CLV_SCORES.expectedSpend]: expected.expectedSpend,
        [CLV_SCORES.clv]: expected.clv,
      });
      for (const score of scores) expect(score.model.id).toBe('bgnbd+gammagamma');
      expect((await rapport.scores.latest(customerId)).map((s) => s.name).sort()).toEqual(
        Object.values(CLV_SCORES).sort(),
      );
    }
    // Customer 3 never bought again: alive for sure in BG/NBD, valued at the population mean spend.
    const newcomer = await rapport.scores.recompute(customerOf['3']!);
    expect(newcomer.find((s) => s.name === CLV_SCORES.pAlive)!.value).toBe(1);
    const { p, q, gamma } = models.gammaGamma;
    expect(newcomer.find((s) => s.name === CLV_SCORES.expectedSpend)!.value).toBeCloseTo(
      (p * gamma) / (q - 1),
      10,
    );

    // Someone who only wrote to the shop has no purchase, hence no CLV scores.
    const browser = results.at(-1)!.customerId!;
    expect(await rapport.scores.recompute(browser)).toEqual([]);
    await rapport.stop();
  });
});
