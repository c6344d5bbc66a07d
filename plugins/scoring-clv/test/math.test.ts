import { describe, expect, it } from 'vitest';
import { bgnbdBracket, hyp2f1, lnHyp2f1Positive } from '../src/math/hyp2f1.js';
import { minimize } from '../src/math/optimize.js';
import { createRandom } from '../src/math/random.js';
import { digamma, lnGamma, logAddExp, logSubExp, oneMinusExpOver } from '../src/math/special.js';

describe('special functions', () => {
  it('lnΓ matches exact values to 1e-13', () => {
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(lnGamma(1)).toBeCloseTo(0, 13);
    expect(lnGamma(2)).toBeCloseTo(0, 13);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 12);
    // Γ(1/3)·Γ(2/3) = 2π/√3 (reflection), and Γ(x+1) = xΓ(x) across the 0.5 switch.
    expect(lnGamma(1 / 3) + lnGamma(2 / 3)).toBeCloseTo(Math.log((2 * Math.PI) / Math.sqrt(3)), 13);
    for (const x of [1e-3, 0.2426, 0.49, 0.51, 7.3, 250.5]) {
      expect(lnGamma(x + 1) - lnGamma(x)).toBeCloseTo(Math.log(x), 11);
    }
    expect(lnGamma(0)).toBeNaN();
  });

  it('ψ matches exact values', () => {
    const eulerGamma = 0.5772156649015329;
    expect(digamma(1)).toBeCloseTo(-eulerGamma, 14);
    expect(digamma(0.5)).toBeCloseTo(-eulerGamma - 2 * Math.LN2, 14);
    for (const x of [1e-3, 0.2426, 5.5, 6, 80]) expect(digamma(x + 1) - digamma(x)).toBeCloseTo(1 / x, 12);
  });

  it('log-space sums neither overflow nor lose small terms', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logSubExp(Math.log(5), Math.log(3))).toBeCloseTo(Math.log(2), 14);
    expect(logSubExp(2, 2)).toBe(-Infinity);
    expect(oneMinusExpOver(0, Math.log(0.5))).toBeCloseTo(Math.log(2), 15);
    expect(oneMinusExpOver(1e-12, Math.log(0.5))).toBeCloseTo(Math.log(2), 12);
    expect(oneMinusExpOver(2, Math.log(0.5))).toBeCloseTo(0.375, 15);
  });
});

describe('₂F₁', () => {
  it('matches closed forms', () => {
    for (const z of [0.1, 0.5, 0.9, 0.99]) {
      // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z and ₂F₁(a, b; b; z) = (1 − z)^−a.
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log1p(-z) / z, 12);
      expect(hyp2f1(0.7, 2.5, 2.5, z) / (1 - z) ** -0.7).toBeCloseTo(1, 12);
      expect(lnHyp2f1Positive(0.7, 0.3, 1.7, z)).toBeCloseTo(Math.log(hyp2f1(0.7, 0.3, 1.7, z)), 11);
    }
  });

  it('gives ln ₂F₁ of the Pareto/NBD shape ₂F₁(k, b; k+1; z) to 1e-12 up to z = 0.9999', () => {
    // Reference values: mpmath 1.3, log(hyp2f1(...)) at 40 digits, rounded to doubles.
    const cases = [
      [4.3, 1.6, 0.5, 0.8640503939142326],
      [27.16, 1.61, 0.9, 3.346583049394214],
      [1.16, 0.55, 0.999, 0.8154292285787862],
      [5.2, 1.05, 0.9999, 3.8913467559322403],
    ] as const;
    for (const [k, b, z, expected] of cases)
      expect(lnHyp2f1Positive(k, b, k + 1, z)).toBeCloseTo(expected, 12);
  });

  it('the BG/NBD bracket equals [1 − (1−z)^ε ₂F₁(A, ε; C; z)] / ε computed directly', () => {
    for (const [A, epsilon, C, z] of [
      [2.0, -0.2, 2.2, 0.4],
      [-0.5, 0.6, 3.1, 0.7],
      [1.3, 1.5, 9.0, 0.2],
    ] as const) {
      const direct = (1 - (1 - z) ** epsilon * hyp2f1(A, epsilon, C, z)) / epsilon;
      expect(bgnbdBracket(A, epsilon, C, z)).toBeCloseTo(direct, 12);
    }
    expect(bgnbdBracket(2, 0, 3, 0)).toBe(0);
  });
});

describe('minimize', () => {
  it('finds the minimum of the Rosenbrock valley', () => {
    const result = minimize(([x, y]) => (1 - x!) ** 2 + 100 * (y! - x! * x!) ** 2, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });

  it('backs away from where the objective cannot be evaluated', () => {
    const result = minimize(([x]) => (x! < 0 ? Number.NaN : (x! - 2) ** 2 - Math.log(x!)), [0.5]);
    // (x − 2)² − ln x is least where 2x² − 4x − 1 = 0.
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1 + Math.sqrt(6) / 2, 5);
  });
});

describe('createRandom', () => {
  it('is reproducible and draws the right moments', () => {
    expect(createRandom(7).uniform()).toBe(createRandom(7).uniform());
    expect(createRandom(7).uniform()).not.toBe(createRandom(8).uniform());
    const random = createRandom(11);
    const n = 200_000;
    let gamma = 0;
    let small = 0;
    let beta = 0;
    for (let i = 0; i < n; i++) {
      gamma += random.gamma(2.5, 0.5);
      small += random.gamma(0.3, 2);
      beta += random.beta(0.8, 2.4);
    }
    expect(gamma / n).toBeCloseTo(5, 1);
    expect(small / n).toBeCloseTo(0.15, 2);
    expect(beta / n).toBeCloseTo(0.25, 2);
  });
});
