import { isRapportError } from '@rapport/core';
import { DirectedGraph } from 'graphology';
import graphologyHits from 'graphology-metrics/centrality/hits.js';
import { describe, expect, it } from 'vitest';
import { digraphFromEdges, hits } from '../src/index.js';
import { type ExtraReferences, fixtureJson, karate, maxDifference, numericGraph } from './helpers.js';

interface HitsReference {
  edges: Array<[number, number]>;
  expected_hubs: Record<string, number>;
  expected_authorities: Record<string, number>;
  recomputed_networkx: { hubs: Record<string, number>; authorities: Record<string, number> };
}

const reference = fixtureJson<HitsReference>('hits_langville_meyer.json');
const extra = fixtureJson<ExtraReferences>('extra_references_networkx.json');

describe('hits', () => {
  it('reproduces the Langville–Meyer hubs and authorities (networkx test suite)', () => {
    const result = hits(numericGraph(reference.edges, 6), { tolerance: 1e-12, maxIterations: 1000 });
    expect(result.converged).toBe(true);
    expect(maxDifference(result.hubs, reference.expected_hubs)).toBeLessThan(1e-4);
    expect(maxDifference(result.authorities, reference.expected_authorities)).toBeLessThan(1e-4);
    expect(maxDifference(result.hubs, reference.recomputed_networkx.hubs)).toBeLessThan(1e-9);
    expect(maxDifference(result.authorities, reference.recomputed_networkx.authorities)).toBeLessThan(1e-9);
  });

  it('matches networkx on the directed karate club (weighted)', () => {
    const result = hits(karate(false), { tolerance: 1e-13, maxIterations: 10_000 });
    expect(maxDifference(result.hubs, extra.hits_karate_directed.hubs)).toBeLessThan(1e-8);
    expect(maxDifference(result.authorities, extra.hits_karate_directed.authorities)).toBeLessThan(1e-8);
  });

  it('agrees with graphology-metrics at its defaults', () => {
    const graph = karate(false);
    const theirs = new DirectedGraph();
    for (const node of graph.nodes) theirs.addNode(node);
    for (const edge of graph.edges())
      theirs.addDirectedEdge(edge.source, edge.target, { weight: edge.weight });
    const expected = graphologyHits(theirs, { maxIterations: 10_000 });
    const result = hits(graph, { maxIterations: 10_000 });
    expect(maxDifference(result.hubs, expected.hubs)).toBeLessThan(1e-12);
    expect(maxDifference(result.authorities, expected.authorities)).toBeLessThan(1e-12);
  });

  it('sums hubs and authorities to 1 each', () => {
    const result = hits(karate(false), { maxIterations: 10_000 });
    expect(result.hubs.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(result.authorities.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('needs an edge of positive weight', () => {
    try {
      hits(digraphFromEdges([{ source: 'a', target: 'b', weight: 0 }]));
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_INPUT')).toBe(true);
    }
  });
});
