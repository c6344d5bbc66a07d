import { describe, expect, it } from 'vitest';
import { sqliteRawQueries, sqliteRawQueriesFor, sqliteStorage } from '../src/index.js';
import { context, customer, identity, interaction, openStore, TENANT, tempDb } from './fixtures.js';

describe('raw queries', () => {
  it('read what a file store persisted, through their own connection', async () => {
    const filename = tempDb();
    const raw = sqliteRawQueries(filename);
    const storage = await openStore({ filename });
    const c = customer({ tags: ['vip'] });
    const i = identity(c.id);
    const item = interaction({ customerId: c.id, identityId: i.id, version: 2, text: 'hi' });
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([c]);
      await uow.insertIdentities([i]);
      await uow.insertInteractions([item]);
    });
    expect(await raw.count(TENANT, 'customers')).toBe(1);
    expect(await raw.count(TENANT, 'interactions')).toBe(1);
    expect(await raw.count('other', 'interactions')).toBe(0);
    expect(await raw.interaction(TENANT, item)).toEqual({
      id: item.id,
      version: 2,
      customerId: c.id,
      identityId: i.id,
      conversationId: null,
      text: 'hi',
    });
    expect(await raw.interaction(TENANT, { ...item, externalId: 'missing' })).toBeNull();
    expect(await raw.identityOwner(TENANT, i)).toBe(c.id);
    expect(await raw.identityOwner('other', i)).toBeNull();
    expect(await raw.customer(TENANT, c.id)).toEqual({
      id: c.id,
      status: 'active',
      mergedInto: null,
      displayName: c.displayName,
      tags: ['vip'],
    });
    expect(await raw.customer(TENANT, 'missing')).toBeNull();
    raw.close();
    raw.close();
  });

  it('do not see a unit of work before it commits (file)', async () => {
    const storage = await openStore();
    const raw = sqliteRawQueriesFor(storage);
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([customer()]);
      expect(await raw.count(TENANT, 'customers')).toBe(0);
    });
    expect(await raw.count(TENANT, 'customers')).toBe(1);
    raw.close();
  });

  it('share the one connection of a :memory: store, for tests', async () => {
    const storage = sqliteStorage({ filename: ':memory:' });
    const raw = sqliteRawQueriesFor(storage);
    await expect(raw.count(TENANT, 'customers')).rejects.toMatchObject({ code: 'RAPPORT_NOT_STARTED' });
    await storage.init(context);
    await storage.unitOfWork(TENANT, async (uow) => uow.insertCustomers([customer()]));
    expect(await raw.count(TENANT, 'customers')).toBe(1);
    await storage.close();
    await expect(raw.count(TENANT, 'customers')).rejects.toMatchObject({ code: 'RAPPORT_NOT_STARTED' });
  });

  it('refuse what they cannot reach', () => {
    expect(() => sqliteRawQueries(':memory:')).toThrow(
      expect.objectContaining({ code: 'RAPPORT_INVALID_INPUT' }),
    );
    const storage = sqliteStorage({ filename: ':memory:' });
    const wrapped = { ...storage };
    expect(() => sqliteRawQueriesFor(wrapped)).toThrow(/not a store made by sqliteStorage/i);
  });
});
