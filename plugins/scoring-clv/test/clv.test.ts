import { describe, expect, it } from 'vitest';
import {
  bgnbdConditionalExpectedTransactions,
  bgnbdProbabilityAlive,
  type ClvModels,
  customerLifetimeValue,
  fitBgNbd,
  fitClvModels,
  fitGammaGamma,
  gammaGammaExpectedSpend,
} from '../src/index.js';
import { cdnowWithSpend, paperBgNbd } from './fixtures.js';

const models: ClvModels = {
  timeUnit: 'weeks',
  bgnbd: paperBgNbd,
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
};
const customer = { customerId: '1', x: 2, tx: 30.43, T: 38.86, meanRepeatSpend: 22.35 };

describe('customerLifetimeValue', () => {
  it('is margin × expected spend × expected purchases with one undiscounted period', () => {
    const values = customerLifetimeValue(models, customer, {
      horizon: 39,
      periods: 1,
      discountRate: 0,
      margin: 0.3,
    });
    const purchases = bgnbdConditionalExpectedTransactions(models.bgnbd, customer, 39);
    const spend = gammaGammaExpectedSpend(models.gammaGamma, customer);
    expect(values.expectedTransactions).toBeCloseTo(purchases, 12);
    expect(values.expectedSpend).toBeCloseTo(spend, 12);
    expect(values.pAlive).toBeCloseTo(bgnbdProbabilityAlive(models.bgnbd, customer), 12);
    expect(values.clv).toBeCloseTo(0.3 * spend * purchases, 10);
  });

  it('discounts each period’s increment of expected purchases once per period elapsed', () => {
    const horizon = 52;
    const periods = 4;
    const rate = 0.05;
    const step = horizon / periods;
    let expected = 0;
    for (let i = 1; i <= periods; i++) {
      const increment =
        bgnbdConditionalExpectedTransactions(models.bgnbd, customer, i * step) -
        bgnbdConditionalExpectedTransactions(models.bgnbd, customer, (i - 1) * step);
      expected += increment / (1 + rate) ** i;
    }
    expected *= gammaGammaExpectedSpend(models.gammaGamma, customer);
    const got = customerLifetimeValue(models, customer, { horizon, periods, discountRate: rate }).clv;
    expect(got).toBeCloseTo(expected, 10);
  });

  it('does not depend on how the horizon is cut when nothing is discounted, and falls with the rate', () => {
    const undiscounted = [1, 3, 12, 52].map(
      (periods) => customerLifetimeValue(models, customer, { horizon: 52, periods, discountRate: 0 }).clv,
    );
    for (const value of undiscounted) expect(value).toBeCloseTo(undiscounted[0]!, 10);
    const byRate = [0, 0.01, 0.05, 0.2].map(
      (discountRate) => customerLifetimeValue(models, customer, { horizon: 52, discountRate }).clv,
    );
    for (let i = 1; i < byRate.length; i++) expect(byRate[i]!).toBeLessThan(byRate[i - 1]!);
  });

  it('is linear in the margin and grows with the horizon', () => {
    const base = customerLifetimeValue(models, customer, { horizon: 52 }).clv;
    expect(customerLifetimeValue(models, customer, { horizon: 52, margin: 0.25 }).clv).toBeCloseTo(
      base / 4,
      10,
    );
    expect(customerLifetimeValue(models, customer, { horizon: 104, periods: 24 }).clv).toBeGreaterThan(base);
  });

  it('values a customer without a known spend at the population mean spend', () => {
    const unknown = customerLifetimeValue(
      models,
      { ...customer, meanRepeatSpend: undefined },
      { horizon: 52 },
    );
    const population = (6.25 * 15.44) / (3.74 - 1);
    expect(unknown.expectedSpend).toBeCloseTo(population, 10);
  });

  it('rejects invalid options and summaries', () => {
    expect(() => customerLifetimeValue(models, customer, { horizon: -1 })).toThrow(/CLV options/);
    expect(() => customerLifetimeValue(models, customer, { horizon: 52, periods: 0 })).toThrow(/periods/);
    expect(() => customerLifetimeValue(models, { ...customer, tx: 50 }, { horizon: 52 })).toThrow(/tx/);
  });
});

describe('fitClvModels', () => {
  it('fits BG/NBD on every customer and Gamma-Gamma on the repeat buyers, as separate fits would', () => {
    const fitted = fitClvModels(cdnowWithSpend);
    expect(fitted.timeUnit).toBe('weeks');
    expect(fitted.fits.bgnbd.customers).toBe(2357);
    expect(fitted.fits.gammaGamma.customers).toBe(946);
    expect(fitted.bgnbd).toEqual(fitBgNbd(cdnowWithSpend).params);
    expect(fitted.gammaGamma).toEqual(fitGammaGamma(cdnowWithSpend).params);
    // A JSON round trip is how an app stores models between the fit and the scoring.
    expect(JSON.parse(JSON.stringify(fitted))).toEqual(fitted);
  });

  it('needs a repeat buyer with a spend', () => {
    expect(() => fitClvModels(cdnowWithSpend.map(({ meanRepeatSpend: _, ...rest }) => rest))).toThrow(
      /No repeat buyer with a positive mean repeat spend/,
    );
  });
});
