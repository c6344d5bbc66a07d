import { isRapportError, parsePluginOptions, RapportError } from '@rapport/core';
import { createRandom } from '@rapport/scoring-clv';
import { type EngagementLevel, levelOf } from '@rapport/scoring-engagement';
import { z } from 'zod';
import { version } from '../../package.json';
import type { LabDataset } from '../dataset/dataset.js';
import { LAB } from '../errors.js';
import { type LabModel, scoresOf } from '../models/model.js';
import { availableLabModels, labModelNames, labModels } from '../models/registry.js';
import { bootstrapOptionsSchema, drawResample, percentileInterval } from '../stats/bootstrap.js';
import { kendallTauB, kendallTauBOfCodes } from '../stats/kendall.js';
import { averageRanks, averageRanksOfCodes, denseRanks, rankingOrder, topRanks } from '../stats/ranks.js';
import { pearson } from '../stats/spearman.js';
import { overlapOfOrders } from '../stats/top-k.js';
import { scoreDistribution } from './distribution.js';
import type { LabAgreement, LabDatasetSummary, LabManifest, LabModelReport, LabReport } from './report.js';

const isDataset = (value: unknown): value is LabDataset =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as LabDataset).customers) &&
  (value as LabDataset).timelines instanceof Map;

const isModel = (value: unknown): value is LabModel =>
  typeof value === 'object' && value !== null && typeof (value as LabModel).score === 'function';

/** Schema of {@link CompareModelsOptions}. */
export const compareModelsOptionsSchema = z
  .object({
    dataset: z
      .custom<LabDataset>(isDataset, 'must be a dataset from loadLabDataset')
      .describe('The customers and interactions to score'),
    models: z
      .array(z.union([z.string(), z.custom<LabModel>(isModel, 'must be a model name or a lab model')]))
      .optional()
      .describe(
        'Models to compare: names of built-in models or models from defineLabModel; default every built-in model that can score the dataset',
      ),
    ...bootstrapOptionsSchema.shape,
    topK: z
      .array(z.number().int().min(1).max(10_000_000))
      .min(1)
      .max(20)
      .default([10, 50, 100])
      .describe('The k of the top-k overlaps'),
  })
  .strict();

/** Options of {@link compareModels}. */
export type CompareModelsOptions = z.input<typeof compareModelsOptionsSchema>;

function resolveModels(
  requested: ReadonlyArray<string | LabModel> | undefined,
  dataset: LabDataset,
): LabModel[] {
  const known = labModelNames.join(', ');
  const models = (requested ?? availableLabModels(dataset)).map((entry, index) => {
    if (typeof entry !== 'string') return entry;
    const model = (labModels as Readonly<Record<string, LabModel>>)[entry.trim()];
    if (model === undefined) {
      throw new RapportError('RAPPORT_INVALID_OPTIONS', `Unknown model "${entry}"`, {
        path: ['models', index],
        hint: `use one of: ${known}`,
      });
    }
    return model;
  });
  const seen = new Set<string>();
  for (const [index, model] of models.entries()) {
    if (seen.has(model.name)) {
      throw new RapportError('RAPPORT_INVALID_OPTIONS', `Model "${model.name}" is given twice`, {
        path: ['models', index],
        hint: 'name each model once',
      });
    }
    seen.add(model.name);
    const reason = model.unavailable?.(dataset);
    if (reason !== undefined) {
      throw new RapportError(
        'RAPPORT_INVALID_OPTIONS',
        `Model "${model.name}" cannot score this dataset: ${reason}`,
        {
          path: ['models', index],
          hint: `leave it out; the models that can: ${availableLabModels(dataset)
            .map((m) => m.name)
            .join(', ')}`,
        },
      );
    }
  }
  if (models.length < 2) {
    throw new RapportError(
      'RAPPORT_INVALID_OPTIONS',
      `Comparing needs two models or more, got ${models.length}`,
      {
        path: ['models'],
        hint: `name at least two of: ${known}`,
      },
    );
  }
  return models;
}

