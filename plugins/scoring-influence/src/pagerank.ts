import { parsePluginOptions, RapportError } from '@rapport/core';
import type { AbstractGraph } from 'graphology-types';
import { z } from 'zod';
import { type NodeWeights, nodeWeightsSchema, toProbabilityVector } from './distribution.js';
import { invalidInput, PLUGIN } from './errors.js';
import type { WeightedDigraph } from './graph.js';
import { asDigraph } from './graphology.js';
import { NodeScores } from './node-scores.js';

/** Schema of the options of {@link pagerank}. Unknown keys are rejected so typos surface. */
export const pagerankOptionsSchema = z
  .object({
    alpha: z
      .number()
      .min(0)
      .max(1)
      .default(0.85)
      .describe('Damping factor: the probability of following an edge rather than teleporting.'),
    tolerance: z
      .number()
      .positive()
      .max(1)
      .default(1e-6)
      .describe(
        'Stops when an iteration changes the vector by less than `order × tolerance` in L1 norm (the networkx and graphology-metrics rule).',
      ),
    maxIterations: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(100)
      .describe('Most power iterations before giving up.'),
    weighted: z
      .boolean()
      .default(true)
      .describe('Split each node’s rank by edge weight; `false` splits it evenly over its out-edges.'),
    personalization: nodeWeightsSchema
      .optional()
      .describe('Where teleports land (weights by node, normalised). Default: every node alike.'),
    dangling: nodeWeightsSchema
      .optional()
      .describe(
        'Where the rank of nodes without out-edges goes (weights by node, normalised). Default: as teleports.',
      ),
    start: nodeWeightsSchema
      .optional()
      .describe('Starting vector (weights by node, normalised), e.g. a previous result. Default: uniform.'),
    requireConvergence: z
      .boolean()
      .default(true)
      .describe(
        'Throw when `maxIterations` pass without converging; `false` returns the last iterate with `converged: false`.',
      ),
  })
  .strict();

/** Options of {@link pagerank}, as the caller writes them (every field optional). */
export type PagerankOptions = z.input<typeof pagerankOptionsSchema>;
/** Options of {@link pagerank} with defaults filled in. */
export type ResolvedPagerankOptions = z.output<typeof pagerankOptionsSchema>;

/** PageRank per node (summing to 1), with how the power iteration went. */
export class PagerankResult extends NodeScores {
  /** Power iterations run. */
  readonly iterations: number;
  /** True when the last iteration changed the vector by less than `order × tolerance`. */
  readonly converged: boolean;
  /** L1 norm of the last iteration's change. */
  readonly delta: number;

  constructor(
    graph: WeightedDigraph,
    values: Float64Array,
    iterations: number,
    converged: boolean,
    delta: number,
  ) {
    super(graph, values);
    this.iterations = iterations;
    this.converged = converged;
    this.delta = delta;
  }
}

/** Parses {@link PagerankOptions} or throws `RAPPORT_INVALID_OPTIONS` naming the option. */
export function parsePagerankOptions(options: PagerankOptions | undefined): ResolvedPagerankOptions {
  return parsePluginOptions(pagerankOptionsSchema, options, 'pagerank', PLUGIN);
}

/**
 * PageRank (Page, Brin, Motwani & Winograd 1999) by power iteration over the graph's in-edges:
 *
 * `x'[v] = α·(Σ_{u→v} x[u]·w(u,v)/W(u) + D·d[v]) + (1 − α)·p[v]`
 *
 * where `W(u)` is the weighted out-degree of `u`, `D` the rank held by dangling nodes (those
 * whose out-weights sum to 0), `p` the teleport distribution and `d` where dangling rank goes (both
 * uniform `1/N` by default, so this is `α·xP + α·D/N + (1−α)/N`). It starts from `1/N` (or `start`)
 * and stops when `Σ|x' − x| < N·tolerance`: the iteration of networkx's `pagerank` and of
 * graphology-metrics, whose results it reproduces.
 *
 * Runs in `O(iterations × (nodes + edges))` over typed arrays; a graphology graph is converted
 * first (weights from the `weight` attribute).
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` for bad options or when it does not converge
 * (unless `requireConvergence: false`); `RAPPORT_INVALID_INPUT` when a distribution names a node
 * that is not in the graph.
 */
export function pagerank(graph: WeightedDigraph | AbstractGraph, options?: PagerankOptions): PagerankResult {
  const parsed = parsePagerankOptions(options);
  return runPagerank(asDigraph(graph), parsed);
}

