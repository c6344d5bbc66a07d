import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../src/index.js';
import { rapport, rapportJson, tempDir, twcsFixture } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const item = (externalId: string, fields: Record<string, unknown> = {}) => ({
  channel: 'mastodon',
  account: '@acme',
  externalId,
  direction: 'inbound',
  kind: 'message',
  text: `message ${externalId}`,
  occurredAt: '2024-05-01T10:00:00Z',
  actor: { externalId: '4242', handle: 'ann@social.example', email: 'ann@example.com', verified: true },
  ...fields,
});

/** Three valid items, three invalid ones, a line that is not JSON and a blank line. */
const mixedLines = [
  JSON.stringify(item('1', { kind: 'mention', text: '@acme my order never arrived' })),
  JSON.stringify(item('2', { direction: 'sideways' })),
  'this is not json',
  '',
  JSON.stringify(
    item('3', {
      direction: 'outbound',
      kind: 'reply',
      text: 'sorry to hear that',
      occurredAt: '2024-05-01T11:00:00Z',
      actor: { externalId: 'acme', handle: 'acme' },
      recipient: { externalId: '4242' },
    }),
  ),
  JSON.stringify(item('4', { occurredAt: 'yesterday' })),
  JSON.stringify(
    item('5', {
      actor: { externalId: '5151', handle: 'bob', displayName: 'Bob Builder' },
      occurredAt: '2024-05-02T09:00:00Z',
    }),
  ),
  JSON.stringify({ ...item('6'), actor: undefined }),
];

