import { parsePluginOptions, type ScoreModel, type ScoreResult } from '@rapport/core';
import type { AbstractGraph } from 'graphology-types';
import { z } from 'zod';
import { PLUGIN } from './errors.js';
import type { WeightedDigraph } from './graph.js';
import { asDigraph } from './graphology.js';
import type { InteractionGraph } from './interaction-graph.js';
import { pagerankOptionsSchema, runPagerank } from './pagerank.js';

/** Id of the model behind influence scores. */
export const INFLUENCE_MODEL_ID = 'pagerank';
/**
 * Version of the influence model: changes whenever the same graph and options could give other
 * values (the iteration, the stopping rule, the scaling).
 */
export const INFLUENCE_MODEL_VERSION = '1';

/** Schema of the options of {@link influenceScores}: PageRank's, plus the score's name and scale. */
export const influenceScoresOptionsSchema = pagerankOptionsSchema
  .extend({
    tolerance: z
      .number()
      .positive()
      .max(1)
      .default(1e-10)
      .describe(
        'Stops when an iteration changes the vector by less than `order × tolerance` in L1 norm. Tighter than `pagerank`’s networkx default (1e-6): that rule allows an error of about `tolerance` per node, while an average score is `1/order`.',
      ),
    maxIterations: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(1000)
      .describe('Most power iterations before giving up.'),
    name: z.string().min(1).max(64).default('influence').describe('Name of the customer score.'),
    scale: z
      .enum(['probability', 'relative'])
      .default('probability')
      .describe(
        '`probability`: PageRank as computed, summing to 1 over the graph. `relative`: PageRank × number of nodes, so 1 is the average customer whatever the size of the graph.',
      ),
  })
  .strict();

/** Options of {@link influenceScores}, as the caller writes them. */
export type InfluenceScoresOptions = z.input<typeof influenceScoresOptionsSchema>;

function isInteractionGraph(value: unknown): value is InteractionGraph {
  return typeof value === 'object' && value !== null && 'graph' in value && 'stats' in value;
}

function describeWeights(weights: unknown): number {
  return weights instanceof Map ? weights.size : Object.keys(weights as object).length;
}

/**
 * An influence score per customer of the graph: PageRank ({@link pagerank}) over who engages with
 * whom, so a customer scores high when many customers, themselves engaged with, reply to, mention
 * or were referred by them. With `personalization` it is personalized PageRank: influence as seen
 * from a set of customers (a segment, the customers of one product).
 *
 * Each score says its model: `{ id: 'pagerank', version: '1', params }` with the damping, the
 * stopping rule, whether weights and a personalization were used, the scale and the number of
 * nodes (probability-scale values shrink as the graph grows).
 *
 * @returns scores by customer id, in node order.
 */
export function influenceScores(
  graph: WeightedDigraph | InteractionGraph | AbstractGraph,
  options?: InfluenceScoresOptions,
): Map<string, ScoreResult> {
  const { name, scale, ...pagerankOptions } = parsePluginOptions(
    influenceScoresOptionsSchema,
    options,
    'influenceScores',
    PLUGIN,
  );
  const digraph = asDigraph(isInteractionGraph(graph) ? graph.graph : (graph as WeightedDigraph));
  const result = runPagerank(digraph, pagerankOptions);
  const params: Record<string, unknown> = {
    alpha: pagerankOptions.alpha,
    tolerance: pagerankOptions.tolerance,
    maxIterations: pagerankOptions.maxIterations,
    weighted: pagerankOptions.weighted,
    teleport: pagerankOptions.personalization ? 'personalized' : 'uniform',
    dangling: pagerankOptions.dangling ? 'custom' : 'teleport',
    scale,
    nodes: digraph.order,
    edges: digraph.size,
  };
  if (pagerankOptions.personalization) params.seeds = describeWeights(pagerankOptions.personalization);
  const model: ScoreModel = { id: INFLUENCE_MODEL_ID, version: INFLUENCE_MODEL_VERSION, params };
  const factor = scale === 'relative' ? digraph.order : 1;
  const scores = new Map<string, ScoreResult>();
  for (let i = 0; i < digraph.order; i++) {
    scores.set(digraph.nodes[i]!, { name, value: result.values[i]! * factor, model });
  }
  return scores;
}
