import { describe, expect, it } from 'vitest';
import { applyButRule, butRuleIndexed, butRuleLiteral } from '../src/but-rule.js';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the "but" rule', () => {
  it("rescales the first of equal values, as the reference's list.index walk does", () => {
    // Python: the 4 is halved to 2, then the walk reaches the original 2, finds the new 2 first
    // and halves that again: [1.0, 2, 0], not [2, 1, 0].
    const before = [4, 2, 0];
    applyButRule(['great', 'good', 'but'], before);
    expect(before).toEqual([1, 2, 0]);
    // After "but": 1 becomes 1.5, which the walk then finds before the original 1.5.
    const after = [0, 1, 1.5];
    applyButRule(['but', 'nice', 'nicer'], after);
    expect(after).toEqual([0, 2.25, 1.5]);
    const distinct = [2, 2, 0, 2];
    applyButRule(['good', 'good', 'but', 'good'], distinct);
    expect(distinct).toEqual([1, 1, 0, 3]);
  });

  it('leaves the sentiments alone without "but"', () => {
    const sentiments = [1, -2, 0];
    applyButRule(['nice', 'bad', 'day'], sentiments);
    expect(sentiments).toEqual([1, -2, 0]);
  });

  it('gives the same result indexed as walked literally, on long lists full of repeated values', () => {
    const next = random(2014);
    const palette = [0, 0, 0, -0, 1.9, -1.9, 2.5, 0.95, 3.8, -0.74, 1.425, -2.85, 5.7, 0.475];
    for (let run = 0; run < 200; run++) {
      const length = 1 + Math.floor(next() * 600);
      const values = Array.from({ length }, () => palette[Math.floor(next() * palette.length)]!);
      const but = Math.floor(next() * length);
      if (next() < 0.1) values[but] = 2.1;
      const literal = [...values];
      const indexed = [...values];
      butRuleLiteral(literal, but);
      butRuleIndexed(indexed, but);
      // The sign of a zero may differ; no score depends on it (zeros only count as neutral).
      const unsigned = (list: number[]) => list.map((v) => v + 0);
      expect(unsigned(indexed), `run ${run}, length ${length}, but at ${but}`).toEqual(unsigned(literal));
    }
  });

  it('scores a long text in linear-looking time', () => {
    const sentiments = Array.from({ length: 200_000 }, (_, i) =>
      i % 7 === 0 ? 1.9 : i % 11 === 0 ? -2.5 : 0,
    );
    const words = sentiments.map((_, i) => (i === 100_000 ? 'but' : 'w'));
    const started = performance.now();
    applyButRule(words, sentiments);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(sentiments[0]).not.toBe(0);
  });
});
