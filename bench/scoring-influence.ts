/**
 * Influence scoring speed: PageRank (`@rapport/scoring-influence`) on a seeded synthetic graph of
 * customers engaging with customers, 1,000,000 interactions over 100,000 customers by default
 * (RAPPORT_BENCH_EDGES and RAPPORT_BENCH_NODES to change them). Sources are uniform; targets are
 * skewed (a power law, as attention is in real communities); each interaction weighs 1 to 3 and
 * repeated pairs add up. Measured in the same run:
 *
 * - building the graph from string edges (`DigraphBuilder`: interning ids, sorting into compressed
 *   sparse rows, summing parallel edges);
 * - reading the same edges as CSV text (`readEdgeList`);
 * - building it from stored interactions, replies resolved through their parent
 *   (`buildInteractionGraph`), the generation of the interaction objects counted separately;
 * - `pagerank` (α 0.85; tolerance 1e-10, the default of `influenceScores`: the networkx default
 *   1e-6 stops after 4 iterations on a graph this size, since its rule scales with the number of
 *   nodes), personalized PageRank from 100 seeds, and HITS;
 * - side by side, graphology-metrics' `pagerank` on the same graph (what a JavaScript user would
 *   otherwise pick) with the same α and tolerance (it builds its neighbourhood index inside each
 *   call, so its time includes that), and the time to build the graphology graph it needs. Both
 *   results must agree to 1e-12 or the run fails.
 *
 * Ratios (their seconds over ours, on the same graph): `pagerank_speedup_vs_graphology_metrics`
 * and `graph_build_speedup_vs_graphology`.
 *
 * Timed figures are the median of RAPPORT_BENCH_PASSES passes (default 3) after a warm-up; the
 * interaction-graph rows and the graphology build are one timed pass after a warm-up.
 */
import type { Interaction } from '@rapport/core';
import {
  buildInteractionGraph,
  DigraphBuilder,
  hits,
  pagerank,
  personalizedPagerank,
  readEdgeList,
  type WeightedDigraph,
} from '@rapport/scoring-influence';
import { DirectedGraph } from 'graphology';
import graphologyPagerank from 'graphology-metrics/centrality/pagerank.js';
import { type Measurement, type SectionResult, seededRandom, timeSync } from './harness.js';

const SEED = 11;
const EDGES = Number.parseInt(process.env.RAPPORT_BENCH_EDGES ?? '1000000', 10);
const NODES = Number.parseInt(process.env.RAPPORT_BENCH_NODES ?? '100000', 10);
/** PageRank's stopping rule: L1 change below nodes × TOLERANCE. */
const TOLERANCE = 1e-10;
const PASSES = Number.parseInt(process.env.RAPPORT_BENCH_PASSES ?? '3', 10);

interface SyntheticEdges {
  sources: Int32Array;
  targets: Int32Array;
  weights: Float64Array;
  ids: string[];
}

/** Uniform sources, power-law targets (node k drawn with density ∝ k^(-2/3)), no self-loops. */
function syntheticEdges(nodes: number, edges: number, seed: number): SyntheticEdges {
  const random = seededRandom(seed);
  const sources = new Int32Array(edges);
  const targets = new Int32Array(edges);
  const weights = new Float64Array(edges);
  for (let e = 0; e < edges; e++) {
    const source = Math.floor(random() * nodes);
    let target = Math.floor(random() ** 3 * nodes);
    if (target === source) target = (target + 1) % nodes;
    sources[e] = source;
    targets[e] = target;
    weights[e] = 1 + Math.floor(random() * 3);
  }
  return { sources, targets, weights, ids: Array.from({ length: nodes }, (_, i) => `cus_${i}`) };
}

const count = (n: number) => n.toLocaleString('en-US');
const rate = (n: number, seconds: number, unit: string) => `${count(Math.round(n / seconds))} ${unit}/s`;

function buildDigraph(data: SyntheticEdges): WeightedDigraph {
  const builder = new DigraphBuilder();
  for (let e = 0; e < data.sources.length; e++) {
    builder.addEdge(data.ids[data.sources[e]!]!, data.ids[data.targets[e]!]!, data.weights[e]!);
  }
  return builder.build();
}

function buildGraphology(data: SyntheticEdges): DirectedGraph {
  const graph = new DirectedGraph();
  for (let e = 0; e < data.sources.length; e++) {
    const source = data.ids[data.sources[e]!]!;
    const target = data.ids[data.targets[e]!]!;
    const weight = data.weights[e]!;
    // A simple graph cannot hold parallel edges: sum them, as the CSR builder does.
    graph.updateEdge(source, target, (attributes) => ({
      weight: ((attributes.weight as number) ?? 0) + weight,
    }));
  }
  return graph;
}

/** One stored interaction, written out field by field: spreading a shared base object is far slower. */
function interaction(
  id: string,
  externalId: string,
  kind: string,
  customer: string,
  parent: string | null,
): Interaction {
  return {
    id,
    tenantId: 'bench',
    channel: 'forum',
    account: 'community',
    externalId,
    version: 0,
    direction: 'inbound',
    kind,
    effort: 'contribution',
    text: null,
    language: null,
    occurredAt: AT,
    receivedAt: AT,
    customerId: customer,
    identityId: null,
    actorExternalId: customer,
    actorHandle: null,
    conversationId: null,
    thread: null,
    parent,
    amount: null,
    currency: null,
    referredIdentityId: null,
    referredCustomerId: null,
    scores: [],
    metadata: {},
  };
}

const AT = new Date(Date.UTC(2025, 0, 1));

