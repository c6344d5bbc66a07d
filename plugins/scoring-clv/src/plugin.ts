import {
  SCORING_SPEC_VERSION,
  type ScoreModel,
  type ScoreRecomputeInput,
  type ScoreResult,
  type ScoringPlugin,
} from '@rapport/core';
import { version } from '../package.json';
import { clvValues } from './clv.js';
import { type ClvScoringOptions, parseClvScoringOptions, type ResolvedClvScoringOptions } from './options.js';
import { summaryOfTimeline } from './summary/interactions.js';
import { PLUGIN } from './summary/types.js';

/** Id and version of the model behind every score of {@link clvScoring}. */
export const CLV_MODEL = { id: 'bgnbd+gammagamma', version: '1' } as const;

/** Names of the scores {@link clvScoring} records. */
export const CLV_SCORES = {
  pAlive: 'clv.p_alive',
  expectedTransactions: 'clv.expected_transactions',
  expectedSpend: 'clv.expected_spend',
  clv: 'clv',
} as const;

/** The scoring plugin made by {@link clvScoring}. */
export interface ClvScoringPlugin extends ScoringPlugin {
  readonly specVersion: typeof SCORING_SPEC_VERSION;
  /** The validated options, defaults filled in. */
  readonly options: ResolvedClvScoringOptions;
  recompute(input: ScoreRecomputeInput): Promise<ScoreResult[]>;
}

/**
 * Customer lifetime value scores, recomputed from a customer's purchases: P(alive), expected
 * purchases and CLV over `horizon` from BG/NBD, expected spend per purchase from Gamma-Gamma.
 *
 * A customer's scores depend on the whole population through the models' parameters, and a
 * plugin scoring one customer at a time cannot fit them: the app fits first, on all customers'
 * summaries, and passes the result in `models`. Refit (and rebuild the plugin) as data accumulates.
 *
 * On `recompute`, the customer's summary is built from their timeline with the recompute time as
 * the end of the calibration period: purchases (kind `purchase`, amount ≥ 0, in `currency` when
 * set) collapse to UTC days; x is the purchase days − 1, t_x and T run from the first purchase day
 * to the last one and to today, in the models' time unit. A customer with no purchase gets no
 * scores. Each score carries the model `bgnbd+gammagamma`, version 1, with every parameter that
 * produced it.
 *
 * ```ts
 * const summaries = await summariesFromInteractions(purchases, { calibrationEnd: new Date() });
 * const clv = clvScoring({ models: fitClvModels(summaries), margin: 0.3 });
 * const rapport = createRapport({ storage, scoring: [clv] });
 * await rapport.scores.recompute(customerId); // clv.p_alive, clv.expected_transactions, clv.expected_spend, clv
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` when an option is invalid; its path names it.
 */
export function clvScoring(options: ClvScoringOptions): ClvScoringPlugin {
  const resolved = parseClvScoringOptions(options);
  const { models, horizon, periods, discountRate, margin, currency } = resolved;
  const model: ScoreModel = Object.freeze({
    ...CLV_MODEL,
    params: Object.freeze({
      ...models.bgnbd,
      ...models.gammaGamma,
      timeUnit: models.timeUnit,
      horizon,
      periods,
      discountRate,
      margin,
      ...(currency === undefined ? {} : { currency }),
    }),
  });
  return {
    id: PLUGIN,
    version,
    specVersion: SCORING_SPEC_VERSION,
    capabilities: { annotate: false, incremental: false, recompute: true },
    models: [model],
    options: resolved,
    async recompute({ customerId, interactions, now }) {
      const summary = await summaryOfTimeline(customerId, interactions, {
        calibrationEnd: now,
        timeUnit: models.timeUnit,
        ...(currency === undefined ? {} : { currency }),
      });
      if (summary === undefined) return [];
      const values = clvValues(models, summary, { horizon, periods, discountRate, margin });
      return [
        { name: CLV_SCORES.pAlive, value: values.pAlive, model },
        { name: CLV_SCORES.expectedTransactions, value: values.expectedTransactions, model },
        { name: CLV_SCORES.expectedSpend, value: values.expectedSpend, model },
        { name: CLV_SCORES.clv, value: values.clv, model },
      ];
    },
  } satisfies ClvScoringPlugin;
}
