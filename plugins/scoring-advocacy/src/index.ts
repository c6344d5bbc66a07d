/**
 * `@rapport/scoring-advocacy`: advocates (customers who help others, with the evidence) and
 * community health (Gini, 90-9-1 participation shares, active contributors, retention cohorts).
 *
 * @packageDocumentation
 */
export {
  ADVOCACY_MODEL_ID,
  ADVOCACY_MODEL_VERSION,
  ADVOCACY_SCORE_NAME,
  type AdvocacyLookup,
  type AdvocacyScoringOptions,
  type AdvocacyScoringPlugin,
  advocacyModel,
  advocacyScores,
  advocacyScoring,
  advocacyScoringOptionsSchema,
} from './advocacy-scoring.js';
export {
  type AdvocacyEvidence,
  type AdvocacyEvidenceKind,
  type Advocate,
  AdvocatesFinder,
  type AdvocatesOptions,
  advocacyEvidenceKinds,
  advocatesOptionsSchema,
  defaultAdvocacyWeights,
  findAdvocates,
} from './advocates.js';
export {
  type ActiveContributors,
  type ActiveContributorsOptions,
  activeContributors,
  activeContributorsOptionsSchema,
  type ContributionsOptions,
  contributionsOptionsSchema,
  contributionsPerMember,
  gini,
  type ParticipationGroup,
  type ParticipationShares,
  type ParticipationSharesOptions,
  participationShares,
  participationSharesOptionsSchema,
  type RetentionCohort,
  type RetentionCohortsOptions,
  type RetentionTable,
  retentionCohorts,
  retentionCohortsOptionsSchema,
} from './health.js';
export {
  type CommunityInteraction,
  defaultAnonymousActors,
  type InteractionSource,
  type MemberRef,
} from './items.js';
