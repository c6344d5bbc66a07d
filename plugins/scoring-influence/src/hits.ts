import { parsePluginOptions, RapportError } from '@rapport/core';
import type { AbstractGraph } from 'graphology-types';
import { z } from 'zod';
import { invalidInput, PLUGIN } from './errors.js';
import type { WeightedDigraph } from './graph.js';
import { asDigraph } from './graphology.js';
import { NodeScores } from './node-scores.js';

/** Schema of the options of {@link hits}. Unknown keys are rejected so typos surface. */
export const hitsOptionsSchema = z
  .object({
    tolerance: z
      .number()
      .positive()
      .max(1)
      .default(1e-8)
      .describe(
        'Stops when an iteration changes the hub vector (scaled to a maximum of 1) by less than this in L1 norm.',
      ),
    maxIterations: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(100)
      .describe('Most power iterations before giving up.'),
    weighted: z.boolean().default(true).describe('Use edge weights; `false` counts every edge as 1.'),
    requireConvergence: z
      .boolean()
      .default(true)
      .describe(
        'Throw when `maxIterations` pass without converging; `false` returns the last iterate with `converged: false`.',
      ),
  })
  .strict();

/** Options of {@link hits}, as the caller writes them. */
export type HitsOptions = z.input<typeof hitsOptionsSchema>;

/** Hub and authority scores (each summing to 1), with how the power iteration went. */
export interface HitsResult {
  /** Good hubs point to good authorities: here, people who engage with many who draw engagement. */
  hubs: NodeScores;
  /** Good authorities are pointed to by good hubs: people whom engaged people engage with. */
  authorities: NodeScores;
  iterations: number;
  converged: boolean;
  /** L1 norm of the last iteration's change of the (max-scaled) hub vector. */
  delta: number;
}

function scaleToMax(vector: Float64Array): boolean {
  let max = 0;
  for (let i = 0; i < vector.length; i++) if (vector[i]! > max) max = vector[i]!;
  if (!(max > 0)) return false;
  const inverse = 1 / max;
  for (let i = 0; i < vector.length; i++) vector[i]! *= inverse;
  return true;
}

function scaleToSum(vector: Float64Array): void {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]!;
  const inverse = 1 / sum;
  for (let i = 0; i < vector.length; i++) vector[i]! *= inverse;
}

/**
 * HITS hubs and authorities (Kleinberg 1999) by power iteration: `a = Aᵀh`, `h = Aa`, each scaled to
 * a maximum of 1 every iteration, starting from uniform hubs; both returned scaled to sum 1, as
 * networkx's `hits` (`normalized=True`) and graphology-metrics return them.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` when the graph has no edge of positive weight;
 * `RAPPORT_INVALID_OPTIONS` for bad options or when it does not converge (unless
 * `requireConvergence: false`).
 */
export function hits(graph: WeightedDigraph | AbstractGraph, options?: HitsOptions): HitsResult {
  const { tolerance, maxIterations, weighted, requireConvergence } = parsePluginOptions(
    hitsOptionsSchema,
    options,
    'hits',
    PLUGIN,
  );
  const g = asDigraph(graph);
  const n = g.order;
  const { inOffsets, inSources, inWeights, outOffsets, outTargets, outWeights } = g;
  let hubs: Float64Array = new Float64Array(n).fill(1 / n);
  let nextHubs: Float64Array = new Float64Array(n);
  const authorities = new Float64Array(n);

  let iterations = 0;
  let delta = Number.POSITIVE_INFINITY;
  let converged = false;
  while (iterations < maxIterations) {
    iterations += 1;
    for (let v = 0; v < n; v++) {
      let sum = 0;
      for (let e = inOffsets[v]!, end = inOffsets[v + 1]!; e < end; e++) {
        sum += hubs[inSources[e]!]! * (weighted ? inWeights[e]! : 1);
      }
      authorities[v] = sum;
    }
    if (!scaleToMax(authorities)) {
      throw invalidInput(
        'HITS needs at least one edge of positive weight',
        ['graph'],
        'give the graph an edge with a weight above 0',
      );
    }
    for (let u = 0; u < n; u++) {
      let sum = 0;
      for (let e = outOffsets[u]!, end = outOffsets[u + 1]!; e < end; e++) {
        sum += authorities[outTargets[e]!]! * (weighted ? outWeights[e]! : 1);
      }
      nextHubs[u] = sum;
    }
    scaleToMax(nextHubs);
    delta = 0;
    for (let u = 0; u < n; u++) delta += Math.abs(nextHubs[u]! - hubs[u]!);
    const previous = hubs;
    hubs = nextHubs;
    nextHubs = previous;
    if (delta < tolerance) {
      converged = true;
      break;
    }
  }
  if (!converged && requireConvergence) {
    throw new RapportError(
      'RAPPORT_INVALID_OPTIONS',
      `HITS did not converge in ${maxIterations} iterations (last change ${delta.toExponential(3)})`,
      {
        path: ['maxIterations'],
        hint: 'raise `maxIterations` or loosen `tolerance`; or pass `requireConvergence: false` to take the last iterate',
        plugin: PLUGIN,
      },
    );
  }
  if (n > 0) {
    scaleToSum(hubs);
    scaleToSum(authorities);
  }
  return {
    hubs: new NodeScores(g, hubs),
    authorities: new NodeScores(g, authorities),
    iterations,
    converged,
    delta,
  };
}
