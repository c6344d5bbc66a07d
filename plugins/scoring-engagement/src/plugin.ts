import {
  SCORING_SPEC_VERSION,
  type Score,
  type ScoreModel,
  type ScoreRecomputeInput,
  type ScoreResult,
  type ScoreUpdateInput,
  type ScoringPlugin,
} from '@rapport/core';
import { version } from '../package.json';
import { EngagementKernel, type ScoredInteraction } from './engagement.js';
import type { EngagementLevel } from './levels.js';
import { type EngagementScoringOptions, parseEngagementScoringOptions } from './options.js';
import {
  DEFAULT_EFFORT_WEIGHTS,
  DEFAULT_KIND_WEIGHTS,
  type EffortWeights,
  type KindWeights,
  weightLookup,
} from './weights.js';

/**
 * Version of the engagement formula (weight × 2^(−age/half-life), summed; levels by threshold).
 * It changes when the same options would give different scores, not with the package version.
 */
export const ENGAGEMENT_MODEL_VERSION = '1';

/** Options of {@link engagementScoring} with defaults filled in and weight tables merged. */
export interface ResolvedEngagementScoringOptions {
  id: string;
  scoreName: string;
  /** `<scoreName>.level`: where the host records the level in the score log. */
  levelScoreName: string;
  modelId: string;
  /** The default table with `weights` merged over it. */
  weights: KindWeights;
  effortWeights: EffortWeights;
  channelWeights: Readonly<Record<string, KindWeights>>;
  halfLifeDays: number;
  levels: readonly EngagementLevel[];
  exclude: {
    customerIds: readonly string[];
    actorExternalIds: readonly string[];
    handles: readonly RegExp[];
  };
}

