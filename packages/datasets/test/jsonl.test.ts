import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  datasetFormatNames,
  datasetFormats,
  isDatasetFormat,
  loadCdnow,
  loadJsonl,
  loadStackExchange,
  loadTwcs,
} from '../src/index.js';
import { collect, expectAllValid } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rapport-jsonl-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const item = (externalId: string, extra: Record<string, unknown> = {}) => ({
  channel: 'email',
  account: 'support@example.com',
  externalId,
  direction: 'inbound',
  kind: 'message',
  occurredAt: '2024-05-01T12:00:00Z',
  actor: { externalId: 'ada@example.com' },
  ...extra,
});

describe('loadJsonl', () => {
  it('streams items, skipping blank lines and reporting bad JSON by line', async () => {
    const file = join(dir, 'items.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify(item('m1')),
        '',
        '{"channel": "email",',
        JSON.stringify(item('m2')),
        '   ',
        JSON.stringify({ not: 'an item' }),
      ].join('\r\n'),
    );
    const out = await collect((onSkip) => loadJsonl(file, { onSkip }));
    expect(out.items.map((i) => i.externalId)).toEqual(['m1', 'm2', undefined]);
    expectAllValid(out.items.slice(0, 2));
    // Parsed values pass through unvalidated: the ingest pipeline reports the third one.
    expect(out.items[2]).toEqual({ not: 'an item' });
    expect(out.skips).toHaveLength(1);
    expect(out.skips[0]).toMatchObject({ reason: 'invalid-json', ref: 'line 3' });
    expect(out.summary).toEqual({ read: 4, emitted: 3, filtered: 0, skipped: { 'invalid-json': 1 } });
  });

  it('fills in tenant, channel and account only where the line leaves them out', async () => {
    const file = join(dir, 'defaults.jsonl');
    const { channel: _c, account: _a, ...bare } = item('m3');
    writeFileSync(file, `${JSON.stringify(bare)}\n${JSON.stringify(item('m4'))}\n`);
    const out = await collect((onSkip) =>
      loadJsonl(file, { tenant: 'acme', channel: 'chat', account: 'desk', onSkip }),
    );
    expect(out.items[0]).toMatchObject({ tenant: 'acme', channel: 'chat', account: 'desk' });
    expect(out.items[1]).toMatchObject({ tenant: 'acme', channel: 'email', account: 'support@example.com' });
    expectAllValid(out.items);
  });

  it('rejects unknown options before reading', async () => {
    await expect(loadJsonl(join(dir, 'none.jsonl'), { format: 'x' } as never).next()).rejects.toMatchObject({
      code: 'RAPPORT_INVALID_OPTIONS',
    });
  });
});

describe('datasetFormats', () => {
  it('maps each CLI format name to its loader', () => {
    expect(Object.keys(datasetFormats).sort()).toEqual([...datasetFormatNames].sort());
    expect(datasetFormats).toEqual({
      jsonl: loadJsonl,
      twcs: loadTwcs,
      cdnow: loadCdnow,
      stackexchange: loadStackExchange,
    });
    expect(isDatasetFormat('cdnow')).toBe(true);
    expect(isDatasetFormat('csv')).toBe(false);
    expect(Object.isFrozen(datasetFormats)).toBe(true);
  });
});
