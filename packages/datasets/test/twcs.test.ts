import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RapportError } from '@rapport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTwcs, parseTwitterDate } from '../src/index.js';
import {
  byId,
  type Collected,
  collect,
  countBy,
  expectAllValid,
  expectUniqueIds,
  fixture,
} from './helpers.js';

const path = fixture('twcs', 'twcs_first5000.csv');

// Expected numbers, counted independently with Python's csv module (the text column has
// embedded newlines, so line tools miscount rows):
//   python3 -c "import csv; r=list(csv.DictReader(open('fixtures/twcs/twcs_first5000.csv')));
//     print(len(r), sum(x['inbound']=='True' for x in r),
//           sum(x['inbound']=='True' and not x['in_response_to_tweet_id'] for x in r),
//           sum(x['inbound']=='False' and not x['in_response_to_tweet_id'] for x in r))"
//   → 5000 2778 1285 21
// Following in_response_to links up within the file gives 1312 threads and 76 brand accounts;
// 2196 brand tweets have a customer tweet up their reply chain (the others answer tweets that
// are not in the sample, or are broadcasts and replies to broadcasts).
const ROWS = 5000;
const INBOUND = 2778;
const OUTBOUND = 2222;
const THREAD_STARTING_INBOUND = 1285;
const THREAD_STARTING_OUTBOUND = 21;

let run: Collected;
beforeAll(async () => {
  run = await collect((onSkip) => loadTwcs(path, { onSkip }));
});

