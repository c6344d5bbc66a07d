import { z } from 'zod';
import type { ScoreModel } from '../domain/score.js';
import { parseOrThrow } from '../errors/validation.js';
import { type Logger, type MaybePromise, type PluginContext, silentLogger } from './plugin.js';
import {
  SCORING_SPEC_VERSION,
  type ScoreRecomputeInput,
  type ScoreResult,
  type ScoringPlugin,
} from './scoring.js';

/** Finds a customer's precomputed score(s) somewhere else than the plugin's own table. */
export type ScoreLookup = (
  tenantId: string,
  customerId: string,
) => MaybePromise<ScoreResult | readonly ScoreResult[] | undefined>;

/**
 * The `lookup` option of a plugin made with {@link precomputedScoring}, to put in the plugin's
 * own options schema: an optional function, described for generated option docs.
 */
export const scoreLookupOptionSchema = z
  .custom<ScoreLookup>((value) => typeof value === 'function', 'must be a function')
  .optional()
  .describe(
    'Reads precomputed scores from elsewhere (a cache, a file) instead of the table filled by `setScores`.',
  );

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

/** A scoring plugin that hands out scores computed over a whole tenant, made by {@link precomputedScoring}. */
export interface PrecomputedScoringPlugin extends ScoringPlugin {
  /**
   * Replaces the tenant's table of scores (customer id → score). Later `recompute` calls read
   * from it. Throws `RAPPORT_INVALID_INPUT` when a score is malformed (no name, a value that is
   * not finite, a model without id or version).
   */
  setScores(
    tenantId: string,
    scores: ReadonlyMap<string, ScoreResult> | Iterable<readonly [string, ScoreResult]>,
  ): void;
  /** Forgets the table of one tenant, or of every tenant. */
  clearScores(tenantId?: string): void;
}

/** What {@link precomputedScoring} needs to know about the plugin it makes. */
export interface PrecomputedScoringOptions {
  /** The plugin's id; also names it in warnings and errors (`influence`). */
  id: string;
  /** The plugin's own version (semver). */
  version: string;
  /** The model the scores were computed with, declared as the plugin's only model. */
  model: ScoreModel;
  /**
   * The function that computes the table, named in the hint of an invalid `setScores` call
   * (`influenceScores`).
   */
  source: string;
  /** Reads scores from elsewhere instead of the table; `setScores` then fills a table nobody reads. */
  lookup?: ScoreLookup | undefined;
}

/**
 * A scoring plugin for scores that are a property of a whole tenant (a graph measure, evidence
 * found in other customers' interactions), not of one customer's timeline. It does not compute
 * anything: the caller computes the tenant's scores in one pass, hands them over with
 * `setScores(tenantId, scores)`, and `recompute` (as `rapport.scores.recompute(customerId)` calls
 * it) returns the customer's stored score, or none when the table has no entry for them. A
 * tenant without a table yet gets none either, with a warning on the logger from `init`. With a
 * `lookup`, `recompute` asks it instead of the table.
 *
 * For plugin authors: wrap it in the plugin's own factory, which parses its options and computes
 * the model.
 *
 * @example
 * ```ts
 * export function influenceScoring(options?: InfluenceScoringOptions): PrecomputedScoringPlugin {
 *   const { lookup } = parsePluginOptions(schema, options, 'influenceScoring', 'influence');
 *   return precomputedScoring({
 *     id: 'influence',
 *     version,
 *     model: { id: 'pagerank', version: '1' },
 *     source: 'influenceScores',
 *     lookup,
 *   });
 * }
 * ```
 */
export function precomputedScoring(options: PrecomputedScoringOptions): PrecomputedScoringPlugin {
  const { id, version, model, source, lookup } = options;
  const tables = new Map<string, Map<string, ScoreResult>>();
  let logger: Logger = silentLogger;

  return {
    id,
    version,
    specVersion: SCORING_SPEC_VERSION,
    capabilities: { annotate: false, incremental: false, recompute: true },
    models: [model],
    init(context: PluginContext) {
      logger = context.logger;
    },
    setScores(tenantId, scores) {
      const entries = parseOrThrow(
        scoreTableSchema,
        [...(scores as Iterable<readonly [string, ScoreResult]>)],
        'RAPPORT_INVALID_INPUT',
        `${id} scores`,
        { '': `give scores as [customerId, { name, value, model }] pairs, as ${source} returns them` },
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
        logger.warn(`${id}: no scores loaded for this tenant; call setScores first`, {
          plugin: id,
          tenantId: input.tenantId,
        });
        return [];
      }
      const score = table.get(input.customerId);
      return score ? [score] : [];
    },
  };
}
