import {
  type Logger,
  type MaybePromise,
  type PluginContext,
  parseOrThrow,
  parsePluginOptions,
  SCORING_SPEC_VERSION,
  type ScoreRecomputeInput,
  type ScoreResult,
  type ScoringPlugin,
  silentLogger,
} from '@rapport/core';
import { z } from 'zod';
import { version } from '../package.json';
import { PLUGIN } from './errors.js';
import { INFLUENCE_MODEL_ID, INFLUENCE_MODEL_VERSION } from './influence-scores.js';

/** Finds a customer's precomputed influence score(s) somewhere else than the plugin's own table. */
export type InfluenceLookup = (
  tenantId: string,
  customerId: string,
) => MaybePromise<ScoreResult | readonly ScoreResult[] | undefined>;

/** Schema of the options of {@link influenceScoring}. Unknown keys are rejected so typos surface. */
export const influenceScoringOptionsSchema = z
  .object({
    lookup: z
      .custom<InfluenceLookup>((value) => typeof value === 'function', 'must be a function')
      .optional()
      .describe(
        'Reads precomputed scores from elsewhere (a cache, a file) instead of the table filled by `setScores`.',
      ),
  })
  .strict();

/** Options of {@link influenceScoring}. */
export type InfluenceScoringOptions = z.input<typeof influenceScoringOptionsSchema>;

const scoreResultSchema = z
  .object({
    name: z.string().min(1),
    value: z.number().finite(),
    model: z.object({
      id: z.string().min(1),
      version: z.string().min(1),
      params: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .strict();

const scoreTableSchema = z.array(z.tuple([z.string().min(1), scoreResultSchema]));

/** A scoring plugin that hands out influence scores computed over a whole tenant's graph. */
export interface InfluenceScoringPlugin extends ScoringPlugin {
  /**
   * Replaces the tenant's table of scores (customer id → score), usually the output of
   * {@link influenceScores}. Later `recompute` calls read from it.
   */
  setScores(
    tenantId: string,
    scores: ReadonlyMap<string, ScoreResult> | Iterable<readonly [string, ScoreResult]>,
  ): void;
  /** Forgets the table of one tenant, or of every tenant. */
  clearScores(tenantId?: string): void;
}

/**
 * The influence scoring plugin. PageRank is a property of the whole graph, not of one customer's
 * timeline, so this plugin does not compute it per customer: compute the tenant's scores in one
 * pass ({@link buildInteractionGraph} then {@link influenceScores}), hand them over with
 * `setScores`, and `recompute` (as `rapport.scores.recompute(customerId)` calls it) returns the
 * customer's precomputed score, which the runtime records. A customer without a score in the
 * table (no edge in the graph, or no table yet) gets none.
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
  const tables = new Map<string, Map<string, ScoreResult>>();
  let logger: Logger = silentLogger;

  const plugin: InfluenceScoringPlugin = {
    id: PLUGIN,
    version,
    specVersion: SCORING_SPEC_VERSION,
    capabilities: { annotate: false, incremental: false, recompute: true },
    models: [{ id: INFLUENCE_MODEL_ID, version: INFLUENCE_MODEL_VERSION }],
    init(context: PluginContext) {
      logger = context.logger;
    },
    setScores(tenantId, scores) {
      const entries = parseOrThrow(
        scoreTableSchema,
        [...(scores as Iterable<readonly [string, ScoreResult]>)],
        'RAPPORT_INVALID_INPUT',
        'influence scores',
        { '': 'give scores as [customerId, { name, value, model }] pairs, as influenceScores returns them' },
      );
      tables.set(tenantId, new Map(entries as Array<[string, ScoreResult]>));
    },
    clearScores(tenantId) {
      if (tenantId === undefined) tables.clear();
      else tables.delete(tenantId);
    },
    async recompute(input: ScoreRecomputeInput): Promise<ScoreResult[]> {
      if (lookup) {
        const found = await lookup(input.tenantId, input.customerId);
        if (found === undefined) return [];
        return Array.isArray(found) ? [...found] : [found as ScoreResult];
      }
      const table = tables.get(input.tenantId);
      if (!table) {
        logger.warn('influence: no scores loaded for this tenant; call setScores first', {
          plugin: PLUGIN,
          tenantId: input.tenantId,
        });
        return [];
      }
      const score = table.get(input.customerId);
      return score ? [score] : [];
    },
  };
  return plugin satisfies ScoringPlugin;
}
