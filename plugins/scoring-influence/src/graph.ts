import { invalidInput } from './errors.js';

/** One weighted directed edge between two node ids. */
export interface WeightedEdge {
  source: string;
  target: string;
  weight: number;
}

function checkNodeId(id: unknown, path: ReadonlyArray<string | number>): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) {
    throw invalidInput(
      `A node id must be a non-empty string, got ${JSON.stringify(id)}`,
      path,
      'give every node a non-empty string id',
    );
  }
}

function checkWeight(weight: number, path: ReadonlyArray<string | number>): void {
  // NaN fails `>= 0`, so one comparison also rejects it.
  if (!(weight >= 0) || weight === Number.POSITIVE_INFINITY) {
    throw invalidInput(
      `An edge weight must be a finite number >= 0, got ${weight}`,
      path,
      'give edge weights as finite, non-negative numbers (1 when the edge is unweighted)',
    );
  }
}

/**
 * A directed graph with non-negative edge weights, held as compressed sparse rows: for node `i`,
 * its out-edges are positions `outOffsets[i]` to `outOffsets[i + 1] - 1` of `outTargets` and
 * `outWeights`, and its in-edges the same positions of `inSources` and `inWeights` between
 * `inOffsets[i]` and `inOffsets[i + 1]`. Nodes are numbered in the order they were added.
 *
 * There is at most one edge per ordered pair of nodes: parallel edges were summed when the graph
 * was built (as networkx does for multigraphs). Self-loops are kept. Build one with
 * {@link DigraphBuilder}, {@link readEdgeList}, {@link buildInteractionGraph} or
 * {@link fromGraphology}; it is immutable afterwards.
 */
export class WeightedDigraph {
  /** Node ids by index. */
  readonly nodes: readonly string[];
  /** Out-edge ranges per node, length `order + 1`. */
  readonly outOffsets: Int32Array;
  /** Target node index of each out-edge. */
  readonly outTargets: Int32Array;
  /** Weight of each out-edge. */
  readonly outWeights: Float64Array;
  /** In-edge ranges per node, length `order + 1`. */
  readonly inOffsets: Int32Array;
  /** Source node index of each in-edge; in increasing order within a node's range. */
  readonly inSources: Int32Array;
  /** Weight of each in-edge. */
  readonly inWeights: Float64Array;
  /** Sum of the out-edge weights of each node (its weighted out-degree). */
  readonly outStrength: Float64Array;
  readonly #index: ReadonlyMap<string, number>;

  /**
   * Made by {@link DigraphBuilder}; takes ownership of the arrays, which must describe distinct
   * edges with valid indexes.
   *
   * @internal
   */
  constructor(
    nodes: readonly string[],
    index: ReadonlyMap<string, number>,
    outOffsets: Int32Array,
    outTargets: Int32Array,
    outWeights: Float64Array,
  ) {
    const n = nodes.length;
    const m = outTargets.length;
    this.nodes = nodes;
    this.#index = index;
    this.outOffsets = outOffsets;
    this.outTargets = outTargets;
    this.outWeights = outWeights;

    const inOffsets = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) inOffsets[outTargets[e]! + 1]! += 1;
    for (let i = 0; i < n; i++) inOffsets[i + 1]! += inOffsets[i]!;
    const fill = inOffsets.slice(0, n);
    const inSources = new Int32Array(m);
    const inWeights = new Float64Array(m);
    const outStrength = new Float64Array(n);
    // Walking sources in increasing order leaves every in-edge range sorted by source, so sums over
    // in-edges add up in the same order as a sparse matrix-vector product would.
    for (let s = 0; s < n; s++) {
      let strength = 0;
      for (let e = outOffsets[s]!, end = outOffsets[s + 1]!; e < end; e++) {
        const w = outWeights[e]!;
        const p = fill[outTargets[e]!]!++;
        inSources[p] = s;
        inWeights[p] = w;
        strength += w;
      }
      outStrength[s] = strength;
    }
    this.inOffsets = inOffsets;
    this.inSources = inSources;
    this.inWeights = inWeights;
    this.outStrength = outStrength;
  }

  /** Number of nodes. */
  get order(): number {
    return this.nodes.length;
  }

  /** Number of distinct directed edges. */
  get size(): number {
    return this.outTargets.length;
  }

  /** Index of a node, or -1 when it is not in the graph. */
  indexOf(node: string): number {
    return this.#index.get(node) ?? -1;
  }

  /** True when the node is in the graph. */
  hasNode(node: string): boolean {
    return this.#index.has(node);
  }

  /** Weight of the edge `source → target`, or undefined when there is none. */
  weight(source: string, target: string): number | undefined {
    const s = this.indexOf(source);
    const t = this.indexOf(target);
    if (s < 0 || t < 0) return undefined;
    for (let e = this.outOffsets[s]!, end = this.outOffsets[s + 1]!; e < end; e++) {
      if (this.outTargets[e] === t) return this.outWeights[e];
    }
    return undefined;
  }

  /** Number of out-edges of a node (0 when it is not in the graph). */
  outDegree(node: string): number {
    const i = this.indexOf(node);
    return i < 0 ? 0 : this.outOffsets[i + 1]! - this.outOffsets[i]!;
  }

  /** Number of in-edges of a node (0 when it is not in the graph). */
  inDegree(node: string): number {
    const i = this.indexOf(node);
    return i < 0 ? 0 : this.inOffsets[i + 1]! - this.inOffsets[i]!;
  }

  /** Every edge, source by source in node order. */
  *edges(): IterableIterator<WeightedEdge> {
    for (let s = 0; s < this.nodes.length; s++) {
      for (let e = this.outOffsets[s]!, end = this.outOffsets[s + 1]!; e < end; e++) {
        yield {
          source: this.nodes[s]!,
          target: this.nodes[this.outTargets[e]!]!,
          weight: this.outWeights[e]!,
        };
      }
    }
  }
}

