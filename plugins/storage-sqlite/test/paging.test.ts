import type { Interaction, Page, PageRequest } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { at, conversation, interaction, openStore, TENANT } from './fixtures.js';

async function collect<T>(
  fetch: (page: PageRequest) => Page<T> | Promise<Page<T>>,
  limit: number,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await fetch({ limit, cursor });
    pages.push(page.items);
    cursor = page.nextCursor;
    if (pages.length > 1000) throw new Error('paging does not end');
  } while (cursor !== null);
  return pages;
}

/** Interactions of one customer and conversation with many equal timestamps, to test ties. */
function seed(count: number): Interaction[] {
  return Array.from({ length: count }, (_, n) =>
    interaction({ customerId: 'c1', conversationId: 'conv1', occurredAt: at(Math.floor(n / 3) * 1000) }),
  );
}

const newestFirst = (a: Interaction, b: Interaction) =>
  b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : -1);

describe('keyset paging', () => {
  it('pages a timeline newest first, complete, without repeats, ties broken by id', async () => {
    const storage = await openStore();
    const rows = seed(23);
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertInteractions(rows);
      await uow.insertInteractions([interaction({ customerId: 'someone-else' })]);
    });
    const reader = storage.read(TENANT);
    for (const limit of [1, 2, 3, 5, 22, 23, 100]) {
      const pages = await collect((page) => reader.timeline('c1', page), limit);
      expect(pages.flat().map((i) => i.id)).toEqual([...rows].sort(newestFirst).map((i) => i.id));
      expect(pages.every((p) => p.length > 0 && p.length <= limit)).toBe(true);
      expect(pages).toHaveLength(Math.ceil(23 / limit));
    }
  });

  it('keeps its place when newer items arrive between pages', async () => {
    const storage = await openStore();
    const rows = seed(10);
    await storage.unitOfWork(TENANT, async (uow) => uow.insertInteractions(rows));
    const reader = storage.read(TENANT);
    const first = await reader.timeline('c1', { limit: 4 });
    await storage.unitOfWork(TENANT, async (uow) =>
      uow.insertInteractions([interaction({ customerId: 'c1', occurredAt: at(999_000) })]),
    );
    const rest = await collect(
      (page) => reader.timeline('c1', { ...page, cursor: page.cursor ?? first.nextCursor }),
      4,
    );
    expect([...first.items, ...rest.flat()].map((i) => i.id)).toEqual(
      [...rows].sort(newestFirst).map((i) => i.id),
    );
  });

  it('returns an empty last page never, and an empty first page for nobody', async () => {
    const storage = await openStore();
    await storage.unitOfWork(TENANT, async (uow) => uow.insertInteractions(seed(4)));
    const reader = storage.read(TENANT);
    expect(await reader.timeline('nobody', { limit: 10 })).toEqual({ items: [], nextCursor: null });
    const page = await reader.timeline('c1', { limit: 4 });
    expect(page.items).toHaveLength(4);
    expect(page.nextCursor).toBeNull();
  });

  it('pages a conversation oldest first', async () => {
    const storage = await openStore();
    const rows = seed(17);
    await storage.unitOfWork(TENANT, async (uow) => uow.insertInteractions(rows));
    const reader = storage.read(TENANT);
    const expected = [...rows].sort((a, b) => -newestFirst(a, b)).map((i) => i.id);
    for (const limit of [1, 4, 17, 50]) {
      const pages = await collect((page) => reader.conversationInteractions('conv1', page), limit);
      expect(pages.flat().map((i) => i.id)).toEqual(expected);
    }
  });

  it('lists conversations most recent first, with every combination of filters', async () => {
    const storage = await openStore();
    const conversations = Array.from({ length: 30 }, (_, n) =>
      conversation({
        channel: n % 2 === 0 ? 'email' : 'mastodon',
        account: n % 3 === 0 ? 'support' : 'sales',
        customerId: n % 5 === 0 ? null : `c${n % 4}`,
        lastInteractionAt: at(Math.floor(n / 4) * 1000),
      }),
    );
    await storage.unitOfWork(TENANT, async (uow) => uow.insertConversations(conversations));
    const reader = storage.read(TENANT);
    const filters = [
      {},
      { customerId: 'c1' },
      { channel: 'email' },
      { account: 'sales' },
      { channel: 'mastodon', account: 'support' },
      { customerId: 'c2', channel: 'email', account: 'sales' },
    ];
    for (const filter of filters) {
      const expected = conversations
        .filter(
          (c) =>
            (filter.customerId === undefined || c.customerId === filter.customerId) &&
            (filter.channel === undefined || c.channel === filter.channel) &&
            (filter.account === undefined || c.account === filter.account),
        )
        .sort(
          (a, b) => b.lastInteractionAt.getTime() - a.lastInteractionAt.getTime() || (a.id < b.id ? 1 : -1),
        );
      for (const limit of [1, 3, 7]) {
        const pages = await collect((page) => reader.listConversations(filter, page), limit);
        expect(pages.flat(), JSON.stringify({ filter, limit })).toEqual(expected);
      }
    }
  });

  it('rejects a cursor it did not make, and a bad limit', async () => {
    const storage = await openStore();
    const reader = storage.read(TENANT);
    for (const cursor of [
      'garbage',
      Buffer.from('[1]').toString('base64url'),
      Buffer.from('{"a":1}').toString('base64url'),
    ]) {
      expect(() => reader.timeline('c1', { limit: 5, cursor })).toThrow(
        expect.objectContaining({ code: 'RAPPORT_INVALID_INPUT', path: ['cursor'] }),
      );
    }
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      expect(() => reader.listConversations({}, { limit })).toThrow(
        expect.objectContaining({ code: 'RAPPORT_INVALID_INPUT', path: ['limit'] }),
      );
    }
  });

  it('makes opaque base64url cursors', async () => {
    const storage = await openStore();
    await storage.unitOfWork(TENANT, async (uow) => uow.insertInteractions(seed(3)));
    const page = await storage.read(TENANT).timeline('c1', { limit: 1 });
    expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
