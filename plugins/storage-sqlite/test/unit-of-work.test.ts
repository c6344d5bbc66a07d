import { isRapportError, newCase, type StorageReader, type UnitOfWork } from '@rapport/core';
import Database from 'better-sqlite3';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { sqliteStorage } from '../src/index.js';
import type { readerMethods } from '../src/reader.js';
import type { unitOfWorkMethods } from '../src/unit-of-work.js';
import {
  at,
  context,
  conversation,
  customer,
  gate,
  identity,
  interaction,
  openStore,
  TENANT,
  tempDb,
} from './fixtures.js';

describe.each([
  ['file', {}],
  ['memory', { filename: ':memory:' }],
])('units of work (%s)', (_kind, options) => {
  it('commit what the work wrote', async () => {
    const storage = await openStore(options);
    const c = customer();
    const result = await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([c]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await storage.read(TENANT).getCustomers([c.id])).toEqual([c]);
  });

  it('keep nothing when the work throws, and rethrow the same error', async () => {
    const storage = await openStore(options);
    const c = customer();
    const failure = new Error('boom');
    const outcome = storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([c]);
      await uow.insertIdentities([identity(c.id)]);
      await uow.insertInteractions([interaction({ customerId: c.id })]);
      throw failure;
    });
    await expect(outcome).rejects.toBe(failure);
    const stats = await storage.read(TENANT).stats();
    expect(stats).toMatchObject({ customers: 0, identities: 0, interactions: 0 });
    // The store is still usable afterwards.
    await storage.unitOfWork(TENANT, async (uow) => uow.insertCustomers([c]));
    expect(await storage.read(TENANT).getCustomers([c.id])).toHaveLength(1);
  });

  it('roll back when a statement fails, reporting RAPPORT_STORAGE_FAILED with the cause', async () => {
    const storage = await openStore(options);
    const c = customer();
    const i = identity(c.id);
    await storage.unitOfWork(TENANT, async (uow) => uow.insertIdentities([i]));
    const outcome = storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([c]);
      await uow.insertIdentities([{ ...i, id: 'another-id' }]);
    });
    const error = await outcome.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isRapportError(error, 'RAPPORT_STORAGE_FAILED')).toBe(true);
    expect((error as Error).message).toContain('insertIdentities');
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(await storage.read(TENANT).getCustomers([c.id])).toEqual([]);
  });

  it('see their own writes', async () => {
    const storage = await openStore(options);
    const c = customer();
    const i = interaction({ customerId: c.id });
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([c]);
      await uow.insertInteractions([i]);
      expect(await uow.getCustomers([c.id])).toEqual([c]);
      expect(await uow.findInteractions([i])).toHaveLength(1);
      expect((await uow.timeline(c.id, { limit: 10 })).items).toEqual([i]);
    });
  });

  it('run one at a time, in call order', async () => {
    const storage = await openStore(options);
    const events: string[] = [];
    const first = gate();
    const a = storage.unitOfWork(TENANT, async () => {
      events.push('a:start');
      await first.promise;
      events.push('a:end');
    });
    const b = storage.unitOfWork(TENANT, async () => {
      events.push('b:start');
      events.push('b:end');
    });
    const c = storage.unitOfWork(TENANT, async () => {
      events.push('c');
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events).toEqual(['a:start']);
    first.open();
    await Promise.all([a, b, c]);
    expect(events).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c']);
  });

  it('refuse to be used after they finish', async () => {
    const storage = await openStore(options);
    let leaked: UnitOfWork | undefined;
    await storage.unitOfWork(TENANT, async (uow) => {
      leaked = uow;
    });
    expect(() => leaked!.insertCustomers([customer()])).toThrow(/finished unit of work/);
    expect(() => leaked!.getCustomers(['x'])).toThrow(/finished unit of work/);
  });

  it('keep tenants apart', async () => {
    const storage = await openStore(options);
    const mine = customer();
    const theirs = customer({ tenantId: 'other' });
    await storage.unitOfWork(TENANT, async (uow) => uow.insertCustomers([mine]));
    await storage.unitOfWork('other', async (uow) => uow.insertCustomers([theirs]));
    expect(await storage.read(TENANT).getCustomers([mine.id, theirs.id])).toEqual([mine]);
    expect(await storage.read('other').getCustomers([mine.id, theirs.id])).toEqual([theirs]);
    expect((await storage.read('other').stats()).customers).toBe(1);
  });

  it('reject a record of another tenant', async () => {
    const storage = await openStore(options);
    const outcome = storage.unitOfWork(TENANT, async (uow) =>
      uow.insertCustomers([customer({ tenantId: 'other' })]),
    );
    await expect(outcome).rejects.toMatchObject({ code: 'RAPPORT_INVALID_INPUT', path: ['tenantId'] });
  });
});