/**
 * Personalized PageRank (Haveliwala 2002; Jeh & Widom 2003): PageRank whose teleports land on
 * `seeds` (a list of node ids weighing alike, or weights by node) instead of on every node, so it
 * scores nodes by their proximity to the seeds. Rank of dangling nodes goes to the seeds too,
 * unless `options.dangling` says otherwise (as in networkx).
 */
export function personalizedPagerank(
  graph: WeightedDigraph | AbstractGraph,
  seeds: readonly string[] | NodeWeights,
  options?: Omit<PagerankOptions, 'personalization'>,
): PagerankResult {
  if ((options as PagerankOptions | undefined)?.personalization !== undefined) {
    throw invalidInput(
      'personalizedPagerank takes its teleport distribution as `seeds`, not as `options.personalization`',
      ['options', 'personalization'],
      'pass the distribution as the second argument',
    );
  }
  const personalization: NodeWeights = Array.isArray(seeds)
    ? new Map((seeds as readonly string[]).map((node) => [node, 1]))
    : (seeds as NodeWeights);
  return pagerank(graph, { ...options, personalization });
}

/** The power iteration, on parsed options. */
export function runPagerank(graph: WeightedDigraph, options: ResolvedPagerankOptions): PagerankResult {
  const n = graph.order;
  if (n === 0) return new PagerankResult(graph, new Float64Array(0), 0, true, 0);
  const { alpha, tolerance, maxIterations, weighted } = options;
  const { inOffsets, inSources, inWeights, outOffsets, outStrength } = graph;

  const teleport = options.personalization
    ? toProbabilityVector(graph, options.personalization, 'personalization')
    : null;
  const danglingTo = options.dangling ? toProbabilityVector(graph, options.dangling, 'dangling') : teleport;
  let x = options.start
    ? toProbabilityVector(graph, options.start, 'start')
    : new Float64Array(n).fill(1 / n);
  let next: Float64Array = new Float64Array(n);

  // Rank each node passes along one unit of edge weight, refreshed every iteration.
  const share = new Float64Array(n);
  const inverseOut = new Float64Array(n);
  const danglingNodes: number[] = [];
  for (let u = 0; u < n; u++) {
    const out = weighted ? outStrength[u]! : outOffsets[u + 1]! - outOffsets[u]!;
    if (out > 0) inverseOut[u] = 1 / out;
    else danglingNodes.push(u);
  }
  const dangling = Int32Array.from(danglingNodes);
  const uniform = 1 / n;
  const jump = 1 - alpha;

  let iterations = 0;
  let delta = Number.POSITIVE_INFINITY;
  let converged = false;
  while (iterations < maxIterations) {
    iterations += 1;
    let danglingRank = 0;
    for (let k = 0; k < dangling.length; k++) danglingRank += x[dangling[k]!]!;
    for (let u = 0; u < n; u++) share[u] = x[u]! * inverseOut[u]!;

    delta = 0;
    for (let v = 0; v < n; v++) {
      let incoming = 0;
      const end = inOffsets[v + 1]!;
      if (weighted) {
        for (let e = inOffsets[v]!; e < end; e++) incoming += share[inSources[e]!]! * inWeights[e]!;
      } else {
        for (let e = inOffsets[v]!; e < end; e++) incoming += share[inSources[e]!]!;
      }
      const d = danglingTo === null ? uniform : danglingTo[v]!;
      const p = teleport === null ? uniform : teleport[v]!;
      const value = alpha * (incoming + danglingRank * d) + jump * p;
      delta += Math.abs(value - x[v]!);
      next[v] = value;
    }
    const previous = x;
    x = next;
    next = previous;
    if (delta < n * tolerance) {
      converged = true;
      break;
    }
  }

  if (!converged && options.requireConvergence) {
    throw new RapportError(
      'RAPPORT_INVALID_OPTIONS',
      `PageRank did not converge in ${maxIterations} iterations (last change ${delta.toExponential(3)}, needed below ${(n * tolerance).toExponential(3)})`,
      {
        path: ['maxIterations'],
        hint: 'raise `maxIterations`, loosen `tolerance` or lower `alpha`; or pass `requireConvergence: false` to take the last iterate',
        plugin: PLUGIN,
      },
    );
  }
  return new PagerankResult(graph, x, iterations, converged, delta);
}
