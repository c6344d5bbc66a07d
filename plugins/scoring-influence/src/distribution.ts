import { z } from 'zod';
import { invalidInput } from './errors.js';
import type { WeightedDigraph } from './graph.js';

/**
 * Non-negative weights by node id, as a plain object or a Map. Only the ratios matter: the
 * weights are divided by their sum. Nodes left out weigh 0.
 */
export type NodeWeights = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

/** Schema of a {@link NodeWeights} value (its entries are checked against the graph later). */
export const nodeWeightsSchema = z.custom<NodeWeights>(
  (value) => value instanceof Map || (typeof value === 'object' && value !== null && !Array.isArray(value)),
  'must be an object or a Map from node id to a non-negative number',
);

/**
 * The weights as a probability vector over the graph's nodes. Every node named must be in the
 * graph and weigh a finite number >= 0, and at least one must weigh more than 0.
 */
export function toProbabilityVector(
  graph: WeightedDigraph,
  weights: NodeWeights,
  option: string,
): Float64Array {
  const vector = new Float64Array(graph.order);
  const entries = weights instanceof Map ? weights.entries() : Object.entries(weights);
  let sum = 0;
  for (const [node, value] of entries) {
    const index = graph.indexOf(node);
    if (index < 0) {
      throw invalidInput(
        `\`${option}\` names node "${node}", which is not in the graph`,
        [option, node],
        `name only nodes of the graph in \`${option}\` (a customer without interactions has no node)`,
      );
    }
    if (typeof value !== 'number' || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
      throw invalidInput(
        `\`${option}\` gives node "${node}" the weight ${JSON.stringify(value)}`,
        [option, node],
        `give \`${option}\` weights as finite numbers >= 0`,
      );
    }
    vector[index] = value;
    sum += value;
  }
  if (!(sum > 0)) {
    throw invalidInput(
      `\`${option}\` must give at least one node a weight above 0`,
      [option],
      `give at least one node of the graph a positive weight in \`${option}\``,
    );
  }
  for (let i = 0; i < vector.length; i++) vector[i]! /= sum;
  return vector;
}