describe('readers of committed data', () => {
  it('do not see the writes of an open unit of work (file, separate connection)', async () => {
    const storage = await openStore();
    const c = customer();
    const reader = storage.read(TENANT);
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([c]);
      // Answered at once, from the last committed state.
      expect(reader.getCustomers([c.id])).toEqual([]);
      expect(reader.stats()).toMatchObject({ customers: 0 });
    });
    expect(reader.getCustomers([c.id])).toEqual([c]);
  });

  it('wait for an open unit of work in memory, then see only what it committed', async () => {
    const storage = await openStore({ filename: ':memory:' });
    const kept = customer();
    const dropped = customer();
    const reader: StorageReader = storage.read(TENANT);
    const hold = gate();
    const work = storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([kept]);
      await hold.promise;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const during = reader.getCustomers([kept.id]);
    expect(during).toBeInstanceOf(Promise);
    hold.open();
    await work;
    expect(await during).toEqual([kept]);

    const failing = storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([dropped]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('no');
    });
    await new Promise((resolve) => setTimeout(resolve, 1));
    const afterRollback = reader.getCustomers([dropped.id]);
    await expect(failing).rejects.toThrow('no');
    expect(await afterRollback).toEqual([]);
    // With no unit of work open, reads answer synchronously.
    expect(reader.getCustomers([kept.id])).toEqual([kept]);
  });

  it('answer at once from the last commit while a unit of work is open (file)', async () => {
    const storage = await openStore();
    const c = customer();
    await storage.unitOfWork(TENANT, async (uow) => uow.insertCustomers([c]));
    const hold = gate();
    const work = storage.unitOfWork(TENANT, async (uow) => {
      await uow.updateCustomers([{ ...c, displayName: 'Changed' }]);
      await hold.promise;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(storage.read(TENANT).getCustomers([c.id])).toEqual([c]);
    hold.open();
    await work;
    expect(storage.read(TENANT).getCustomers([c.id])).toEqual([{ ...c, displayName: 'Changed' }]);
  });
});

