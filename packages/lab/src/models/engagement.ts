import { type EngagementScoringOptions, engagementScoring, orbitPreset } from '@rapport/scoring-engagement';
import { defineLabModel, type LabModel, perCustomer } from './model.js';

/**
 * A lab model of an engagement scoring plugin (`@rapport/scoring-engagement`) with `options`: each
 * customer's effort-weighted, time-decayed score at the dataset's "now" (`plugin.scoreOf`), with
 * the plugin's levels, its model id, version and every parameter.
 */
export function createEngagementLabModel(
  name: string,
  description: string,
  options?: EngagementScoringOptions,
): LabModel {
  const plugin = engagementScoring(options);
  const model = plugin.models[0]!;
  return defineLabModel({
    name,
    id: model.id,
    version: model.version,
    description,
    params: model.params ?? {},
    levels: plugin.options.levels,
    unavailable: (dataset) =>
      dataset.interactions.some((interaction) => plugin.weightOf(interaction) > 0)
        ? undefined
        : 'every interaction weighs 0 under its weights (purchases count nothing in engagement)',
    score: (dataset) => perCustomer(dataset, (timeline) => plugin.scoreOf(timeline, dataset.now)),
  });
}

/** `@rapport/scoring-engagement` with its default options: effort-weighted, 90-day half-life, five levels. */
export const engagementLabModel = createEngagementLabModel(
  'engagement',
  'Effort-weighted engagement decayed with a 90-day half-life (scoring-engagement defaults), with levels inactive → advocate.',
);

/** The Orbit model's love: Orbit's 1–12 weights, 0.9 kept per month, orbit levels 4 → 1. */
export const orbitLabModel = createEngagementLabModel(
  'orbit',
  'Orbit love: Σ weight · 0.9^(months ago) with Orbit’s 1–12 weights, and orbit levels 4 → 1.',
  orbitPreset(),
);
