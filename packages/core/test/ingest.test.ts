import { describe, expect, it } from 'vitest';
import {
  createTestRapport,
  deriveEffort,
  type Interaction,
  isRapportError,
  memoryStorage,
  RapportError,
  type StoragePlugin,
  type UnitOfWork,
} from '../src/index.js';
import { item } from './helpers.js';

describe('ingest', () => {
  it('rejects bad items with a stable code, JSON path and hint, and keeps the good ones of the batch', async () => {
    const rapport = await createTestRapport();
    const { results, counts } = await rapport.ingest([
      item(1),
      { ...item(2), occurredAt: 'yesterday-ish' },
      { ...item(3), actor: { handle: 'no id' } },
      { ...item(4), kind: 'purchase' },
      { ...item(5), colour: 'blue' },
      'not an object',
      item(6),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'created',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'created',
    ]);
    expect(counts).toMatchObject({ created: 2, rejected: 5 });
    const errors = results.map((r) => r.error);
    expect(errors[1]).toMatchObject({ code: 'RAPPORT_INVALID_INTERACTION', jsonPath: '$.occurredAt' });
    expect(errors[1]?.hint).toMatch(/ISO 8601/);
    expect(errors[2]?.jsonPath).toBe('$.actor.externalId');
    expect(errors[3]?.jsonPath).toBe('$.amount');
    expect(errors[4]?.jsonPath).toBe('$');
    expect(errors[4]?.hint).toMatch(/colour/);
    expect(errors[5]?.code).toBe('RAPPORT_INVALID_INTERACTION');
    expect(results[1]?.index).toBe(1);
    expect((await rapport.stats()).interactions).toBe(2);
  });

  it('re-ingesting the same batch changes nothing and fires no new events', async () => {
    const rapport = await createTestRapport();
    const batch = [
      item(1),
      item(2, { actor: { externalId: 'user-1' }, parent: 's-1', kind: 'reply' }),
      item(3),
    ];
    await rapport.ingest(batch);
    const before = await rapport.stats();
    const fired: string[] = [];
    rapport.events.on('interaction.received', () => fired.push('received'));
    rapport.events.on('customer.created', () => fired.push('customer'));
    const again = await rapport.ingest(batch);
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await rapport.stats()).toEqual(before);
    expect(fired).toEqual([]);
  });

  it('a new version updates content; the same or an older version does not', async () => {
    const rapport = await createTestRapport();
    const first = await rapport.ingest([item(1, { version: 1, text: 'first' })]);
    const updates: Array<{ text: string | null; previous: number }> = [];
    rapport.events.on('interaction.updated', (e) =>
      updates.push({ text: e.interaction.text, previous: e.previousVersion }),
    );
    const second = await rapport.ingest([
      item(1, { version: 2, text: 'second' }),
      item(1, { version: 2, text: 'second again' }),
      item(1, { version: 1, text: 'late' }),
    ]);
    expect(second.results.map((r) => r.status)).toEqual(['updated', 'duplicate', 'stale']);
    expect(second.results[0]?.interactionId).toBe(first.results[0]?.interactionId);
    const timeline = await rapport.customers.timeline(first.results[0]!.customerId!);
    expect(timeline.items).toHaveLength(1);
    expect(timeline.items[0]).toMatchObject({ version: 2, text: 'second' });
    expect(updates).toEqual([{ text: 'second', previous: 1 }]);
  });

  it('within one batch, repeated keys store the highest version once', async () => {
    const rapport = await createTestRapport();
    const { results } = await rapport.ingest([
      item(1, { version: 1, text: 'a' }),
      item(1, { version: 3, text: 'c' }),
      item(1, { version: 2 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['created', 'updated', 'stale']);
    const stored = await rapport.customers.timeline(results[0]!.customerId!);
    expect(stored.items.map((i) => [i.version, i.text])).toEqual([[3, 'c']]);
  });

  it('threads replies into the parent conversation even when the parent arrives later', async () => {
    const rapport = await createTestRapport();
    await rapport.ingest([item(2, { kind: 'reply', parent: 's-1', actor: { externalId: 'user-1' } })]);
    await rapport.ingest([item(1)]);
    await rapport.ingest([item(3, { kind: 'reply', parent: 's-2', actor: { externalId: 'user-1' } })]);
    const { items } = await rapport.conversations.list();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ externalId: 's-1', interactionCount: 3 });
    const thread = await rapport.conversations.interactions(items[0]!.id);
    expect(thread.items.map((i) => i.externalId)).toEqual(['s-1', 's-2', 's-3']);
  });

  it('an outbound reply belongs to its recipient, not to the brand account that wrote it', async () => {
    const rapport = await createTestRapport();
    const inbound = await rapport.ingest([item(1)]);
    const outbound = await rapport.ingest([
      item(2, {
        direction: 'outbound',
        kind: 'reply',
        actor: { externalId: 'acme-agent' },
        recipient: { externalId: 'user-1' },
        parent: 's-1',
      }),
    ]);
    expect(outbound.results[0]?.customerId).toBe(inbound.results[0]?.customerId);
    expect(
      await rapport.customers.findIdentity({ channel: 'mastodon', externalId: 'acme-agent' }),
    ).toBeNull();
  });

  it('derives the effort class from kind and content, and honours custom kinds', async () => {
    expect(deriveEffort('reaction', null)).toBe('signal');
    expect(deriveEffort('share', '')).toBe('signal');
    expect(deriveEffort('share', 'so true')).toBe('contribution');
    expect(deriveEffort('reply', 'thanks!')).toBe('contribution');
    expect(deriveEffort('reply', '   ')).toBe('signal');
    expect(deriveEffort('purchase', null)).toBe('transaction');
    const rapport = await createTestRapport({ kinds: { upvote: { effort: 'signal' } } });
    const { results } = await rapport.ingest([
      item(1, { kind: 'upvote', text: 'with text' }),
      item(2, { kind: 'answer', text: 'a long answer' }),
      item(3, { kind: 'review', text: 'meh', effort: 'signal' }),
    ]);
    const efforts = await Promise.all(
      results.map(async (r) => (await rapport.customers.timeline(r.customerId!)).items[0]?.effort),
    );
    expect(efforts).toEqual(['signal', 'contribution', 'signal']);
  });

  it('stores purchases and resolves the referred person of a referral to a customer', async () => {
    const rapport = await createTestRapport();
    const { results } = await rapport.ingest([
      item(1, { kind: 'purchase', amount: 20, currency: 'USD', text: undefined }),
      item(2, { kind: 'referral', actor: { externalId: 'user-1' }, referred: { externalId: 'friend' } }),
    ]);
    const friend = await rapport.customers.findIdentity({ channel: 'mastodon', externalId: 'friend' });
    expect(friend).not.toBeNull();
    const timeline = await rapport.customers.timeline(results[0]!.customerId!);
    const referral = timeline.items.find((i: Interaction) => i.kind === 'referral');
    expect(referral?.referredCustomerId).toBe(friend?.customerId);
    // Transactions and referrals start no conversation.
    expect(timeline.items.map((i) => i.conversationId)).toEqual([null, null]);
    expect(timeline.items.find((i) => i.kind === 'purchase')).toMatchObject({
      amount: 20,
      currency: 'USD',
      effort: 'transaction',
    });
  });

  it('streams any iterable in batches, reporting progress and rejected items without collecting them', async () => {
    const rapport = await createTestRapport();
    function* source() {
      for (let i = 0; i < 2500; i++)
        yield i === 1234 ? { broken: true } : item(i, { actor: { externalId: `u${i % 100}` } });
      return 'source done';
    }
    const progress: number[] = [];
    const rejected: Array<[number, unknown]> = [];
    const summary = await rapport.ingestStream(source(), {
      batchSize: 1000,
      onProgress: (p) => progress.push(p.processed),
      onRejected: (r, given) => rejected.push([r.index, given]),
    });
    expect(summary.processed).toBe(2500);
    expect(summary.counts).toMatchObject({ created: 2499, rejected: 1 });
    expect(progress).toEqual([1000, 2000, 2500]);
    expect(rejected).toEqual([[1234, { broken: true }]]);
    expect(summary.sourceResult).toBe('source done');
    expect((await rapport.stats()).customers).toBe(100);
  });

  it('refuses items that name another tenant than the one ingesting them', async () => {
    const rapport = await createTestRapport();
    const { results } = await rapport
      .tenant('acme')
      .ingest([item(1, { tenant: 'acme' }), item(2, { tenant: 'globex' })]);
    expect(results.map((r) => r.status)).toEqual(['created', 'rejected']);
    expect(results[1]?.error).toMatchObject({ code: 'RAPPORT_INVALID_INTERACTION', jsonPath: '$.tenant' });
    expect(results[1]?.error?.hint).toContain("rapport.tenant('globex')");
    expect((await rapport.tenant('globex').stats()).interactions).toBe(0);
    expect((await rapport.tenant('acme').stats()).interactions).toBe(1);
  });

  it('rejects (never throws synchronously) when not given an array', async () => {
    const rapport = await createTestRapport();
    const pending = rapport.ingest(item(1) as unknown as unknown[]);
    await expect(pending).rejects.toMatchObject({ code: 'RAPPORT_INVALID_INPUT' });
  });

  it('refuses to work before start and says what to do', async () => {
    const { createRapport, memoryStorage } = await import('../src/index.js');
    const rapport = createRapport({ storage: memoryStorage() });
    const error = await Promise.resolve()
      .then(() => rapport.ingest([item(1)]))
      .catch((e: unknown) => e);
    expect(isRapportError(error, 'RAPPORT_NOT_STARTED')).toBe(true);
  });
});