/** Stored interactions behind the same edges: each customer's post, then one reply per edge. */
function* syntheticInteractions(data: SyntheticEdges): Generator<Interaction> {
  for (let i = 0; i < data.ids.length; i++)
    yield interaction(`post_${i}`, `p${i}`, 'post', data.ids[i]!, null);
  for (let e = 0; e < data.sources.length; e++) {
    yield interaction(`reply_${e}`, `r${e}`, 'reply', data.ids[data.sources[e]!]!, `p${data.targets[e]!}`);
  }
}

/** Times influence scoring; see the file comment for what each row measures. */
export async function measure(): Promise<SectionResult> {
  const data = syntheticEdges(NODES, EDGES, SEED);
  const input = `${count(EDGES)} edges, ${count(NODES)} nodes (seed ${SEED})`;
  const rows: Measurement[] = [];

  const built = timeSync(() => buildDigraph(data), PASSES);
  const graph = built.result;
  const size = `${count(graph.order)} nodes, ${count(graph.size)} distinct edges`;
  rows.push({
    name: 'graph build (DigraphBuilder, string ids → CSR)',
    size: input,
    seconds: built.seconds,
    rate: rate(EDGES, built.seconds, 'edges'),
    note: `→ ${size}`,
  });

  const csvLines: string[] = ['source,target,weight'];
  for (let e = 0; e < EDGES; e++) {
    csvLines.push(`${data.ids[data.sources[e]!]},${data.ids[data.targets[e]!]},${data.weights[e]}`);
  }
  const csv = csvLines.join('\n');
  csvLines.length = 0;
  const parsed = timeSync(() => readEdgeList(csv), PASSES);
  if (parsed.result.size !== graph.size)
    throw new Error('scoring-influence: readEdgeList built another graph');
  rows.push({
    name: 'readEdgeList (CSV text → CSR)',
    size: `${count(EDGES)} rows, ${(csv.length / 2 ** 20).toFixed(1)} MiB`,
    seconds: parsed.seconds,
    rate: rate(EDGES, parsed.seconds, 'rows'),
  });

  const interactions = NODES + EDGES;
  const generated = timeSync(() => {
    let n = 0;
    for (const _ of syntheticInteractions(data)) n++;
    return n;
  }, 1);
  const fromInteractions = timeSync(() => buildInteractionGraph(syntheticInteractions(data)), 1);
  if (fromInteractions.result.graph.size !== graph.size) {
    throw new Error('scoring-influence: buildInteractionGraph built another graph');
  }
  const buildOnly = Math.max(0, fromInteractions.seconds - generated.seconds);
  rows.push({
    name: 'buildInteractionGraph (stored interactions → CSR)',
    size: `${count(interactions)} interactions (${count(NODES)} posts, ${count(EDGES)} replies)`,
    seconds: buildOnly,
    rate: rate(interactions, buildOnly, 'interactions'),
    note: `${fromInteractions.seconds.toFixed(3)} s including making the objects (${generated.seconds.toFixed(3)} s alone)`,
  });

  const ours = timeSync(() => pagerank(graph, { tolerance: TOLERANCE, maxIterations: 1000 }), PASSES);
  rows.push({
    name: 'pagerank (ours, CSR power iteration)',
    size,
    seconds: ours.seconds,
    rate: rate(graph.size * ours.result.iterations, ours.seconds, 'edge-visits'),
    note: `${ours.result.iterations} iterations, α 0.85, tolerance ${TOLERANCE}, converged ${ours.result.converged}`,
  });

  const seeds = Array.from({ length: 100 }, (_, i) => data.ids[(i * 7919) % NODES]!);
  const personalized = timeSync(
    () => personalizedPagerank(graph, seeds, { tolerance: TOLERANCE, maxIterations: 1000 }),
    PASSES,
  );
  rows.push({
    name: 'personalizedPagerank (100 seeds)',
    size,
    seconds: personalized.seconds,
    note: `${personalized.result.iterations} iterations`,
  });

  const hubs = timeSync(() => hits(graph, { tolerance: 1e-6, maxIterations: 1000 }), PASSES);
  rows.push({
    name: 'hits (hubs and authorities)',
    size,
    seconds: hubs.seconds,
    note: `${hubs.result.iterations} iterations, tolerance 1e-6`,
  });

  const graphologyBuilt = timeSync(() => buildGraphology(data), 1);
  const peer = graphologyBuilt.result;
  rows.push({
    name: 'graphology DirectedGraph build (peer)',
    size: input,
    seconds: graphologyBuilt.seconds,
    rate: rate(EDGES, graphologyBuilt.seconds, 'edges'),
    note: `${(graphologyBuilt.seconds / built.seconds).toFixed(1)}× our graph build`,
  });

  const theirs = timeSync(
    () => graphologyPagerank(peer, { getEdgeWeight: 'weight', tolerance: TOLERANCE, maxIterations: 1000 }),
    PASSES,
  );
  let worst = 0;
  for (let i = 0; i < graph.order; i++) {
    worst = Math.max(worst, Math.abs(ours.result.values[i]! - theirs.result[graph.nodes[i]!]!));
  }
  if (!(worst < 1e-12)) throw new Error(`scoring-influence: graphology-metrics disagrees by ${worst}`);
  rows.push({
    name: 'graphology-metrics pagerank (peer)',
    size,
    seconds: theirs.seconds,
    note: `ours is ${(theirs.seconds / ours.seconds).toFixed(1)}× faster; max |difference| ${worst.toExponential(1)}; builds its index in each call`,
  });

  return {
    measurements: rows,
    ratios: {
      pagerank_speedup_vs_graphology_metrics: theirs.seconds / ours.seconds,
      graph_build_speedup_vs_graphology: graphologyBuilt.seconds / built.seconds,
    },
  };
}
