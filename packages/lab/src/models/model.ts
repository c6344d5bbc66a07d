import { type Interaction, parsePluginOptions } from '@rapport/core';
import { type EngagementLevel, levelsSchema } from '@rapport/scoring-engagement';
import { z } from 'zod';
import type { LabDataset } from '../dataset/dataset.js';
import { LAB } from '../errors.js';

/** What a model's scoring gives back with its scores: parameters fitted on the dataset. */
export interface LabScores {
  /** Score by customer id; customers left out score 0. */
  scores: ReadonlyMap<string, number>;
  /**
   * What the model learnt from this dataset (fitted parameters, the size of the graph it ranked),
   * recorded next to its fixed `params`.
   */
  fitted?: Record<string, unknown>;
}

/** A model's scores: a map by customer id, or {@link LabScores}. */
export type LabScoring = ReadonlyMap<string, number> | LabScores;

/**
 * A scoring model the lab can run and compare. `id`, `version` and `params` are the model's own as
 * its scoring plugin records them with every score, so a lab result names exactly the model that a
 * running Rapport would have used.
 */
export interface LabModel {
  /** The name to ask for it by (`--models engagement,orbit`): lower case, digits and dashes. */
  readonly name: string;
  /** The scoring model's id, such as `engagement-effort-decay` or `pagerank`. */
  readonly id: string;
  /** The scoring model's version: it changes when the same data could score otherwise. */
  readonly version: string;
  /** One sentence: what the score measures. */
  readonly description: string;
  /** Every fixed parameter that shapes the scores (weights, half-life, damping…). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Named levels by score threshold (ascending, the first at 0), for models that have them. */
  readonly levels?: readonly EngagementLevel[] | undefined;
  /** Why the model cannot score `dataset` (CLV without purchases), or undefined when it can. */
  unavailable?(dataset: LabDataset): string | undefined;
  /** Scores the dataset's customers. Customers missing from the result score 0. */
  score(dataset: LabDataset): LabScoring | Promise<LabScoring>;
}

const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>(
    (value) => typeof value === 'function',
    `must be a function ${what}`,
  );

/** Schema of a {@link LabModel} definition. */
export const labModelSchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,39}$/,
        'must be lower case letters, digits and dashes, starting with a letter',
      ),
    id: z.string().min(1).max(128),
    version: z.string().min(1).max(32),
    description: z.string().min(1).max(500),
    params: z.record(z.string(), z.unknown()),
    levels: levelsSchema.optional(),
    unavailable: fn('(dataset) => string | undefined').optional(),
    score: fn('(dataset) => Map<customerId, number>'),
  })
  .strict();

/**
 * Checks a model definition and freezes it, for use with `compareModels` next to the built-in
 * {@link labModels}.
 *
 * ```ts
 * const replies = defineLabModel({
 *   name: 'replies',
 *   id: 'reply-count',
 *   version: '1',
 *   description: 'Replies each customer wrote.',
 *   params: { kind: 'reply' },
 *   score: (dataset) =>
 *     new Map(dataset.customers.map((c) => [c.id, (dataset.timelines.get(c.id) ?? []).filter((i) => i.kind === 'reply' && i.direction === 'inbound').length])),
 * });
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` whose path names the offending field.
 */
export function defineLabModel(definition: LabModel): LabModel {
  parsePluginOptions(labModelSchema, definition, 'defineLabModel', LAB);
  return Object.freeze({ ...definition, params: Object.freeze({ ...definition.params }) });
}

/** The scores of a {@link LabScoring} and what was fitted, whichever form it came in. */
export function scoresOf(scoring: LabScoring): LabScores {
  return scoring instanceof Map ? { scores: scoring } : (scoring as LabScores);
}

/**
 * Scores every customer of the population from their own timeline (oldest first; empty when the
 * customer only appears as someone referred).
 */
export function perCustomer(
  dataset: LabDataset,
  score: (timeline: readonly Interaction[]) => number,
): Map<string, number> {
  const scores = new Map<string, number>();
  for (const customer of dataset.customers) {
    scores.set(customer.id, score(dataset.timelines.get(customer.id) ?? []));
  }
  return scores;
}
