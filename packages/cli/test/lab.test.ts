import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabReportJson } from '@rapport/lab';
import { afterAll, describe, expect, it } from 'vitest';
import { rapport, rapportJson, repoRoot, tempDir, twcsFixture } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const stackexchange = `stackexchange:${join(repoRoot, 'fixtures/stackexchange-meta-conlang')}`;
const twcs = `twcs:${twcsFixture}`;

describe('rapport lab compare', () => {
  it('compares the models on a Stack Exchange dump and writes the report', async () => {
    const out = join(tmp.dir, 'se');
    const report = await rapportJson<LabReportJson & { out: string }>([
      'lab',
      'compare',
      '--dataset',
      stackexchange,
      '--models',
      'activity,engagement,influence,advocacy',
      '--top-k',
      '5,10',
      '--out',
      out,
    ]);
    expect(report.code).toBe(0);
    expect(report.out).toBe(out);
    expect(report.manifest).toMatchObject({ seed: 1, topK: [5, 10], dataset: { loader: 'stackexchange' } });
    expect(report.models.map((m) => m.name)).toEqual(['activity', 'engagement', 'influence', 'advocacy']);
    expect(report.agreement).toHaveLength(6);
    for (const pair of report.agreement) {
      expect(pair.spearman).toBeGreaterThan(-1);
      expect(pair.spearman).toBeLessThan(1);
      expect(pair.topK.map((t) => t.k)).toEqual([5, 10]);
    }
    for (const file of report.files!) expect(existsSync(join(out, file))).toBe(true);
    expect(report.files).toContain('charts/levels-engagement.svg');
    const written = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(written.agreement).toEqual(report.agreement);
  });

  it('prints a table of the agreement on twcs, the same for the same seed', async () => {
    const argv = ['lab', 'compare', '--dataset', twcs, '--models', 'activity,engagement,orbit,influence'];
    const run = await rapport([...argv, '--seed', '7']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`Loading ${twcs}…\n`);
    expect(run.stdout).toMatch(/^Dataset twcs:.*: 1,443 customers, 5,000 interactions, now 2017-/);
    expect(run.stdout).toMatch(/engagement\s+engagement-effort-decay@1\s+1,443 scored above 0/);
    expect(run.stdout).toMatch(/pair\s+spearman\s+95% CI\s+kendall\s+95% CI\s+top-10\s+top-50\s+top-100/);
    expect(run.stdout).toMatch(/engagement \/ orbit\s+1\.000\s+\[0\.999, 1\.000\]\s+0\.995/);
    const table = (text: string) => text.slice(text.indexOf('Agreement'), text.indexOf('Done in'));
    const again = await rapport([...argv, '--seed', '7']);
    expect(table(again.stdout)).toBe(table(run.stdout));
    const other = await rapport([...argv, '--seed', '8']);
    expect(table(other.stdout)).not.toBe(table(run.stdout));
  });

  it('reads a dataset path relative to the current directory', async () => {
    const report = await rapportJson<LabReportJson>([
      'lab',
      'compare',
      '--dataset',
      'stackexchange:fixtures/stackexchange-meta-conlang',
      '--models',
      'activity,orbit',
      '--resamples',
      '0',
    ]);
    expect(report.code).toBe(0);
    expect(report.manifest.dataset.spec).toBe('stackexchange:fixtures/stackexchange-meta-conlang');
    expect(report.agreement[0]!.spearmanInterval).toEqual({ low: null, high: null, resamples: 0 });
    expect(report.files).toBeUndefined();
  });

  it('names the available models when one is unknown', async () => {
    const run = await rapport(['lab', 'compare', '--dataset', stackexchange, '--models', 'activity,love']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: Unknown model "love"');
    expect(run.stderr).toContain('hint: use one of: activity, engagement, orbit, influence, advocacy, clv');
  });

  it('names the loaders when one is unknown, with --json too', async () => {
    const run = await rapport(['lab', 'compare', '--dataset', 'csv:data.csv', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        code: 'RAPPORT_INVALID_INPUT',
        message: 'Unknown dataset loader "csv"',
        path: '$.dataset',
        hint: 'use one of: jsonl, twcs, cdnow, stackexchange, sqlite, postgres (as <loader>:<path>)',
      },
    });
  });

  it('says when the dataset is missing or an option is malformed', async () => {
    const missing = await rapport(['lab', 'compare', '--dataset', 'twcs:nope.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: No such file: ${join(repoRoot, 'nope.csv')}`);
    const noDataset = await rapport(['lab', 'compare']);
    expect(noDataset.code).toBe(1);
    expect(noDataset.stderr).toContain("option '--dataset <loader:path>' is required");
    const badK = await rapport(['lab', 'compare', '--dataset', twcs, '--top-k', '10,x']);
    expect(badK.code).toBe(1);
    expect(badK.stderr).toContain("option '--top-k <list>' must be whole numbers separated by commas");
  });
});
