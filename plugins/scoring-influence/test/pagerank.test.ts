import { isRapportError } from '@rapport/core';
import { DirectedGraph, UndirectedGraph } from 'graphology';
import graphologyPagerank from 'graphology-metrics/centrality/pagerank.js';
import { describe, expect, it } from 'vitest';
import { digraphFromEdges, pagerank, personalizedPagerank, type WeightedDigraph } from '../src/index.js';
import {
  type ExtraReferences,
  fixtureJson,
  fixtureText,
  karate,
  maxDifference,
  numericGraph,
  randomEdges,
} from './helpers.js';

interface LangvilleMeyer {
  edges: Array<[number, number]>;
  alpha: number;
  tol: number;
  expected_pagerank: Record<string, number>;
  dangling_weights: Record<string, number>;
  expected_pagerank_with_dangling_weights_alpha_0_85: Record<string, number>;
  recomputed_networkx: Record<string, number>;
  recomputed_networkx_dangling: Record<string, number>;
}

interface KarateReference {
  pagerank_unweighted_alpha085: Record<string, number>;
  pagerank_weighted_alpha085: Record<string, number>;
  top5_pagerank: number[];
}

const lm = fixtureJson<LangvilleMeyer>('pagerank_langville_meyer.json');
const karateReference = fixtureJson<KarateReference>('karate_club_reference_networkx.json');
const extra = fixtureJson<ExtraReferences>('extra_references_networkx.json');
const lmGraph = numericGraph(lm.edges, 6);

/** Solves x(I − αM) = (1 − α)p exactly (Gaussian elimination): PageRank without iterating. */
function exactPagerank(
  graph: WeightedDigraph,
  alpha: number,
  teleport: Float64Array,
  danglingTo: Float64Array,
  weighted: boolean,
): Float64Array {
  const n = graph.order;
  // a[i][j] = (I − αM)ᵀ, so that a · x = (1 − α)p.
  const a = Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n + 1);
    row[i] = 1;
    row[n] = (1 - alpha) * teleport[i]!;
    return row;
  });
  for (let u = 0; u < n; u++) {
    const start = graph.outOffsets[u]!;
    const end = graph.outOffsets[u + 1]!;
    const total = weighted ? graph.outStrength[u]! : end - start;
    if (total === 0) {
      for (let v = 0; v < n; v++) a[v]![u]! -= alpha * danglingTo[v]!;
    } else {
      for (let e = start; e < end; e++) {
        a[graph.outTargets[e]!]![u]! -= (alpha * (weighted ? graph.outWeights[e]! : 1)) / total;
      }
    }
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = a[r]![col]! / a[col]![col]!;
      for (let c = col; c <= n; c++) a[r]![c]! -= factor * a[col]![c]!;
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i]![n]! / a[i]![i]!);
}

function vectorOf(graph: WeightedDigraph, weights: Record<string, number> | undefined): Float64Array {
  const vector = new Float64Array(graph.order);
  if (!weights) return vector.fill(1 / graph.order);
  let sum = 0;
  for (const value of Object.values(weights)) sum += value;
  for (const [node, value] of Object.entries(weights)) vector[graph.indexOf(node)] = value / sum;
  return vector;
}

function graphOf(name: ExtraReferences['pagerank_cases'][number]['graph']): WeightedDigraph {
  if (name === 'langville_meyer') return lmGraph;
  return karate(name === 'karate_undirected');
}

describe('pagerank on the Langville–Meyer graph (networkx test suite)', () => {
  it('reproduces the published values at alpha 0.9 (networkx test tolerance 1e-4)', () => {
    const result = pagerank(lmGraph, { alpha: lm.alpha, tolerance: lm.tol });
    expect(result.converged).toBe(true);
    expect(maxDifference(result, lm.expected_pagerank)).toBeLessThan(1e-4);
    expect(result.top(1)[0]!.node).toBe('4');
  });

  it('matches the fixed point to 1e-9 with a tight tolerance', () => {
    const result = pagerank(lmGraph, { alpha: 0.9, tolerance: 1e-13, maxIterations: 1000 });
    expect(maxDifference(result, lm.recomputed_networkx)).toBeLessThan(1e-9);
  });

  it('sends dangling rank where `dangling` says (node 2 is dangling)', () => {
    expect(lmGraph.outDegree('2')).toBe(0);
    const result = pagerank(lmGraph, {
      dangling: lm.dangling_weights,
      tolerance: 1e-13,
      maxIterations: 1000,
    });
    expect(maxDifference(result, lm.expected_pagerank_with_dangling_weights_alpha_0_85)).toBeLessThan(1e-4);
    expect(maxDifference(result, lm.recomputed_networkx_dangling)).toBeLessThan(1e-9);
    const uniform = pagerank(lmGraph, { tolerance: 1e-13, maxIterations: 1000 });
    expect(Math.abs(uniform.get('1')! - result.get('1')!)).toBeGreaterThan(0.01);
  });
});

