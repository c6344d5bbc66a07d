export { type NodeWeights, nodeWeightsSchema } from './distribution.js';
export { type EdgeListOptions, edgeListOptionsSchema, readEdgeList } from './edge-list.js';
export { DigraphBuilder, digraphFromEdges, WeightedDigraph, type WeightedEdge } from './graph.js';
export {
  asDigraph,
  type FromGraphologyOptions,
  fromGraphology,
  isGraphologyGraph,
  isWeightedDigraph,
  toGraphology,
} from './graphology.js';
export { type HitsOptions, type HitsResult, hits, hitsOptionsSchema } from './hits.js';
export {
  INFLUENCE_MODEL_ID,
  INFLUENCE_MODEL_VERSION,
  type InfluenceScoresOptions,
  influenceScores,
  influenceScoresOptionsSchema,
} from './influence-scores.js';
export {
  type InfluenceLookup,
  type InfluenceScoringOptions,
  type InfluenceScoringPlugin,
  influenceScoring,
  influenceScoringOptionsSchema,
} from './influence-scoring.js';
export {
  buildInteractionGraph,
  defaultInteractionKinds,
  type EdgeDirection,
  type InteractionGraph,
  InteractionGraphBuilder,
  type InteractionGraphOptions,
  type InteractionGraphStats,
  interactionGraphOptionsSchema,
  storedInteractions,
  type TargetResolver,
} from './interaction-graph.js';
export { NodeScores, type RankedNode } from './node-scores.js';
export {
  type PagerankOptions,
  PagerankResult,
  pagerank,
  pagerankOptionsSchema,
  parsePagerankOptions,
  personalizedPagerank,
  type ResolvedPagerankOptions,
  runPagerank,
} from './pagerank.js';