describe('loadTwcs on the first 5,000 tweets', () => {
  it('yields every row, each valid and with a unique id', () => {
    expect(run.items).toHaveLength(ROWS);
    expect(run.summary).toEqual({ read: ROWS, emitted: ROWS, filtered: 0, skipped: {} });
    expect(run.skips).toEqual([]);
    expectAllValid(run.items);
    expectUniqueIds(run.items);
  });

  it('maps inbound flags to directions and kinds', () => {
    expect(countBy(run.items, (i) => i.direction)).toEqual({ inbound: INBOUND, outbound: OUTBOUND });
    expect(countBy(run.items, (i) => i.kind)).toEqual({
      message: THREAD_STARTING_INBOUND,
      post: THREAD_STARTING_OUTBOUND,
      reply: ROWS - THREAD_STARTING_INBOUND - THREAD_STARTING_OUTBOUND,
    });
    expect(new Set(run.items.map((i) => i.channel))).toEqual(new Set(['twitter']));
    expect(new Set(run.items.map((i) => i.thread)).size).toBe(1312);
    expect(new Set(run.items.map((i) => i.account)).size).toBe(76);
  });

  it('threads rows 1-5 into the chain 8 ← 6 ← 5 ← 4 ← 3 ← 1 ← 2', () => {
    const items = byId(run.items);
    const chain: Array<[string, string | undefined]> = [
      ['8', undefined],
      ['6', '8'],
      ['5', '6'],
      ['4', '5'],
      ['3', '4'],
      ['1', '3'],
      ['2', '1'],
    ];
    for (const [id, parent] of chain) {
      const item = items.get(id)!;
      expect(item.parent, `parent of ${id}`).toBe(parent);
      expect(item.thread, `thread of ${id}`).toBe('8');
      expect(item.account, `account of ${id}`).toBe('sprintcare');
    }
    expect(items.get('8')).toMatchObject({
      kind: 'message',
      direction: 'inbound',
      actor: { externalId: '115712', handle: '115712' },
    });
    expect(items.get('1')).toEqual({
      channel: 'twitter',
      account: 'sprintcare',
      externalId: '1',
      direction: 'outbound',
      kind: 'reply',
      text: '@115712 I understand. I would like to assist you. We would need to get you into a private secured link to further assist.',
      occurredAt: '2017-10-31T22:10:47.000Z',
      actor: { externalId: 'sprintcare', handle: 'sprintcare' },
      recipient: { externalId: '115712', handle: '115712' },
      thread: '8',
      parent: '3',
    });
    expect(items.get('2')).toMatchObject({
      kind: 'reply',
      direction: 'inbound',
      actor: { externalId: '115712', handle: '115712' },
      occurredAt: '2017-10-31T22:11:45.000Z',
    });
    expect(items.get('2')!.recipient).toBeUndefined();
  });

  it('sets the answered customer as recipient of brand replies', () => {
    const items = byId(run.items);
    const outbound = run.items.filter((i) => i.direction === 'outbound');
    expect(outbound.filter((i) => i.recipient !== undefined)).toHaveLength(2196);
    // Every brand tweet that answers a customer tweet in the file names that customer.
    for (const item of outbound) {
      const parent = item.parent === undefined ? undefined : items.get(item.parent);
      if (parent?.direction === 'inbound')
        expect(item.recipient).toEqual({
          externalId: parent.actor.externalId,
          handle: parent.actor.externalId,
        });
    }
    // 387 (Morrisons) continues its own reply 386, which answers customer 115804's tweet 384.
    expect(items.get('387')).toMatchObject({ parent: '386', recipient: { externalId: '115804' } });
    // 1620 answers 1621, a brand tweet answering a tweet outside the sample: nobody to name.
    expect(items.get('1620')!.recipient).toBeUndefined();
  });

  it('roots threads at the missing tweet when a link leaves the sample', () => {
    const items = byId(run.items);
    expect(items.get('222')).toMatchObject({
      parent: '223',
      thread: '223',
      kind: 'reply',
      metadata: { parentMissing: true },
    });
    const missing = run.items.filter((i) => i.metadata?.parentMissing === true).map((i) => i.externalId);
    expect(missing.sort()).toEqual(['1621', '222', '3745', '3777', '5530', '5659']);
  });

  it('files a brand broadcast as a post and the answers to it under the brand', () => {
    const items = byId(run.items);
    expect(items.get('81')).toMatchObject({
      kind: 'post',
      direction: 'outbound',
      thread: '81',
      account: 'ChipotleTweets',
    });
    expect(items.get('81')!.parent).toBeUndefined();
    expect(items.get('81')!.recipient).toBeUndefined();
    expect(items.get('80')).toMatchObject({
      kind: 'reply',
      direction: 'inbound',
      parent: '81',
      thread: '81',
      account: 'ChipotleTweets',
    });
  });

  it('gives a multi-brand thread one account for its customer tweets', () => {
    const items = byId(run.items);
    // Thread 7442: marksandspencer has most of the brand tweets; Tesco, sainsburys and AldiUK chime in.
    const thread = run.items.filter((i) => i.thread === '7442');
    expect(new Set(thread.filter((i) => i.direction === 'inbound').map((i) => i.account))).toEqual(
      new Set(['marksandspencer']),
    );
    expect(new Set(thread.filter((i) => i.direction === 'outbound').map((i) => i.account))).toEqual(
      new Set(['marksandspencer', 'Tesco', 'sainsburys', 'AldiUK']),
    );
    expect(items.get('7437')).toMatchObject({
      account: 'AldiUK',
      actor: { externalId: 'AldiUK' },
      recipient: { externalId: '117260' },
    });
  });

  it('only emits the chosen brands with the account option', async () => {
    const apple = await collect((onSkip) => loadTwcs(path, { account: 'AppleSupport', onSkip }));
    // 303 = 140 AppleSupport tweets + the customer tweets of the threads AppleSupport speaks for.
    expect(apple.items).toHaveLength(303);
    expect(apple.items.every((i) => i.account === 'AppleSupport')).toBe(true);
    expect(apple.summary.filtered).toBe(ROWS - 303);
    expect(apple.items.filter((i) => i.direction === 'outbound')).toHaveLength(140);
  });

  it('is deterministic', async () => {
    const again = await collect((onSkip) => loadTwcs(path, { onSkip }));
    expect(again.items).toEqual(run.items);
  });

  it('stamps the tenant and channel options', async () => {
    const first = await loadTwcs(path, { tenant: 'acme', channel: 'x' }).next();
    expect(first.value).toMatchObject({ tenant: 'acme', channel: 'x' });
  });
});

