import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatasetRun, models, runEngagementLab } from '../src/lab.js';
import { renderSummary } from '../src/summary.js';

const out = mkdtempSync(join(tmpdir(), 'rapport-engagement-lab-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

let runs: DatasetRun[];
beforeAll(async () => {
  runs = await runEngagementLab({ out });
});

const read = (dataset: string, file: string) => readFileSync(join(out, dataset, file), 'utf8');

describe('the engagement lab', () => {
  it('compares the five models on both samples', () => {
    expect(runs.map((r) => r.name)).toEqual(['stackexchange', 'twcs']);
    for (const { report } of runs) {
      expect(report.models.map((m) => m.name)).toEqual(models);
      expect(report.agreement).toHaveLength(10);
      expect(report.manifest.seed).toBe(1);
    }
    const [se, twcs] = runs.map((r) => r.report);
    expect(se!.dataset.customers).toBe(70);
    expect(twcs!.dataset.customers).toBe(1443);
  });

  it('finds that the two engagement definitions agree more than engagement and influence do', () => {
    for (const { report } of runs) {
      const rho = (a: string, b: string) => report.agreement.find((p) => p.a === a && p.b === b)!.spearman!;
      expect(rho('engagement', 'orbit')).toBeGreaterThan(0.9);
      expect(rho('engagement', 'influence')).toBeLessThan(rho('engagement', 'orbit'));
    }
  });

  it('writes the scores, the agreement, the report and the charts of each dataset', () => {
    for (const { name, report, written } of runs) {
      expect(written.dir).toBe(join(out, name));
      expect(read(name, 'scores.csv').trimEnd().split('\n')).toHaveLength(report.dataset.customers + 1);
      expect(read(name, 'agreement.csv').trimEnd().split('\n')).toHaveLength(11);
      expect(JSON.parse(read(name, 'report.json')).manifest.models).toHaveLength(5);
      // 5 distributions, 2 level funnels, the matrix and 10 scatters, each an SVG and a spec.
      expect(written.files.filter((f) => f.endsWith('.svg'))).toHaveLength(18);
      const funnel = read(name, 'charts/levels-engagement.svg');
      expect(funnel.startsWith('<svg')).toBe(true);
      expect(funnel.match(/aria-roledescription="bar"/g)).toHaveLength(5);
    }
  });

  it('prints a short summary', () => {
    const text = renderSummary(runs);
    expect(text).toMatch(/^stackexchange: 70 customers, 1,475 interactions, scored as of 2020-/);
    expect(text).toMatch(/agree most {4}engagement vs orbit: ρ = 0\.9\d \[/);
    expect(text).toContain('advocacy gives every customer 0 here');
    expect(text).toContain(`wrote 39 files to ${join(out, 'twcs')}`);
  });
});