/** Runs one model and lays its scores out in population order, 0 where it gave none. */
async function runModel(model: LabModel, dataset: LabDataset) {
  let scoring: ReturnType<typeof scoresOf>;
  try {
    scoring = scoresOf(await model.score(dataset));
  } catch (error) {
    if (isRapportError(error)) throw error;
    throw new RapportError(
      'RAPPORT_PLUGIN_FAILED',
      `Model "${model.name}" failed: ${(error as Error).message}`,
      {
        path: ['models', model.name],
        hint: 'the cause holds the model’s own error',
        cause: error,
        plugin: model.name,
      },
    );
  }
  const values = new Float64Array(dataset.customers.length);
  for (const [index, customer] of dataset.customers.entries()) {
    const value = scoring.scores.get(customer.id) ?? 0;
    if (!Number.isFinite(value)) {
      throw new RapportError(
        'RAPPORT_INVALID_INPUT',
        `Model "${model.name}" scored ${customer.id} ${value}`,
        {
          path: ['models', model.name, customer.id],
          hint: 'a lab model gives every customer a finite score (or none, which counts 0)',
        },
      );
    }
    values[index] = value;
  }
  return { values, fitted: scoring.fitted ?? null };
}

function summarize(dataset: LabDataset): LabDatasetSummary {
  const kinds: Record<string, number> = {};
  let inbound = 0;
  for (const interaction of dataset.interactions) {
    kinds[interaction.kind] = (kinds[interaction.kind] ?? 0) + 1;
    if (interaction.direction === 'inbound') inbound++;
  }
  const sortedKinds = Object.fromEntries(
    Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return {
    customers: dataset.customers.length,
    excluded: dataset.excluded.map((customer) => customer.id),
    interactions: dataset.interactions.length,
    inbound,
    outbound: dataset.interactions.length - inbound,
    kinds: sortedKinds,
    first: dataset.interactions[0]!.occurredAt.toISOString(),
    last: dataset.now.toISOString(),
    ...(dataset.load.loader ? { loader: dataset.load.loader } : {}),
    ...(dataset.load.ingest ? { ingest: dataset.load.ingest } : {}),
  };
}

/**
 * The bootstrap distributions of rho and tau-b of every pair, from the same resamples for every
 * pair: one draw of customers, every model read at it.
 */
function bootstrapPairs(
  values: readonly Float64Array[],
  pairs: ReadonlyArray<readonly [number, number]>,
  seed: number,
  resamples: number,
): { spearman: number[][]; kendall: number[][] } {
  const spearman = pairs.map((): number[] => []);
  const kendall = pairs.map((): number[] => []);
  const n = values[0]?.length ?? 0;
  if (resamples === 0 || n === 0) return { spearman, kendall };
  // Both statistics read only ranks, so each model's scores are replaced by their dense ranks
  // once; a resample is then ranked by counting instead of sorting. The values are those of
  // resampling the scores themselves (as bootstrapInterval does).
  const codes = values.map((v) => denseRanks(v));
  const random = createRandom(seed);
  const indices = new Uint32Array(n);
  const resampled = values.map(() => new Uint32Array(n));
  for (let r = 0; r < resamples; r++) {
    drawResample(random, indices);
    const ranks = codes.map(({ ranks: dense, distinct }, m) => {
      const into = resampled[m]!;
      for (let k = 0; k < n; k++) into[k] = dense[indices[k]!]!;
      return averageRanksOfCodes(into, distinct);
    });
    for (const [p, [i, j]] of pairs.entries()) {
      spearman[p]!.push(pearson(ranks[i]!, ranks[j]!));
      kendall[p]!.push(kendallTauBOfCodes(resampled[i]!, resampled[j]!, codes[j]!.distinct));
    }
  }
  return { spearman, kendall };
}

/** Each customer's level index on a ladder of thresholds. */
function levelIndexes(values: Float64Array, levels: readonly EngagementLevel[]): Uint16Array {
  const of = new Uint16Array(values.length);
  for (let c = 0; c < values.length; c++) of[c] = levelOf(values[c]!, levels);
  return of;
}

const nullIfNaN = (value: number) => (Number.isNaN(value) ? null : value);

/**
 * Scores a dataset with several models and measures, for every pair, how their rankings agree:
 * Spearman's rho and Kendall's tau-b with bootstrap percentile intervals (customers resampled with
 * replacement, the same resamples for every pair, from `seed`), and the overlap of their top k for
 * each k. A customer a model gives no score counts 0 in it. Everything but `run` (the time and
 * timings) is the same for the same dataset, models and options.
 *
 * ```ts
 * const dataset = await loadLabDataset('twcs:fixtures/twcs/twcs_first5000.csv');
 * const report = await compareModels({ dataset, models: ['activity', 'engagement', 'influence'] });
 * report.agreement[0]; // { a: 'activity', b: 'engagement', spearman: 0.9…, kendallTauB: …, topK: […] }
 * await writeLabReport(report, 'out');
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` for invalid options, an unknown model (the hint
 * lists them), one that cannot score the dataset, or fewer than two; `RAPPORT_PLUGIN_FAILED` when a
 * model throws.
 */
export async function compareModels(options: CompareModelsOptions): Promise<LabReport> {
  const startedAt = new Date();
  const started = performance.now();
  const parsed = parsePluginOptions(compareModelsOptionsSchema, options, 'compareModels', LAB);
  const { dataset, seed, resamples, confidence } = parsed;
  const topK = [...new Set(parsed.topK)].sort((a, b) => a - b);
  const models = resolveModels(parsed.models, dataset);
  const ids = dataset.customers.map((customer) => customer.id);
  const n = ids.length;

  const timings: Record<string, number> = {};
  const runs: Array<Awaited<ReturnType<typeof runModel>>> = [];
  for (const model of models) {
    const t = performance.now();
    runs.push(await runModel(model, dataset));
    timings[model.name] = Math.round(performance.now() - t);
  }
  const statisticsStarted = performance.now();
  const orders = runs.map((run) => rankingOrder(run.values, ids));
  const averaged = runs.map((run) => averageRanks(run.values));

  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < models.length; i++) for (let j = i + 1; j < models.length; j++) pairs.push([i, j]);

  const draws = bootstrapPairs(
    runs.map((run) => run.values),
    pairs,
    seed,
    resamples,
  );
  // A constant ranking (every customer tied) has no top k: its "top k" would be the first ids.
  const constant = runs.map((run) => run.values.every((value) => value === run.values[0]));
  const agreement: LabAgreement[] = pairs.map(([i, j], p) => ({
    a: models[i]!.name,
    b: models[j]!.name,
    customers: n,
    spearman: nullIfNaN(pearson(averaged[i]!, averaged[j]!)),
    spearmanInterval: percentileInterval(draws.spearman[p]!, confidence),
    kendallTauB: nullIfNaN(kendallTauB(runs[i]!.values, runs[j]!.values)),
    kendallInterval: percentileInterval(draws.kendall[p]!, confidence),
    topK: topK.map((k) => ({
      k,
      overlap: constant[i] || constant[j] ? null : overlapOfOrders(orders[i]!, orders[j]!, k),
    })),
  }));

  const levels = new Map<string, Uint16Array>();
  const modelReports: LabModelReport[] = models.map((model, m) => {
    const { values, fitted } = runs[m]!;
    let funnel: LabModelReport['levels'] = null;
    if (model.levels) {
      const of = levelIndexes(values, model.levels);
      levels.set(model.name, of);
      const counts = model.levels.map(() => 0);
      for (const level of of) counts[level]! += 1;
      funnel = model.levels.map((level, index) => ({
        name: level.name,
        min: level.min,
        customers: counts[index]!,
      }));
    }
    return {
      name: model.name,
      id: model.id,
      version: model.version,
      description: model.description,
      params: model.params,
      fitted,
      distribution: scoreDistribution(values),
      levels: funnel,
    };
  });

  const manifest: LabManifest = {
    lab: { package: '@rapport/lab', version },
    dataset: {
      spec: dataset.source.spec,
      loader: dataset.source.loader,
      tenant: dataset.source.tenant,
      files: dataset.source.files,
    },
    now: dataset.now.toISOString(),
    seed,
    resamples,
    confidence,
    topK,
    models: models.map((model) => ({
      name: model.name,
      id: model.id,
      version: model.version,
      params: model.params,
    })),
    conventions: {
      missingScore: 0,
      rank: 'competition: 1 + customers with a strictly higher score',
      topKTies: 'broken by customer id, ascending',
      interval: 'bootstrap percentile, customers resampled with replacement',
    },
  };
  const statistics = Math.round(performance.now() - statisticsStarted);
  return {
    manifest,
    dataset: summarize(dataset),
    models: modelReports,
    agreement,
    customers: dataset.customers,
    scores: new Map(models.map((model, m) => [model.name, runs[m]!.values])),
    ranks: new Map(models.map((model, m) => [model.name, topRanks(runs[m]!.values)])),
    levels,
    run: {
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - started),
      timings: { models: timings, statistics },
    },
  };
}
