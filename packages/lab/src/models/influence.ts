import {
  buildInteractionGraph,
  defaultInteractionKinds,
  INFLUENCE_MODEL_ID,
  INFLUENCE_MODEL_VERSION,
  influenceScores,
  influenceScoresOptionsSchema,
} from '@rapport/scoring-influence';
import { defineLabModel } from './model.js';

/**
 * The kinds that make edges: scoring-influence's defaults (reply, mention, referral) and the
 * answers and comments of forums such as Stack Exchange, which point at the author of their
 * parent the way a reply does. Votes make none: dumps publish them without their voter.
 */
const graphKinds = {
  ...defaultInteractionKinds,
  answer: { weight: 1 },
  comment: { weight: 1 },
} as const;

/** PageRank scaled so 1 is the average customer of the graph, whatever its size. */
const scoresOptions = { scale: 'relative' } as const;
const pagerank = influenceScoresOptionsSchema.parse(scoresOptions);

/**
 * Influence: PageRank (`@rapport/scoring-influence`) over the graph of who replies to, mentions,
 * refers, answers and comments on whom (an edge u → v: u gave v attention). Synthetic actors are
 * left out of the graph. Customers outside the graph (no edge) score 0.
 */
export const influenceLabModel = defineLabModel({
  name: 'influence',
  id: INFLUENCE_MODEL_ID,
  version: INFLUENCE_MODEL_VERSION,
  description:
    'PageRank over who replies to, mentions, refers, answers and comments on whom: attention from the attended-to.',
  params: {
    kinds: graphKinds,
    alpha: pagerank.alpha,
    tolerance: pagerank.tolerance,
    maxIterations: pagerank.maxIterations,
    weighted: pagerank.weighted,
    teleport: 'uniform',
    dangling: 'teleport',
    scale: pagerank.scale,
  },
  unavailable: (dataset) =>
    dataset.interactions.some((i) => i.direction === 'inbound' && Object.hasOwn(graphKinds, i.kind))
      ? undefined
      : `no customer ${Object.keys(graphKinds).join(', ')}: nobody engages with anybody`,
  score(dataset) {
    const excluded = new Set(dataset.excluded.map((customer) => customer.id));
    const interactions =
      excluded.size === 0
        ? dataset.interactions
        : dataset.interactions.filter((i) => i.customerId === null || !excluded.has(i.customerId));
    const { graph, stats } = buildInteractionGraph(interactions, { kinds: graphKinds });
    const fitted = { nodes: graph.order, edges: graph.size, counted: stats.counted, skipped: stats.skipped };
    if (graph.order === 0) return { scores: new Map(), fitted };
    const scores = new Map<string, number>();
    for (const [customerId, result] of influenceScores(graph, scoresOptions))
      scores.set(customerId, result.value);
    return { scores, fitted };
  },
});
