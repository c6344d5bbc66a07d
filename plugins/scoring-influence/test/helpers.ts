import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { digraphFromEdges, type NodeScores, readEdgeList, type WeightedDigraph } from '../src/index.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/graphs/', import.meta.url));

/** A fixture of the repository's `fixtures/graphs/` folder, as text. */
export function fixtureText(name: string): string {
  return readFileSync(`${fixtures}${name}`, 'utf8');
}

/** A JSON fixture of `fixtures/graphs/`. */
export function fixtureJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

const karateNodes = Array.from({ length: 34 }, (_, i) => String(i));

/** Zachary's karate club, nodes 0..33 in networkx's order; undirected = both directions. */
export function karate(undirected: boolean): WeightedDigraph {
  return readEdgeList(fixtureText('karate_club_edges.csv'), { undirected, nodes: karateNodes });
}

/** A graph given as `[[source, target], ...]` with numeric node ids 1..n, as in the networkx tests. */
export function numericGraph(edges: ReadonlyArray<readonly [number, number]>, n: number): WeightedDigraph {
  return digraphFromEdges(
    edges.map(([source, target]) => ({ source: String(source), target: String(target) })),
    Array.from({ length: n }, (_, i) => String(i + 1)),
  );
}

/** Reference cases computed with networkx (`fixtures/graphs/extra_references_networkx.json`). */
export interface ExtraReferences {
  pagerank_cases: Array<{
    name: string;
    graph: 'karate_undirected' | 'karate_directed' | 'langville_meyer';
    args: {
      alpha?: number;
      tol?: number;
      max_iter?: number;
      weight?: string | null;
      personalization?: Record<string, number>;
      dangling?: Record<string, number>;
    };
    pagerank: Record<string, number>;
  }>;
  hits_karate_directed: { hubs: Record<string, number>; authorities: Record<string, number> };
}

/** Largest absolute difference between scores and expected values (every expected node must be scored). */
export function maxDifference(scores: NodeScores, expected: Record<string, number>): number {
  let worst = 0;
  for (const [node, value] of Object.entries(expected)) {
    const got = scores.get(node);
    expect(got, `node ${node}`).toBeTypeOf('number');
    worst = Math.max(worst, Math.abs(got! - value));
  }
  expect(Object.keys(expected).length).toBe(scores.nodes.length);
  return worst;
}

/** A seeded generator (mulberry32), so random graphs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random weighted edges over `n` nodes; some nodes get no out-edges (dangling). */
export function randomEdges(
  n: number,
  m: number,
  seed: number,
): Array<{ source: string; target: string; weight: number }> {
  const random = seededRandom(seed);
  const edges: Array<{ source: string; target: string; weight: number }> = [];
  for (let i = 0; i < m; i++) {
    // Sources avoid the last tenth of the nodes, which are left dangling.
    const source = Math.floor(random() * n * 0.9);
    const target = Math.floor(random() ** 2 * n);
    edges.push({ source: `n${source}`, target: `n${target}`, weight: 1 + Math.floor(random() * 5) });
  }
  return edges;
}
