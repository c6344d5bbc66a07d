import { type CaseMetricsRow, createTestRapport, type InteractionInput, type Rapport } from '@rapport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTwcs } from '../src/index.js';
import { collect, fixture } from './helpers.js';

const path = fixture('twcs', 'twcs_first5000.csv');
const NEEDS_ANSWER = new Set(['message', 'mention', 'reply', 'review']);

/**
 * What the data says, computed from the loaded items alone (not through cases): per conversation
 * (account and thread), a case opens at the first customer tweet, and its first response is the
 * first brand tweet at or after it that answers a customer (has a recipient).
 */
function expectedFromData(items: InteractionInput[]) {
  const threads = new Map<string, Array<{ item: InteractionInput; order: number }>>();
  items.forEach((item, order) => {
    const key = `${item.account}\u0000${item.thread ?? item.externalId}`;
    const list = threads.get(key) ?? [];
    list.push({ item, order });
    threads.set(key, list);
  });
  const firstResponses: number[] = [];
  let cases = 0;
  for (const list of threads.values()) {
    list.sort((a, b) => time(a.item) - time(b.item) || a.order - b.order);
    const opening = list.find(({ item }) => item.direction === 'inbound' && NEEDS_ANSWER.has(item.kind));
    if (!opening) continue;
    cases++;
    const openedAt = time(opening.item);
    const answer = list.find(
      ({ item }) => item.direction === 'outbound' && item.recipient !== undefined && time(item) >= openedAt,
    );
    if (answer) firstResponses.push(time(answer.item) - openedAt);
  }
  firstResponses.sort((a, b) => a - b);
  const mid = firstResponses.length / 2;
  const median =
    firstResponses.length % 2 === 1
      ? firstResponses[Math.floor(mid)]!
      : (firstResponses[mid - 1]! + firstResponses[mid]!) / 2;
  return { cases, answered: firstResponses.length, median, threads: threads.size };
}

const time = (item: InteractionInput) => new Date(item.occurredAt as string | Date).getTime();

let rapport: Rapport;
let items: InteractionInput[];
let all: CaseMetricsRow;

beforeAll(async () => {
  items = (await collect((onSkip) => loadTwcs(path, { onSkip }))).items;
  rapport = await createTestRapport({ cases: {} });
  await rapport.ingestStream(loadTwcs(path), { batchSize: 500 });
  await rapport.settle();
  [all] = (await rapport.cases.metrics({ groupBy: 'none' })) as [CaseMetricsRow];
}, 120_000);

afterAll(async () => {
  await rapport?.stop();
});

describe('cases from the twcs support sample', () => {
  it('opens one case per conversation a customer started or joined, and none for brand-only threads', async () => {
    const expected = expectedFromData(items);
    const stats = await rapport.stats();
    expect(stats.conversations).toBe(expected.threads);
    expect(all.cases).toBe(expected.cases);
    // Brand broadcasts nobody answered have no case.
    const withoutCase = await rapport.conversations.list({ hasCase: false }, { limit: 1000 });
    expect(withoutCase.items.length).toBe(expected.threads - expected.cases);
  });

  it('measures first response times that match the tweets’ own timestamps', () => {
    const expected = expectedFromData(items);
    expect(all.firstResponse?.count).toBe(expected.answered);
    expect(all.firstResponse?.medianMs).toBe(expected.median);
    // Brands in this sample answer within minutes to hours: a sanity check on units.
    expect(expected.median).toBeGreaterThan(60_000);
    expect(expected.median).toBeLessThan(24 * 3_600_000);
  });

  it('groups figures per brand account (channel) and keeps them consistent with the total', async () => {
    const byChannel = await rapport.cases.metrics({ groupBy: 'channel' });
    expect(byChannel.map((r) => r.group)).toEqual(['twitter']);
    expect(byChannel[0]?.cases).toBe(all.cases);
  });
});
