import { DirectedGraph } from 'graphology';
import type { AbstractGraph, Attributes } from 'graphology-types';
import { invalidInput } from './errors.js';
import { DigraphBuilder, WeightedDigraph } from './graph.js';

/** How {@link fromGraphology} reads an edge's weight. */
export interface FromGraphologyOptions {
  /**
   * The edge attribute holding the weight (default `weight`; an edge without it weighs 1, as in
   * networkx and graphology-metrics), a function of the edge's attributes, or `null` for 1 on
   * every edge.
   */
  weight?: string | ((attributes: Attributes, source: string, target: string) => number) | null;
}

/** True when `value` looks like a graphology graph (graphology's own `isGraph` test, duck-typed). */
export function isGraphologyGraph(value: unknown): value is AbstractGraph {
  const graph = value as Partial<AbstractGraph> | null;
  return (
    typeof graph === 'object' &&
    graph !== null &&
    typeof graph.addUndirectedEdgeWithKey === 'function' &&
    typeof graph.forEachEdge === 'function' &&
    typeof graph.dropNode === 'function'
  );
}

/**
 * Converts a graphology graph to a {@link WeightedDigraph}, keeping graphology's node order. An
 * undirected edge becomes two directed edges (one for a self-loop), and parallel edges of a multi
 * graph are summed, as networkx does.
 */
export function fromGraphology(graph: AbstractGraph, options: FromGraphologyOptions = {}): WeightedDigraph {
  if (!isGraphologyGraph(graph)) {
    throw invalidInput('Not a graphology graph', ['graph'], 'pass a graphology Graph instance');
  }
  const attribute = options.weight === undefined ? 'weight' : options.weight;
  const builder = new DigraphBuilder();
  graph.forEachNode((node) => {
    builder.addNode(node);
  });
  graph.forEachEdge((edge, attributes, source, target, _sa, _ta, undirected) => {
    let weight: unknown;
    if (attribute === null) weight = 1;
    else if (typeof attribute === 'function') weight = attribute(attributes, source, target);
    else weight = attributes[attribute] ?? 1;
    if (typeof weight !== 'number' || !(weight >= 0) || weight === Number.POSITIVE_INFINITY) {
      throw invalidInput(
        `Edge ${edge} (${source} → ${target}) has weight ${JSON.stringify(weight)}`,
        ['graph', 'edges', edge, typeof attribute === 'string' ? attribute : 'weight'],
        'give every edge a finite, non-negative numeric weight, or pass `weight: null` to ignore weights',
      );
    }
    builder.addEdge(source, target, weight);
    if (undirected && source !== target) builder.addEdge(target, source, weight);
  });
  return builder.build();
}

/** Copies a {@link WeightedDigraph} into a graphology `DirectedGraph` with a `weight` on every edge. */
export function toGraphology(graph: WeightedDigraph): DirectedGraph {
  const out = new DirectedGraph();
  for (const node of graph.nodes) out.addNode(node);
  for (let s = 0; s < graph.order; s++) {
    const source = graph.nodes[s]!;
    for (let e = graph.outOffsets[s]!, end = graph.outOffsets[s + 1]!; e < end; e++) {
      out.addDirectedEdge(source, graph.nodes[graph.outTargets[e]!]!, { weight: graph.outWeights[e]! });
    }
  }
  return out;
}

/**
 * True for a {@link WeightedDigraph}, also one made by another copy of this package (an ESM and a
 * CJS copy side by side), which `instanceof` would miss.
 */
export function isWeightedDigraph(value: unknown): value is WeightedDigraph {
  if (value instanceof WeightedDigraph) return true;
  const graph = value as Partial<WeightedDigraph> | null;
  return (
    typeof graph === 'object' &&
    graph !== null &&
    graph.inOffsets instanceof Int32Array &&
    graph.outOffsets instanceof Int32Array &&
    graph.outStrength instanceof Float64Array &&
    typeof graph.indexOf === 'function'
  );
}

/** The graph as a {@link WeightedDigraph}: itself, or converted from graphology with `weight`. */
export function asDigraph(graph: WeightedDigraph | AbstractGraph): WeightedDigraph {
  if (isWeightedDigraph(graph)) return graph;
  if (isGraphologyGraph(graph)) return fromGraphology(graph);
  throw invalidInput(
    'Expected a WeightedDigraph or a graphology graph',
    ['graph'],
    'build the graph with readEdgeList, buildInteractionGraph or DigraphBuilder, or pass a graphology graph',
  );
}
