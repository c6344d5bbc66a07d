import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type IdentityInput,
  type InteractionInput,
  identityKeyString,
  interactionInputSchema,
  interactionKeyString,
  toValidationIssues,
} from '@rapport/core';
import { describe, expect, it } from 'vitest';
import {
  createSyntheticStats,
  INVALID_ITEM_CASES,
  invalidItems,
  resolveSyntheticOptions,
  type SyntheticCustomer,
  syntheticBatches,
  syntheticCustomers,
  syntheticStream,
  syntheticStreamAsync,
} from '../src/synthetic/index.js';

function take(n: number, options: Parameters<typeof syntheticStream>[0]): InteractionInput[] {
  const out: InteractionInput[] = [];
  for (const item of syntheticStream({ interactions: n, ...options })) out.push(item);
  return out;
}

const keyOf = (item: InteractionInput) => interactionKeyString(item);
const refKey = (item: InteractionInput, externalId: string) =>
  interactionKeyString({ channel: item.channel, account: item.account, externalId });
const time = (value: InteractionInput['occurredAt'] | undefined) =>
  value instanceof Date ? value.getTime() : Number.NaN;
const isEdit = (item: InteractionInput) => (item.version ?? 0) > 1;

/** A `gc()` function when V8 lets us have one, so that heap readings exclude garbage. */
function collector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

