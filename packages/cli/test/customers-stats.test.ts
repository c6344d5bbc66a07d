import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRapport, type InteractionInput, SCORING_SPEC_VERSION } from '@rapport/core';
import { loadTwcs } from '@rapport/datasets';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CustomerSearchReport,
  type CustomerShowReport,
  openStore,
  type StatsReport,
} from '../src/index.js';
import { rapport, rapportJson, tempDir, twcsFixture } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const db = join(tmp.dir, 'crm.db');

// What the store should hold, counted from the loader's own output rather than from the store.
const expected = {
  customers: new Set<string>(),
  conversations: new Set<string>(),
  perAccount: new Map<string, number>(),
};

beforeAll(async () => {
  const items: InteractionInput[] = [];
  for await (const item of loadTwcs(twcsFixture)) items.push(item);
  for (const item of items) {
    // The customer side: the author of a customer tweet, the addressee of a brand tweet.
    const person = item.direction === 'inbound' ? item.actor : item.recipient;
    if (person) expected.customers.add(person.externalId);
    expected.conversations.add(`${item.account}/${item.thread}`);
    expected.perAccount.set(item.account, (expected.perAccount.get(item.account) ?? 0) + 1);
  }
  const run = await rapport(['import', twcsFixture, '--format', 'twcs', '--db', db, '--no-progress']);
  expect(run.code).toBe(0);
});

