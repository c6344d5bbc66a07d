import { createRapport, type Rapport } from '@rapport/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { StorageUnderTest } from './conformance.js';
import { message, T0 } from './fixtures.js';

const TENANTS = ['tenant-a', 'tenant-b'] as const;
type TenantName = (typeof TENANTS)[number];

/** One operation on one tenant. Item numbers and persons overlap across tenants on purpose. */
type Op =
  | { tenant: TenantName; kind: 'ingest'; items: Array<{ item: number; person: number; version: number }> }
  | { tenant: TenantName; kind: 'consent'; person: number; granted: boolean }
  | { tenant: TenantName; kind: 'merge'; survivor: number; absorbed: number }
  | { tenant: TenantName; kind: 'erase'; person: number };

const tenant = fc.constantFrom(...TENANTS);
const personId = fc.integer({ min: 0, max: 5 });
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      tenant,
      kind: fc.constant('ingest' as const),
      items: fc.array(
        fc.record({
          item: fc.integer({ min: 0, max: 9 }),
          person: personId,
          version: fc.integer({ min: 0, max: 2 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      tenant,
      kind: fc.constant('consent' as const),
      person: personId,
      granted: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      tenant,
      kind: fc.constant('merge' as const),
      survivor: personId,
      absorbed: personId,
    }),
  },
  { weight: 1, arbitrary: fc.record({ tenant, kind: fc.constant('erase' as const), person: personId }) },
);

const email = (p: number) => `person-${p}@example.test`;

/** Applies one operation through the public API; operations that do not apply are skipped. */
async function apply(scope: ReturnType<Rapport['tenant']>, op: Op): Promise<void> {
  const customerOf = async (p: number) => {
    const identity = await scope.customers.findIdentity({ channel: 'email', externalId: email(p) });
    const customer = identity ? await scope.customers.get(identity.customerId) : null;
    return customer?.status === 'active' ? customer.id : null;
  };
  switch (op.kind) {
    case 'ingest':
      await scope.ingest(
        op.items.map(({ item, person, version }) =>
          message(item, { actor: { externalId: email(person) }, version, text: `v${version} of ${item}` }),
        ),
      );
      return;
    case 'consent': {
      const id = await customerOf(op.person);
      if (id) {
        await scope.consents.record({
          customerId: id,
          purpose: 'marketing',
          status: op.granted ? 'granted' : 'revoked',
          source: 'property',
          at: new Date(T0),
        });
      }
      return;
    }
    case 'merge': {
      const [a, b] = [await customerOf(op.survivor), await customerOf(op.absorbed)];
      if (a && b && a !== b) await scope.customers.merge(a, b, { actor: 'test', reason: 'property' });
      return;
    }
    case 'erase': {
      const id = await customerOf(op.person);
      if (id) await scope.customers.erase(id, { actor: 'test' });
    }
  }
}

/**
 * What a tenant holds, without store-made ids: counts, the items with their text, and which
 * identities belong together. Equal views mean the same data.
 */
async function view(scope: ReturnType<Rapport['tenant']>) {
  const stats = await scope.stats();
  const people: string[] = [];
  const items: string[] = [];
  for (let p = 0; p <= 5; p++) {
    const identity = await scope.customers.findIdentity({ channel: 'email', externalId: email(p) });
    if (!identity) continue;
    const profile = await scope.customers.profile(identity.customerId, { recent: 100 });
    const together = (profile?.identities ?? []).map((i) => i.externalId).sort();
    people.push(
      `${email(p)} -> ${profile?.customer.status}:${together.join(',')}:${profile?.consents.length}`,
    );
    for (const i of profile?.recent ?? []) items.push(`${i.externalId}@${i.version}:${i.text}`);
  }
  return {
    stats: { ...stats, byChannel: stats.byChannel, busiestAccounts: stats.busiestAccounts },
    people,
    items: items.sort(),
  };
}

/**
 * Tenancy as a property: random operations interleaved on two tenants leave each tenant exactly
 * as the same operations would on a store holding that tenant alone. So nothing done through the
 * API in one tenant reads or changes the other, whatever the operations and their order.
 */
export async function checkTenantIsolation(
  create: () => Promise<StorageUnderTest>,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: 16 }), async (ops) => {
      const run = async (selected: Op[]) => {
        const target = await create();
        const rapport = createRapport({ storage: target.storage, clock: { now: () => new Date(T0) } });
        await rapport.start();
        try {
          for (const op of selected) await apply(rapport.tenant(op.tenant), op);
          const views: Partial<Record<TenantName, Awaited<ReturnType<typeof view>>>> = {};
          for (const t of TENANTS) views[t] = await view(rapport.tenant(t));
          return views;
        } finally {
          await rapport.stop();
          await target.cleanup?.();
        }
      };
      const together = await run(ops);
      for (const t of TENANTS) {
        const alone = await run(ops.filter((op) => op.tenant === t));
        expect(together[t]).toEqual(alone[t]);
      }
    }),
    { numRuns },
  );
}
