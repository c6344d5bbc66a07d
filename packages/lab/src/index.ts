/**
 * `@rapport/lab`: compare customer scoring models on real data. Load a dataset through Rapport's
 * identity resolution, score it with engagement, Orbit, influence, advocacy, activity and CLV
 * models, measure how their rankings agree, and write CSV, JSON and SVG charts.
 *
 * @packageDocumentation
 */
export { agreementHeatmap, rankScatter, SCATTER_MAX_POINTS } from './charts/agreement.js';
export type { LabChart } from './charts/chart.js';
export { labCharts } from './charts/charts.js';
export { distributionChart, usesLogScale } from './charts/distribution.js';
export { levelFunnelChart } from './charts/levels.js';
export { renderSvg } from './charts/render.js';
export type {
  LabCustomer,
  LabDataset,
  LabDatasetLoad,
  LabDatasetSource,
} from './dataset/dataset.js';
export type { DatasetFile } from './dataset/files.js';
export { type LabDatasetOptions, labDatasetOptionsSchema, loadLabDataset } from './dataset/load.js';
export { type LabDatasetSpec, type LabLoaderName, labLoaderNames, parseDatasetSpec } from './dataset/spec.js';
export { createEngagementLabModel } from './models/engagement.js';
export {
  defineLabModel,
  type LabModel,
  type LabScores,
  type LabScoring,
  labModelSchema,
} from './models/model.js';
export { availableLabModels, type LabModelName, labModelNames, labModels } from './models/registry.js';
export { type CompareModelsOptions, compareModels, compareModelsOptionsSchema } from './report/compare.js';
export { agreementCsv, scoresCsv } from './report/csv.js';
export type { ScoreDistribution } from './report/distribution.js';
export { type LabReportJson, labReportJson } from './report/json.js';
export type {
  LabAgreement,
  LabDatasetSummary,
  LabLevelCount,
  LabManifest,
  LabModelReport,
  LabReport,
  LabRun,
} from './report/report.js';
export {
  type WriteLabReportOptions,
  type WrittenLabReport,
  writeLabReport,
  writeLabReportOptionsSchema,
} from './report/write.js';
export {
  type BootstrapOptions,
  bootstrapInterval,
  bootstrapOptionsSchema,
  type Interval,
  percentileInterval,
} from './stats/bootstrap.js';
export { kendallTauB } from './stats/kendall.js';
export { averageRanks, topRanks } from './stats/ranks.js';
export { pearson, spearman } from './stats/spearman.js';
export { topKOverlap } from './stats/top-k.js';
export type { Values } from './stats/values.js';