/** The scoring plugin made by {@link engagementScoring}. */
export interface EngagementScoringPlugin extends ScoringPlugin {
  readonly specVersion: typeof SCORING_SPEC_VERSION;
  /** The validated options, defaults filled in. */
  readonly options: ResolvedEngagementScoringOptions;
  update(input: ScoreUpdateInput): ScoreResult[];
  recompute(input: ScoreRecomputeInput): Promise<ScoreResult[]>;
  /**
   * The engagement score at `now` of a set of interactions, in any order: Σ weight × 2^(−age/h).
   * For analyses outside a running Rapport (a research export, a backfill).
   */
  scoreOf(interactions: Iterable<ScoredInteraction>, now: Date): number;
  /** The undecayed weight of one interaction under these options (0 if outbound or excluded). */
  weightOf(interaction: ScoredInteraction): number;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof RegExp)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Effort-weighted, time-decayed engagement of each customer, with a named level.
 *
 * Every inbound interaction of the customer adds `weight(kind, channel) × 2^(−age/halfLife)`,
 * where `age` = now − occurredAt. Outbound interactions (the organization's own) and those of
 * excluded actors (staff, bots) add nothing; excluded customers get no scores at all. The weight
 * is `channelWeights[channel][kind]`, else `weights[kind]` (merged over
 * {@link DEFAULT_KIND_WEIGHTS}), else `effortWeights[effort]` ({@link DEFAULT_EFFORT_WEIGHTS}).
 *
 * The plugin records `engagement` (the sum) and declares its `levels`; the host maps each recorded
 * score to its level and, when it changes, records `engagement.level` (the index of the level in
 * `levels`, see core's `levelOf`, with the level's name in its model params) and emits
 * `level.changed`. `rapport.scores.explainLevel(id, 'engagement')` says why a level changed.
 *
 * `update` is exact, not an approximation: decay is exponential, so the latest score carries
 * forward as `score × 2^(−(now − computedAt)/halfLife)`, where `computedAt` is the time the host
 * recorded with it (the `now` of the call that produced it), and the new interactions add their
 * own decayed weights. Incremental updates and a full `recompute` agree to rounding, provided the
 * options did not change in between (recompute after changing options, merging customers, or an
 * edit that changes an interaction's kind). Edits arrive as `edited` and are not counted again.
 *
 * ```ts
 * const engagement = engagementScoring({ halfLifeDays: 60, exclude: { handles: [/bot$/i] } });
 * const rapport = createRapport({ storage, scoring: [engagement] });
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` when an option is invalid; its path names it.
 */
export function engagementScoring(options: EngagementScoringOptions = {}): EngagementScoringPlugin {
  const parsed = parseEngagementScoringOptions(options);
  const resolved: ResolvedEngagementScoringOptions = deepFreeze({
    id: parsed.id,
    scoreName: parsed.scoreName,
    levelScoreName: `${parsed.scoreName}.level`,
    modelId: parsed.modelId,
    weights: { ...DEFAULT_KIND_WEIGHTS, ...parsed.weights },
    effortWeights: { ...DEFAULT_EFFORT_WEIGHTS, ...definedOnly(parsed.effortWeights) },
    channelWeights: parsed.channelWeights,
    halfLifeDays: parsed.halfLifeDays,
    levels: parsed.levels.map((level) => ({ name: level.name, min: level.min })),
    exclude: parsed.exclude,
  });
  const { scoreName, levels, exclude } = resolved;
  const excludedCustomers = new Set(exclude.customerIds);
  const kernel = new EngagementKernel(
    resolved.halfLifeDays,
    weightLookup(resolved.weights, resolved.channelWeights, resolved.effortWeights),
    { actorExternalIds: new Set(exclude.actorExternalIds), handles: exclude.handles },
  );

  const model: ScoreModel = deepFreeze({
    id: resolved.modelId,
    version: ENGAGEMENT_MODEL_VERSION,
    params: {
      weights: { ...resolved.weights },
      effortWeights: { ...resolved.effortWeights },
      channelWeights: structuredClone(resolved.channelWeights),
      halfLifeDays: resolved.halfLifeDays,
      levels: levels.map((level) => ({ ...level })),
      exclude: {
        customerIds: [...exclude.customerIds],
        actorExternalIds: [...exclude.actorExternalIds],
        // RegExps do not survive JSON; their literal form does and can be compiled back.
        handles: exclude.handles.map(String),
      },
    },
  });
  const results = (score: number): ScoreResult[] => [{ name: scoreName, value: score, model }];

  const scoreOf = (interactions: Iterable<ScoredInteraction>, now: Date): number => {
    const nowMs = now.getTime();
    let score = 0;
    for (const interaction of interactions) score += kernel.contribution(interaction, nowMs);
    return score;
  };

  return {
    id: resolved.id,
    version,
    specVersion: SCORING_SPEC_VERSION,
    capabilities: { annotate: false, incremental: true, recompute: true },
    models: [model],
    levels: [{ score: scoreName, levels }],
    options: resolved,
    scoreOf,
    weightOf: (interaction) => kernel.weight(interaction),
    update({ customerId, interactions, current, now }) {
      if (excludedCustomers.has(customerId)) return [];
      const nowMs = now.getTime();
      const previous = latestOwnScore(current, scoreName, resolved.modelId);
      const carried =
        previous === undefined
          ? 0
          : kernel.carry(previous.value, new Date(previous.computedAt).getTime(), nowMs);
      return results(carried + scoreOf(interactions, now));
    },
    async recompute({ customerId, interactions, now }) {
      if (excludedCustomers.has(customerId)) return [];
      const nowMs = now.getTime();
      let score = 0;
      for await (const interaction of interactions) score += kernel.contribution(interaction, nowMs);
      return results(score);
    },
  } satisfies EngagementScoringPlugin;
}

/** The most recent score of ours with this name among `current` (the host passes the latest). */
function latestOwnScore(current: readonly Score[], name: string, modelId: string): Score | undefined {
  let latest: Score | undefined;
  for (const score of current) {
    if (score.name !== name || score.model.id !== modelId || !Number.isFinite(score.value)) continue;
    if (latest === undefined || new Date(score.computedAt) > new Date(latest.computedAt)) latest = score;
  }
  return latest;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
