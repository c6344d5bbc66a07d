import { erasureKey } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import {
  at,
  consent,
  conversation,
  customer,
  identity,
  interaction,
  merge,
  openStore,
  score,
  TENANT,
} from './fixtures.js';

describe('identities', () => {
  it('finds by key, by verified email and by customer', async () => {
    const storage = await openStore();
    const c = customer();
    const verified = identity(c.id, { email: 'ada@example.com', verified: true, createdAt: at(2) });
    const unverified = identity(c.id, { channel: 'email', email: 'ada@example.com', createdAt: at(1) });
    const other = identity('c2', { email: 'bob@example.com', verified: true });
    await storage.unitOfWork(TENANT, async (uow) => uow.insertIdentities([verified, unverified, other]));
    const reader = storage.read(TENANT);
    expect(await reader.findIdentities([verified, { channel: 'x', externalId: 'missing' }, other])).toEqual([
      verified,
      other,
    ]);
    expect(
      await reader.findIdentitiesByVerifiedEmail(['ada@example.com', 'ada@example.com', 'none@x']),
    ).toEqual([verified]);
    expect(await reader.listIdentities(c.id)).toEqual([unverified, verified]);
    expect(await reader.getCustomers(['missing'])).toEqual([]);
  });
});

describe('merges', () => {
  it('round-trips merge records and lists them for both sides, oldest first', async () => {
    const storage = await openStore();
    const a = customer({ tags: ['x'], attributes: { plan: 'pro' } });
    const b = customer();
    const c = customer();
    const first = merge(a, b, {
      at: at(1000),
      identityIds: ['i1'],
      filledFields: ['displayName'],
      addedTags: ['x'],
    });
    const second = merge(c, a, {
      at: at(2000),
      conversationIds: ['v1'],
      consentIds: ['k1'],
      addedAttributes: ['plan'],
    });
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertMerge(second);
      await uow.insertMerge(first);
    });
    const reader = storage.read(TENANT);
    expect(await reader.getMerge(first.id)).toEqual(first);
    expect(await reader.listMerges(a.id)).toEqual([first, second]);
    expect(await reader.listMerges(b.id)).toEqual([first]);
    const undone = { ...first, unmergedAt: at(3000), unmergedBy: 'user:2' };
    await storage.unitOfWork(TENANT, async (uow) => uow.updateMerge(undone));
    expect(await reader.getMerge(first.id)).toEqual(undone);
    expect(await reader.getMerge('missing')).toBeNull();
  });
});

describe('consents and scores', () => {
  it('lists consents of several customers as one history', async () => {
    const storage = await openStore();
    const k1 = consent('a', { at: at(3) });
    const k2 = consent('b', { at: at(1) });
    const k3 = consent('a', { at: at(2), status: 'revoked' });
    await storage.unitOfWork(TENANT, async (uow) => uow.insertConsents([k1, k2, k3, consent('z')]));
    expect(await storage.read(TENANT).listConsents(['a', 'b', 'a'])).toEqual([k2, k3, k1]);
  });

  it('returns the latest score per name and model, later insert winning ties', async () => {
    const storage = await openStore();
    const old = score('a', { value: 1, computedAt: at(1) });
    const latest = score('a', { value: 2, computedAt: at(5) });
    const tieFirst = score('a', { name: 'value', value: 3, computedAt: at(5) });
    const tieSecond = score('a', { name: 'value', value: 4, computedAt: at(5) });
    const otherModel = score('a', {
      value: 5,
      model: { id: 'engagement-v2', version: '2', params: { decay: 0.5 } },
    });
    const otherCustomer = score('b', { value: 6 });
    await storage.unitOfWork(TENANT, async (uow) =>
      uow.insertScores([latest, old, tieFirst, tieSecond, otherModel, otherCustomer, score('z')]),
    );
    const scores = await storage.read(TENANT).latestScores(['a', 'b']);
    expect(scores).toHaveLength(4);
    expect(scores).toEqual(expect.arrayContaining([latest, tieSecond, otherModel, otherCustomer]));
  });
});

describe('stats', () => {
  it('counts a tenant: active customers, records, busiest channels and accounts', async () => {
    const storage = await openStore();
    const a = customer();
    const b = customer({ status: 'merged', mergedInto: a.id });
    const interactions = [
      ...Array.from({ length: 3 }, () => interaction({ channel: 'email', account: 'support@x' })),
      ...Array.from({ length: 2 }, () => interaction({ channel: 'mastodon', account: '@brand' })),
      ...Array.from({ length: 2 }, () => interaction({ channel: 'mastodon', account: '@care' })),
    ];
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([a, b]);
      await uow.insertIdentities([identity(a.id), identity(a.id)]);
      await uow.insertInteractions(interactions);
      await uow.insertConversations([conversation()]);
      await uow.insertMerge(merge(a, b));
    });
    await storage.unitOfWork('other', async (uow) =>
      uow.insertInteractions([interaction({ tenantId: 'other' })]),
    );
    expect(await storage.read(TENANT).stats()).toEqual({
      customers: 1,
      identities: 2,
      interactions: 7,
      conversations: 1,
      merges: 1,
      byChannel: [
        { channel: 'mastodon', interactions: 4 },
        { channel: 'email', interactions: 3 },
      ],
      busiestAccounts: [
        { channel: 'email', account: 'support@x', interactions: 3 },
        { channel: 'mastodon', account: '@brand', interactions: 2 },
        { channel: 'mastodon', account: '@care', interactions: 2 },
      ],
    });
  });

  it('keeps at most ten busiest accounts', async () => {
    const storage = await openStore();
    await storage.unitOfWork(TENANT, async (uow) =>
      uow.insertInteractions(Array.from({ length: 12 }, (_, n) => interaction({ account: `acct${n}` }))),
    );
    expect((await storage.read(TENANT).stats()).busiestAccounts).toHaveLength(10);
  });
});