describe('syntheticStream', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = take(3000, { seed: 7 });
    const b = take(3000, { seed: 7 });
    expect(b).toEqual(a);
    const c = take(3000, { seed: 8 });
    expect(JSON.stringify(c.slice(0, 50))).not.toBe(JSON.stringify(a.slice(0, 50)));
  });

  it('yields only valid items, with dates as Date objects', () => {
    const variants = [
      { interactions: 60_000 },
      {
        interactions: 15_000,
        seed: 3,
        tenant: 'acme-eu',
        channels: ['email', 'whatsapp', 'x', 'forum'],
        accounts: { whatsapp: ['+15550100'] },
        disorderMs: 120_000,
        editRatio: 0.05,
      },
      { interactions: 5_000, seed: 9, channels: ['email'], customers: 3 },
    ];
    for (const options of variants) {
      let invalid = 0;
      for (const item of syntheticStream(options)) {
        const result = interactionInputSchema.safeParse(item);
        if (!result.success) {
          invalid++;
          if (invalid === 1) expect.fail(`${JSON.stringify(item)}: ${result.error.message}`);
        }
        expect(item.occurredAt).toBeInstanceOf(Date);
        if (options.tenant) expect(item.tenant).toBe(options.tenant);
      }
      expect(invalid).toBe(0);
    }
  });

  it('keeps (channel, account, externalId) unique except for edits, which carry higher versions', () => {
    const stats = createSyntheticStats();
    const versions = new Map<string, { version: number; item: InteractionInput }>();
    let repeats = 0;
    for (const item of syntheticStream({ interactions: 100_000, seed: 11, editRatio: 0.03 }, stats)) {
      const key = keyOf(item);
      const previous = versions.get(key);
      if (previous) {
        repeats++;
        expect(item.version).toBeGreaterThan(previous.version);
        // An edit changes the content, not what the item is.
        expect(item.kind).toBe(previous.item.kind);
        expect(item.direction).toBe(previous.item.direction);
        expect(item.actor.externalId).toBe(previous.item.actor.externalId);
        expect(item.occurredAt).toEqual(previous.item.occurredAt);
        expect(time(item.receivedAt)).toBeGreaterThanOrEqual(time(item.occurredAt));
      } else {
        expect(isEdit(item)).toBe(false);
      }
      versions.set(key, { version: item.version ?? 0, item });
    }
    expect(repeats).toBe(stats.edits);
    expect(stats.edits / stats.items).toBeGreaterThan(0.02);
    expect(stats.edits / stats.items).toBeLessThan(0.04);
  });

  it('produces the configured proportions', () => {
    const check = (options: Parameters<typeof syntheticStream>[0], tolerance: number) => {
      const resolved = resolveSyntheticOptions(options);
      const weights = resolved.mix;
      const total = Object.values(weights).reduce((a, b) => a + b, 0);
      const seen = {
        conversation: 0,
        reply: 0,
        reaction: 0,
        share: 0,
        review: 0,
        purchase: 0,
        referral: 0,
        announcement: 0,
      };
      let originals = 0;
      let edits = 0;
      for (const item of syntheticStream(options)) {
        if (isEdit(item)) {
          edits++;
          continue;
        }
        originals++;
        if (item.kind === 'reply') seen.reply++;
        else if (item.kind === 'post' && item.direction === 'outbound') seen.announcement++;
        else if (['message', 'mention', 'post'].includes(item.kind)) seen.conversation++;
        else seen[item.kind as keyof typeof seen]++;
      }
      for (const [action, weight] of Object.entries(weights)) {
        expect(seen[action as keyof typeof seen] / originals, action).toBeCloseTo(weight / total, tolerance);
      }
      expect(edits / (edits + originals)).toBeCloseTo(resolved.editRatio, 2);
    };
    check({ interactions: 200_000, seed: 5 }, 2);
    check(
      { interactions: 100_000, seed: 6, mix: { reply: 0, conversation: 1, purchase: 3 }, editRatio: 0 },
      2,
    );
  });

  it('builds threads that only reference earlier items, in time order', () => {
    const options = { interactions: 80_000, seed: 21, disorderMs: 60_000 };
    const seenAt = new Map<string, number>();
    const accounts = resolveSyntheticOptions(options).accounts;
    let latest = Number.NEGATIVE_INFINITY;
    let outboundReplies = 0;
    let peerReplies = 0;
    const authorOf = new Map<string, string>();
    for (const item of syntheticStream(options)) {
      const at = time(item.occurredAt);
      const key = keyOf(item);
      if (!isEdit(item)) {
        // Increasing, give or take the configured disorder.
        expect(at).toBeGreaterThanOrEqual(latest - options.disorderMs);
        latest = Math.max(latest, at);
      }
      if (item.parent !== undefined) {
        const parentAt = seenAt.get(refKey(item, item.parent));
        expect(parentAt, `parent of ${key}`).toBeDefined();
        expect(at).toBeGreaterThanOrEqual(parentAt as number);
      }
      if (item.thread !== undefined && item.thread !== item.externalId) {
        expect(seenAt.has(refKey(item, item.thread)), `thread of ${key}`).toBe(true);
      }
      if (item.kind === 'reply') {
        expect(item.thread).toBeDefined();
        expect(item.parent).toBeDefined();
        if (item.direction === 'outbound') {
          outboundReplies++;
          expect(accounts[item.channel]).toContain(item.account);
          expect(item.actor.externalId).toBe(item.account);
          expect(item.recipient).toBeDefined();
        } else {
          expect(item.recipient).toBeUndefined();
          const rootAuthor = authorOf.get(refKey(item, item.thread as string));
          if (item.channel === 'forum' && rootAuthor !== item.actor.externalId) peerReplies++;
        }
      }
      if (item.thread === item.externalId) authorOf.set(key, item.actor.externalId);
      if (!seenAt.has(key)) seenAt.set(key, at);
    }
    expect(outboundReplies).toBeGreaterThan(1000);
    expect(peerReplies).toBeGreaterThan(100);
  });

  it('gives items the fields their kind needs and realistic text', () => {
    let quoted = 0;
    let plainShares = 0;
    let emoji = 0;
    let withText = 0;
    const lengths: number[] = [];
    for (const item of syntheticStream({ interactions: 50_000, seed: 2 })) {
      switch (item.kind) {
        case 'purchase':
          expect(item.amount).toBeGreaterThan(0);
          expect(item.currency).toMatch(/^[A-Z]{3}$/);
          expect(item.externalId).toMatch(/^order-/);
          break;
        case 'referral':
          expect(item.referred?.externalId).toBeTruthy();
          expect(item.referred?.channel).toBeTruthy();
          break;
        case 'reaction':
          expect(item.text).toBeUndefined();
          expect(item.parent).toBeDefined();
          break;
        case 'share':
          expect(item.parent).toBeDefined();
          if (item.text === undefined) plainShares++;
          else quoted++;
          break;
        case 'review':
          expect(item.metadata?.rating).toBeGreaterThanOrEqual(1);
          expect(item.metadata?.rating).toBeLessThanOrEqual(5);
          break;
      }
      if (item.text !== undefined) {
        withText++;
        lengths.push(item.text.length);
        if (/\p{Extended_Pictographic}/u.test(item.text)) emoji++;
      }
    }
    expect(plainShares).toBeGreaterThan(quoted);
    expect(quoted).toBeGreaterThan(0);
    expect(emoji / withText).toBeGreaterThan(0.1);
    lengths.sort((a, b) => a - b);
    const at = (q: number) => lengths[Math.floor(q * (lengths.length - 1))] as number;
    // Varied lengths: mostly short, with a long tail.
    expect(at(0.1)).toBeLessThan(60);
    expect(at(0.99)).toBeGreaterThan(500);
  });

  it('draws persons with linkable identities, and names them consistently in items', () => {
    const options = { interactions: 60_000, seed: 4 };
    const customers = [...syntheticCustomers(options)];
    expect(customers).toHaveLength(resolveSyntheticOptions(options).customers);
    const owner = new Map<string, SyntheticCustomer>();
    const verifiedOwner = new Map<string, number>();
    for (const customer of customers) {
      expect(customer.identities.length).toBeGreaterThanOrEqual(1);
      expect(customer.identities.length).toBeLessThanOrEqual(3);
      expect(new Set(customer.identities.map((i) => i.channel)).size).toBe(customer.identities.length);
      for (const identity of customer.identities) {
        expect(owner.has(identityKeyString(identity))).toBe(false);
        owner.set(identityKeyString(identity), customer);
        if (identity.verified && identity.email) {
          // A verified address never belongs to two persons: linking on it is always right.
          expect(verifiedOwner.get(identity.email) ?? customer.index).toBe(customer.index);
          verifiedOwner.set(identity.email, customer.index);
        }
      }
    }
    const multi = customers.filter((c) => c.identities.length > 1);
    expect(multi.filter((c) => c.sharedVerifiedEmail).length / multi.length).toBeGreaterThan(0.25);
    expect(multi.filter((c) => c.channelLink).length / multi.length).toBeGreaterThan(0.1);
    expect(customers.some((c) => c.sharedVerifiedEmail && c.channelLink)).toBe(false);

    const personOf = (identity: IdentityInput, channel: string) =>
      owner.get(identityKeyString({ channel: identity.channel ?? channel, externalId: identity.externalId }));
    let links = 0;
    for (const item of syntheticStream(options)) {
      const person = item.direction === 'inbound' ? item.actor : item.recipient;
      if (person !== undefined) {
        const customer = personOf(person, item.channel);
        expect(customer, JSON.stringify(person)).toBeDefined();
        expect(person.displayName).toBe(customer?.displayName);
      }
      if (item.referred !== undefined) expect(personOf(item.referred, item.channel)).toBeDefined();
      for (const link of item.actor.links ?? []) {
        links++;
        expect(personOf(link, item.channel)).toBe(personOf(item.actor, item.channel));
        expect(link.channel).not.toBe(item.channel);
      }
    }
    expect(links).toBeGreaterThan(100);
  });

  it('reports ground truth that matches the items', () => {
    const options = { interactions: 40_000, seed: 13 };
    const stats = createSyntheticStats();
    const counted = { items: 0, inbound: 0, purchases: 0, links: 0, persons: new Set<string>() };
    const iterator = syntheticStream(options, stats);
    for (let step = iterator.next(); ; step = iterator.next()) {
      if (step.done) {
        expect(step.value).toBe(stats);
        break;
      }
      const item = step.value;
      counted.items++;
      if (item.direction === 'inbound') counted.inbound++;
      if (item.kind === 'purchase') counted.purchases++;
      if (item.actor.links) counted.links++;
    }
    expect(stats.items).toBe(counted.items);
    expect(stats.byDirection.inbound).toBe(counted.inbound);
    expect(stats.byKind.purchase).toBe(counted.purchases);
    expect(stats.byEffort.transaction).toBe(counted.purchases);
    expect(stats.linkedItems).toBe(counted.links);
    expect(Object.values(stats.byKind).reduce((a, b) => a + b, 0)).toBe(stats.items);
    expect(Object.values(stats.byChannel).reduce((a, b) => a + b, 0)).toBe(stats.items);
    expect(stats.byEffort.signal + stats.byEffort.contribution + stats.byEffort.transaction).toBe(
      stats.items,
    );
    expect(stats.persons).toBeLessThanOrEqual(resolveSyntheticOptions(options).customers);
    expect(stats.identities).toBeGreaterThan(stats.persons);
    expect(stats.referrals.newPersons).toBeGreaterThan(0);
    expect(stats.referrals.existingPersons).toBeGreaterThan(0);
    // Some persons are linkable, so fewer customers than identities; unlinked ones stay apart.
    expect(stats.expectedCustomers).toBeGreaterThan(stats.persons);
    expect(stats.expectedCustomers).toBeLessThan(stats.identities);
  });

  it('offers the same items in batches and asynchronously', async () => {
    const options = { interactions: 2500, seed: 17 };
    const items = take(2500, options);
    const batches = [...syntheticBatches(options, 1000)];
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(batches.flat()).toEqual(items);
    const asynchronous: InteractionInput[] = [];
    for await (const item of syntheticStreamAsync(options, undefined, 100)) asynchronous.push(item);
    expect(asynchronous).toEqual(items);
  });

  it('validates options up front and fills in defaults', () => {
    expect(() => syntheticStream({ channels: ['Not A Channel'] })).toThrow();
    expect(() => syntheticStream({ interactions: -1 })).toThrow();
    expect(() =>
      syntheticStream({
        mix: {
          conversation: 0,
          reply: 0,
          reaction: 0,
          share: 0,
          review: 0,
          purchase: 0,
          referral: 0,
          announcement: 0,
        },
      }),
    ).toThrow();
    const resolved = resolveSyntheticOptions({ interactions: 1000 });
    expect(resolved.customers).toBe(50);
    expect(resolved.seed).toBe(42);
    expect(resolved.channels).toEqual(['twitter', 'email', 'mastodon', 'forum']);
    expect(resolved.accounts.twitter).toEqual(['acme', 'acme_support']);
    expect(resolved.startAt.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(take(0, {})).toEqual([]);
    const first = take(1, { startAt: '2030-06-01T00:00:00Z' })[0];
    expect(time(first?.occurredAt)).toBeGreaterThanOrEqual(Date.UTC(2030, 5, 1));
  });

  it('keeps memory flat over a million items', () => {
    const gc = collector();
    // Typed arrays (the population table, the rings) live outside the JS heap: count them too.
    const used = () => {
      const memory = process.memoryUsage();
      return memory.heapUsed + memory.arrayBuffers;
    };
    gc?.();
    const before = used();
    let peak = Number.NEGATIVE_INFINITY;
    let count = 0;
    let textChars = 0;
    const started = performance.now();
    for (const item of syntheticStream({ interactions: 1_000_000, seed: 99 })) {
      count++;
      textChars += item.text?.length ?? 0;
      if (count % 100_000 === 0) {
        gc?.();
        peak = Math.max(peak, used() - before);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    expect(count).toBe(1_000_000);
    expect(textChars).toBeGreaterThan(0);
    expect(peak).toBeLessThan(50 * 1024 * 1024);
    console.log(
      `synthetic stream: ${Math.round(count / seconds).toLocaleString('en')} items/s (gc pauses included), ` +
        `memory growth ${(peak / 1024 / 1024).toFixed(1)} MB${gc ? '' : ' (without forced gc)'}`,
    );
  });
});

describe('invalidItems', () => {
  it('breaks items in every listed way, each rejected with exactly one issue at the given path', () => {
    const items = invalidItems(5, INVALID_ITEM_CASES.length * 2);
    expect(new Set(items.map((i) => i.case))).toEqual(new Set(INVALID_ITEM_CASES));
    for (const broken of items) {
      const result = interactionInputSchema.safeParse(broken.item);
      expect(result.success, broken.case).toBe(false);
      if (result.success) continue;
      expect(
        result.error.issues.map((i) => i.path),
        broken.case,
      ).toEqual([broken.path]);
      expect(toValidationIssues(result.error)[0]?.jsonPath, broken.case).toBe(broken.jsonPath);
    }
    const unknownKey = items.find((i) => i.case === 'unknown-key');
    expect(unknownKey?.jsonPath).toBe('$');
    expect(items.find((i) => i.case === 'bad-link-channel')?.jsonPath).toBe('$.actor.links[1].channel');
  });

  it('is deterministic for a seed', () => {
    expect(invalidItems(3, 40)).toEqual(invalidItems(3, 40));
    expect(invalidItems(3, 40).map((i) => i.case)).not.toEqual(invalidItems(4, 40).map((i) => i.case));
  });
});
