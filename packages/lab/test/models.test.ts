import { ADVOCACY_MODEL_VERSION, findAdvocates } from '@rapport/scoring-advocacy';
import {
  DEFAULT_LEVELS,
  ENGAGEMENT_MODEL_VERSION,
  engagementScoring,
  ORBIT_LEVELS,
  orbitPreset,
} from '@rapport/scoring-engagement';
import { buildInteractionGraph, INFLUENCE_MODEL_VERSION, pagerank } from '@rapport/scoring-influence';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  availableLabModels,
  compareModels,
  defineLabModel,
  type LabDataset,
  labModelNames,
  labModels,
  loadLabDataset,
} from '../src/index.js';
import { fixtures, rejected } from './helpers.js';

const scoreMap = async (model: (typeof labModels)[keyof typeof labModels], dataset: LabDataset) => {
  const result = await model.score(dataset);
  return result instanceof Map ? result : (result as { scores: Map<string, number> }).scores;
};

let se: LabDataset;
let twcs: LabDataset;
let cdnow: LabDataset;
beforeAll(async () => {
  [se, twcs, cdnow] = await Promise.all([
    loadLabDataset(fixtures.stackexchange),
    loadLabDataset(fixtures.twcs),
    loadLabDataset(fixtures.cdnow),
  ]);
});

describe('the registry', () => {
  it('names each model after its plugin’s model id and version', () => {
    expect(labModelNames).toEqual(['activity', 'engagement', 'orbit', 'influence', 'advocacy', 'clv']);
    expect(labModels.engagement).toMatchObject({
      id: 'engagement-effort-decay',
      version: ENGAGEMENT_MODEL_VERSION,
    });
    expect(labModels.orbit).toMatchObject({ id: 'orbit-love', version: ENGAGEMENT_MODEL_VERSION });
    expect(labModels.influence).toMatchObject({ id: 'pagerank', version: INFLUENCE_MODEL_VERSION });
    expect(labModels.advocacy).toMatchObject({ id: 'advocacy-evidence', version: ADVOCACY_MODEL_VERSION });
    expect(labModels.clv).toMatchObject({ id: 'bgnbd+gammagamma', version: '1' });
    // The parameters are the plugin's own, as it records them with every score.
    expect(labModels.orbit.params).toEqual(engagementScoring(orbitPreset()).models[0]!.params);
    expect(labModels.engagement.levels).toEqual(DEFAULT_LEVELS);
    expect(labModels.orbit.levels).toEqual(ORBIT_LEVELS);
  });

  it('offers CLV only where there are purchases, and engagement only where something weighs', () => {
    expect(availableLabModels(twcs).map((m) => m.name)).toEqual([
      'activity',
      'engagement',
      'orbit',
      'influence',
      'advocacy',
    ]);
    expect(availableLabModels(cdnow).map((m) => m.name)).toEqual(['activity', 'clv']);
  });

  it('refuses unknown models, listing the available ones', async () => {
    const error = await rejected(compareModels({ dataset: se, models: ['activity', 'love'] }));
    expect(error.code).toBe('RAPPORT_INVALID_OPTIONS');
    expect(error.message).toBe('Unknown model "love"');
    expect(error.jsonPath).toBe('$.models[1]');
    expect(error.hint).toBe('use one of: activity, engagement, orbit, influence, advocacy, clv');
  });

  it('refuses a model that cannot score the dataset, and fewer than two models', async () => {
    const clv = await rejected(compareModels({ dataset: twcs, models: ['activity', 'clv'] }));
    expect(clv.message).toBe(
      'Model "clv" cannot score this dataset: the dataset has no purchase with an amount (cdnow has them)',
    );
    expect(clv.hint).toBe(
      'leave it out; the models that can: activity, engagement, orbit, influence, advocacy',
    );
    expect((await rejected(compareModels({ dataset: se, models: ['activity'] }))).message).toBe(
      'Comparing needs two models or more, got 1',
    );
  });
});