describe('eraseCustomer', () => {
  it('deletes personal data, keeps an erased tombstone and remembers the erasure keys', async () => {
    const storage = await openStore();
    const c = customer({ tags: ['vip'], attributes: { phone: '123' } });
    const other = customer();
    const handle = identity(c.id, { handle: '@ada', email: 'ada@example.com' });
    const conv = conversation({ customerId: c.id });
    const otherConv = conversation({ customerId: other.id });
    const mine = interaction({ customerId: c.id, identityId: handle.id, conversationId: conv.id });
    const theirs = interaction({ customerId: other.id });
    const keys = [erasureKey(handle)];
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([c, other]);
      await uow.insertIdentities([handle]);
      await uow.insertConversations([conv, otherConv]);
      await uow.insertInteractions([mine, theirs]);
      await uow.insertConsents([consent(c.id), consent(other.id)]);
      await uow.insertScores([score(c.id), score(other.id)]);
      await uow.eraseCustomer(c.id, keys, at(7000));
      await uow.eraseCustomer(c.id, keys, at(8000));
    });
    const reader = storage.read(TENANT);
    expect(await reader.getCustomers([c.id])).toEqual([
      {
        ...c,
        displayName: null,
        primaryEmail: null,
        attributes: {},
        tags: [],
        status: 'erased',
        mergedInto: null,
        updatedAt: at(8000),
      },
    ]);
    expect(await reader.findIdentities([handle])).toEqual([]);
    expect(await reader.getInteraction(mine.id)).toBeNull();
    expect(await reader.getInteraction(theirs.id)).not.toBeNull();
    expect(await reader.getConversation(conv.id)).toBeNull();
    expect(await reader.getConversation(otherConv.id)).not.toBeNull();
    expect(await reader.listConsents([c.id])).toEqual([]);
    expect(await reader.listConsents([other.id])).toHaveLength(1);
    expect(await reader.latestScores([c.id])).toEqual([]);
    expect(await reader.latestScores([other.id])).toHaveLength(1);
    expect(await reader.findErasures([...keys, erasureKey({ channel: 'x', externalId: 'y' })])).toEqual(keys);
    expect(await storage.read('other').findErasures(keys)).toEqual([]);
  });
});

describe('exportCustomer', () => {
  it('returns everything held about a customer and the customers merged into it', async () => {
    const storage = await openStore();
    const survivor = customer({ createdAt: at(1) });
    const absorbed = customer({ createdAt: at(2), status: 'merged', mergedInto: survivor.id });
    const stranger = customer();
    const i1 = identity(survivor.id, { createdAt: at(1) });
    const i2 = identity(survivor.id, { createdAt: at(2) });
    const conv = conversation({ customerId: survivor.id });
    const early = interaction({ customerId: survivor.id, identityId: i1.id, occurredAt: at(10) });
    const late = interaction({ customerId: survivor.id, identityId: i2.id, occurredAt: at(20) });
    const k = consent(survivor.id);
    const s1 = score(survivor.id, { computedAt: at(1) });
    const s2 = score(survivor.id, { computedAt: at(2) });
    const absorbedScore = score(absorbed.id);
    const m = merge(survivor, absorbed, { identityIds: [i2.id] });
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([survivor, absorbed, stranger]);
      await uow.insertIdentities([i2, i1, identity(stranger.id)]);
      await uow.insertConversations([conv, conversation({ customerId: stranger.id })]);
      await uow.insertInteractions([late, early, interaction({ customerId: stranger.id })]);
      await uow.insertConsents([k, consent(stranger.id)]);
      await uow.insertScores([s2, s1, absorbedScore, score(stranger.id)]);
      await uow.insertMerge(m);
    });
    expect(await storage.read(TENANT).exportCustomer(survivor.id)).toEqual({
      customer: survivor,
      mergedCustomers: [absorbed],
      identities: [i1, i2],
      interactions: [early, late],
      conversations: [conv],
      consents: [k],
      scores: [s1, s2, absorbedScore],
      merges: [m],
      segments: [],
      ruleFirings: [],
      outbox: [],
    });
  });

  it('returns null for an unknown customer', async () => {
    const storage = await openStore();
    expect(await storage.read(TENANT).exportCustomer('nobody')).toBeNull();
  });
});
