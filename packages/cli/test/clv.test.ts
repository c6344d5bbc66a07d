import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClvFitReport, ReportedError } from '../src/index.js';
import { rapport, rapportJson, repoRoot, spawnRapport, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const cdnow = join(repoRoot, 'fixtures/cdnow');
const summaryCsv = join(cdnow, 'cdnow_customers_summary.csv');
const spendCsv = join(cdnow, 'cdnow_customers_summary_with_transactions.csv');
const transactions = join(cdnow, 'CDNOW_sample.txt');
const fromTransactions = [
  '--transactions',
  transactions,
  '--format',
  'cdnow',
  '--calibration-end',
  '1997-09-30',
];

/** Published values (Fader, Hardie & Lee 2005; lifetimes' tests for Pareto/NBD). */
const published = {
  bgnbd: { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 },
  pareto: { r: 0.5533, alpha: 10.578, s: 0.6062, beta: 11.668 },
  gammagamma: { p: 6.25, q: 3.74, gamma: 15.44 },
} as const;

/** |got − want| / |want| for every parameter. */
function relativeErrors(got: Record<string, number>, want: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(want).map(([k, v]) => [k, Math.abs((got[k]! - v) / v)]));
}

const fit = (args: string[]) => rapportJson<ClvFitReport>(['clv', 'fit', ...args]);

describe('rapport clv fit --summary', () => {
  it('fits BG/NBD on the CDNOW summary: the published parameters and log-likelihood', async () => {
    const report = await fit(['--summary', summaryCsv, '--model', 'bgnbd']);
    expect(report.code).toBe(0);
    expect(Object.keys(report.params)).toEqual(['r', 'alpha', 'a', 'b']);
    for (const [name, error] of Object.entries(relativeErrors(report.params, published.bgnbd))) {
      expect(error, name).toBeLessThan(0.01);
    }
    expect(Math.abs(report.logLikelihood - -9582.43) / 9582.43).toBeLessThan(0.01);
    expect(report.logLikelihood).toBeCloseTo(-9582.43, 1);
    expect(report).toMatchObject({
      model: 'bgnbd',
      source: 'summary',
      file: summaryCsv,
      summaries: 2357,
      customers: 2357,
      converged: true,
      exitCode: 0,
    });
    expect(report.iterations).toBeGreaterThan(0);
    expect(report.fitMs).toBeGreaterThan(0);
    expect(report.durationMs).toBeGreaterThanOrEqual(Math.floor(report.fitMs));
  });

  it('fits Pareto/NBD on the CDNOW summary', async () => {
    const report = await fit(['--summary', summaryCsv, '--model', 'pareto']);
    expect(report.code).toBe(0);
    expect(Object.keys(report.params)).toEqual(['r', 'alpha', 's', 'beta']);
    for (const [name, error] of Object.entries(relativeErrors(report.params, published.pareto))) {
      expect(error, name).toBeLessThan(0.005);
    }
    expect(report.logLikelihood).toBeCloseTo(-9594.97, 1);
    expect(report.converged).toBe(true);
  });

  it('fits Gamma-Gamma on the repeat buyers of the summary with spends', async () => {
    const report = await fit(['--summary', spendCsv, '--model', 'gammagamma']);
    expect(report.code).toBe(0);
    expect(Object.keys(report.params)).toEqual(['p', 'q', 'gamma']);
    for (const [name, error] of Object.entries(relativeErrors(report.params, published.gammagamma))) {
      expect(error, name).toBeLessThan(0.01);
    }
    expect(report).toMatchObject({ summaries: 2357, customers: 946, excluded: 0, converged: true });
  });

  it('prints a readable table without --json', async () => {
    const run = await rapport(['clv', 'fit', '--summary', summaryCsv, '--model', 'bgnbd']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`BG/NBD fitted on 2,357 customers from ${summaryCsv}`);
    expect(run.stdout).toMatch(/^ {2}r {15}0\.2425\d\d$/m);
    expect(run.stdout).toMatch(/^ {2}alpha {11}4\.4135\d\d$/m);
    expect(run.stdout).toMatch(/^ {2}log-likelihood {2}-9582\.4\d{3}$/m);
    expect(run.stdout).toMatch(/^ {2}iterations {6}\d+, converged$/m);
    expect(run.stdout).toMatch(/^ {2}fit time {8}\d+ ms/m);
  });
});

