import {
  type PrecomputedScoringPlugin,
  parseOrThrow,
  parsePluginOptions,
  precomputedScoring,
  type ScoreLookup,
  type ScoreModel,
  type ScoreResult,
  scoreLookupOptionSchema,
} from '@rapport/core';
import { z } from 'zod';
import { version } from '../package.json';
import { type Advocate, advocatesOptionsSchema, defaultAdvocacyWeights } from './advocates.js';
import { PLUGIN } from './errors.js';

/** Id of the model behind advocacy scores. */
export const ADVOCACY_MODEL_ID = 'advocacy-evidence';
/** Version of the advocacy model: changes whenever the same interactions could score otherwise. */
export const ADVOCACY_MODEL_VERSION = '1';
/** Name of the customer score. */
export const ADVOCACY_SCORE_NAME = 'advocacy';

/** Finds a customer's precomputed advocacy score somewhere else than the plugin's own table. */
export type AdvocacyLookup = ScoreLookup;

const weightsSchema = advocatesOptionsSchema.shape.weights;

/** Schema of the options of {@link advocacyScoring}. Unknown keys are rejected so typos surface. */
export const advocacyScoringOptionsSchema = z
  .object({
    weights: weightsSchema.describe(
      'The weights the scores were computed with, declared as the model’s parameters (default: the defaults of findAdvocates).',
    ),
    lookup: scoreLookupOptionSchema,
  })
  .strict();

/** Options of {@link advocacyScoring}. */
export type AdvocacyScoringOptions = z.input<typeof advocacyScoringOptionsSchema>;

/** The model of advocacy scores computed with `weights`. */
export function advocacyModel(
  weights: Readonly<Record<string, number>> = defaultAdvocacyWeights,
): ScoreModel {
  return { id: ADVOCACY_MODEL_ID, version: ADVOCACY_MODEL_VERSION, params: { ...weights } };
}

/**
 * Advocacy scores by customer id, from {@link findAdvocates}' result, ready for
 * the plugin's `setScores`: each is `{ name: 'advocacy', value: score, model }`.
 * Advocates known only by a channel identity (interaction inputs, not stored) have no customer
 * id and are left out.
 *
 * @param weights - the weights given to `findAdvocates`, recorded as the model's parameters.
 */
export function advocacyScores(
  advocates: readonly Advocate[],
  weights?: Partial<Record<keyof typeof defaultAdvocacyWeights, number>>,
): Map<string, ScoreResult> {
  const resolved = parseOrThrow(weightsSchema, weights ?? {}, 'RAPPORT_INVALID_INPUT', 'advocacy weights', {
    '': 'give weights as { "accepted-answer": 3, ... }, as findAdvocates takes them',
  });
  const model = advocacyModel(resolved);
  const scores = new Map<string, ScoreResult>();
  for (const advocate of advocates) {
    if (advocate.customerId === null) continue;
    scores.set(advocate.customerId, { name: ADVOCACY_SCORE_NAME, value: advocate.score, model });
  }
  return scores;
}

/**
 * A scoring plugin that hands out advocacy scores computed over a whole tenant:
 * `setScores(tenantId, scores)` replaces the tenant's table (customer id → score), usually
 * `advocacyScores(findAdvocates(...))`, and `clearScores` forgets it.
 */
export type AdvocacyScoringPlugin = PrecomputedScoringPlugin;

/**
 * The advocacy scoring plugin. Advocacy is seen in other people's interactions (the asker's
 * accept, the votes on an answer, the referred customer's purchase), which a customer's own
 * timeline does not hold, so `recompute` does not compute it: compute the tenant's advocates in
 * one pass over all its interactions ({@link findAdvocates}), hand the scores over with
 * `setScores`, and `recompute` returns the customer's `advocacy` score with the model
 * `{ id: 'advocacy-evidence', version, params: weights }`. A customer without evidence gets none.
 * Built on core's `precomputedScoring`.
 *
 * @example
 * ```ts
 * const advocacy = advocacyScoring();
 * const rapport = createRapport({ storage, scoring: [advocacy] });
 * // nightly:
 * const advocates = await findAdvocates(storedInteractions(storage.read('default')));
 * advocacy.setScores('default', advocacyScores(advocates));
 * await rapport.scores.recompute(customerId);
 * ```
 */
export function advocacyScoring(options?: AdvocacyScoringOptions): AdvocacyScoringPlugin {
  const { weights, lookup } = parsePluginOptions(
    advocacyScoringOptionsSchema,
    options,
    'advocacyScoring',
    PLUGIN,
  );
  return precomputedScoring({
    id: PLUGIN,
    version,
    model: advocacyModel(weights),
    source: 'advocacyScores',
    lookup,
  });
}