describe('conflicts with other writers', () => {
  /** A store whose first `failures` units of work fail at commit with a retryable conflict. */
  function conflictingStorage(
    failures: number,
    retryable = true,
  ): StoragePlugin & { attempts: number; failures: number } {
    const inner = memoryStorage();
    const store = {
      ...inner,
      id: 'conflicting',
      attempts: 0,
      failures,
      unitOfWork: <T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>) =>
        inner.unitOfWork(tenantId, async (uow) => {
          const result = await work(uow);
          store.attempts++;
          if (store.attempts <= store.failures) {
            throw new RapportError(
              'RAPPORT_STORAGE_FAILED',
              'duplicate key value violates unique constraint',
              {
                retryable,
              },
            );
          }
          return result;
        }),
    };
    return store;
  }

  it('runs a batch again when the store reports a retryable conflict, keeping nothing of the failed tries', async () => {
    const storage = conflictingStorage(2);
    const rapport = await createTestRapport({ storage });
    const { counts, results } = await rapport.ingest([item(1), item(2)]);
    expect(storage.attempts).toBe(3);
    expect(counts.created).toBe(2);
    expect(results.every((r) => r.interactionId !== undefined && r.customerId)).toBe(true);
    expect((await rapport.stats()).interactions).toBe(2);
    expect((await rapport.stats()).customers).toBe(2);
    await rapport.stop();
  });

  it('gives up on errors that are not retryable, and after a few attempts', async () => {
    const fatal = await createTestRapport({ storage: conflictingStorage(1, false) });
    await expect(fatal.ingest([item(1)])).rejects.toMatchObject({ code: 'RAPPORT_STORAGE_FAILED' });
    await fatal.stop();
    const stubborn = conflictingStorage(100);
    const rapport = await createTestRapport({ storage: stubborn });
    await expect(rapport.ingest([item(1)])).rejects.toMatchObject({ retryable: true });
    expect(stubborn.attempts).toBe(5);
    expect((await rapport.stats()).interactions).toBe(0);
    await rapport.stop();
  });

  it('runs merges and unmerges again on a retryable conflict, publishing each once', async () => {
    const storage = conflictingStorage(0);
    const rapport = await createTestRapport({ storage });
    const { results } = await rapport.ingest([item(1), item(2)]);
    const [a, b] = results.map((r) => r.customerId!);
    const merged: string[] = [];
    rapport.events.on('customer.merged', (e) => merged.push(e.merge.id));
    storage.failures = storage.attempts + 2;
    const merge = await rapport.customers.merge(a!, b!, { reason: 'same person', actor: 'agent-1' });
    expect(storage.attempts).toBe(storage.failures + 1);
    expect(merged).toEqual([merge.id]);
    expect((await rapport.customers.get(b!))?.mergedInto).toBe(a);
    storage.failures = storage.attempts + 1;
    await rapport.customers.unmerge(merge.id, { actor: 'agent-1' });
    expect((await rapport.customers.get(b!))?.mergedInto).toBeNull();
    await rapport.stop();
  });
});