describe('rapport clv fit --transactions', () => {
  it.each(['bgnbd', 'pareto', 'gammagamma'] as const)(
    'gives the parameters of --summary for %s (the CSV rounds times to 2 decimals and spends to cents)',
    async (model) => {
      const csv = model === 'gammagamma' ? spendCsv : summaryCsv;
      const [fromCsv, fromRaw] = await Promise.all([
        fit(['--summary', csv, '--model', model]),
        fit([...fromTransactions, '--model', model]),
      ]);
      expect(fromRaw.code).toBe(0);
      expect(fromRaw.customers).toBe(fromCsv.customers);
      expect(fromRaw.summaries).toBe(2357);
      const tolerance = model === 'gammagamma' ? 1e-3 : 1e-4;
      for (const [name, error] of Object.entries(relativeErrors(fromRaw.params, fromCsv.params))) {
        expect(error, name).toBeLessThan(tolerance);
      }
      expect(Math.abs(fromRaw.logLikelihood - fromCsv.logLikelihood)).toBeLessThan(0.05);
      for (const [name, error] of Object.entries(relativeErrors(fromRaw.params, published[model]))) {
        expect(error, name).toBeLessThan(0.01);
      }
    },
  );

  it('says how the summary was built', async () => {
    const report = await fit([...fromTransactions, '--model', 'bgnbd']);
    const lines = readFileSync(transactions, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '').length;
    expect(report).toMatchObject({
      source: 'transactions',
      file: transactions,
      transactions: {
        format: 'cdnow',
        calibrationEnd: '1997-09-30',
        timeUnit: 'weeks',
        loader: { read: lines, emitted: lines, skipped: {} },
        refunds: 0,
      },
      skipped: [],
    });
  });

  it('fits in days with --time-unit days: the same shape parameters, alpha scaled by 7', async () => {
    const [weeks, days] = await Promise.all([
      fit([...fromTransactions, '--model', 'bgnbd']),
      fit([...fromTransactions, '--model', 'bgnbd', '--time-unit', 'days']),
    ]);
    expect(days.params.r).toBeCloseTo(weeks.params.r!, 4);
    expect(days.params.a).toBeCloseTo(weeks.params.a!, 4);
    expect(days.params.alpha! / weeks.params.alpha!).toBeCloseTo(7, 3);
  });

  it('skips malformed lines, reports them and exits 2, fitting the rest', async () => {
    const file = join(tmp.dir, 'cdnow-bad.txt');
    const good = readFileSync(transactions, 'utf8').trimEnd().split('\n');
    writeFileSync(
      file,
      [good[0], 'not a purchase', ...good.slice(1), ' 00004 0001 19970231  2   29.33'].join('\n'),
    );
    const report = await fit([
      '--transactions',
      file,
      '--format',
      'cdnow',
      '--calibration-end',
      '1997-09-30',
      '--model',
      'bgnbd',
    ]);
    expect(report.code).toBe(2);
    expect(report.exitCode).toBe(2);
    expect(report.transactions?.loader.skipped).toEqual({ 'malformed-line': 2 });
    expect(report.skipped.map((s) => s.ref)).toEqual(['line 2', `line ${good.length + 2}`]);
    expect(report.customers).toBe(2357);
    expect(report.params.r).toBeCloseTo(published.bgnbd.r, 3);
  });
});

