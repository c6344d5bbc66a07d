import { describe, expect, it } from 'vitest';
import {
  fitParetoNbd,
  paretoNbdConditionalExpectedTransactions,
  paretoNbdExpectedTransactions,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
  simulateParetoNbd,
} from '../src/index.js';
import { cdnowSummary, relative } from './fixtures.js';

/** Parameters the BTYD walkthrough (McCarthy & Wadsworth, R package BTYD) estimates on CDNOW. */
const btyd = { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };

describe('Pareto/NBD on CDNOW', () => {
  const started = performance.now();
  const fit = fitParetoNbd(cdnowSummary);
  const seconds = (performance.now() - started) / 1000;

  it('fits lifetimes’ values r = 0.553, α = 10.578, s = 0.606, β = 11.669 (within 0.5%)', () => {
    // lifetimes tests/test_estimation.py, TestParetoNBDFitter.test_params_out_is_close_to_Hardie_paper;
    // Fader, Hardie & Lee (2005) print 0.55, 10.58, 0.61, 11.67.
    expect(fit.converged).toBe(true);
    expect(relative(fit.params.r, 0.553)).toBeLessThan(0.005);
    expect(relative(fit.params.alpha, 10.578)).toBeLessThan(0.005);
    expect(relative(fit.params.s, 0.606)).toBeLessThan(0.005);
    expect(relative(fit.params.beta, 11.669)).toBeLessThan(0.005);
    expect(seconds).toBeLessThan(2);
  });

  it('reaches LL = −9594.97, above the paper’s rounded −9595.0 and the BTYD estimate', () => {
    expect(Math.abs(fit.logLikelihood - -9594.97)).toBeLessThan(0.05);
    expect(Math.abs(paretoNbdLogLikelihood(fit.params, cdnowSummary) - fit.logLikelihood)).toBeLessThan(1e-6);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(paretoNbdLogLikelihood(btyd, cdnowSummary));
    // The BG/NBD fits CDNOW slightly better (−9582.4), as the paper says.
    expect(fit.logLikelihood).toBeLessThan(-9582.43);
  });

  it('gives P(alive | x=26, t_x=30.86, T=31) = 0.9979 at the BTYD estimate (BTYD walkthrough)', () => {
    expect(Math.abs(paretoNbdProbabilityAlive(btyd, { x: 26, tx: 30.86, T: 31 }) - 0.9979)).toBeLessThan(
      1e-4,
    );
  });

  it('gives E[Y(52) | x=26, t_x=30.86, T=31] = 25.46 at the fitted parameters (BTYD walkthrough)', () => {
    const value = paretoNbdConditionalExpectedTransactions(fit.params, { x: 26, tx: 30.86, T: 31 }, 52);
    expect(Math.abs(value - 25.46)).toBeLessThan(0.01);
  });
});

describe('Pareto/NBD numerics and properties', () => {
  const p = { r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 };

  it('matches lifetimes on inputs that underflow a naive implementation', () => {
    // lifetimes test_conditional_expectation_underflow: 6.2060517889632418 and 6.2528722475748113.
    expect(paretoNbdConditionalExpectedTransactions(p, { x: 132, tx: 200, T: 200 }, 10)).toBeCloseTo(
      6.20605178896,
      9,
    );
    expect(paretoNbdConditionalExpectedTransactions(p, { x: 133, tx: 200, T: 200 }, 10)).toBeCloseTo(
      6.25287224757,
      9,
    );
  });

  it('keeps P(alive) in [0, 1] where ₂F₁ would overflow (lifetimes’ overflow case)', () => {
    const extreme = { r: 10.465, alpha: 7.98565181e-3, s: 3.0516, beta: 2.82 };
    for (const [x, tx, T] of [
      [40, 5, 6],
      [50, 1, 37],
      [50, 4, 37],
      [400, 5, 6],
    ] as const) {
      const value = paretoNbdProbabilityAlive(extreme, { x, tx, T });
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
  });

  it('treats both branches of A₀ (α above and below β) continuously', () => {
    const s = { x: 4, tx: 20, T: 38 };
    const below = paretoNbdProbabilityAlive({ ...p, alpha: p.beta * (1 - 1e-9) }, s);
    const above = paretoNbdProbabilityAlive({ ...p, alpha: p.beta * (1 + 1e-9) }, s);
    const equal = paretoNbdProbabilityAlive({ ...p, alpha: p.beta }, s);
    expect(below).toBeCloseTo(equal, 8);
    expect(above).toBeCloseTo(equal, 8);
  });

  it('P(alive) is 1 at the last purchase and falls with time since it', () => {
    expect(paretoNbdProbabilityAlive(p, { x: 3, tx: 20, T: 20 })).toBeCloseTo(1, 12);
    const values = [20, 30, 50, 100].map((T) => paretoNbdProbabilityAlive(p, { x: 3, tx: 20, T }));
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeLessThan(values[i - 1]!);
  });

  it('E[X(t)] = rβ/(α(s−1))·[1 − (β/(β+t))^(s−1)], with the limit rβ/α·ln((β+t)/β) at s = 1', () => {
    const t = 39;
    const expected = ((p.r * p.beta) / (p.alpha * (p.s - 1))) * (1 - (p.beta / (p.beta + t)) ** (p.s - 1));
    expect(paretoNbdExpectedTransactions(p, t)).toBeCloseTo(expected, 12);
    const limit = ((p.r * p.beta) / p.alpha) * Math.log((p.beta + t) / p.beta);
    expect(paretoNbdExpectedTransactions({ ...p, s: 1 }, t)).toBeCloseTo(limit, 12);
    expect(paretoNbdExpectedTransactions({ ...p, s: 1 + 1e-9 }, t)).toBeCloseTo(limit, 6);
  });

  it('a new customer’s expectation is the conditional one at x = 0, T = 0', () => {
    expect(paretoNbdConditionalExpectedTransactions(p, { x: 0, tx: 0, T: 0 }, 52)).toBeCloseTo(
      paretoNbdExpectedTransactions(p, 52),
      12,
    );
  });
});

describe('Pareto/NBD recovers known parameters from simulated data', () => {
  it('fits a seeded population back: r and α within 10%, a likelihood-ratio statistic below χ²₄(0.999)', () => {
    const truth = { r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 };
    const ages = Array.from({ length: 12 }, (_, week) => 104 - week);
    const population = simulateParetoNbd(truth, { customers: 5000, T: ages, seed: 1 });
    const fit = fitParetoNbd(population);
    expect(fit.converged).toBe(true);
    expect(relative(fit.params.r, truth.r)).toBeLessThan(0.1);
    expect(relative(fit.params.alpha, truth.alpha)).toBeLessThan(0.1);
    // s and β trade off along a ridge of the likelihood; the test of the pair is the likelihood ratio.
    const atTruth = paretoNbdLogLikelihood(truth, population);
    expect(atTruth).toBeLessThan(fit.logLikelihood);
    expect(2 * (fit.logLikelihood - atTruth)).toBeLessThan(18.47);
    for (const t of [52, 104]) {
      expect(
        relative(paretoNbdExpectedTransactions(fit.params, t), paretoNbdExpectedTransactions(truth, t)),
      ).toBeLessThan(0.05);
    }
  });
});