/**
 * Collects nodes and weighted edges by id, then builds a {@link WeightedDigraph}. Adding the same
 * edge again adds its weight to the edge already there. Nodes are numbered in the order they are
 * first seen (as an edge's source before its target).
 *
 * @example
 * ```ts
 * const builder = new DigraphBuilder();
 * builder.addEdge('ada', 'grace');
 * builder.addEdge('ada', 'grace', 2); // the edge now weighs 3
 * const graph = builder.build();
 * ```
 */
export class DigraphBuilder {
  readonly #index = new Map<string, number>();
  readonly #nodes: string[] = [];
  #sources = new Int32Array(1024);
  #targets = new Int32Array(1024);
  #weights = new Float64Array(1024);
  #count = 0;
  // Edge lists are often sorted by source: consecutive edges from one node skip the id lookup.
  #lastSource = '';
  #lastSourceIndex = -1;

  /** Nodes added so far. */
  get order(): number {
    return this.#nodes.length;
  }

  /** Edges added so far, parallel ones counted separately. */
  get edgeCount(): number {
    return this.#count;
  }

  /** Adds a node (nothing happens when it is there already) and returns its index. */
  addNode(id: string): number {
    const known = this.#index.get(id);
    if (known !== undefined) return known;
    checkNodeId(id, ['node']);
    const index = this.#nodes.length;
    this.#index.set(id, index);
    this.#nodes.push(id);
    return index;
  }

  /** Adds the edge `source → target` (adding both nodes when new), or adds to its weight. */
  addEdge(source: string, target: string, weight = 1): void {
    checkWeight(weight, ['weight']);
    let s = this.#lastSourceIndex;
    if (source !== this.#lastSource || s < 0) {
      s = this.addNode(source);
      this.#lastSource = source;
      this.#lastSourceIndex = s;
    }
    const t = this.addNode(target);
    if (this.#count === this.#sources.length) this.#grow();
    this.#sources[this.#count] = s;
    this.#targets[this.#count] = t;
    this.#weights[this.#count] = weight;
    this.#count += 1;
  }

  #grow(): void {
    const capacity = this.#sources.length * 2;
    const sources = new Int32Array(capacity);
    sources.set(this.#sources);
    const targets = new Int32Array(capacity);
    targets.set(this.#targets);
    const weights = new Float64Array(capacity);
    weights.set(this.#weights);
    this.#sources = sources;
    this.#targets = targets;
    this.#weights = weights;
  }

  /**
   * Builds the graph: a counting sort of the edges by source, then parallel edges summed in the
   * order they were added. Linear in nodes plus edges. The builder can be used again afterwards.
   */
  build(): WeightedDigraph {
    const n = this.#nodes.length;
    const m = this.#count;
    const sources = this.#sources;
    const starts = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) starts[sources[e]! + 1]! += 1;
    for (let i = 0; i < n; i++) starts[i + 1]! += starts[i]!;
    const fill = starts.slice(0, n);
    const targets = new Int32Array(m);
    const weights = new Float64Array(m);
    for (let e = 0; e < m; e++) {
      const p = fill[sources[e]!]!++;
      targets[p] = this.#targets[e]!;
      weights[p] = this.#weights[e]!;
    }

    // Merge parallel edges in place: `lastSource[t]` says which source last wrote an edge to t and
    // `slot[t]` where; the write position never passes the read position.
    const lastSource = new Int32Array(n).fill(-1);
    const slot = new Int32Array(n);
    const offsets = new Int32Array(n + 1);
    let write = 0;
    for (let s = 0; s < n; s++) {
      offsets[s] = write;
      for (let p = starts[s]!, end = starts[s + 1]!; p < end; p++) {
        const t = targets[p]!;
        if (lastSource[t] === s) {
          weights[slot[t]!]! += weights[p]!;
        } else {
          lastSource[t] = s;
          slot[t] = write;
          targets[write] = t;
          weights[write] = weights[p]!;
          write += 1;
        }
      }
    }
    offsets[n] = write;
    return new WeightedDigraph(
      [...this.#nodes],
      new Map(this.#index),
      offsets,
      write === m ? targets : targets.slice(0, write),
      write === m ? weights : weights.slice(0, write),
    );
  }
}

/**
 * Builds a graph from edges (`{ source, target, weight? }`, weight 1 when absent) and, optionally,
 * nodes to include first (so they keep their order, and isolated ones are kept).
 */
export function digraphFromEdges(
  edges: Iterable<{ source: string; target: string; weight?: number }>,
  nodes: Iterable<string> = [],
): WeightedDigraph {
  const builder = new DigraphBuilder();
  let i = 0;
  for (const node of nodes) {
    checkNodeId(node, ['nodes', i++]);
    builder.addNode(node);
  }
  i = 0;
  for (const edge of edges) {
    checkNodeId(edge.source, ['edges', i, 'source']);
    checkNodeId(edge.target, ['edges', i, 'target']);
    checkWeight(edge.weight ?? 1, ['edges', i, 'weight']);
    builder.addEdge(edge.source, edge.target, edge.weight ?? 1);
    i++;
  }
  return builder.build();
}
