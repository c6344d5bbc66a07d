export {
  type ActorExclusion,
  DAY_MS,
  decayFactor,
  decayRate,
  EngagementKernel,
  type ScoredInteraction,
} from './engagement.js';
export { DEFAULT_LEVELS, type EngagementLevel, levelOf, levelsSchema } from './levels.js';
export {
  type EngagementScoringOptions,
  engagementScoringOptionsSchema,
  type ParsedEngagementScoringOptions,
  parseEngagementScoringOptions,
} from './options.js';
export {
  ORBIT_HALF_LIFE_DAYS,
  ORBIT_LEVELS,
  ORBIT_MONTH_DAYS,
  ORBIT_MONTHLY_RETENTION,
  ORBIT_WEIGHTS,
  orbitPreset,
} from './orbit.js';
export {
  ENGAGEMENT_MODEL_VERSION,
  type EngagementScoringPlugin,
  engagementScoring,
  type ResolvedEngagementScoringOptions,
} from './plugin.js';
export {
  DEFAULT_EFFORT_WEIGHTS,
  DEFAULT_KIND_WEIGHTS,
  type EffortWeights,
  type KindWeights,
  type WeightOf,
  weightLookup,
} from './weights.js';