describe('the models', () => {
  it('activity counts inbound interactions', async () => {
    const scores = await scoreMap(labModels.activity, twcs);
    const customer = twcs.customers[0]!;
    const timeline = twcs.timelines.get(customer.id)!;
    expect(scores.get(customer.id)).toBe(timeline.filter((i) => i.direction === 'inbound').length);
    expect(timeline.some((i) => i.direction === 'outbound')).toBe(true);
  });

  it('engagement is the plugin’s score at the dataset’s now', async () => {
    const scores = await scoreMap(labModels.engagement, se);
    const plugin = engagementScoring();
    for (const customer of se.customers.slice(0, 10)) {
      expect(scores.get(customer.id)).toBe(plugin.scoreOf(se.timelines.get(customer.id) ?? [], se.now));
    }
  });

  it('influence is PageRank over who engages with whom, the bot and anonymous voter left out', async () => {
    const result = await labModels.influence.score(se);
    const { scores, fitted } = result as { scores: Map<string, number>; fitted: Record<string, unknown> };
    const excluded = new Set(se.excluded.map((c) => c.id));
    const { graph } = buildInteractionGraph(
      se.interactions.filter((i) => !excluded.has(i.customerId ?? '')),
      { kinds: { reply: {}, mention: {}, referral: {}, answer: {}, comment: {} } },
    );
    const ranks = pagerank(graph, { tolerance: 1e-10, maxIterations: 1000 });
    const [top] = ranks.top(1);
    expect([...scores.entries()].sort((a, b) => b[1] - a[1])[0]![0]).toBe(top!.node);
    expect(scores.get(top!.node)).toBeCloseTo(top!.value * graph.order, 9);
    expect(fitted).toMatchObject({ nodes: graph.order, edges: graph.size });
    expect([...scores.keys()].some((id) => excluded.has(id))).toBe(false);
  });

  it('advocacy credits the evidence findAdvocates finds', async () => {
    const scores = await scoreMap(labModels.advocacy, se);
    const [best] = findAdvocates(se.interactions);
    expect(scores.get(best!.id)).toBe(best!.score);
  });

  it('clv fits BG/NBD and Gamma-Gamma on the purchases, up to now', async () => {
    const { scores, fitted } = (await labModels.clv.score(cdnow)) as {
      scores: Map<string, number>;
      fitted: { buyers: number; bgnbd: { r: number }; gammaGamma: { p: number } };
    };
    expect(fitted.buyers).toBe(2357);
    expect(scores.size).toBe(2357);
    expect(fitted.bgnbd.r).toBeGreaterThan(0);
    expect([...scores.values()].every((v) => v >= 0)).toBe(true);
  });
});

describe('defineLabModel', () => {
  it('checks a definition, naming the offending field', () => {
    expect(() =>
      defineLabModel({
        name: 'Replies',
        id: 'x',
        version: '1',
        description: 'd',
        params: {},
        score: () => new Map(),
      }),
    ).toThrow(/Invalid defineLabModel options at \$\.name/);
    expect(() =>
      defineLabModel({ name: 'replies', id: 'x', version: '1', description: 'd', params: {} } as never),
    ).toThrow(/\$\.score/);
  });

  it('runs next to the built-in models; customers it leaves out count 0', async () => {
    const answers = defineLabModel({
      name: 'answers',
      id: 'answer-count',
      version: '1',
      description: 'Answers each customer wrote.',
      params: { kind: 'answer' },
      score: (dataset) => {
        const scores = new Map<string, number>();
        for (const [id, timeline] of dataset.timelines) {
          const n = timeline.filter((i) => i.kind === 'answer').length;
          if (n > 0) scores.set(id, n);
        }
        return scores;
      },
    });
    const report = await compareModels({ dataset: se, models: ['activity', answers], resamples: 0 });
    const values = report.scores.get('answers')!;
    expect(values.filter((v) => v === 0).length).toBe(
      report.models[1]!.distribution.customers - report.models[1]!.distribution.nonZero,
    );
    expect(report.manifest.models[1]).toEqual({
      name: 'answers',
      id: 'answer-count',
      version: '1',
      params: { kind: 'answer' },
    });
  });

  it('reports a model that throws as a plugin failure, keeping the cause', async () => {
    const broken = defineLabModel({
      name: 'broken',
      id: 'broken',
      version: '1',
      description: 'Throws.',
      params: {},
      score: () => {
        throw new TypeError('nope');
      },
    });
    const error = await rejected(compareModels({ dataset: se, models: ['activity', broken] }));
    expect(error.code).toBe('RAPPORT_PLUGIN_FAILED');
    expect(error.message).toBe('Model "broken" failed: nope');
    expect(error.cause).toBeInstanceOf(TypeError);
  });
});
