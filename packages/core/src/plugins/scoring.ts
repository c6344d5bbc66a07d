import type { Interaction, InteractionScore } from '../domain/interaction.js';
import type { Score, ScoreLevels, ScoreModel } from '../domain/score.js';
import type { MaybePromise, PluginBase, PluginContext } from './plugin.js';

/** The scoring contract version this core speaks. */
export const SCORING_SPEC_VERSION = 'rapport.scoring/v1';

/** Which hooks a scoring plugin implements. */
export interface ScoringCapabilities {
  /** `annotate`: scores each interaction before it is stored (sentiment, language...). */
  annotate: boolean;
  /** `update`: updates customer scores incrementally after each stored interaction. */
  incremental: boolean;
  /** `recompute`: computes customer scores from the whole timeline. */
  recompute: boolean;
}

/** Context of an incremental update. */
export interface ScoreUpdateInput {
  tenantId: string;
  customerId: string;
  /** Interactions newly stored for this customer, oldest first; each is handed over once. */
  interactions: readonly Interaction[];
  /**
   * New versions of interactions handed over before (edited text, for example), oldest first.
   * A scorer whose scores depend on content accounts for the change; one that counts
   * interactions must not count them again.
   */
  edited?: readonly Interaction[];
  /** The customer's latest scores from this plugin. */
  current: readonly Score[];
  now: Date;
}

/** Context of a full recompute. */
export interface ScoreRecomputeInput {
  tenantId: string;
  customerId: string;
  /** The customer's whole timeline, newest first, streamed page by page. */
  interactions: AsyncIterable<Interaction>;
  now: Date;
}

/** A customer score as a plugin returns it (the host adds tenant and customer). */
export type ScoreResult = Pick<Score, 'name' | 'value'> & { model: ScoreModel };

/**
 * A scoring plugin. Per-interaction updates and full recomputes must agree: that is part of the
 * contract and checked by the testkit.
 */
export interface ScoringPlugin extends PluginBase<typeof SCORING_SPEC_VERSION, ScoringCapabilities> {
  /** The models this plugin computes, with their versions and parameters. */
  readonly models: readonly ScoreModel[];
  /**
   * Named levels of this plugin's scores (e.g. inactive → … → advocate for `engagement`). The host
   * records a customer's level in the score log when it changes and emits `level.changed`; a
   * Rapport's own `levels` option overrides these per score.
   */
  readonly levels?: readonly ScoreLevels[];
  init?(context: PluginContext): MaybePromise<void>;
  /** Scores one interaction before it is stored. Synchronous: it runs on the ingest hot path. */
  annotate?(interaction: Readonly<Interaction>): InteractionScore[] | undefined;
  update?(input: ScoreUpdateInput): MaybePromise<ScoreResult[]>;
  recompute?(input: ScoreRecomputeInput): MaybePromise<ScoreResult[]>;
}