describe('loadTwcs on awkward data', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-twcs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const header = 'tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id';
  const date = 'Tue Oct 31 22:10:47 +0000 2017';

  it('reports rows it cannot use and falls back to a mentioned brand', async () => {
    const file = join(dir, 'awkward.csv');
    writeFileSync(
      file,
      [
        header,
        `1,AppleSupport,False,${date},@100 Hi there &amp; welcome,,2`,
        `2,100,True,${date},@AppleSupport help,1,`,
        // No brand tweet in its thread, but it mentions a brand that has tweets in the file.
        `3,101,True,${date},hey @applesupport my phone,,`,
        // No brand tweet in its thread and no known brand mentioned.
        `4,102,True,${date},@nobody hello,,`,
        `5,103,maybe,${date},bad flag,,`,
        `6,104,True,not a date,bad date,,`,
        `2,105,True,${date},duplicate id,,`,
        `7,AppleSupport,False,${date}`,
      ].join('\n'),
    );
    const out = await collect((onSkip) => loadTwcs(file, { onSkip }));
    expect(out.items.map((i) => i.externalId)).toEqual(['1', '2', '3', '7']);
    expect(out.items[0]!.text).toBe('@100 Hi there & welcome');
    expect(out.items[2]).toMatchObject({
      account: 'AppleSupport',
      kind: 'message',
      metadata: { accountFrom: 'mention' },
    });
    expect(out.items[3]).toMatchObject({ kind: 'post', account: 'AppleSupport' });
    expect(out.items[3]!.text).toBeUndefined();
    expect(out.skips).toEqual([
      {
        reason: 'no-brand',
        ref: 'tweet 4',
        detail: 'no brand tweet in its thread and no known brand mentioned',
      },
      { reason: 'malformed-row', ref: 'row 5', detail: 'inbound is "maybe"' },
      { reason: 'invalid-date', ref: 'tweet 6', detail: 'created_at "not a date"' },
      { reason: 'duplicate-id', ref: 'tweet 2', detail: 'row 7 repeats an earlier tweet_id' },
    ]);
    expect(out.summary).toEqual({
      read: 8,
      emitted: 4,
      filtered: 0,
      skipped: { 'no-brand': 1, 'malformed-row': 1, 'invalid-date': 1, 'duplicate-id': 1 },
    });
  });

  it('survives a cycle of reply links', async () => {
    const file = join(dir, 'cycle.csv');
    writeFileSync(
      file,
      [header, `1,Brand,False,${date},a,,2`, `2,200,True,${date},b,,3`, `3,Brand,False,${date},c,,1`].join(
        '\n',
      ),
    );
    const out = await collect((onSkip) => loadTwcs(file, { onSkip }));
    expect(out.items).toHaveLength(3);
    expect(new Set(out.items.map((i) => i.thread)).size).toBe(1);
    expectAllValid(out.items);
  });

  it('rejects a file without the twcs columns before yielding anything', async () => {
    const file = join(dir, 'other.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    await expect(loadTwcs(file).next()).rejects.toThrow(/missing tweet_id/);
  });

  it('rejects a missing file and bad options', async () => {
    await expect(loadTwcs(join(dir, 'nope.csv')).next()).rejects.toThrow(/ENOENT/);
    await expect(loadTwcs(path, { channel: 'Not A Channel' }).next()).rejects.toBeInstanceOf(RapportError);
    await expect(loadTwcs(path, { brand: 'x' } as never).next()).rejects.toMatchObject({
      code: 'RAPPORT_INVALID_OPTIONS',
    });
  });
});

describe('parseTwitterDate', () => {
  it('parses the created_at format with its offset', () => {
    expect(parseTwitterDate('Tue Oct 31 22:10:47 +0000 2017')).toBe('2017-10-31T22:10:47.000Z');
    expect(parseTwitterDate('Tue Oct 31 22:10:47 +0200 2017')).toBe('2017-10-31T20:10:47.000Z');
    expect(parseTwitterDate('Wed Feb 31 10:00:00 +0000 2017')).toBeUndefined();
    expect(parseTwitterDate('2017-10-31')).toBeUndefined();
  });
});