describe('pagerank on Zachary’s karate club', () => {
  it('matches networkx’s unweighted PageRank to 1e-6, top node 33 then 0', () => {
    const result = pagerank(karate(true), { weighted: false, tolerance: 1e-10, maxIterations: 1000 });
    expect(maxDifference(result, karateReference.pagerank_unweighted_alpha085)).toBeLessThan(1e-6);
    expect(result.top(5).map((r) => Number(r.node))).toEqual(karateReference.top5_pagerank);
    expect(result.top(2).map((r) => r.node)).toEqual(['33', '0']);
  });

  it('matches networkx’s weighted PageRank to 1e-6', () => {
    const result = pagerank(karate(true), { tolerance: 1e-10, maxIterations: 1000 });
    expect(maxDifference(result, karateReference.pagerank_weighted_alpha085)).toBeLessThan(1e-6);
    expect(result.top(2).map((r) => r.node)).toEqual(['33', '0']);
  });

  it('sums to 1 and counts its iterations', () => {
    const result = pagerank(karate(true));
    const sum = result.values.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 12);
    expect(result.iterations).toBeGreaterThan(5);
    expect(result.delta).toBeLessThan(34 * 1e-6);
  });
});

describe('pagerank against networkx runs (extra_references_networkx.json)', () => {
  for (const reference of extra.pagerank_cases) {
    it(`${reference.name}: the same iterate as networkx, to 1e-12`, () => {
      const graph = graphOf(reference.graph);
      const { args } = reference;
      const result = pagerank(graph, {
        ...(args.alpha === undefined ? {} : { alpha: args.alpha }),
        ...(args.tol === undefined ? {} : { tolerance: args.tol }),
        ...(args.max_iter === undefined ? {} : { maxIterations: args.max_iter }),
        weighted: args.weight !== null,
        ...(args.personalization ? { personalization: args.personalization } : {}),
        ...(args.dangling ? { dangling: args.dangling } : {}),
      });
      expect(maxDifference(result, reference.pagerank)).toBeLessThan(1e-12);
    });
  }
});

describe('personalized PageRank', () => {
  it('equals pagerank with the same personalization', () => {
    const graph = karate(true);
    const a = personalizedPagerank(graph, ['33']);
    const b = pagerank(graph, { personalization: { '33': 1 } });
    expect([...a.values]).toEqual([...b.values]);
  });

  it('solves the linear system exactly with a tight tolerance (directed karate, a dangling node)', () => {
    const graph = karate(false);
    const seeds = { '0': 1, '5': 3 };
    const result = personalizedPagerank(graph, seeds, { tolerance: 1e-15, maxIterations: 10_000 });
    const exact = exactPagerank(graph, 0.85, vectorOf(graph, seeds), vectorOf(graph, seeds), true);
    for (let i = 0; i < graph.order; i++) expect(Math.abs(result.values[i]! - exact[i]!)).toBeLessThan(1e-12);
  });

  it('matches the exact solution for plain PageRank too (unweighted)', () => {
    const graph = karate(true);
    const result = pagerank(graph, { weighted: false, tolerance: 1e-15, maxIterations: 10_000 });
    const exact = exactPagerank(graph, 0.85, vectorOf(graph, undefined), vectorOf(graph, undefined), false);
    for (let i = 0; i < graph.order; i++) expect(Math.abs(result.values[i]! - exact[i]!)).toBeLessThan(1e-12);
  });

  it('puts the seeds’ neighbourhood on top', () => {
    const result = personalizedPagerank(karate(true), ['16']);
    // Node 16 (a leaf of the Mr. Hi side) is tied only to 5 and 6.
    expect(result.top(3).map((r) => r.node)).toEqual(['16', '5', '6']);
  });

  it('rejects seeds that are not in the graph, and seeds that weigh nothing', () => {
    const graph = karate(true);
    expect(() => personalizedPagerank(graph, ['99'])).toThrow(/not in the graph/);
    try {
      personalizedPagerank(graph, { '1': 0 });
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_INPUT')).toBe(true);
      expect((error as { path: unknown }).path).toEqual(['personalization']);
    }
  });
});

