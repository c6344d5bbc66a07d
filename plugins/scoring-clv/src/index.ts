export {
  type ClvFitOptions,
  type ClvModels,
  type ClvModelsFit,
  type ClvOptions,
  type ClvValues,
  clvModelsSchema,
  clvOptionsSchema,
  customerLifetimeValue,
  fitClvModels,
  type ResolvedClvOptions,
} from './clv.js';
export { createRandom, type Random } from './math/random.js';
export {
  type BgNbdFit,
  type BgNbdParams,
  bgnbdConditionalExpectedTransactions,
  bgnbdExpectedTransactions,
  bgnbdLogLikelihood,
  bgnbdParamsSchema,
  bgnbdProbabilityAlive,
  bgnbdProbabilityOfTransactions,
  fitBgNbd,
} from './models/bgnbd.js';
export { type FitOptions, fitOptionsSchema, type ModelFit, type ModelId } from './models/fit.js';
export {
  fitGammaGamma,
  type GammaGammaFit,
  type GammaGammaParams,
  gammaGammaExpectedSpend,
  gammaGammaLogLikelihood,
  gammaGammaParamsSchema,
} from './models/gamma-gamma.js';
export {
  fitParetoNbd,
  type ParetoNbdFit,
  type ParetoNbdParams,
  paretoNbdConditionalExpectedTransactions,
  paretoNbdExpectedTransactions,
  paretoNbdLogLikelihood,
  paretoNbdParamsSchema,
  paretoNbdProbabilityAlive,
} from './models/pareto-nbd.js';
export {
  type SimulationOptions,
  simulateBgNbd,
  simulateGammaGamma,
  simulateParetoNbd,
  simulationOptionsSchema,
} from './models/simulate.js';
export {
  type ClvScoringOptions,
  clvScoringOptionsSchema,
  parseClvScoringOptions,
  type ResolvedClvScoringOptions,
} from './options.js';
export { CLV_MODEL, CLV_SCORES, type ClvScoringPlugin, clvScoring } from './plugin.js';
export {
  type CdnowPurchase,
  type CdnowSummaryOptions,
  parseCdnowTransactions,
  summariesFromCdnow,
} from './summary/cdnow.js';
export { summariesFromCsv } from './summary/csv.js';
export {
  type InteractionSummaryOptions,
  interactionSummaryOptionsSchema,
  type PurchaseInteraction,
  summariesFromInteractions,
} from './summary/interactions.js';
export {
  type ClvTransaction,
  type SummaryOptions,
  summariesFromTransactions,
  summaryOptionsSchema,
} from './summary/transactions.js';
export {
  type CustomerSummary,
  DAYS_PER_UNIT,
  type RfmSummary,
  rfmSummarySchema,
  type SpendSummary,
  spendSummarySchema,
  type TimeUnit,
  timeUnitSchema,
} from './summary/types.js';
