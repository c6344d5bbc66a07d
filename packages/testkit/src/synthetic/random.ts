import type { RandomGenerator } from 'pure-rand';
import { xoroshiro128plus } from 'pure-rand';

/** 2^-32: turns an unsigned 32-bit draw into a float in [0, 1). */
const UINT32_SCALE = 1 / 4_294_967_296;

/**
 * A seeded random source for the synthetic generators.
 *
 * It mutates one xoroshiro128+ state in place (`unsafeNext`) rather than using pure-rand's
 * immutable API: the stream draws tens of numbers per item and allocating a generator per draw
 * would dominate the cost. Integers come from scaling a 32-bit draw; the bias this leaves
 * (at most n / 2^32 for a range of n) is irrelevant for test data and saves the rejection loop.
 */
export class SeededRandom {
  private readonly source: RandomGenerator;

  /** Starts from `seed` (only its low 32 bits matter, as in pure-rand). */
  constructor(seed: number | RandomGenerator) {
    if (typeof seed !== 'number') {
      this.source = seed;
      return;
    }
    // xoroshiro128+ seeded directly from a small integer starts with near-identical outputs for
    // neighbouring seeds (42 and 43 would open the same way): scramble the seed, then let the
    // state mix for a few rounds.
    this.source = xoroshiro128plus(scramble(seed | 0));
    for (let i = 0; i < 8; i++) this.source.unsafeNext();
  }

  /**
   * An independent random source derived from this one, for a separate concern (the population,
   * the stream). xoroshiro's jump moves 2^64 draws ahead, so the two sequences never overlap and
   * adding draws to one concern leaves the other's output unchanged.
   */
  fork(): SeededRandom {
    const copy = this.source.clone();
    copy.unsafeJump?.();
    // Jump this source too, so that forking twice yields two different sources.
    this.source.unsafeJump?.();
    return new SeededRandom(copy);
  }

  /** A float in [0, 1). */
  next(): number {
    return (this.source.unsafeNext() >>> 0) * UINT32_SCALE;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.source.unsafeNext() >>> 0) * UINT32_SCALE * n);
  }

  /** An integer in [min, max], both included. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: ReadonlyArray<T>): T {
    return items[this.int(items.length)] as T;
  }

  /** An exponentially distributed value with the given mean (waiting times between events). */
  exponential(mean: number): number {
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - this.next()) * mean;
  }
}

/** The murmur3 finalizer: spreads every input bit over the whole 32-bit output. */
function scramble(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * Picks an index from cumulative weights (`cumulative[i]` = sum of weights 0..i, last = total).
 * A linear scan: the tables here have fewer than a dozen entries.
 */
export function pickWeighted(random: SeededRandom, cumulative: ArrayLike<number>): number {
  const last = cumulative.length - 1;
  const x = random.next() * (cumulative[last] as number);
  for (let i = 0; i < last; i++) if (x < (cumulative[i] as number)) return i;
  return last;
}

/** Cumulative sums of `weights`, for {@link pickWeighted}. */
export function cumulate(weights: ReadonlyArray<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i] as number;
    out[i] = sum;
  }
  return out;
}
