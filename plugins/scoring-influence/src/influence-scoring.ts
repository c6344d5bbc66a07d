import {
  type PrecomputedScoringPlugin,
  parsePluginOptions,
  precomputedScoring,
  type ScoreLookup,
  scoreLookupOptionSchema,
} from '@rapport/core';
import { z } from 'zod';
import { version } from '../package.json';
import { PLUGIN } from './errors.js';
import { INFLUENCE_MODEL_ID, INFLUENCE_MODEL_VERSION } from './influence-scores.js';

/** Finds a customer's precomputed influence score(s) somewhere else than the plugin's own table. */
export type InfluenceLookup = ScoreLookup;

/** Schema of the options of {@link influenceScoring}. Unknown keys are rejected so typos surface. */
export const influenceScoringOptionsSchema = z.object({ lookup: scoreLookupOptionSchema }).strict();

/** Options of {@link influenceScoring}. */
export type InfluenceScoringOptions = z.input<typeof influenceScoringOptionsSchema>;

/**
 * A scoring plugin that hands out influence scores computed over a whole tenant's graph:
 * `setScores(tenantId, scores)` replaces the tenant's table (customer id → score), usually the
 * output of {@link influenceScores}, and `clearScores` forgets it.
 */
export type InfluenceScoringPlugin = PrecomputedScoringPlugin;

/**
 * The influence scoring plugin. PageRank is a property of the whole graph, not of one customer's
 * timeline, so this plugin does not compute it per customer: compute the tenant's scores in one
 * pass ({@link buildInteractionGraph} then {@link influenceScores}), hand them over with
 * `setScores`, and `recompute` (as `rapport.scores.recompute(customerId)` calls it) returns the
 * customer's precomputed score, which the runtime records. A customer without a score in the
 * table (no edge in the graph, or no table yet) gets none. Built on core's `precomputedScoring`.
 *
 * @example
 * ```ts
 * const influence = influenceScoring();
 * const rapport = createRapport({ storage, scoring: [influence] });
 * // nightly:
 * const { graph } = await buildInteractionGraph(storedInteractions(storage.read('default')));
 * influence.setScores('default', influenceScores(graph));
 * await rapport.scores.recompute(customerId);
 * ```
 */
export function influenceScoring(options?: InfluenceScoringOptions): InfluenceScoringPlugin {
  const { lookup } = parsePluginOptions(influenceScoringOptionsSchema, options, 'influenceScoring', PLUGIN);
  return precomputedScoring({
    id: PLUGIN,
    version,
    model: { id: INFLUENCE_MODEL_ID, version: INFLUENCE_MODEL_VERSION },
    source: 'influenceScores',
    lookup,
  });
}
