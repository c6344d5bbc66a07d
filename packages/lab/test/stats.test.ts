import { isRapportError } from '@rapport/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  averageRanks,
  bootstrapInterval,
  kendallTauB,
  pearson,
  percentileInterval,
  spearman,
  topKOverlap,
  topRanks,
} from '../src/index.js';

/** Kendall's tau-b straight from its definition: every pair, O(n²). */
function naiveKendallTauB(a: readonly number[], b: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiedA = 0;
  let tiedB = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const da = Math.sign(a[i]! - a[j]!);
      const db = Math.sign(b[i]! - b[j]!);
      if (da === 0) tiedA++;
      if (db === 0) tiedB++;
      if (da !== 0 && db !== 0) {
        if (da === db) concordant++;
        else discordant++;
      }
    }
  }
  const all = (n * (n - 1)) / 2;
  return (concordant - discordant) / Math.sqrt((all - tiedA) * (all - tiedB));
}

/** Average ranks from their definition: 1 + smaller values + (equal values − 1) / 2. */
function naiveAverageRanks(values: readonly number[]): number[] {
  return values.map((v) => {
    const smaller = values.filter((w) => w < v).length;
    const equal = values.filter((w) => w === v).length;
    return smaller + (equal + 1) / 2;
  });
}

// Small integers force ties; a few lengths are below 2 on purpose.
const tiedSamples = fc.integer({ min: 0, max: 60 }).chain((n) =>
  fc.tuple(
    fc.array(fc.integer({ min: 0, max: 6 }), { minLength: n, maxLength: n }),
    fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -5, max: 5, noNaN: true })), {
      minLength: n,
      maxLength: n,
    }),
  ),
);

describe('ranks', () => {
  it('averages the ranks of ties (scipy rankdata)', () => {
    expect([...averageRanks([10, 20, 20, 30])]).toEqual([1, 2.5, 2.5, 4]);
    expect([...averageRanks([])]).toEqual([]);
  });

  it('ranks from the top with ties sharing their best rank', () => {
    expect([...topRanks([5, 9, 9, 1])]).toEqual([3, 1, 1, 4]);
  });

  it('equal the definition on random data with ties', () => {
    fc.assert(
      fc.property(tiedSamples, ([a]) => {
        expect([...averageRanks(a)]).toEqual(naiveAverageRanks(a));
      }),
    );
  });
});

describe('spearman', () => {
  it('matches scipy.stats.spearmanr', () => {
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 15);
    const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4];
    const y = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5, 2, 3, 5, 3];
    expect(spearman(x, y)).toBeCloseTo(0.19073187020980284, 15);
  });

  it('is 1 for the same ranking, −1 reversed, whatever the scale', () => {
    expect(spearman([1, 2, 3, 4], [10, 200, 3000, 40000])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });

  it('is NaN when a ranking is constant or too short', () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
  });

  it('is Pearson of the average ranks', () => {
    fc.assert(
      fc.property(tiedSamples, ([a, b]) => {
        const expected = pearson(naiveAverageRanks(a), naiveAverageRanks(b));
        if (Number.isNaN(expected)) expect(spearman(a, b)).toBeNaN();
        else expect(spearman(a, b)).toBeCloseTo(expected, 12);
      }),
    );
  });
});

describe('kendallTauB', () => {
  it('matches scipy.stats.kendalltau', () => {
    expect(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-0.47140452079103173, 14);
    const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4];
    const y = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5, 2, 3, 5, 3];
    expect(kendallTauB(x, y)).toBeCloseTo(0.1502915281630456, 14);
  });

  it('is 1 for the same ranking, −1 reversed, NaN when a ranking is constant', () => {
    expect(kendallTauB([1, 2, 3, 4], [1, 20, 300, 4000])).toBe(1);
    expect(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(kendallTauB([2, 2, 2], [1, 2, 3])).toBeNaN();
    expect(kendallTauB([], [])).toBeNaN();
  });

  it("Knight's O(n log n) algorithm equals the O(n²) definition on random data with ties", () => {
    fc.assert(
      fc.property(tiedSamples, ([a, b]) => {
        const expected = naiveKendallTauB(a, b);
        if (!Number.isFinite(expected)) expect(kendallTauB(a, b)).toBeNaN();
        else expect(kendallTauB(a, b)).toBeCloseTo(expected, 12);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses unpaired or non-finite values with a path and a hint', () => {
    const unpaired = (() => {
      try {
        kendallTauB([1, 2], [1]);
      } catch (error) {
        return error;
      }
    })();
    expect(isRapportError(unpaired, 'RAPPORT_INVALID_INPUT')).toBe(true);
    expect(() => spearman([1, Number.NaN], [1, 2])).toThrow(/a\[1\] is NaN/);
  });
});

describe('topKOverlap', () => {
  it('is the share of the top k both rankings hold', () => {
    // Top 2: a → {0, 1}, b → {1, 2}.
    expect(topKOverlap([9, 8, 1, 0], [1, 9, 8, 0], 2)).toBe(0.5);
    expect(topKOverlap([9, 8, 1, 0], [9, 8, 1, 0], 3)).toBe(1);
  });

  it('breaks ties at the cut by customer id', () => {
    // a: `d` first, then c, b and a tied: the cut at k = 2 takes the smallest id of them, `a`.
    const ids = ['d', 'c', 'b', 'a'];
    const a = [5, 1, 1, 1];
    const b = [5, 0, 0, 3]; // top 2: d and a
    expect(topKOverlap(a, b, 2, ids)).toBe(1);
    expect(topKOverlap(a, b, 2)).toBe(0.5); // by position, a's top 2 are d and c
  });

  it('cuts k to the number of customers', () => {
    expect(topKOverlap([1, 2, 3], [3, 2, 1], 100)).toBe(1);
  });

  it('refuses a k that is not a whole number ≥ 1', () => {
    expect(() => topKOverlap([1], [1], 0)).toThrow(/k is 0/);
  });
});

describe('bootstrap intervals', () => {
  const a = Array.from({ length: 200 }, (_, i) => i % 37);
  const b = a.map((v, i) => v + ((i * 7919) % 23));

  it('are the same for the same seed, and bracket the estimate', () => {
    const first = bootstrapInterval(a, b, spearman, { seed: 7 });
    expect(bootstrapInterval(a, b, spearman, { seed: 7 })).toEqual(first);
    expect(first.resamples).toBe(200);
    const rho = spearman(a, b);
    expect(first.low!).toBeLessThan(rho);
    expect(first.high!).toBeGreaterThan(rho);
    expect(bootstrapInterval(a, b, spearman, { seed: 8 })).not.toEqual(first);
  });

  it('read percentiles with linear interpolation and leave undefined resamples out', () => {
    expect(percentileInterval([4, 1, 3, 2, Number.NaN], 0.5)).toEqual({
      low: 1.75,
      high: 3.25,
      resamples: 4,
    });
    expect(percentileInterval([Number.NaN], 0.95)).toEqual({ low: null, high: null, resamples: 0 });
  });

  it('refuse invalid options, naming them', () => {
    expect(() => bootstrapInterval(a, b, spearman, { seed: -1 })).toThrow(/seed/);
    expect(() => bootstrapInterval(a, b, spearman, { resample: 10 } as never)).toThrow(
      /unknown option `resample`/,
    );
  });
});
