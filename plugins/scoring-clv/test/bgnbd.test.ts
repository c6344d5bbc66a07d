import { isRapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import {
  bgnbdConditionalExpectedTransactions,
  bgnbdExpectedTransactions,
  bgnbdLogLikelihood,
  bgnbdProbabilityAlive,
  bgnbdProbabilityOfTransactions,
  fitBgNbd,
  simulateBgNbd,
} from '../src/index.js';
import { gradientOf } from '../src/models/bgnbd.js';
import { prepareRfm } from '../src/models/data.js';
import { cdnowSummary, paperBgNbd, relative } from './fixtures.js';

describe('BG/NBD on CDNOW (Fader, Hardie & Lee 2005)', () => {
  const started = performance.now();
  const fit = fitBgNbd(cdnowSummary);
  const seconds = (performance.now() - started) / 1000;

  it('fits r = 0.2426, α = 4.4135, a = 0.7929, b = 2.4258 within 1% each, in under a second', () => {
    expect(fit.customers).toBe(2357);
    expect(fit.converged).toBe(true);
    expect(relative(fit.params.r, 0.2426)).toBeLessThan(0.01);
    expect(relative(fit.params.alpha, 4.4135)).toBeLessThan(0.01);
    expect(relative(fit.params.a, 0.7929)).toBeLessThan(0.01);
    expect(relative(fit.params.b, 2.4258)).toBeLessThan(0.01);
    expect(seconds).toBeLessThan(1);
  });

  it('reaches the published log-likelihood −9582.43 (±0.05), in weeks although it fits in rescaled time', () => {
    expect(Math.abs(fit.logLikelihood - -9582.43)).toBeLessThan(0.05);
    expect(Math.abs(bgnbdLogLikelihood(fit.params, cdnowSummary) - fit.logLikelihood)).toBeLessThan(1e-6);
  });

  it('is a maximum: moving any parameter by 2% lowers the likelihood', () => {
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      for (const factor of [0.98, 1.02]) {
        const moved = { ...fit.params, [key]: fit.params[key] * factor };
        expect(bgnbdLogLikelihood(moved, cdnowSummary)).toBeLessThan(fit.logLikelihood);
      }
    }
  });

  it('gives E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226 at the paper’s parameters', () => {
    const value = bgnbdConditionalExpectedTransactions(paperBgNbd, { x: 2, tx: 30.43, T: 38.86 }, 39);
    expect(value).toBeCloseTo(1.226, 3);
    // And at the fitted ones (lifetimes' test: within 0.001).
    expect(
      Math.abs(bgnbdConditionalExpectedTransactions(fit.params, { x: 2, tx: 30.43, T: 38.86 }, 39) - 1.226),
    ).toBeLessThan(0.001);
  });

  it('gives P(X(39) = 0) = 0.5737864 for a new customer, and the R BTYD pmf', () => {
    expect(Math.abs(bgnbdProbabilityOfTransactions(paperBgNbd, 39, 0) - 0.5737864)).toBeLessThan(1e-7);
    expect(relative(bgnbdProbabilityOfTransactions(paperBgNbd, 2, 10), 1.07869e-7)).toBeLessThan(1e-4);
    // BTYD's bgnbd.pmf(params, t = 30, x = 11:20), as lifetimes checks it.
    const btyd = [
      0.0019995214, 0.0015170236, 0.001163315, 0.0009003148, 0.0007023638, 0.0005517902, 0.0004361913,
      0.0003467171, 0.0002769613, 0.000222226,
    ];
    btyd.forEach((expected, i) => {
      expect(Math.abs(bgnbdProbabilityOfTransactions(paperBgNbd, 30, 11 + i) - expected)).toBeLessThan(1e-10);
    });
  });

  it('gives E[X(t)] of Hardie’s spreadsheet at the fitted parameters', () => {
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => {
      expect(Math.abs(bgnbdExpectedTransactions(fit.params, t) - expected[i]!)).toBeLessThan(5e-4);
    });
  });
});