describe('rapport clv fit: bad input', () => {
  it('refuses a missing file, naming it, with a hint', async () => {
    const run = await rapport(['clv', 'fit', '--summary', 'no/such.csv', '--model', 'bgnbd']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: No such file: ${join(repoRoot, 'no/such.csv')}`);
    expect(run.stderr).toMatch(/hint: check the path of a summary CSV/);
    const json = await rapportJson<{ error: ReportedError }>([
      'clv',
      'fit',
      ...fromTransactions.slice(0, 1),
      'nope.txt',
      '--format',
      'cdnow',
      '--calibration-end',
      '1997-09-30',
      '--model',
      'bgnbd',
    ]);
    expect(json.code).toBe(1);
    expect(json.error).toMatchObject({
      code: 'CLI_FILE_NOT_FOUND',
      hint: expect.stringContaining('transaction file'),
    });
  });

  it('refuses a CSV with the wrong columns, naming the file, the line and the missing column', async () => {
    const file = join(tmp.dir, 'wrong-columns.csv');
    writeFileSync(file, 'customer,visits,last\n1,2,3\n');
    const run = await rapportJson<{ error: ReportedError }>([
      'clv',
      'fit',
      '--summary',
      file,
      '--model',
      'bgnbd',
    ]);
    expect(run.code).toBe(1);
    expect(run.error.code).toBe('RAPPORT_INVALID_INPUT');
    expect(run.error.message).toBe(
      `${file}: CSV line 1: no customerId column in the header (customer, visits, last)`,
    );
    expect(run.error.hint).toContain('ID,frequency,recency,T');
  });

  it('refuses a value that is not a number, naming the file and the line', async () => {
    const file = join(tmp.dir, 'bad-value.csv');
    writeFileSync(file, 'ID,frequency,recency,T\n1,2,30.43,38.86\n2,one,1.71,38.86\n');
    const run = await rapport(['clv', 'fit', '--summary', file, '--model', 'bgnbd']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: ${file}: CSV line 3: x is not a number: "one"`);
    expect(run.stderr).toContain('hint: write numbers such as 2 or 30.43');
  });

  it('refuses an unknown model, listing the valid ones', async () => {
    const run = await rapport(['clv', 'fit', '--summary', summaryCsv, '--model', 'pareto-nbd']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error: option '--model <model>' must be one of: bgnbd, pareto, gammagamma (got "pareto-nbd")`,
    );
    const missing = await rapport(['clv', 'fit', '--summary', summaryCsv]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('is required; one of: bgnbd, pareto, gammagamma');
  });

  it('refuses Gamma-Gamma on a summary without spends, pointing at the format it needs', async () => {
    const run = await rapportJson<{ error: ReportedError }>([
      'clv',
      'fit',
      '--summary',
      summaryCsv,
      '--model',
      'gammagamma',
    ]);
    expect(run.code).toBe(1);
    expect(run.error).toMatchObject({
      code: 'CLI_NO_SPEND',
      message: expect.stringContaining(summaryCsv),
      hint: expect.stringContaining('cdnow_customers_summary_with_transactions.csv'),
    });
  });

  it('asks for what --transactions needs, and refuses options that do not go together', async () => {
    const noFormat = await rapport(['clv', 'fit', '--transactions', transactions, '--model', 'bgnbd']);
    expect(noFormat.stderr).toContain(
      "option '--format <format>' is required with --transactions; one of: cdnow",
    );
    const noEnd = await rapport([
      'clv',
      'fit',
      '--transactions',
      transactions,
      '--format',
      'cdnow',
      '--model',
      'bgnbd',
    ]);
    expect(noEnd.stderr).toContain("option '--calibration-end <date>' is required with --transactions");
    const badEnd = await rapport([
      ...['clv', 'fit', ...fromTransactions.slice(0, 4)],
      '--calibration-end',
      '30/09/1997',
      '--model',
      'bgnbd',
    ]);
    expect(badEnd.stderr).toContain("option '--calibration-end <date>' must be an ISO 8601 date");
    const both = await rapport([
      'clv',
      'fit',
      '--summary',
      summaryCsv,
      ...fromTransactions,
      '--model',
      'bgnbd',
    ]);
    expect(both.stderr).toContain("option '--transactions <file>' cannot be used with --summary");
    const neither = await rapport(['clv', 'fit', '--model', 'bgnbd']);
    expect(neither.stderr).toContain("option '--summary <csv>' or '--transactions <file>' is required");
    for (const run of [noFormat, noEnd, badEnd, both, neither]) expect(run.code).toBe(1);
  });

  it('refuses a calibration end before every purchase', async () => {
    const run = await rapport([
      'clv',
      'fit',
      ...fromTransactions.slice(0, 4),
      '--calibration-end',
      '1996-12-31',
      '--model',
      'bgnbd',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: No purchase in ${transactions} on or before 1996-12-31`);
    expect(run.stderr).toContain('hint: set --calibration-end to a day after the first purchases');
  });
});

describe('rapport clv fit, as a process', () => {
  it('prints the fit as JSON on stdout and exits 0, reading relative paths from its cwd', async () => {
    const run = await spawnRapport(
      ['clv', 'fit', '--summary', 'cdnow_customers_summary.csv', '--model', 'bgnbd', '--json'],
      cdnow,
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ClvFitReport;
    expect(report.file).toBe(summaryCsv);
    expect(report.params.r).toBeCloseTo(0.2426, 3);
    expect(report.logLikelihood).toBeCloseTo(-9582.43, 1);
    expect(run.stderr).toBe('');
  });

  it('exits 1 and lists the models for an unknown one', async () => {
    const run = await spawnRapport(['clv', 'fit', '--summary', summaryCsv, '--model', 'nbd']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('must be one of: bgnbd, pareto, gammagamma');
  });
});
