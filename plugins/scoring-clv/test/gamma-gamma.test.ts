import { isRapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import {
  fitGammaGamma,
  gammaGammaExpectedSpend,
  gammaGammaLogLikelihood,
  simulateBgNbd,
  simulateGammaGamma,
} from '../src/index.js';
import { cdnowWithSpend, relative } from './fixtures.js';

/** Hardie's spreadsheet for note 025 (and lifetimes' test): the first ten CDNOW customers. */
const firstTen = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];

describe('Gamma-Gamma on the CDNOW repeat buyers (Fader, Hardie & Lee 2005, JMR)', () => {
  const fit = fitGammaGamma(cdnowWithSpend);

  it('fits p = 6.25, q = 3.74, γ = 15.44 within 1% on the 946 repeat buyers', () => {
    expect(fit.customers).toBe(946);
    expect(fit.converged).toBe(true);
    expect(relative(fit.params.p, 6.25)).toBeLessThan(0.01);
    expect(relative(fit.params.q, 3.74)).toBeLessThan(0.01);
    expect(relative(fit.params.gamma, 15.44)).toBeLessThan(0.01);
    expect(Math.abs(gammaGammaLogLikelihood(fit.params, cdnowWithSpend) - fit.logLikelihood)).toBeLessThan(
      1e-6,
    );
  });

  it('gives the first ten customers’ expected average spend of Hardie’s spreadsheet (±0.1)', () => {
    const got = cdnowWithSpend.slice(0, 10).map((s) => gammaGammaExpectedSpend(fit.params, s));
    // At the fitted (unrounded) parameters they agree to the cent, well within the ±0.1 asked.
    for (const [i, value] of got.entries()) expect(Math.abs(value - firstTen[i]!)).toBeLessThan(0.01);
    // And at the published, rounded parameters (lifetimes' test).
    const published = { p: 6.25, q: 3.74, gamma: 15.44 };
    cdnowWithSpend.slice(0, 10).forEach((s, i) => {
      expect(Math.abs(gammaGammaExpectedSpend(published, s) - firstTen[i]!)).toBeLessThan(0.1);
    });
  });

  it('shrinks a customer’s mean towards the population mean pγ/(q−1), less with more purchases', () => {
    const p = fit.params;
    const population = (p.p * p.gamma) / (p.q - 1);
    expect(gammaGammaExpectedSpend(p, { x: 0 })).toBeCloseTo(population, 10);
    const spends = [1, 2, 5, 20, 200].map((x) => gammaGammaExpectedSpend(p, { x, meanRepeatSpend: 100 }));
    for (let i = 1; i < spends.length; i++) expect(spends[i]!).toBeGreaterThan(spends[i - 1]!);
    for (const value of spends) {
      expect(value).toBeGreaterThan(population);
      expect(value).toBeLessThan(100);
    }
  });
});

describe('Gamma-Gamma recovers known parameters and validates its input', () => {
  it('fits seeded spends back to p, q, γ within 10%', () => {
    const truth = { p: 6.25, q: 3.74, gamma: 15.44 };
    const buyers = simulateBgNbd({ r: 2, alpha: 10, a: 0.8, b: 2.5 }, { customers: 8000, T: 52, seed: 3 });
    const spends = simulateGammaGamma(truth, buyers, 4);
    const fit = fitGammaGamma(spends);
    expect(fit.customers).toBe(buyers.filter((b) => b.x > 0).length);
    for (const key of ['p', 'q', 'gamma'] as const)
      expect(relative(fit.params[key], truth[key])).toBeLessThan(0.1);
    expect(gammaGammaLogLikelihood(truth, spends)).toBeLessThan(fit.logLikelihood);
  });

  it('rejects a repeat buyer without a positive mean spend, naming the row', () => {
    try {
      fitGammaGamma([{ x: 0 }, { x: 2, meanRepeatSpend: 10 }, { x: 1, meanRepeatSpend: 0 }]);
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_INPUT')).toBe(true);
      expect((error as { path: unknown }).path).toEqual([2, 'meanRepeatSpend']);
    }
    expect(() => fitGammaGamma([{ x: 0 }])).toThrow(/at least one repeat buyer/);
  });

  it('refuses a population mean spend when q ≤ 1', () => {
    expect(() => gammaGammaExpectedSpend({ p: 2, q: 0.8, gamma: 10 }, { x: 0 })).toThrow(/needs px \+ q > 1/);
    // A repeat buyer still has a finite expectation when px + q − 1 > 0.
    expect(gammaGammaExpectedSpend({ p: 2, q: 0.8, gamma: 10 }, { x: 1, meanRepeatSpend: 20 })).toBeCloseTo(
      (2 * 10 + 2 * 20) / (2 + 0.8 - 1),
      12,
    );
  });
});
