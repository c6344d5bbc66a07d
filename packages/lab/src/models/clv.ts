import {
  CLV_MODEL,
  customerLifetimeValue,
  fitClvModels,
  summariesFromInteractions,
} from '@rapport/scoring-clv';
import { defineLabModel } from './model.js';

/** A year ahead in twelve discounted periods, revenue (margin 1): the plugin's defaults over 52 weeks. */
const clvOptions = { horizon: 52, periods: 12, discountRate: 0.01, margin: 1 } as const;

/**
 * Customer lifetime value (`@rapport/scoring-clv`): BG/NBD and Gamma-Gamma fitted on the
 * dataset's purchases (calibration up to the dataset's "now", in weeks), then each buyer's
 * discounted expected revenue over the next 52 weeks. Customers who bought nothing score 0.
 * Only for data with purchases (cdnow).
 */
export const clvLabModel = defineLabModel({
  name: 'clv',
  id: CLV_MODEL.id,
  version: CLV_MODEL.version,
  description: 'Expected revenue over the next 52 weeks from BG/NBD purchases and Gamma-Gamma spend.',
  params: { timeUnit: 'weeks', calibrationEnd: 'now', ...clvOptions },
  unavailable(dataset) {
    const buys = dataset.interactions.some(
      (i) => i.kind === 'purchase' && i.customerId !== null && i.amount !== null && i.amount >= 0,
    );
    return buys ? undefined : 'the dataset has no purchase with an amount (cdnow has them)';
  },
  async score(dataset) {
    const summaries = await summariesFromInteractions(dataset.interactions, {
      calibrationEnd: dataset.now,
      timeUnit: 'weeks',
    });
    const models = fitClvModels(summaries, { timeUnit: 'weeks' });
    const scores = new Map<string, number>();
    for (const summary of summaries) {
      scores.set(summary.customerId, customerLifetimeValue(models, summary, clvOptions).clv);
    }
    return {
      scores,
      fitted: {
        buyers: summaries.length,
        bgnbd: { ...models.bgnbd, logLikelihood: models.fits.bgnbd.logLikelihood },
        gammaGamma: { ...models.gammaGamma, logLikelihood: models.fits.gammaGamma.logLikelihood },
      },
    };
  },
});