/** graphology graph with the same edges; parallel edges summed as our builder sums them. */
function graphologyOf(edges: ReturnType<typeof randomEdges>): DirectedGraph {
  const graph = new DirectedGraph();
  for (const { source, target, weight } of edges) {
    graph.mergeNode(source);
    graph.mergeNode(target);
    if (graph.hasDirectedEdge(source, target)) {
      graph.updateDirectedEdgeAttribute(source, target, 'weight', (w: number) => w + weight);
    } else graph.addDirectedEdge(source, target, { weight });
  }
  return graph;
}

describe('pagerank against graphology-metrics', () => {
  it('agrees to 1e-12 on a seeded random graph with dangling nodes, weighted and not', () => {
    const edges = randomEdges(400, 3000, 42);
    const ours = digraphFromEdges(edges);
    const theirs = graphologyOf(edges);
    expect(ours.order).toBe(theirs.order);
    expect(ours.size).toBe(theirs.size);
    for (const weighted of [true, false]) {
      const expected = graphologyPagerank(theirs, { getEdgeWeight: weighted ? 'weight' : null });
      expect(maxDifference(pagerank(ours, { weighted }), expected)).toBeLessThan(1e-12);
    }
  });

  it('takes a graphology graph directly, undirected edges both ways', () => {
    const graph = new UndirectedGraph();
    for (const { source, target, weight } of fixtureText('karate_club_edges.csv')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','))
      .map(([source, target, weight]) => ({ source: source!, target: target!, weight: Number(weight) }))) {
      graph.mergeEdge(source, target, { weight });
    }
    const result = pagerank(graph, { tolerance: 1e-10, maxIterations: 1000 });
    expect(maxDifference(result, karateReference.pagerank_weighted_alpha085)).toBeLessThan(1e-6);
  });
});

describe('pagerank options', () => {
  it('starts from `start` and converges to the same vector', () => {
    const graph = karate(true);
    const cold = pagerank(graph, { tolerance: 1e-12, maxIterations: 1000 });
    const warm = pagerank(graph, { tolerance: 1e-12, maxIterations: 1000, start: cold.toObject() });
    expect(warm.iterations).toBeLessThan(cold.iterations);
    for (let i = 0; i < graph.order; i++) expect(warm.values[i]).toBeCloseTo(cold.values[i]!, 11);
  });

  it('throws when it does not converge, or returns the last iterate when told to', () => {
    const graph = karate(true);
    try {
      pagerank(graph, { maxIterations: 2 });
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_OPTIONS')).toBe(true);
      expect((error as { path: unknown }).path).toEqual(['maxIterations']);
    }
    const partial = pagerank(graph, { maxIterations: 2, requireConvergence: false });
    expect(partial.converged).toBe(false);
    expect(partial.iterations).toBe(2);
  });

  it('rejects bad options naming the option', () => {
    const graph = karate(true);
    expect(() => pagerank(graph, { alpha: 1.5 })).toThrow(/alpha/);
    expect(() => pagerank(graph, { tolerance: 0 })).toThrow(/tolerance/);
    expect(() => pagerank(graph, { alpah: 0.5 } as never)).toThrow(/alpah/);
  });

  it('gives alpha 0 the teleport distribution itself', () => {
    const result = pagerank(karate(true), { alpha: 0, personalization: { '3': 1, '4': 3 } });
    expect(result.get('3')).toBeCloseTo(0.25, 15);
    expect(result.get('4')).toBeCloseTo(0.75, 15);
    expect(result.get('0')).toBe(0);
  });

  it('handles an empty graph and a graph of isolated nodes', () => {
    expect(pagerank(digraphFromEdges([])).values.length).toBe(0);
    const isolated = pagerank(digraphFromEdges([], ['a', 'b', 'c', 'd']));
    expect([...isolated.values]).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});
