import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareModels,
  type LabDataset,
  type LabReport,
  labCharts,
  loadLabDataset,
  SCATTER_MAX_POINTS,
  writeLabReport,
} from '../src/index.js';
import { fixtures, parseSvg, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

let dataset: LabDataset;
let report: LabReport;
const models = ['activity', 'engagement', 'orbit', 'influence', 'advocacy'];
const read = (dir: string, file: string) => readFileSync(join(tmp.dir, dir, file), 'utf8');

beforeAll(async () => {
  dataset = await loadLabDataset(fixtures.stackexchange);
  report = await compareModels({ dataset, models });
  await writeLabReport(report, join(tmp.dir, 'first'));
  // A second run from scratch: load, compare, write.
  const again = await compareModels({ dataset: await loadLabDataset(fixtures.stackexchange), models });
  await writeLabReport(again, join(tmp.dir, 'second'));
});

describe('writeLabReport', () => {
  it('writes the same scores and agreement, byte for byte, on a second run with the same seed', () => {
    for (const file of ['scores.csv', 'agreement.csv'])
      expect(read('second', file)).toBe(read('first', file));
    const first = JSON.parse(read('first', 'report.json'));
    const second = JSON.parse(read('second', 'report.json'));
    expect(Object.keys(first).at(-1)).toBe('run');
    delete first.run;
    delete second.run;
    expect(second).toEqual(first);
  });

  it('writes a score, rank and level per model for every customer', () => {
    const [header, ...rows] = read('first', 'scores.csv').trimEnd().split('\n');
    expect(header).toBe(
      'customer,handle,activity_score,activity_rank,engagement_score,engagement_rank,engagement_level,orbit_score,orbit_rank,orbit_level,influence_score,influence_rank,advocacy_score,advocacy_rank',
    );
    expect(rows).toHaveLength(70);
    const top = rows.find((row) => row.split(',')[3] === '1')!.split(',');
    expect(Number(top[2])).toBe(report.models[0]!.distribution.max);
  });

  it('writes every pair’s agreement', () => {
    const [header, ...rows] = read('first', 'agreement.csv').trimEnd().split('\n');
    expect(header).toBe(
      'model_a,model_b,customers,spearman,spearman_low,spearman_high,kendall_tau_b,kendall_low,kendall_high,top_10,top_50,top_100',
    );
    expect(rows).toHaveLength(10);
    const [a, b, n, rho] = rows[0]!.split(',');
    expect([a, b, n, Number(rho)]).toEqual(['activity', 'engagement', '70', report.agreement[0]!.spearman]);
  });

  it('writes report.json with the manifest and the files', () => {
    const json = JSON.parse(read('first', 'report.json'));
    expect(json.manifest.dataset.files.map((f: { name: string }) => f.name)).toContain('Posts.xml');
    expect(json.manifest.now).toBe(dataset.now.toISOString());
    expect(json.files).toContain('charts/agreement-spearman.svg');
    expect(json.files).toContain('charts/agreement-spearman.vl.json');
    expect(json.agreement).toHaveLength(10);
  });
});

describe('the charts', () => {
  const svg = (name: string) => parseSvg(read('first', `charts/${name}.svg`));

  it('are well-formed SVG, each with its Vega-Lite spec beside it', () => {
    for (const chart of labCharts(report)) {
      expect(svg(chart.name).root).toBe('svg');
      expect(JSON.parse(read('first', `charts/${chart.name}.vl.json`))).toEqual(
        JSON.parse(JSON.stringify(chart.spec)),
      );
    }
  });

  it('draw a bar per histogram bin, on a log scale when scores are skewed', () => {
    for (const model of report.models) {
      const chart = labCharts(report).find((c) => c.name === `distribution-${model.name}`)!;
      const bins = (chart.spec.data as { values: Array<{ customers: number }> }).values;
      expect(bins.reduce((sum, bin) => sum + bin.customers, 0)).toBe(70);
      expect(svg(chart.name).marks('bins')).toHaveLength(bins.length);
    }
    // Activity is skewed here (a few very active members): its axis is in log10(1 + score).
    expect(report.models[0]!.distribution.skewness!).toBeGreaterThan(1);
    expect(svg('distribution-activity').texts).toContain('activity score (log scale)');
  });

  it('draw the level funnel with one bar and one count per level', () => {
    for (const model of report.models.filter((m) => m.levels !== null)) {
      const chart = svg(`levels-${model.name}`);
      expect(chart.marks('bars')).toHaveLength(model.levels!.length);
      expect(chart.marks('counts').map((t) => t.text)).toEqual(model.levels!.map((l) => String(l.customers)));
      for (const level of model.levels!) expect(chart.texts).toContain(level.name);
    }
    expect(() => svg('levels-influence')).toThrow();
  });

  it('draw the Spearman matrix: a cell and a label per pair of models', () => {
    const chart = svg('agreement-spearman');
    expect(chart.marks('cells')).toHaveLength(25);
    const labels = chart.marks('labels').map((t) => t.text);
    expect(labels).toHaveLength(25);
    expect(labels.filter((l) => l === '1.00').length).toBeGreaterThanOrEqual(5);
    expect(labels).toContain(report.agreement[0]!.spearman!.toFixed(2));
  });

  it('draw a rank scatter per pair with a point per customer', () => {
    for (const pair of report.agreement) {
      const chart = svg(`ranks-${pair.a}-vs-${pair.b}`);
      expect(chart.marks('points')).toHaveLength(Math.min(70, SCATTER_MAX_POINTS));
      expect(chart.texts).toContain(`rank by ${pair.a}`);
    }
  });

  it('can be left out', async () => {
    const written = await writeLabReport(report, join(tmp.dir, 'plain'), { charts: false });
    expect(written.files).toEqual(['scores.csv', 'agreement.csv', 'report.json']);
  });
});
