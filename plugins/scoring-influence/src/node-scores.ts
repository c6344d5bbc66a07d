import type { WeightedDigraph } from './graph.js';

/** One node and its score. */
export interface RankedNode {
  node: string;
  value: number;
}

/** A score per node of a graph, held in node-index order. */
export class NodeScores {
  /** Node ids by index (the graph's). */
  readonly nodes: readonly string[];
  /** Scores by node index. */
  readonly values: Float64Array;
  readonly #graph: WeightedDigraph;

  constructor(graph: WeightedDigraph, values: Float64Array) {
    this.#graph = graph;
    this.nodes = graph.nodes;
    this.values = values;
  }

  /** The node's score, or undefined when the node is not in the graph. */
  get(node: string): number | undefined {
    const i = this.#graph.indexOf(node);
    return i < 0 ? undefined : this.values[i];
  }

  /** Scores as a plain object keyed by node id. */
  toObject(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < this.nodes.length; i++) out[this.nodes[i]!] = this.values[i]!;
    return out;
  }

  /** Scores as a map keyed by node id, in node order. */
  toMap(): Map<string, number> {
    const out = new Map<string, number>();
    for (let i = 0; i < this.nodes.length; i++) out.set(this.nodes[i]!, this.values[i]!);
    return out;
  }

  /** The `limit` highest-scoring nodes, highest first; ties keep node order. */
  top(limit = 10): RankedNode[] {
    const order = Array.from(this.values.keys());
    order.sort((a, b) => this.values[b]! - this.values[a]! || a - b);
    return order.slice(0, Math.max(0, limit)).map((i) => ({ node: this.nodes[i]!, value: this.values[i]! }));
  }
}
