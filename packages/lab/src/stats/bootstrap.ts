import { parsePluginOptions } from '@rapport/core';
import { createRandom, type Random } from '@rapport/scoring-clv';
import { z } from 'zod';
import { LAB } from '../errors.js';
import { checkPaired, type Values } from './values.js';

/** Schema of {@link BootstrapOptions}. */
export const bootstrapOptionsSchema = z
  .object({
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1)
      .describe('Seed of the resampling: the same seed gives the same intervals'),
    resamples: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(200)
      .describe('Bootstrap resamples; 0 computes no interval'),
    confidence: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.95)
      .describe('Coverage of the percentile interval (0.95: from the 2.5th to the 97.5th percentile)'),
  })
  .strict();

/** Options of {@link bootstrapInterval}. */
export type BootstrapOptions = z.input<typeof bootstrapOptionsSchema>;

/** A bootstrap percentile interval. */
export interface Interval {
  /** Lower bound, or null when no resample gave a value (every resample constant). */
  low: number | null;
  /** Upper bound, or null like `low`. */
  high: number | null;
  /**
   * Resamples that gave a value: a resample drawing only customers tied in one ranking has no
   * correlation and is left out.
   */
  resamples: number;
}

/**
 * Draws the customer positions of one bootstrap resample: n positions uniformly with replacement,
 * from the seeded generator (sfc32, `createRandom` of `@rapport/scoring-clv`).
 */
export function drawResample(random: Random, into: Uint32Array): Uint32Array {
  const n = into.length;
  for (let i = 0; i < n; i++) into[i] = Math.floor(random.uniform() * n);
  return into;
}

/** Copies `values` at the positions `indices` into `into`. */
export function gather(values: Values, indices: Uint32Array, into: Float64Array): Float64Array {
  for (let i = 0; i < indices.length; i++) into[i] = values[indices[i]!]!;
  return into;
}

/**
 * The percentile interval of a statistic's bootstrap distribution: the (1 − c)/2 and (1 + c)/2
 * quantiles (linear interpolation between order statistics, numpy's default) of the finite
 * values. NaNs (undefined statistics) are left out.
 */
export function percentileInterval(values: readonly number[], confidence: number): Interval {
  const finite = values.filter(Number.isFinite).sort((x, y) => x - y);
  if (finite.length === 0) return { low: null, high: null, resamples: 0 };
  const quantile = (p: number) => {
    const h = (finite.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, finite.length - 1);
    return finite[lo]! + (h - lo) * (finite[hi]! - finite[lo]!);
  };
  const tail = (1 - confidence) / 2;
  return { low: quantile(tail), high: quantile(1 - tail), resamples: finite.length };
}

/** Validates bootstrap options or throws `RAPPORT_INVALID_OPTIONS` naming the option. */
export function parseBootstrapOptions(options: unknown): z.output<typeof bootstrapOptionsSchema> {
  return parsePluginOptions(bootstrapOptionsSchema, options, 'bootstrapInterval', LAB);
}

/**
 * A bootstrap percentile confidence interval of a paired statistic (such as {@link spearman} or
 * {@link kendallTauB}): customers are resampled with replacement `resamples` times, the
 * statistic computed on each resample, and the interval read from their percentiles. The
 * resamples come from a seeded generator, so the same seed gives the same interval; it is the
 * interval `compareModels` reports for the pair with the same seed and resamples.
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` for invalid options, `RAPPORT_INVALID_INPUT` for
 * unpaired or non-finite values.
 */
export function bootstrapInterval(
  a: Values,
  b: Values,
  statistic: (a: Values, b: Values) => number,
  options?: BootstrapOptions,
): Interval {
  const { seed, resamples, confidence } = parseBootstrapOptions(options);
  checkPaired(a, b, 'bootstrapInterval');
  const random = createRandom(seed);
  const indices = new Uint32Array(a.length);
  const ra = new Float64Array(a.length);
  const rb = new Float64Array(a.length);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    drawResample(random, indices);
    values.push(statistic(gather(a, indices, ra), gather(b, indices, rb)));
  }
  return percentileInterval(values, confidence);
}
