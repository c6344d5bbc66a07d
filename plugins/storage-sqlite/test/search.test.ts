import { describe, expect, it } from 'vitest';
import { prefixUpperBound } from '../src/prefix-range.js';
import { customer, identity, openStore, TENANT } from './fixtures.js';

describe('searchCustomers', () => {
  async function seeded() {
    const storage = await openStore();
    const ada = customer({ id: 'c-ada', displayName: 'Ada Lovelace', primaryEmail: 'ada@example.com' });
    const grace = customer({ id: 'c-grace', displayName: 'Grace Hopper', primaryEmail: null });
    const emil = customer({ id: 'c-emil', displayName: 'Émile Zola', primaryEmail: 'EMILE@Example.org' });
    const merged = customer({
      id: 'c-merged',
      displayName: 'Ada Twin',
      status: 'merged',
      mergedInto: 'c-ada',
    });
    const nameless = customer({ id: 'c-nameless', displayName: null, primaryEmail: null });
    const tricky = customer({ id: 'c-tricky', displayName: '100%_sure', primaryEmail: null });
    const elsewhere = customer({ id: 'c-other', tenantId: 'other', displayName: 'Ada Elsewhere' });
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([ada, grace, emil, merged, nameless, tricky]);
      await uow.insertIdentities([
        identity(grace.id, { handle: '@amazing_grace', email: 'grace@navy.mil' }),
        identity(grace.id, { channel: 'twitter', handle: '@AdaFan' }),
        identity(nameless.id, { handle: '@quiet', email: 'Quiet@Example.com' }),
        identity(merged.id, { handle: '@adatwin' }),
      ]);
    });
    await storage.unitOfWork('other', async (uow) => uow.insertCustomers([elsewhere]));
    return { reader: storage.read(TENANT), ada, grace, emil, nameless, tricky };
  }

  it('matches display name, primary email, identity handle and email, case-insensitively', async () => {
    const { reader, ada, grace, emil, nameless } = await seeded();
    expect(await reader.searchCustomers('ADA', 10)).toEqual([ada]);
    expect(await reader.searchCustomers('grace', 10)).toEqual([grace]);
    expect(await reader.searchCustomers('@amazing', 10)).toEqual([grace]);
    expect(await reader.searchCustomers('@adafan', 10)).toEqual([grace]);
    expect(await reader.searchCustomers('quiet@example', 10)).toEqual([nameless]);
    expect(await reader.searchCustomers('emile@', 10)).toEqual([emil]);
  });

  it('folds non-ASCII case too', async () => {
    const { reader, emil } = await seeded();
    expect(await reader.searchCustomers('émile', 10)).toEqual([emil]);
    expect(await reader.searchCustomers('ÉMILE', 10)).toEqual([emil]);
  });

  it('returns each customer once, active ones only, sorted by id, at most limit', async () => {
    const { reader, ada, grace } = await seeded();
    // "@ada" matches grace's twitter handle and the merged customer's handle.
    expect(await reader.searchCustomers('@ada', 10)).toEqual([grace]);
    // "a" matches both the name and the email of ada.
    expect(await reader.searchCustomers('a', 10)).toEqual([ada]);
    const all = await reader.searchCustomers('', 10);
    expect(all.map((c) => c.id)).toEqual(['c-ada', 'c-emil', 'c-grace', 'c-nameless', 'c-tricky']);
    expect((await reader.searchCustomers('', 2)).map((c) => c.id)).toEqual(['c-ada', 'c-emil']);
    expect(await reader.searchCustomers('ada', 0)).toEqual([]);
  });

  it('takes the prefix literally (no LIKE or GLOB wildcards)', async () => {
    const { reader, tricky } = await seeded();
    expect(await reader.searchCustomers('100%', 10)).toEqual([tricky]);
    expect(await reader.searchCustomers('100%_', 10)).toEqual([tricky]);
    expect(await reader.searchCustomers('1_0', 10)).toEqual([]);
    expect(await reader.searchCustomers('%', 10)).toEqual([]);
    expect(await reader.searchCustomers('*', 10)).toEqual([]);
  });

  it('stays inside the tenant', async () => {
    const { reader } = await seeded();
    expect((await reader.searchCustomers('ada e', 10)).map((c) => c.id)).toEqual([]);
  });

  it('stops matching an erased customer', async () => {
    const storage = await openStore();
    const c = customer({ displayName: 'Erin' });
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([c]);
      await uow.insertIdentities([identity(c.id, { handle: '@erin' })]);
      await uow.eraseCustomer(c.id, [], new Date());
    });
    expect(await storage.read(TENANT).searchCustomers('erin', 10)).toEqual([]);
    expect(await storage.read(TENANT).searchCustomers('@erin', 10)).toEqual([]);
  });
});

describe('prefixUpperBound', () => {
  it('is the next string after every string with the prefix', () => {
    expect(prefixUpperBound('abc')).toBe('abd');
    expect(prefixUpperBound('a')).toBe('b');
    expect(prefixUpperBound('')).toBeNull();
    expect(prefixUpperBound('a\u{10ffff}')).toBe('b');
    expect(prefixUpperBound('\u{10ffff}')).toBeNull();
    expect(prefixUpperBound('x\ud7ff')).toBe('x\ue000');
    expect(prefixUpperBound('😀')).toBe('😁');
  });

  it('bounds exactly the strings that start with the prefix, in UTF-8 byte order', () => {
    const prefix = 'ab';
    const upper = prefixUpperBound(prefix)!;
    const utf8 = (s: string) => Buffer.from(s, 'utf8');
    const inRange = (s: string) =>
      Buffer.compare(utf8(s), utf8(prefix)) >= 0 && Buffer.compare(utf8(s), utf8(upper)) < 0;
    for (const s of ['ab', 'abc', 'ab\u{10ffff}', 'ab😀', 'ab\uffff', 'ac', 'aa', 'a', 'b', 'abz']) {
      expect(inRange(s), s).toBe(s.startsWith(prefix));
    }
  });
});