describe('BG/NBD properties', () => {
  const p = paperBgNbd;

  it('P(alive) is 1 without repeat purchases (dropout only follows a repeat purchase)', () => {
    expect(bgnbdProbabilityAlive(p, { x: 0, tx: 0, T: 38.86 })).toBe(1);
    expect(bgnbdProbabilityAlive(p, { x: 0, tx: 0, T: 1000 })).toBe(1);
  });

  it('P(alive) falls with time since the last purchase and rises with recency', () => {
    const older = [10, 20, 40, 80].map((T) => bgnbdProbabilityAlive(p, { x: 3, tx: 10, T }));
    for (let i = 1; i < older.length; i++) expect(older[i]!).toBeLessThan(older[i - 1]!);
    const recent = [5, 15, 30, 40].map((tx) => bgnbdProbabilityAlive(p, { x: 3, tx, T: 40 }));
    for (let i = 1; i < recent.length; i++) expect(recent[i]!).toBeGreaterThan(recent[i - 1]!);
    for (const value of [...older, ...recent]) expect(value).toBeGreaterThan(0);
  });

  it('P(alive) = 1 / (1 + a/(b+x−1)·((α+T)/(α+t_x))^(r+x)) on a hand-computed case', () => {
    const expected = 1 / (1 + (p.a / (p.b + 2 - 1)) * ((p.alpha + 38.86) / (p.alpha + 30.43)) ** (p.r + 2));
    expect(bgnbdProbabilityAlive(p, { x: 2, tx: 30.43, T: 38.86 })).toBeCloseTo(expected, 14);
  });

  it('expected purchases grow with the horizon, and with frequency at the same recency', () => {
    const byHorizon = [0, 1, 10, 52, 520].map((t) =>
      bgnbdConditionalExpectedTransactions(p, { x: 2, tx: 30, T: 38 }, t),
    );
    expect(byHorizon[0]).toBe(0);
    for (let i = 1; i < byHorizon.length; i++) expect(byHorizon[i]!).toBeGreaterThan(byHorizon[i - 1]!);
    const byFrequency = [1, 2, 5, 10].map((x) =>
      bgnbdConditionalExpectedTransactions(p, { x, tx: 38, T: 38 }, 52),
    );
    for (let i = 1; i < byFrequency.length; i++) expect(byFrequency[i]!).toBeGreaterThan(byFrequency[i - 1]!);
  });

  it('a new customer’s expectation is the conditional one at x = 0, T = 0', () => {
    for (const t of [1, 39, 200]) {
      expect(bgnbdConditionalExpectedTransactions(p, { x: 0, tx: 0, T: 0 }, t)).toBeCloseTo(
        bgnbdExpectedTransactions(p, t),
        12,
      );
    }
  });

  it('the pmf sums to 1 and its mean is E[X(t)]', () => {
    let total = 0;
    let mean = 0;
    for (let n = 0; n < 400; n++) {
      const probability = bgnbdProbabilityOfTransactions(p, 39, n);
      total += probability;
      mean += n * probability;
    }
    expect(total).toBeCloseTo(1, 10);
    expect(mean).toBeCloseTo(bgnbdExpectedTransactions(p, 39), 8);
  });

  it('stays continuous through a = 1, where (a+b−1)/(a−1) has a removable singularity', () => {
    const at = (a: number) => bgnbdConditionalExpectedTransactions({ ...p, a }, { x: 2, tx: 30, T: 38 }, 52);
    expect(at(1)).toBeCloseTo(at(1 - 1e-7), 6);
    expect(at(1)).toBeCloseTo(at(1 + 1e-7), 6);
    expect(Number.isFinite(at(1))).toBe(true);
  });

  it('does not overflow for long horizons and heavy buyers (the #NUM! problem)', () => {
    const value = bgnbdConditionalExpectedTransactions(p, { x: 300, tx: 38, T: 38.5 }, 5000);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
    expect(bgnbdExpectedTransactions({ r: 2, alpha: 0.01, a: 5, b: 20 }, 1e5)).toBeGreaterThan(0);
  });

  it('gives the same answers in days as in weeks once α is converted', () => {
    const inDays = { ...p, alpha: p.alpha * 7 };
    const week = { x: 2, tx: 30.43, T: 38.86 };
    const day = { x: 2, tx: 30.43 * 7, T: 38.86 * 7 };
    expect(bgnbdProbabilityAlive(inDays, day)).toBeCloseTo(bgnbdProbabilityAlive(p, week), 12);
    expect(bgnbdConditionalExpectedTransactions(inDays, day, 39 * 7)).toBeCloseTo(
      bgnbdConditionalExpectedTransactions(p, week, 39),
      12,
    );
  });

  it('has the analytic gradient the fit uses (checked against central differences)', () => {
    const data = prepareRfm(cdnowSummary, false);
    const at = { r: 0.3, alpha: 5, a: 0.6, b: 3 };
    const analytic = gradientOf(data, at.r, at.alpha, at.a, at.b);
    (['r', 'alpha', 'a', 'b'] as const).forEach((key, i) => {
      const h = 1e-6 * at[key];
      const up = bgnbdLogLikelihood({ ...at, [key]: at[key] + h }, cdnowSummary);
      const down = bgnbdLogLikelihood({ ...at, [key]: at[key] - h }, cdnowSummary);
      expect(relative(analytic[i]!, (up - down) / (2 * h))).toBeLessThan(1e-5);
    });
  });

  it('rejects invalid parameters and summaries with RAPPORT_INVALID_INPUT and a path', () => {
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        if (isRapportError(error, 'RAPPORT_INVALID_INPUT')) return error.path;
      }
      throw new Error('expected RAPPORT_INVALID_INPUT');
    };
    expect(bad(() => bgnbdProbabilityAlive({ ...p, a: -1 }, { x: 1, tx: 1, T: 2 }))).toEqual(['a']);
    expect(bad(() => bgnbdProbabilityAlive(p, { x: 1, tx: 3, T: 2 }))).toEqual(['tx']);
    expect(bad(() => bgnbdProbabilityAlive(p, { x: 1.5, tx: 1, T: 2 }))).toEqual(['x']);
    expect(
      bad(() =>
        fitBgNbd([
          { x: 1, tx: 1, T: 2 },
          { x: 0, tx: 1, T: 2 },
        ]),
      ),
    ).toEqual([1, 'tx']);
    expect(bad(() => fitBgNbd([]))).toEqual([]);
    expect(bad(() => bgnbdExpectedTransactions(p, -1))).toEqual(['t']);
  });
});

describe('BG/NBD recovers known parameters from simulated data', () => {
  it('fits a seeded 20,000-customer population back to its parameters (within 10%)', () => {
    const truth = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
    // Ages spread like CDNOW's cohort: first purchases over 12 weeks, calibration at week 39.
    const ages = Array.from({ length: 12 }, (_, week) => 39 - week);
    const population = simulateBgNbd(truth, { customers: 20_000, T: ages, seed: 42 });
    const fit = fitBgNbd(population);
    expect(fit.converged).toBe(true);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(relative(fit.params[key], truth[key])).toBeLessThan(0.1);
    }
    // The truth is less likely than the estimate, but not by much (a χ² with 4 df).
    const atTruth = bgnbdLogLikelihood(truth, population);
    expect(atTruth).toBeLessThan(fit.logLikelihood);
    expect(fit.logLikelihood - atTruth).toBeLessThan(10);
  });
});
