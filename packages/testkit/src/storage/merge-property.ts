import { createRapport, type Rapport } from '@rapport/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { StorageUnderTest } from './conformance.js';
import { message, T0 } from './fixtures.js';

type Op =
  | { kind: 'ingest'; items: Array<{ item: number; person: number }> }
  | { kind: 'merge'; survivor: number; absorbed: number }
  | { kind: 'unmerge'; pick: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('ingest' as const),
    items: fc.array(fc.record({ item: fc.nat(40), person: fc.nat(8) }), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('merge' as const), survivor: fc.nat(8), absorbed: fc.nat(8) }),
  fc.record({ kind: fc.constant('unmerge' as const), pick: fc.nat(20) }),
);

const TENANT = 'property';
const person = (n: number) => `person-${n}`;

/**
 * Property: over random ingests, merges and unmerges, no interaction or identity is ever lost or
 * duplicated, every interaction belongs to the owner of its identity, no identity points at a
 * merged customer, and undoing every merge (newest first) gives each identity and interaction
 * back to the customer it was created with.
 */
export async function checkMergeRoundTrip(
  create: () => Promise<StorageUnderTest>,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: 25 }), async (ops) => {
      const target = await create();
      const rapport = createRapport({
        storage: target.storage,
        tenant: TENANT,
        clock: { now: () => new Date(T0) },
      });
      await rapport.start();
      try {
        await runOps(rapport, target, ops);
      } finally {
        await rapport.stop();
        await target.cleanup?.();
      }
    }),
    { numRuns },
  );
}

async function runOps(rapport: Rapport, target: StorageUnderTest, ops: Op[]): Promise<void> {
  // Which person each item was first ingested for (an item's actor never changes afterwards).
  const itemPerson = new Map<number, number>();
  const originalOwner = new Map<number, string>();
  const activeMerges: string[] = [];
  for (const op of ops) {
    if (op.kind === 'ingest') {
      const batch = op.items.map(({ item, person: p }) => {
        const owner = itemPerson.get(item) ?? p;
        if (!itemPerson.has(item)) itemPerson.set(item, owner);
        return message(item, { actor: { externalId: person(owner) } });
      });
      const { results } = await rapport.ingest(batch);
      for (const [i, r] of results.entries()) {
        expect(['created', 'duplicate']).toContain(r.status);
        const p = itemPerson.get(op.items[i]!.item)!;
        if (!originalOwner.has(p)) {
          const owner = await target.raw.identityOwner(TENANT, { channel: 'email', externalId: person(p) });
          originalOwner.set(p, owner!);
        }
      }
    } else if (op.kind === 'merge') {
      const a = originalOwner.get(op.survivor);
      const b = originalOwner.get(op.absorbed);
      if (!a || !b) continue;
      const survivor = await rapport.customers.get(a);
      const absorbed = await rapport.customers.get(b);
      if (a === b || survivor?.status !== 'active' || absorbed?.status !== 'active') continue;
      activeMerges.push((await rapport.customers.merge(a, b, { reason: 'property', actor: 'test' })).id);
    } else if (activeMerges.length > 0) {
      const [id] = activeMerges.splice(op.pick % activeMerges.length, 1);
      const result = await rapport.customers.unmerge(id!, { actor: 'test' }).catch((e: unknown) => e);
      // Undoing an inner merge whose absorbed customer was merged again is refused, not half done.
      if (result instanceof Error) activeMerges.push(id!);
    }
    await checkInvariants(rapport, target, itemPerson);
  }
  while (activeMerges.length > 0) await rapport.customers.unmerge(activeMerges.pop()!, { actor: 'test' });
  for (const [item, p] of itemPerson) {
    const row = await target.raw.interaction(TENANT, {
      channel: 'email',
      account: 'support@acme.test',
      externalId: `m-${item}`,
    });
    expect(row?.customerId).toBe(originalOwner.get(p));
  }
  for (const [p, owner] of originalOwner) {
    expect(await target.raw.identityOwner(TENANT, { channel: 'email', externalId: person(p) })).toBe(owner);
    expect((await target.raw.customer(TENANT, owner))?.status).toBe('active');
  }
}

async function checkInvariants(
  rapport: Rapport,
  target: StorageUnderTest,
  itemPerson: Map<number, number>,
): Promise<void> {
  const people = new Set(itemPerson.values());
  expect(await target.raw.count(TENANT, 'interactions')).toBe(itemPerson.size);
  expect(await target.raw.count(TENANT, 'identities')).toBe(people.size);
  for (const [item, p] of itemPerson) {
    const row = await target.raw.interaction(TENANT, {
      channel: 'email',
      account: 'support@acme.test',
      externalId: `m-${item}`,
    });
    const owner = await target.raw.identityOwner(TENANT, { channel: 'email', externalId: person(p) });
    expect(row?.customerId).toBe(owner);
    expect((await target.raw.customer(TENANT, owner!))?.status).toBe('active');
  }
  const stats = await rapport.stats();
  expect(stats.interactions).toBe(itemPerson.size);
}