describe('durability', () => {
  it('keeps committed data across reopen, and nothing of a failed unit of work', async () => {
    const filename = tempDb();
    const kept = customer();
    const lost = customer();
    const first = sqliteStorage({ filename });
    await first.init(context);
    await first.unitOfWork(TENANT, async (uow) => uow.insertCustomers([kept]));
    await first
      .unitOfWork(TENANT, async (uow) => {
        await uow.insertCustomers([lost]);
        throw new Error('crash');
      })
      .catch(() => {});
    await first.close();

    const second = await openStore({ filename });
    expect(await second.read(TENANT).getCustomers([kept.id, lost.id])).toEqual([kept]);
  });

  it('keeps nothing of a unit of work whose process died before commit', async () => {
    const filename = tempDb();
    const storage = await openStore({ filename });
    const c = customer();
    const hold = gate();
    const work = storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([c]);
      await hold.promise;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Another connection, as a restarted process would open, sees no trace of the open transaction.
    const db = new Database(filename, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM customers').pluck().get()).toBe(0);
    db.close();
    hold.open();
    await work;
  });
});

describe('ensureTenant', () => {
  it('creates a tenant once and returns the stored one', async () => {
    const storage = await openStore();
    const first = await storage.ensureTenant({ id: 'acme', name: 'Acme', createdAt: at(0) });
    const second = await storage.ensureTenant({ id: 'acme', name: 'Renamed', createdAt: at(1000) });
    expect(first).toEqual({ id: 'acme', name: 'Acme', createdAt: at(0) });
    expect(second).toEqual(first);
  });

  it('survives reopen', async () => {
    const filename = tempDb();
    const storage = await openStore({ filename });
    await storage.ensureTenant({ id: 'acme', name: 'Acme', createdAt: at(0) });
    await storage.close();
    const reopened = await openStore({ filename });
    expect(await reopened.ensureTenant({ id: 'acme', name: 'Other', createdAt: at(5) })).toMatchObject({
      name: 'Acme',
    });
  });

  it('waits for an open unit of work instead of joining it', async () => {
    const storage = await openStore({ filename: ':memory:' });
    const hold = gate();
    const work = storage.unitOfWork(TENANT, async () => {
      await hold.promise;
      throw new Error('rolled back');
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const ensured = storage.ensureTenant({ id: 'acme', name: 'Acme', createdAt: at(0) });
    expect(ensured).toBeInstanceOf(Promise);
    hold.open();
    await expect(work).rejects.toThrow('rolled back');
    expect(await ensured).toMatchObject({ id: 'acme' });
    expect(await storage.ensureTenant({ id: 'acme', name: 'x', createdAt: at(1) })).toMatchObject({
      name: 'Acme',
    });
  });
});

describe('writes', () => {
  it('insertInteractions skips rows whose key exists and reports their ids', async () => {
    const storage = await openStore();
    const first = interaction({ externalId: 'k1' });
    const again = interaction({ externalId: 'k1', text: 'other' });
    const fresh = interaction({ externalId: 'k2' });
    const result = await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertInteractions([first]);
      return uow.insertInteractions([again, fresh]);
    });
    expect(result).toEqual({ skipped: [again.id] });
    expect(await storage.read(TENANT).getInteraction(first.id)).toEqual(first);
    expect(await storage.read(TENANT).getInteraction(again.id)).toBeNull();
  });

  it('round-trips interactions with scores, metadata and every optional field', async () => {
    const storage = await openStore();
    const full = interaction({
      version: 3,
      direction: 'outbound',
      kind: 'purchase',
      effort: 'transaction',
      text: null,
      language: 'en',
      customerId: 'c1',
      identityId: 'i1',
      actorHandle: '@a',
      conversationId: 'conv',
      thread: 't',
      parent: 'p',
      amount: 12.5,
      currency: 'EUR',
      referredIdentityId: 'ri',
      referredCustomerId: 'rc',
      scores: [{ name: 'sentiment', value: 0.5, model: { id: 'm', version: '1' }, label: 'positive' }],
      metadata: { nested: { a: [1, 2] }, flag: true },
    });
    await storage.unitOfWork(TENANT, async (uow) => uow.insertInteractions([full]));
    expect(await storage.read(TENANT).getInteraction(full.id)).toEqual(full);
    expect(await storage.read(TENANT).findInteractions([full])).toEqual([
      {
        id: full.id,
        channel: full.channel,
        account: full.account,
        externalId: full.externalId,
        version: 3,
        customerId: 'c1',
        conversationId: 'conv',
      },
    ]);
  });

  it('updateInteractionContent writes only over lower versions', async () => {
    const storage = await openStore();
    const i = interaction({ version: 2, text: 'v2' });
    await storage.unitOfWork(TENANT, async (uow) => uow.insertInteractions([i]));
    const update = (version: number, text: string) => ({
      id: i.id,
      version,
      kind: 'message',
      effort: 'contribution' as const,
      text,
      language: 'fr',
      receivedAt: at(9000),
      amount: null,
      currency: null,
      scores: [],
      metadata: { edited: true },
    });
    await storage.unitOfWork(TENANT, async (uow) =>
      uow.updateInteractionContent([update(1, 'v1'), update(2, 'v2bis')]),
    );
    expect(await storage.read(TENANT).getInteraction(i.id)).toEqual(i);
    await storage.unitOfWork(TENANT, async (uow) => uow.updateInteractionContent([update(3, 'v3')]));
    expect(await storage.read(TENANT).getInteraction(i.id)).toEqual({
      ...i,
      version: 3,
      text: 'v3',
      language: 'fr',
      receivedAt: at(9000),
      metadata: { edited: true },
    });
  });

  it('touchConversations adds counts, keeps the latest time and fills a missing customer only', async () => {
    const storage = await openStore();
    const open = conversation({ lastInteractionAt: at(5000), interactionCount: 2 });
    const owned = conversation({ customerId: 'c1', lastInteractionAt: at(5000) });
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertConversations([open, owned]);
      await uow.touchConversations([
        { id: open.id, lastInteractionAt: at(3000), added: 3, customerId: 'c2' },
        { id: owned.id, lastInteractionAt: at(8000), added: 1, customerId: 'c2' },
      ]);
      await uow.touchConversations([
        { id: open.id, lastInteractionAt: at(6000), added: 1, customerId: 'c3' },
      ]);
    });
    const reader = storage.read(TENANT);
    expect(await reader.getConversation(open.id)).toEqual({
      ...open,
      interactionCount: 6,
      lastInteractionAt: at(6000),
      customerId: 'c2',
    });
    expect(await reader.getConversation(owned.id)).toEqual({
      ...owned,
      interactionCount: 1,
      lastInteractionAt: at(8000),
      customerId: 'c1',
    });
  });

  it('keeps no case apart from a case, and revives the case dates as Dates', async () => {
    const storage = await openStore();
    const none = conversation();
    const full = conversation({
      case: {
        ...newCase(at(1000), { priority: 'high', assignee: 'agent-1' }),
        status: 'open',
        updatedAt: at(2000),
        sla: {
          policyId: 'standard',
          firstResponse: { dueAt: at(3000), metAt: null, breachedAt: null },
          nextResponse: null,
          resolution: null,
          history: [{ target: 'nextResponse', dueAt: at(1500), metAt: at(1400), breachedAt: null }],
        },
      },
    });
    await storage.unitOfWork(TENANT, async (uow) => uow.insertConversations([none, full]));
    const found = await storage.read(TENANT).findConversations([none, full]);
    expect(found).toEqual([none, full]);
    expect(found[1]?.case?.openedAt).toBeInstanceOf(Date);
    expect(found[1]?.case?.sla?.firstResponse?.dueAt).toBeInstanceOf(Date);
    expect(found[1]?.case?.sla?.history[0]?.metAt).toBeInstanceOf(Date);
  });

  it('reassigns identities, their interactions and their referrals', async () => {
    const storage = await openStore();
    const a = customer();
    const b = customer();
    const ia = identity(a.id);
    const authored = interaction({ customerId: a.id, identityId: ia.id });
    const referral = interaction({ kind: 'referral', referredIdentityId: ia.id, referredCustomerId: a.id });
    const unrelated = interaction({ customerId: a.id, identityId: 'other' });
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([a, b]);
      await uow.insertIdentities([ia]);
      await uow.insertInteractions([authored, referral, unrelated]);
      await uow.reassignIdentities([ia.id], b.id);
      await uow.reassignInteractionsByIdentity([ia.id], a.id, b.id);
    });
    const reader = storage.read(TENANT);
    expect(await reader.listIdentities(b.id)).toEqual([{ ...ia, customerId: b.id }]);
    expect(await reader.getInteraction(authored.id)).toMatchObject({ customerId: b.id });
    expect(await reader.getInteraction(referral.id)).toMatchObject({
      referredCustomerId: b.id,
      customerId: null,
    });
    expect(await reader.getInteraction(unrelated.id)).toMatchObject({ customerId: a.id });
  });

  it('reassigns conversations and consents and lists their ids', async () => {
    const storage = await openStore();
    const conv = conversation({ customerId: 'a' });
    const kept = conversation({ customerId: 'a' });
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertConversations([conv, kept]);
      await uow.insertConsents([
        {
          id: 'k1',
          tenantId: TENANT,
          customerId: 'a',
          purpose: 'p',
          channel: '*',
          status: 'granted',
          at: at(1),
          source: 's',
        },
        {
          id: 'k2',
          tenantId: TENANT,
          customerId: 'a',
          purpose: 'p',
          channel: '*',
          status: 'revoked',
          at: at(2),
          source: 's',
        },
      ]);
      expect([...(await uow.conversationIdsOf('a'))].sort()).toEqual([conv.id, kept.id].sort());
      expect(await uow.consentIdsOf('a')).toEqual(['k1', 'k2']);
      await uow.reassignConversations([conv.id], 'b');
      await uow.reassignConsents(['k2'], 'b');
      expect(await uow.conversationIdsOf('b')).toEqual([conv.id]);
      expect(await uow.consentIdsOf('b')).toEqual(['k2']);
    });
  });

  it('updateCustomers replaces customers by id and keeps search in step', async () => {
    const storage = await openStore();
    const c = customer({ displayName: 'Old Name' });
    await storage.unitOfWork(TENANT, async (uow) => uow.insertCustomers([c]));
    const changed = {
      ...c,
      displayName: 'New Name',
      tags: ['vip'],
      attributes: { plan: 'pro' },
      updatedAt: at(99),
    };
    await storage.unitOfWork(TENANT, async (uow) => uow.updateCustomers([changed]));
    const reader = storage.read(TENANT);
    expect(await reader.getCustomers([c.id])).toEqual([changed]);
    expect(await reader.searchCustomers('old', 10)).toEqual([]);
    expect(await reader.searchCustomers('new', 10)).toEqual([changed]);
  });
});

describe('method guards', () => {
  it('cover every method of the contract', () => {
    type Guarded = (typeof readerMethods)[number] | (typeof unitOfWorkMethods)[number];
    expectTypeOf<Exclude<keyof StorageReader, Guarded>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof UnitOfWork, Guarded | 'tenantId'>>().toEqualTypeOf<never>();
  });
});