describe('rapport import --format twcs', () => {
  const db = join(tmp.dir, 'twcs.db');
  let first: Awaited<ReturnType<typeof rapport>>;

  beforeAll(async () => {
    first = await rapport(['import', twcsFixture, '--format', 'twcs', '--db', db]);
  });

  it('stores all 5,000 tweets and prints the summary', () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Imported ${twcsFixture} (twcs) into ${db}, tenant default`);
    expect(first.stdout).toMatch(/read\s+5,000\s+records from the source/);
    expect(first.stdout).toMatch(/created\s+5,000/);
    expect(first.stdout).toMatch(/duplicate\s+0/);
    expect(first.stdout).toMatch(/rejected\s+0/);
    expect(first.stdout).toMatch(/skipped\s+0\s+by the loader/);
    expect(first.stdout).toMatch(/duration\s+[\d.]+ m?s\s+[\d,]+ items\/s/);
  });

  it('prints a plain progress line every batch when stderr is not a terminal', () => {
    const lines = first.stderr.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      /^importing: 1,000 items \(1,000 created, 0 updated, 0 duplicate, 0 rejected\), [\d,]+ items\/s$/,
    );
    expect(lines[4]).toMatch(/^importing: 5,000 items \(5,000 created/);
  });

  it('finds every tweet already stored on a second import', async () => {
    const again = await rapportJson<ImportReport>([
      'import',
      twcsFixture,
      '--format',
      'twcs',
      '--db',
      db,
      '--no-progress',
    ]);
    expect(again.code).toBe(0);
    expect(again.exitCode).toBe(0);
    expect(again.loader).toEqual({ read: 5000, emitted: 5000, filtered: 0, skipped: {} });
    expect(again.processed).toBe(5000);
    expect(again.counts).toEqual({
      created: 0,
      updated: 0,
      duplicate: 5000,
      stale: 0,
      rejected: 0,
      suppressed: 0,
    });
    expect(again.rejected).toEqual([]);
    expect(again.itemsPerSecond).toBeGreaterThan(0);
  });

  it('honours --batch-size and --tenant', async () => {
    const run = await rapportJson<ImportReport>([
      'import',
      twcsFixture,
      '--format',
      'twcs',
      '--db',
      db,
      '--tenant',
      'acme',
      '--batch-size',
      '700',
      '--no-progress',
    ]);
    expect(run.tenant).toBe('acme');
    // Another tenant has its own data: everything is new there.
    expect(run.counts.created).toBe(5000);
    const stats = await rapportJson<{ interactions: number }>(['stats', '--db', db, '--tenant', 'acme']);
    expect(stats.interactions).toBe(5000);
  });
});

describe('rapport import --format jsonl with bad lines', () => {
  const file = join(tmp.dir, 'mixed.jsonl');
  const db = join(tmp.dir, 'mixed.db');
  const errors = join(tmp.dir, 'rejected.jsonl');

  beforeAll(() => writeFileSync(file, `${mixedLines.join('\n')}\n`));

  it('stores the good items, lists the bad ones with code, path and hint, and exits 2', async () => {
    const run = await rapport(['import', file, '--format', 'jsonl', '--db', db, '--errors', errors]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/read\s+7\s+records from the source/);
    expect(run.stdout).toMatch(/imported\s+6\s+items handed to the store/);
    expect(run.stdout).toMatch(/created\s+3/);
    expect(run.stdout).toMatch(/rejected\s+3\s+invalid, not stored/);
    expect(run.stdout).toMatch(/skipped\s+1\s+by the loader: invalid-json 1/);
    expect(run.stdout).toMatch(
      /#1\s+RAPPORT_INVALID_INTERACTION\s+\$\.direction\s+set `direction` to `inbound`/,
    );
    expect(run.stdout).toMatch(
      /#3\s+RAPPORT_INVALID_INTERACTION\s+\$\.occurredAt\s+set `occurredAt` to an ISO 8601 date/,
    );
    expect(run.stdout).toMatch(/#5\s+RAPPORT_INVALID_INTERACTION\s+\$\.actor\s+/);
    expect(run.stdout).toMatch(/line 3\s+invalid-json/);
    expect(run.stdout).toContain(`Rejected items written to ${errors} (3 lines)`);
  });

  it('writes every rejected item, whole, to the --errors file', () => {
    const lines = readFileSync(errors, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.index, l.error.code, l.error.path, l.item.externalId])).toEqual([
      [1, 'RAPPORT_INVALID_INTERACTION', '$.direction', '2'],
      [3, 'RAPPORT_INVALID_INTERACTION', '$.occurredAt', '4'],
      [5, 'RAPPORT_INVALID_INTERACTION', '$.actor', '6'],
    ]);
    for (const line of lines) expect(line.error.hint).toEqual(expect.any(String));
  });

  it('reports the same in JSON, and the good items are stored once', async () => {
    const run = await rapportJson<ImportReport>(['import', file, '--format', 'jsonl', '--db', db]);
    expect(run.code).toBe(2);
    expect(run.exitCode).toBe(2);
    expect(run.counts).toEqual({
      created: 0,
      updated: 0,
      duplicate: 3,
      stale: 0,
      rejected: 3,
      suppressed: 0,
    });
    expect(run.loader).toEqual({ read: 7, emitted: 6, filtered: 0, skipped: { 'invalid-json': 1 } });
    expect(run.rejected[1]).toEqual({
      index: 3,
      code: 'RAPPORT_INVALID_INTERACTION',
      message: expect.stringContaining('occurredAt'),
      path: '$.occurredAt',
      hint: 'set `occurredAt` to an ISO 8601 date such as 2024-05-01T12:00:00Z',
    });
    expect(run.skipped).toEqual([{ reason: 'invalid-json', ref: 'line 3', detail: expect.any(String) }]);
    const stats = await rapportJson<{ interactions: number; customers: number }>(['stats', '--db', db]);
    expect(stats.interactions).toBe(3);
  });

  it('exits 2 for a file whose only problem is a line that is not JSON', async () => {
    const onlyBadJson = join(tmp.dir, 'bad-json.jsonl');
    writeFileSync(onlyBadJson, `${mixedLines[0]}\n{"unterminated": \n`);
    const run = await rapport(['import', onlyBadJson, '--format', 'jsonl', '--db', db, '--no-progress']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('');
  });
});

describe('rapport import errors', () => {
  const db = join(tmp.dir, 'errors.db');

  it('names the valid formats for an unknown one', async () => {
    const run = await rapport(['import', twcsFixture, '--format', 'xml', '--db', db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'option \'-f, --format <format>\' must be one of: jsonl, twcs, cdnow, stackexchange (got "xml")',
    );
  });

  it('requires --format', async () => {
    const run = await rapport(['import', twcsFixture, '--db', db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is required; one of: jsonl, twcs, cdnow, stackexchange');
  });

  it('says when the file is missing, before creating a database', async () => {
    const run = await rapport(['import', join(tmp.dir, 'missing.csv'), '--format', 'twcs', '--db', db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: No such file or folder: ${join(tmp.dir, 'missing.csv')}`);
    expect(run.stderr).toContain('hint: ');
    const stats = await rapport(['stats', '--db', db]);
    expect(stats.stderr).toContain('No database at');
  });

  it('rejects a bad --batch-size and unknown options as usage errors', async () => {
    const batch = await rapport(['import', twcsFixture, '--format', 'twcs', '--batch-size', '1e3']);
    expect(batch.code).toBe(1);
    expect(batch.stderr).toContain(
      'option \'--batch-size <n>\' must be a whole number from 1 to 100,000 (got "1e3")',
    );
    const unknown = await rapport(['import', twcsFixture, '--format', 'twcs', '--bogus']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: unknown option '--bogus'");
    expect(unknown.stderr).toContain('(add --help for usage)');
  });

  it('reports a file the loader refuses as a fatal error, as JSON with --json', async () => {
    const notTwcs = join(tmp.dir, 'not-twcs.csv');
    writeFileSync(notTwcs, 'a,b\n1,2\n');
    const refused = join(tmp.dir, 'refused.db');
    const text = await rapport(['import', notTwcs, '--format', 'twcs', '--db', refused, '--no-progress']);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`error: ${notTwcs} is not a twcs file: missing tweet_id`);
    expect(text.stderr).toContain('  hint: ');
    // The file was refused before the store was opened: no empty database is left behind.
    expect(existsSync(refused)).toBe(false);
    const json = await rapportJson<{ error: { code: string; message: string } }>([
      'import',
      notTwcs,
      '--format',
      'twcs',
      '--db',
      db,
      '--no-progress',
    ]);
    expect(json.code).toBe(1);
    expect(json.error.code).toMatch(/^RAPPORT_/);
  });

  it('refuses a database URL given to --db, pointing at --storage', async () => {
    const run = await rapport(['stats', '--db', 'postgres://localhost/crm']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--db takes the path of a SQLite file, not a postgres:// URL');
    expect(run.stderr).toContain('hint: give the URL with --storage: --storage postgres://localhost/crm');
  });
});
