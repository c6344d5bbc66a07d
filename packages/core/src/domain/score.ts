/** The model that produced a score: id, version and parameters, so a score can be reproduced. */
export interface ScoreModel {
  id: string;
  version: string;
  params?: Record<string, unknown>;
}

/**
 * What made a score be recorded, kept with it in the score log so that a change can be explained:
 * - `interactions`: an incremental update for these newly stored interactions (oldest first);
 * - `recompute`: a full recompute from the customer's timeline.
 */
export type ScoreCause = { kind: 'interactions'; interactionIds: string[] } | { kind: 'recompute' };

/**
 * A customer-level score (engagement, value, influence...). Scores are kept as history: every
 * recorded value stays in the score log with its model and its cause.
 */
export interface Score {
  tenantId: string;
  customerId: string;
  name: string;
  value: number;
  model: ScoreModel;
  computedAt: Date;
  /** Why it was recorded; absent on scores recorded before causes were kept. */
  cause?: ScoreCause;
}

/** A named stage of a score: every value at or above `min` and below the next level's `min`. */
export interface ScoreLevel {
  name: string;
  /** Lowest value at this level, inclusive. */
  min: number;
}

/**
 * Levels of one score: thresholds that are configuration, so a level means the same thing for
 * every tenant and over time (not a clustering relative to today's population).
 */
export interface ScoreLevels {
  /** The score these levels classify (its `name`). */
  score: string;
  /** Ascending by `min`, the first at the lowest value the score can take (usually 0). */
  levels: readonly ScoreLevel[];
}
