/**
 * Simulated populations drawn from the models' own stories, seeded: to check that a fit recovers
 * known parameters, to size a study, or to benchmark.
 */
import { parseOrThrow } from '@rapport/core';
import { z } from 'zod';
import { createRandom } from '../math/random.js';
import type { CustomerSummary } from '../summary/types.js';
import { type BgNbdParams, bgnbdParamsSchema } from './bgnbd.js';
import { type GammaGammaParams, gammaGammaParamsSchema } from './gamma-gamma.js';
import { type ParetoNbdParams, paretoNbdParamsSchema } from './pareto-nbd.js';

/** Zod schema of {@link SimulationOptions}. */
export const simulationOptionsSchema = z
  .object({
    customers: z.number().int().positive().max(100_000_000).describe('How many customers to draw'),
    T: z
      .union([z.number().finite().positive(), z.array(z.number().finite().positive()).min(1)])
      .describe('Age of every customer at the end of calibration, or ages cycled through'),
    seed: z.number().int().default(1).describe('Seed of the generator: same seed, same population'),
  })
  .strict();

/** Options of the simulators. */
export type SimulationOptions = z.input<typeof simulationOptionsSchema>;

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  return parseOrThrow(schema, value, 'RAPPORT_INVALID_INPUT', what);
}

function ageOf(T: number | number[], i: number): number {
  return typeof T === 'number' ? T : T[i % T.length]!;
}

/**
 * Draws a BG/NBD population: each customer gets λ ~ Gamma(r, α) and p ~ Beta(a, b), buys at
 * exponential gaps of rate λ from time 0 (their first purchase) to T, and after each repeat
 * purchase drops out with probability p. Customer ids are `sim-0`, `sim-1`, …
 */
export function simulateBgNbd(params: BgNbdParams, options: SimulationOptions): CustomerSummary[] {
  const p = parse(bgnbdParamsSchema, params, 'BG/NBD parameters');
  const o = parse(simulationOptionsSchema, options, 'simulation options');
  const random = createRandom(o.seed);
  const out: CustomerSummary[] = new Array(o.customers);
  for (let i = 0; i < o.customers; i++) {
    const T = ageOf(o.T, i);
    const lambda = random.gamma(p.r, p.alpha);
    const dropout = random.beta(p.a, p.b);
    let t = 0;
    let x = 0;
    let tx = 0;
    for (;;) {
      t += random.exponential(lambda);
      if (t > T) break;
      x += 1;
      tx = t;
      if (random.uniform() < dropout) break;
    }
    out[i] = { customerId: `sim-${i}`, x, tx, T };
  }
  return out;
}

/**
 * Draws a Pareto/NBD population: λ ~ Gamma(r, α), μ ~ Gamma(s, β), an exponential lifetime of
 * rate μ, and exponential purchase gaps of rate λ while alive, up to T.
 */
export function simulateParetoNbd(params: ParetoNbdParams, options: SimulationOptions): CustomerSummary[] {
  const p = parse(paretoNbdParamsSchema, params, 'Pareto/NBD parameters');
  const o = parse(simulationOptionsSchema, options, 'simulation options');
  const random = createRandom(o.seed);
  const out: CustomerSummary[] = new Array(o.customers);
  for (let i = 0; i < o.customers; i++) {
    const T = ageOf(o.T, i);
    const lambda = random.gamma(p.r, p.alpha);
    const lifetime = random.exponential(random.gamma(p.s, p.beta));
    const end = Math.min(T, lifetime);
    let t = 0;
    let x = 0;
    let tx = 0;
    for (;;) {
      t += random.exponential(lambda);
      if (t > end) break;
      x += 1;
      tx = t;
    }
    out[i] = { customerId: `sim-${i}`, x, tx, T };
  }
  return out;
}

/**
 * Adds Gamma-Gamma spends to simulated repeat buyers: ν ~ Gamma(q, γ) per customer, each of
 * their x repeat spends ~ Gamma(p, ν), and `meanRepeatSpend` their mean. Customers with x = 0 are
 * returned unchanged.
 */
export function simulateGammaGamma(
  params: GammaGammaParams,
  summaries: readonly CustomerSummary[],
  seed = 1,
): CustomerSummary[] {
  const p = parse(gammaGammaParamsSchema, params, 'Gamma-Gamma parameters');
  const random = createRandom(seed);
  return summaries.map((summary) => {
    if (summary.x === 0) return summary;
    const nu = random.gamma(p.q, p.gamma);
    let total = 0;
    for (let j = 0; j < summary.x; j++) total += random.gamma(p.p, nu);
    return { ...summary, meanRepeatSpend: total / summary.x };
  });
}
