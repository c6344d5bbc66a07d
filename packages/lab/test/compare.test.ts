import { beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrapInterval,
  compareModels,
  defineLabModel,
  kendallTauB,
  type LabDataset,
  type LabReport,
  loadLabDataset,
  spearman,
  topKOverlap,
} from '../src/index.js';
import { fixtures } from './helpers.js';

let dataset: LabDataset;
let report: LabReport;
const models = ['activity', 'engagement', 'orbit', 'influence', 'advocacy'];
beforeAll(async () => {
  dataset = await loadLabDataset(fixtures.stackexchange);
  report = await compareModels({ dataset, models, seed: 3, topK: [50, 10, 10] });
});

describe('compareModels', () => {
  it('compares every pair, in the order the models were given', () => {
    expect(report.agreement.map((p) => `${p.a}/${p.b}`)).toEqual([
      'activity/engagement',
      'activity/orbit',
      'activity/influence',
      'activity/advocacy',
      'engagement/orbit',
      'engagement/influence',
      'engagement/advocacy',
      'orbit/influence',
      'orbit/advocacy',
      'influence/advocacy',
    ]);
    expect(report.manifest.topK).toEqual([10, 50]);
  });

  it('reports the statistics of the scores, with missing scores as 0', () => {
    const ids = report.customers.map((c) => c.id);
    for (const pair of report.agreement) {
      const a = report.scores.get(pair.a)!;
      const b = report.scores.get(pair.b)!;
      expect(pair.customers).toBe(70);
      expect(pair.spearman).toBe(spearman(a, b));
      expect(pair.kendallTauB).toBe(kendallTauB(a, b));
      expect(pair.topK).toEqual([
        { k: 10, overlap: topKOverlap(a, b, 10, ids) },
        { k: 50, overlap: topKOverlap(a, b, 50, ids) },
      ]);
    }
    // Advocacy leaves customers without evidence out: they are there, at 0.
    const advocacy = report.scores.get('advocacy')!;
    expect(advocacy).toHaveLength(70);
    expect(advocacy.filter((v) => v === 0).length).toBeGreaterThan(0);
  });

  it('gives each pair the bootstrap interval of the same seed, bracketing the estimate', () => {
    for (const pair of report.agreement) {
      const a = report.scores.get(pair.a)!;
      const b = report.scores.get(pair.b)!;
      expect(pair.spearmanInterval).toEqual(bootstrapInterval(a, b, spearman, { seed: 3 }));
      expect(pair.kendallInterval).toEqual(bootstrapInterval(a, b, kendallTauB, { seed: 3 }));
      expect(pair.spearmanInterval.low!).toBeLessThanOrEqual(pair.spearman!);
      expect(pair.spearmanInterval.high!).toBeGreaterThanOrEqual(pair.spearman!);
    }
  });

  it('is the same for the same seed, except for the run', async () => {
    const again = await compareModels({ dataset, models, seed: 3, topK: [10, 50] });
    const { run: _first, ...first } = report;
    const { run: _second, ...second } = again;
    expect(second).toEqual(first);
    const other = await compareModels({ dataset, models, seed: 4, topK: [10, 50] });
    expect(other.agreement[0]!.spearman).toBe(report.agreement[0]!.spearman);
    expect(other.agreement[0]!.spearmanInterval).not.toEqual(report.agreement[0]!.spearmanInterval);
  });

  it('records the manifest: dataset, files, seed, now, models and the lab version', () => {
    expect(report.manifest).toMatchObject({
      lab: { package: '@rapport/lab', version: '0.1.0' },
      dataset: { spec: fixtures.stackexchange, loader: 'stackexchange', tenant: 'default' },
      now: dataset.now.toISOString(),
      seed: 3,
      resamples: 200,
      confidence: 0.95,
    });
    expect(report.manifest.dataset.files).toEqual(dataset.source.files);
    expect(report.manifest.models.map((m) => `${m.name}=${m.id}@${m.version}`)).toEqual([
      'activity=inbound-count@1',
      'engagement=engagement-effort-decay@1',
      'orbit=orbit-love@1',
      'influence=pagerank@1',
      'advocacy=advocacy-evidence@1',
    ]);
    expect(report.dataset).toMatchObject({ customers: 70, interactions: 1475, last: report.manifest.now });
  });

  it('counts the customers at each level of the models with levels', () => {
    const engagement = report.models.find((m) => m.name === 'engagement')!;
    expect(engagement.levels!.map((l) => l.name)).toEqual([
      'inactive',
      'observer',
      'participant',
      'contributor',
      'advocate',
    ]);
    expect(engagement.levels!.reduce((sum, l) => sum + l.customers, 0)).toBe(70);
    const scores = report.scores.get('engagement')!;
    expect(engagement.levels![0]!.customers).toBe(scores.filter((v) => v < 1).length);
    expect(report.models.find((m) => m.name === 'influence')!.levels).toBeNull();
  });

  it('gives no correlation and no top k for a constant ranking', async () => {
    const flat = defineLabModel({
      name: 'flat',
      id: 'flat',
      version: '1',
      description: 'Everyone alike.',
      params: {},
      score: () => new Map(),
    });
    const result = await compareModels({ dataset, models: ['activity', flat], resamples: 10 });
    expect(result.agreement[0]).toMatchObject({
      spearman: null,
      kendallTauB: null,
      spearmanInterval: { low: null, high: null, resamples: 0 },
      topK: [
        { k: 10, overlap: null },
        { k: 50, overlap: null },
        { k: 100, overlap: null },
      ],
    });
    expect(result.models[1]!.distribution).toMatchObject({ nonZero: 0, skewness: null, gini: 0 });
  });

  it('refuses invalid options, naming them', async () => {
    await expect(compareModels({ dataset, topK: [0] })).rejects.toThrow(/\$\.topK\[0\]/);
    await expect(compareModels({ dataset: {} as never })).rejects.toThrow(
      /must be a dataset from loadLabDataset/,
    );
  });
});
