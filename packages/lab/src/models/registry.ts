import type { LabDataset } from '../dataset/dataset.js';
import { activityLabModel } from './activity.js';
import { advocacyLabModel } from './advocacy.js';
import { clvLabModel } from './clv.js';
import { engagementLabModel, orbitLabModel } from './engagement.js';
import { influenceLabModel } from './influence.js';
import type { LabModel } from './model.js';

/**
 * The built-in lab models by name: `activity` (the baseline), `engagement`, `orbit`, `influence`,
 * `advocacy` and `clv` (datasets with purchases).
 */
export const labModels = Object.freeze({
  activity: activityLabModel,
  engagement: engagementLabModel,
  orbit: orbitLabModel,
  influence: influenceLabModel,
  advocacy: advocacyLabModel,
  clv: clvLabModel,
}) satisfies Readonly<Record<string, LabModel>>;

/** A built-in model's name. */
export type LabModelName = keyof typeof labModels;

/** Names of the built-in models, in registry order. */
export const labModelNames = Object.keys(labModels) as LabModelName[];

/** The built-in models that can score `dataset` (CLV only where there are purchases). */
export function availableLabModels(dataset: LabDataset): LabModel[] {
  return Object.values(labModels).filter((model) => model.unavailable?.(dataset) === undefined);
}
