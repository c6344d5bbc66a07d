import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRapport, isRapportError, type RapportError } from '@rapport/core';
import { loadTwcs } from '@rapport/datasets';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabDataset, loadLabDataset, parseDatasetSpec } from '../src/index.js';
import { expectSameScores, fixtures, rejected, repoRoot, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

function caught(run: () => unknown): RapportError {
  try {
    run();
  } catch (error) {
    if (isRapportError(error)) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('dataset specs', () => {
  it('split <loader>:<path> at the first colon', () => {
    expect(parseDatasetSpec('sqlite:C:\\data\\crm.db')).toEqual({
      loader: 'sqlite',
      path: 'C:\\data\\crm.db',
    });
  });

  it('refuse an unknown loader, listing the known ones', () => {
    const error = caught(() => parseDatasetSpec('csv:data.csv'));
    expect(error.code).toBe('RAPPORT_INVALID_INPUT');
    expect(error.message).toBe('Unknown dataset loader "csv"');
    expect(error.jsonPath).toBe('$.dataset');
    expect(error.hint).toBe(
      'use one of: jsonl, twcs, cdnow, stackexchange, sqlite, postgres (as <loader>:<path>)',
    );
  });

  it('refuse a spec without loader or without path', () => {
    expect(caught(() => parseDatasetSpec('data.csv')).message).toBe('Dataset "data.csv" names no loader');
    expect(caught(() => parseDatasetSpec('twcs:')).message).toBe('Dataset "twcs:" names no path');
  });

  it('say when the path does not exist, or is a file where a folder is needed', async () => {
    const missing = await rejected(loadLabDataset('twcs:nope.csv', { cwd: tmp.dir }));
    expect(missing.code).toBe('RAPPORT_INVALID_INPUT');
    expect(missing.message).toBe(`No such file: ${join(tmp.dir, 'nope.csv')}`);
    expect(missing.jsonPath).toBe('$.dataset');
    const notFolder = await rejected(
      loadLabDataset(`stackexchange:${join(repoRoot, 'fixtures/twcs/twcs_first5000.csv')}`),
    );
    expect(notFolder.message).toMatch(/is not a folder$/);
  });

  it('refuse unknown options, naming them', async () => {
    const error = await rejected(loadLabDataset(fixtures.twcs, { tennant: 'x' } as never));
    expect(error.code).toBe('RAPPORT_INVALID_OPTIONS');
    expect(error.jsonPath).toBe('$.tennant');
  });
});

describe('a Stack Exchange dump', () => {
  let dataset: LabDataset;
  beforeAll(async () => {
    dataset = await loadLabDataset('stackexchange:fixtures/stackexchange-meta-conlang', { cwd: repoRoot });
  });

  it('is resolved into customers keyed by their identity, the anonymous voter and the bot set aside', () => {
    expect(dataset.customers).toHaveLength(70);
    expect(dataset.customers.every((c) => /^stackexchange:(\d+|deleted:user\d+)$/.test(c.id))).toBe(true);
    expect(dataset.excluded.map((c) => c.id)).toEqual(['stackexchange:-1', 'stackexchange:anonymous-voter']);
    const ids = dataset.customers.map((c) => c.id);
    expect(ids).toEqual([...ids].sort());
    // The votes stay: advocacy reads them on the answers they were cast on.
    expect(dataset.interactions.filter((i) => i.kind === 'vote')).toHaveLength(1065);
  });

  it('takes "now" from the last interaction', () => {
    const last = Math.max(...dataset.interactions.map((i) => i.occurredAt.getTime()));
    expect(dataset.now.getTime()).toBe(last);
  });

  it("records each dump file's SHA-256", () => {
    const names = dataset.source.files.map((f) => f.name);
    expect(names).toEqual([
      'Badges.xml',
      'Comments.xml',
      'PostHistory.xml',
      'PostLinks.xml',
      'Posts.xml',
      'Tags.xml',
      'Users.xml',
      'Votes.xml',
    ]);
    const posts = dataset.source.files.find((f) => f.name === 'Posts.xml')!;
    const content = readFileSync(join(repoRoot, 'fixtures/stackexchange-meta-conlang/Posts.xml'));
    expect(posts).toEqual({
      name: 'Posts.xml',
      bytes: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
  });
});

describe('identity resolution', () => {
  it('makes one customer of two channels with the same verified email, as Rapport does', async () => {
    const file = join(tmp.dir, 'two-channels.jsonl');
    const item = (channel: string, externalId: string, at: string) => ({
      channel,
      account: 'acme',
      externalId: `${channel}-1`,
      direction: 'inbound',
      kind: 'message',
      text: 'hello',
      occurredAt: at,
      actor: { externalId, email: 'ann@example.com', verified: true },
    });
    writeFileSync(
      file,
      [item('shop', 'a-17', '2024-05-01T10:00:00Z'), item('forum', 'ann', '2024-05-02T10:00:00Z')]
        .map((i) => JSON.stringify(i))
        .join('\n'),
    );
    const dataset = await loadLabDataset(`jsonl:${file}`);
    expect(dataset.customers).toEqual([
      { id: 'forum:ann', handle: null, identities: ['forum:ann', 'shop:a-17'] },
    ]);
    expect(dataset.timelines.get('forum:ann')!.map((i) => i.channel)).toEqual(['shop', 'forum']);
    expect(dataset.now.toISOString()).toBe('2024-05-02T10:00:00.000Z');
    expect(dataset.load.ingest).toMatchObject({ created: 2, rejected: 0 });
  });
});

describe('a SQLite store', () => {
  const db = join(tmp.dir, 'crm.db');
  let fromStore: LabDataset;
  let fromFile: LabDataset;

  beforeAll(async () => {
    const rapport = createRapport({ storage: sqliteStorage({ filename: db }) });
    await rapport.start();
    await rapport.ingestStream(loadTwcs(fixtures.twcs.slice('twcs:'.length)));
    await rapport.stop();
    [fromStore, fromFile] = await Promise.all([
      loadLabDataset(`sqlite:${db}`),
      loadLabDataset(fixtures.twcs),
    ]);
  });

  it('is read with its own customer ids and every timeline', () => {
    expect(fromStore.source.loader).toBe('sqlite');
    expect(fromStore.customers).toHaveLength(fromFile.customers.length);
    expect(fromStore.customers.every((c) => !c.id.includes(':'))).toBe(true);
    expect(fromStore.interactions).toHaveLength(5000);
    expect(fromStore.now).toEqual(fromFile.now);
    expect(fromStore.source.files[0]!.name).toBe('crm.db');
  });

  it('scores exactly as the same data loaded from the file', async () => {
    await expectSameScores(fromStore, fromFile);
  });

  it('says when the tenant holds nothing', async () => {
    const error = await rejected(loadLabDataset(`sqlite:${db}`, { tenant: 'other' }));
    expect(error.message).toBe(`sqlite:${db} holds no interaction of a customer in tenant other`);
  });
});
