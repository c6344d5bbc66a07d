import { describe, expect, it } from 'vitest';
import { createTestRapport, isRapportError } from '../src/index.js';
import { item } from './helpers.js';

describe('identity resolution', () => {
  it('creates a customer on first sight and finds it again by (channel, externalId)', async () => {
    const rapport = await createTestRapport();
    const created: string[] = [];
    rapport.events.on('customer.created', (e) => created.push(e.customer.id));
    const first = await rapport.ingest([
      item(1, { actor: { externalId: 'ann', handle: 'ann', displayName: 'Ann' } }),
    ]);
    const second = await rapport.ingest([item(2, { actor: { externalId: 'ann' } })]);
    expect(second.results[0]?.customerId).toBe(first.results[0]?.customerId);
    expect(created).toEqual([first.results[0]?.customerId]);
    expect(await rapport.customers.get(created[0]!)).toMatchObject({ displayName: 'Ann', status: 'active' });
  });

  it('links a new identity to the customer with the same verified email', async () => {
    const rapport = await createTestRapport();
    const reasons: string[] = [];
    rapport.events.on('identity.linked', (e) => reasons.push(e.reason));
    const email = await rapport.ingest([
      item(1, {
        channel: 'email',
        account: 'help@acme.test',
        actor: { externalId: 'ann@x.test', email: 'Ann@X.test', verified: true },
      }),
    ]);
    const mastodon = await rapport.ingest([
      item(2, { actor: { externalId: 'ann@social', email: 'ann@x.test', verified: true } }),
    ]);
    const unverified = await rapport.ingest([
      item(3, { actor: { externalId: 'impostor', email: 'ann@x.test' } }),
    ]);
    expect(mastodon.results[0]?.customerId).toBe(email.results[0]?.customerId);
    expect(unverified.results[0]?.customerId).not.toBe(email.results[0]?.customerId);
    expect(reasons).toEqual(['first-sight', 'verified-email', 'first-sight']);
  });

  it('an explicit link from a channel attaches the other identity, or merges two known customers', async () => {
    const rapport = await createTestRapport();
    const shop = await rapport.ingest([
      item(1, {
        channel: 'shop',
        account: 'store',
        kind: 'purchase',
        amount: 5,
        currency: 'USD',
        actor: { externalId: 'cust-9', links: [{ channel: 'mastodon', externalId: 'ann@social' }] },
      }),
    ]);
    const customerId = shop.results[0]!.customerId!;
    expect(
      (await rapport.customers.findIdentity({ channel: 'mastodon', externalId: 'ann@social' }))?.customerId,
    ).toBe(customerId);
    const other = await rapport.ingest([item(2, { actor: { externalId: 'ann-alt' } })]);
    const merges: string[] = [];
    rapport.events.on('customer.merged', (e) => merges.push(e.merge.reason));
    await rapport.ingest([
      item(3, {
        channel: 'shop',
        account: 'store',
        kind: 'purchase',
        amount: 7,
        currency: 'USD',
        actor: { externalId: 'cust-9', links: [{ channel: 'mastodon', externalId: 'ann-alt' }] },
      }),
    ]);
    expect(merges).toEqual(['channel-link:shop']);
    const absorbed = await rapport.customers.get(other.results[0]!.customerId!);
    expect(absorbed).toMatchObject({ status: 'merged', mergedInto: customerId });
    expect((await rapport.customers.timeline(customerId)).items).toHaveLength(3);
  });

  it('undoing merges out of order returns each identity to its own customer, even after it came back another way', async () => {
    const rapport = await createTestRapport();
    const { results } = await rapport.ingest([
      item(1, { actor: { externalId: 'a' } }),
      item(2, { actor: { externalId: 'b' } }),
      item(3, { actor: { externalId: 'c' } }),
    ]);
    const [a, b, c] = results.map((r) => r.customerId!) as [string, string, string];
    const by = { reason: 'test', actor: 'user:1' };
    const first = await rapport.customers.merge(b, a, by); // a → b
    const second = await rapport.customers.merge(c, b, by); // b (holding a's identity) → c
    await rapport.customers.unmerge(first.id, by); // a's identity goes home to a
    await rapport.customers.merge(a, c, by); // c, holding b's identity, → a
    await rapport.customers.unmerge(second.id, by); // b comes back: with its own identity only
    const owners = async (customerId: string) =>
      (await rapport.customers.export(customerId)).identities.map((i) => i.externalId).sort();
    expect(await owners(a)).toEqual(['a', 'c']);
    expect(await owners(b)).toEqual(['b']);
    expect((await rapport.customers.timeline(b)).items.map((i) => i.actorExternalId)).toEqual(['b']);
  });

  it('merge and unmerge round-trip exactly, profile included, and are recorded with reason and actor', async () => {
    const rapport = await createTestRapport();
    const { results } = await rapport.ingest([
      item(1, { actor: { externalId: 'a', displayName: 'Ann' } }),
      item(2, { actor: { externalId: 'b', handle: 'bee', email: 'b@x.test' } }),
      item(3, { actor: { externalId: 'b' } }),
    ]);
    const a = results[0]!.customerId!;
    const b = results[1]!.customerId!;
    await rapport.consents.record({ customerId: b, purpose: 'support', status: 'granted', source: 'form' });
    const before = { a: await rapport.customers.export(a), b: await rapport.customers.export(b) };
    const merge = await rapport.customers.merge(a, b, { reason: 'same person', actor: 'user:42' });
    const merged = await rapport.customers.export(a);
    expect(merged.identities).toHaveLength(2);
    expect(merged.interactions).toHaveLength(3);
    expect(merged.consents).toHaveLength(1);
    expect(merged.customer.primaryEmail).toBe('b@x.test');
    expect((await rapport.customers.merges(a)).map((m) => [m.reason, m.actor])).toEqual([
      ['same person', 'user:42'],
    ]);
    await rapport.customers.unmerge(merge.id, { actor: 'user:42' });
    const after = { a: await rapport.customers.export(a), b: await rapport.customers.export(b) };
    const strip = (x: typeof before.a) => ({
      ...x,
      customer: { ...x.customer, updatedAt: null },
      merges: [],
      interactions: [...x.interactions].sort((p, q) => (p.id < q.id ? -1 : 1)),
      identities: [...x.identities].sort((p, q) => (p.id < q.id ? -1 : 1)),
    });
    expect(strip(after.a)).toEqual(strip(before.a));
    expect(strip(after.b)).toEqual(strip(before.b));
    const error = await rapport.customers.unmerge(merge.id, { actor: 'user:42' }).catch((e: unknown) => e);
    expect(isRapportError(error, 'RAPPORT_UNMERGE_INVALID')).toBe(true);
  });

  it('refuses merges that make no sense, with a code and a hint', async () => {
    const rapport = await createTestRapport();
    const { results } = await rapport.ingest([item(1), item(2), item(3)]);
    const [a, b, c] = results.map((r) => r.customerId!);
    const self = await rapport.customers
      .merge(a!, a!, { reason: 'x', actor: 'user:1' })
      .catch((e: unknown) => e);
    expect(isRapportError(self, 'RAPPORT_MERGE_INVALID')).toBe(true);
    await rapport.customers.merge(a!, b!, { reason: 'x', actor: 'user:1' });
    const again = await rapport.customers
      .merge(c!, b!, { reason: 'x', actor: 'user:1' })
      .catch((e: unknown) => e);
    expect(isRapportError(again, 'RAPPORT_MERGE_INVALID')).toBe(true);
    expect((again as { hint: string }).hint).toContain(a!);
    const missing = await rapport.customers
      .merge(a!, 'nope', { reason: 'x', actor: 'user:1' })
      .catch((e: unknown) => e);
    expect(isRapportError(missing, 'RAPPORT_NOT_FOUND')).toBe(true);
  });

  it('unmerging an inner merge after the survivor was merged again takes back only what it brought', async () => {
    const rapport = await createTestRapport();
    const { results } = await rapport.ingest([item(1), item(2), item(3)]);
    const [a, b, c] = results.map((r) => r.customerId!) as [string, string, string];
    const ab = await rapport.customers.merge(a, b, { reason: 'x', actor: 'user:1' });
    const ca = await rapport.customers.merge(c, a, { reason: 'y', actor: 'user:1' });
    await rapport.customers.unmerge(ab.id, { actor: 'user:1' });
    expect((await rapport.customers.identities(b)).map((i) => i.externalId)).toEqual(['user-2']);
    expect((await rapport.customers.identities(c)).map((i) => i.externalId).sort()).toEqual([
      'user-1',
      'user-3',
    ]);
    await rapport.customers.unmerge(ca.id, { actor: 'user:1' });
    for (const [id, externalId] of [
      [a, 'user-1'],
      [b, 'user-2'],
      [c, 'user-3'],
    ] as const) {
      expect((await rapport.customers.identities(id)).map((i) => i.externalId)).toEqual([externalId]);
      expect((await rapport.customers.timeline(id)).items.map((i) => i.actorExternalId)).toEqual([
        externalId,
      ]);
    }
  });
});