describe('rapport stats', () => {
  it('counts what was imported', async () => {
    const stats = await rapportJson<StatsReport>(['stats', '--db', db]);
    expect(stats.code).toBe(0);
    expect(stats).toMatchObject({
      db,
      tenant: 'default',
      interactions: 5000,
      customers: expected.customers.size,
      identities: expected.customers.size,
      conversations: expected.conversations.size,
      merges: 0,
      byChannel: [{ channel: 'twitter', interactions: 5000 }],
    });
    const busiest = [...expected.perAccount.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    expect(stats.busiestAccounts.map((a) => [a.account, a.interactions])).toEqual(busiest);
  });

  it('prints the same numbers as text', async () => {
    const run = await rapport(['stats', '--db', db]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/interactions\s+5,000/);
    expect(run.stdout).toMatch(/conversations\s+[\d,]+/);
    expect(run.stdout).toContain('Interactions per channel');
    expect(run.stdout).toMatch(/Busiest accounts\n\s+twitter\s+ChipotleTweets\s+442/);
  });

  it('says when the database does not exist', async () => {
    const run = await rapport(['stats', '--db', join(tmp.dir, 'nope.db')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: No database at ${join(tmp.dir, 'nope.db')}`);
    expect(run.stderr).toContain('hint: import data first');
  });
});

describe('rapport customers show', () => {
  it('shows scores with their model, and a level by its name', async () => {
    const scored = join(tmp.dir, 'scored.db');
    const model = { id: 'count', version: '1' };
    const store = createRapport({
      storage: sqliteStorage({ filename: scored }),
      scoring: [
        {
          id: 'counter',
          version: '1.0.0',
          specVersion: SCORING_SPEC_VERSION,
          models: [model],
          levels: [
            {
              score: 'messages',
              levels: [
                { name: 'new', min: 0 },
                { name: 'regular', min: 2 },
              ],
            },
          ],
          capabilities: { annotate: false, incremental: true, recompute: false },
          update: ({ interactions, current }) => [
            { name: 'messages', value: (current[0]?.value ?? 0) + interactions.length, model },
          ],
        },
      ],
    });
    await store.start();
    const message = (n: number): InteractionInput => ({
      channel: 'email',
      account: 'support@acme.test',
      externalId: `m-${n}`,
      direction: 'inbound',
      kind: 'message',
      text: 'hello',
      occurredAt: new Date(Date.UTC(2024, 4, 1, n)).toISOString(),
      actor: { externalId: 'ann@example.test' },
    });
    await store.ingest([message(1), message(2), message(3)]);
    await store.settle();
    await store.stop();
    const run = await rapport(['customers', 'show', 'email:ann@example.test', '--db', scored]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Scores (2)');
    expect(run.stdout).toMatch(/messages\s+3\s+count@1/);
    expect(run.stdout).toMatch(/messages\.level\s+regular \(1\)\s+rapport\.level@1/);
  });

  it("shows a twcs customer found by the channel's user id, with identities and recent interactions", async () => {
    const run = await rapport(['customers', 'show', '115712', '--db', db]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Customer \S+ {2}active \(found by 115712\)/);
    expect(run.stdout).toMatch(/Identities \(1\)\n\s+twitter\s+115712/);
    expect(run.stdout).toContain('Recent interactions (10, newest first)');
    expect(run.stdout).toMatch(/2017-10-31 22:\d\d:\d\d UTC\s+in\s+reply\s+twitter\/sprintcare/);
    expect(run.stdout).toContain('Scores (0)');
    expect(run.stdout).toContain('Consents (0)');
  });

  it('finds the same customer by id and by <channel>:<id>, newest interaction first', async () => {
    const byRef = await rapportJson<CustomerShowReport>(['customers', 'show', 'twitter:115712', '--db', db]);
    expect(byRef.matchedBy).toBe('identity');
    const byId = await rapportJson<CustomerShowReport>([
      'customers',
      'show',
      byRef.customer.id,
      '--db',
      db,
      '--recent',
      '3',
    ]);
    expect(byId.matchedBy).toBe('id');
    expect(byId.customer.id).toBe(byRef.customer.id);
    expect(byId.identities).toEqual([expect.objectContaining({ channel: 'twitter', externalId: '115712' })]);
    expect(byId.recent).toHaveLength(3);
    const times = byId.recent.map((i) => Date.parse(String(i.occurredAt)));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('exits 1 with a hint when nothing matches', async () => {
    const run = await rapport(['customers', 'show', 'nobody-at-all', '--db', db]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error: No customer matches "nobody-at-all"');
    expect(run.stderr).toContain('hint: give a customer id');
  });

  it('follows a merged customer to the survivor', async () => {
    const store = await openStore({ db, tenant: 'default', cwd: tmp.dir });
    let absorbed: string;
    let survivor: string;
    try {
      survivor = (await store.customers.findIdentity({ channel: 'twitter', externalId: '115712' }))!
        .customerId;
      absorbed = (await store.customers.findIdentity({ channel: 'twitter', externalId: '115713' }))!
        .customerId;
      await store.customers.merge(survivor, absorbed, { actor: 'user:test', reason: 'same person' });
    } finally {
      await store.stop();
    }
    const shown = await rapportJson<CustomerShowReport>(['customers', 'show', absorbed, '--db', db]);
    expect(shown.matchedBy).toBe('merged-into');
    expect(shown.customer.id).toBe(survivor);
    expect(shown.identities.map((i) => i.externalId).sort()).toEqual(['115712', '115713']);
  });
});

describe('rapport customers search', () => {
  const small = join(tmp.dir, 'people.db');

  beforeAll(async () => {
    const people = [
      [
        '1',
        {
          externalId: 'a1',
          handle: 'ann',
          displayName: 'Ann Archer',
          email: 'ann@example.com',
          verified: true,
        },
      ],
      ['2', { externalId: 'a2', handle: 'annika', displayName: 'Annika Berg' }],
      ['3', { externalId: 'b1', handle: 'bob', displayName: 'Bob Builder' }],
    ] as const;
    const lines = people.map(([id, actor]) =>
      JSON.stringify({
        channel: 'mastodon',
        account: '@acme',
        externalId: id,
        direction: 'inbound',
        kind: 'mention',
        text: `hello from ${actor.handle}`,
        occurredAt: `2024-05-0${id}T10:00:00Z`,
        actor,
      }),
    );
    const file = join(tmp.dir, 'people.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect((await rapport(['import', file, '--format', 'jsonl', '--db', small])).code).toBe(0);
  });

  it('lists customers whose name, email or handle starts with the prefix', async () => {
    const run = await rapport(['customers', 'search', 'ann', '--db', small]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^2 customers starting with "ann"\n/);
    expect(run.stdout).toMatch(/Ann Archer\s+ann@example.com\s+mastodon:ann\n/);
    expect(run.stdout).toMatch(/Annika Berg\s+mastodon:annika\n/);
    expect(run.stdout).not.toContain('Bob');
  });

  it('returns JSON with identities, and honours --limit', async () => {
    const all = await rapportJson<CustomerSearchReport>(['customers', 'search', 'AN', '--db', small]);
    expect(all.customers.map((c) => c.displayName).sort()).toEqual(['Ann Archer', 'Annika Berg']);
    expect(all.customers.every((c) => c.identities.length === 1)).toBe(true);
    const one = await rapportJson<CustomerSearchReport>([
      'customers',
      'search',
      'an',
      '--limit',
      '1',
      '--db',
      small,
    ]);
    expect(one.customers).toHaveLength(1);
  });

  it('says so, with a hint, when nothing matches', async () => {
    const run = await rapport(['customers', 'search', 'zed', '--db', small]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`No active customer's name, email or handle starts with "zed".`);
  });

  it('picks the exact handle over longer ones in show, and refuses to guess between several', async () => {
    const ann = await rapportJson<CustomerShowReport>(['customers', 'show', '@ann', '--db', small]);
    expect(ann.customer.displayName).toBe('Ann Archer');
    expect(ann.matchedBy).toBe('search');
    const prefix = await rapport(['customers', 'show', 'an', '--db', small]);
    expect(prefix.code).toBe(1);
    expect(prefix.stderr).toContain('"an" matches 2 customers');
  });

  it('validates --limit', async () => {
    const run = await rapport(['customers', 'search', 'an', '--limit', '0', '--db', small]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('option \'--limit <n>\' must be a whole number from 1 to 1,000 (got "0")');
  });
});
