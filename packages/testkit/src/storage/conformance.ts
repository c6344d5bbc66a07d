import {
  type Customer,
  createRapport,
  erasureKey,
  newId,
  type Rapport,
  type StoragePlugin,
  type StorageRawQueries,
  type UnitOfWork,
} from '@rapport/core';
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { message, T0 } from './fixtures.js';
import { checkMergeRoundTrip } from './merge-property.js';

/** The named suites of the storage conformance kit. */
export const storageSuites = [
  'lifecycle',
  'interactions',
  'identities',
  'customers',
  'conversations',
  'timeline',
  'merge',
  'merge-property',
  'consents',
  'scores',
  'search',
  'stats',
  'atomicity',
  'isolation',
  'export',
  'erase',
  'durability',
] as const;

/** Name of a storage suite. */
export type StorageSuiteName = (typeof storageSuites)[number];

/** A store under test, with raw queries that bypass its API. */
export interface StorageUnderTest {
  storage: StoragePlugin;
  raw: StorageRawQueries;
  /** A new plugin instance over the same data (durable stores), used by the `durability` suite. */
  reopen?: () => Promise<StorageUnderTest>;
  cleanup?: () => Promise<void>;
}

/** Options of {@link describeStorageConformance}. */
export interface StorageConformanceOptions {
  /** Shown in test names. */
  name: string;
  /** Makes a fresh, empty store (not yet initialised) for each test. */
  create: () => Promise<StorageUnderTest>;
  /** Runs of the merge/unmerge property (default 40). */
  propertyRuns?: number;
  /** Suites to turn off, each with the reason (printed as a skipped test). */
  skip?: Partial<Record<StorageSuiteName, string>>;
}

const TENANT = 'conformance';
const OTHER = 'conformance-other';

/**
 * Defines the storage conformance suites with vitest: every first-party store runs them, and a
 * vendor's store should too. Suites are gated by the store's capabilities and can be skipped one
 * by one with a reason. Checks go through raw queries, not only through the plugin's answers.
 *
 * @example
 * ```ts
 * describeStorageConformance({ name: 'my-store', create: async () => ({ storage: myStore(), raw: myRaw() }) });
 * ```
 */
export function describeStorageConformance(options: StorageConformanceOptions): void {
  describe(`storage conformance: ${options.name}`, () => {
    let target: StorageUnderTest;
    let rapport: Rapport;

    beforeEach(async () => {
      target = await options.create();
      rapport = createRapport({
        storage: target.storage,
        tenant: TENANT,
        clock: { now: () => new Date(T0) },
      });
      await rapport.start();
    });
    afterEach(async () => {
      await rapport.stop();
      await target.cleanup?.();
    });

    const suite = (name: StorageSuiteName, body: () => void) => {
      const reason = options.skip?.[name];
      describe(name, () => {
        if (reason) {
          it.skip(`skipped: ${reason}`, () => {});
          return;
        }
        body();
      });
    };
    /** Capabilities are known once the store exists, so gated tests skip themselves at run time. */
    const requires = (context: TestContext, capability: keyof StoragePlugin['capabilities']) => {
      if (!target.storage.capabilities[capability])
        context.skip(`the store lacks the ${capability} capability`);
    };
    const uow = <T>(work: (u: UnitOfWork) => Promise<T>, tenant = TENANT) =>
      target.storage.unitOfWork(tenant, work);
    const reader = (tenant = TENANT) => target.storage.read(tenant);

    suite('lifecycle', () => {
      it('declares the contract version and capabilities as data', () => {
        expect(target.storage.specVersion).toBe('rapport.storage/v1');
        expect(typeof target.storage.id).toBe('string');
        expect(typeof target.storage.capabilities.durable).toBe('boolean');
      });
      it('ensureTenant creates once and returns the stored tenant after', async () => {
        const first = await target.storage.ensureTenant({
          id: 'tenant-x',
          name: 'X',
          createdAt: new Date(T0),
        });
        const again = await target.storage.ensureTenant({
          id: 'tenant-x',
          name: 'Y',
          createdAt: new Date(T0 + 1000),
        });
        expect(again.name).toBe(first.name);
        expect(again.createdAt.getTime()).toBe(T0);
      });
    });

    suite('interactions', () => {
      it('stores each item once and persists its fields', async () => {
        const result = await rapport.ingest([message(1), message(2)]);
        expect(result.counts.created).toBe(2);
        expect(await target.raw.count(TENANT, 'interactions')).toBe(2);
        const row = await target.raw.interaction(TENANT, {
          channel: 'email',
          account: 'support@acme.test',
          externalId: 'm-1',
        });
        expect(row).toMatchObject({ version: 0, text: 'message number 1' });
        expect(row?.customerId).toBe(result.results[0]?.customerId);
        expect(row?.identityId).not.toBeNull();
        const stored = await reader().getInteraction(row!.id);
        expect(stored?.occurredAt.getTime()).toBe(T0 + 60_000);
        expect(stored?.metadata).toEqual({});
      });
      it('re-ingesting the same items changes nothing', async () => {
        await rapport.ingest([message(1), message(2)]);
        const before = await target.raw.interaction(TENANT, {
          channel: 'email',
          account: 'support@acme.test',
          externalId: 'm-1',
        });
        const again = await rapport.ingest([message(1), message(2)]);
        expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
        expect(await target.raw.count(TENANT, 'interactions')).toBe(2);
        expect(await target.raw.count(TENANT, 'customers')).toBe(2);
        expect(await target.raw.count(TENANT, 'identities')).toBe(2);
        expect(
          await target.raw.interaction(TENANT, {
            channel: 'email',
            account: 'support@acme.test',
            externalId: 'm-1',
          }),
        ).toEqual(before);
      });
      it('a higher version updates the content; a lower one is stale', async () => {
        await rapport.ingest([message(1, { version: 2 })]);
        const newer = await rapport.ingest([message(1, { version: 3, text: 'edited' })]);
        expect(newer.results[0]?.status).toBe('updated');
        const stale = await rapport.ingest([message(1, { version: 1, text: 'old' })]);
        expect(stale.results[0]?.status).toBe('stale');
        const row = await target.raw.interaction(TENANT, {
          channel: 'email',
          account: 'support@acme.test',
          externalId: 'm-1',
        });
        expect(row).toMatchObject({ version: 3, text: 'edited' });
        expect(await target.raw.count(TENANT, 'interactions')).toBe(1);
      });
      it('keeps metadata, amounts and scores as given', async () => {
        await rapport.ingest([
          message(1, {
            kind: 'purchase',
            amount: 12.5,
            currency: 'EUR',
            metadata: { sku: 'A-1', nested: { n: [1, 2] } },
          }),
        ]);
        const row = await target.raw.interaction(TENANT, {
          channel: 'email',
          account: 'support@acme.test',
          externalId: 'm-1',
        });
        const stored = await reader().getInteraction(row!.id);
        expect(stored).toMatchObject({
          amount: 12.5,
          currency: 'EUR',
          effort: 'transaction',
          metadata: { sku: 'A-1', nested: { n: [1, 2] } },
        });
      });
    });

    suite('identities', () => {
      it('one identity per (channel, externalId); the same person on a second item reuses it', async () => {
        const actor = { externalId: 'same@example.test' };
        const result = await rapport.ingest([message(1, { actor }), message(2, { actor })]);
        expect(result.results[0]?.customerId).toBe(result.results[1]?.customerId);
        expect(await target.raw.count(TENANT, 'identities')).toBe(1);
        expect(
          await target.raw.identityOwner(TENANT, { channel: 'email', externalId: 'same@example.test' }),
        ).toBe(result.results[0]?.customerId);
      });
      it('rejects a second identity with the same key inside a unit of work, keeping nothing of it', async () => {
        const customer = sampleCustomer();
        const identity = sampleIdentity(customer.id, 'dup');
        await expect(
          uow(async (u) => {
            await u.insertCustomers([customer]);
            await u.insertIdentities([identity]);
            await u.insertIdentities([{ ...identity, id: newId() }]);
          }),
        ).rejects.toThrow();
        expect(await target.raw.count(TENANT, 'customers')).toBe(0);
        expect(await target.raw.count(TENANT, 'identities')).toBe(0);
      });
      it('finds verified identities by email', async () => {
        await rapport.ingest([
          message(1, { actor: { externalId: 'a', email: 'ann@example.test', verified: true } }),
          message(2, { actor: { externalId: 'b', email: 'bob@example.test' } }),
        ]);
        const found = await reader().findIdentitiesByVerifiedEmail(['ann@example.test', 'bob@example.test']);
        expect(found.map((i) => i.externalId)).toEqual(['a']);
      });
    });

    suite('customers', () => {
      it('round-trips every field', async () => {
        const customer = {
          ...sampleCustomer(),
          attributes: { plan: 'pro', seats: 3, flags: { beta: true } },
          tags: ['vip', 'emea'],
        };
        await uow(async (u) => u.insertCustomers([customer]));
        const [stored] = await reader().getCustomers([customer.id]);
        expect(stored).toEqual(customer);
        const raw = await target.raw.customer(TENANT, customer.id);
        expect(raw).toMatchObject({ status: 'active', tags: ['vip', 'emea'] });
        await uow(async (u) => u.updateCustomers([{ ...customer, tags: ['vip'], displayName: 'Renamed' }]));
        expect(await target.raw.customer(TENANT, customer.id)).toMatchObject({
          tags: ['vip'],
          displayName: 'Renamed',
        });
      });
    });

    suite('conversations', () => {
      it('threads replies into one conversation, counting and dating it', async () => {
        await rapport.ingest([
          message(1),
          message(2, {
            kind: 'reply',
            direction: 'outbound',
            actor: { externalId: 'agent' },
            recipient: { externalId: 'person-1@example.test' },
            parent: 'm-1',
          }),
          message(3, { kind: 'reply', actor: { externalId: 'person-1@example.test' }, parent: 'm-2' }),
        ]);
        expect(await target.raw.count(TENANT, 'conversations')).toBe(1);
        const row = await target.raw.interaction(TENANT, {
          channel: 'email',
          account: 'support@acme.test',
          externalId: 'm-3',
        });
        const conversation = await reader().getConversation(row!.conversationId!);
        expect(conversation).toMatchObject({ interactionCount: 3, externalId: 'm-1' });
        expect(conversation?.lastInteractionAt.getTime()).toBe(T0 + 3 * 60_000);
        const items = await reader().conversationInteractions(conversation!.id, { limit: 10 });
        expect(items.items.map((i) => i.externalId)).toEqual(['m-1', 'm-2', 'm-3']);
      });
      it('lists conversations newest first with complete keyset pages and filters', async () => {
        await rapport.ingest(Array.from({ length: 7 }, (_, i) => message(i)));
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await reader().listConversations({}, { limit: 3, cursor });
          seen.push(...page.items.map((c) => c.externalId));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual(['m-6', 'm-5', 'm-4', 'm-3', 'm-2', 'm-1', 'm-0']);
        const filtered = await reader().listConversations({ channel: 'nope' }, { limit: 3 });
        expect(filtered.items).toEqual([]);
      });
    });

    suite('timeline', () => {
      it('pages a customer timeline newest first, ties broken by id, with nothing lost or repeated', async () => {
        const actor = { externalId: 'busy@example.test' };
        const items = Array.from({ length: 25 }, (_, i) =>
          message(i, { actor, occurredAt: new Date(T0 + Math.floor(i / 3) * 1000) }),
        );
        const result = await rapport.ingest(items);
        const customerId = result.results[0]!.customerId!;
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await reader().timeline(customerId, { limit: 10, cursor });
          seen.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBe(3);
        expect(new Set(seen).size).toBe(25);
        const all = (await reader().timeline(customerId, { limit: 100 })).items;
        expect(all.map((i) => i.id)).toEqual(seen);
        for (let i = 1; i < all.length; i++) {
          const a = all[i - 1]!;
          const b = all[i]!;
          expect(
            a.occurredAt.getTime() > b.occurredAt.getTime() ||
              (a.occurredAt.getTime() === b.occurredAt.getTime() && a.id > b.id),
          ).toBe(true);
        }
      });
    });

    suite('merge', () => {
      it('merge re-points identities and interactions; unmerge restores them exactly', async () => {
        const result = await rapport.ingest([
          message(1, { actor: { externalId: 'a@example.test' } }),
          message(2, { actor: { externalId: 'b@example.test' } }),
          message(3, { actor: { externalId: 'b@example.test' } }),
        ]);
        const a = result.results[0]!.customerId!;
        const b = result.results[1]!.customerId!;
        const merge = await rapport.customers.merge(a, b, { reason: 'same person', actor: 'user:test' });
        expect(
          await target.raw.identityOwner(TENANT, { channel: 'email', externalId: 'b@example.test' }),
        ).toBe(a);
        for (const n of [2, 3]) {
          const row = await target.raw.interaction(TENANT, {
            channel: 'email',
            account: 'support@acme.test',
            externalId: `m-${n}`,
          });
          expect(row?.customerId).toBe(a);
        }
        expect(await target.raw.customer(TENANT, b)).toMatchObject({ status: 'merged', mergedInto: a });
        const stored = await reader().getMerge(merge.id);
        expect(stored).toMatchObject({
          reason: 'same person',
          actor: 'user:test',
          survivorId: a,
          absorbedId: b,
        });
        await rapport.customers.unmerge(merge.id, { actor: 'user:test' });
        expect(
          await target.raw.identityOwner(TENANT, { channel: 'email', externalId: 'b@example.test' }),
        ).toBe(b);
        for (const n of [2, 3]) {
          const row = await target.raw.interaction(TENANT, {
            channel: 'email',
            account: 'support@acme.test',
            externalId: `m-${n}`,
          });
          expect(row?.customerId).toBe(b);
        }
        expect(await target.raw.customer(TENANT, b)).toMatchObject({ status: 'active', mergedInto: null });
        expect((await reader().getMerge(merge.id))?.unmergedAt).not.toBeNull();
        expect(await target.raw.count(TENANT, 'merges')).toBe(1);
      });
    });

    suite('merge-property', () => {
      it('random ingests, merges and unmerges never lose or duplicate an interaction or identity', async () => {
        await checkMergeRoundTrip(options.create, options.propertyRuns ?? 40);
      }, 120_000);
    });

    suite('consents', () => {
      it('keeps consent decisions as history', async () => {
        const { results } = await rapport.ingest([message(1)]);
        const customerId = results[0]!.customerId!;
        await rapport.consents.record({
          customerId,
          purpose: 'marketing',
          channel: 'email',
          status: 'granted',
          source: 'form',
          at: new Date(T0),
        });
        await rapport.consents.record({
          customerId,
          purpose: 'marketing',
          channel: 'email',
          status: 'revoked',
          source: 'reply',
          at: new Date(T0 + 1000),
        });
        expect(await target.raw.count(TENANT, 'consents')).toBe(2);
        const history = await reader().listConsents([customerId]);
        expect(history.map((c) => c.status)).toEqual(['granted', 'revoked']);
      });
    });

    suite('scores', () => {
      it('keeps score history and answers the latest per name and model', async () => {
        const customer = sampleCustomer();
        await uow(async (u) => {
          await u.insertCustomers([customer]);
          await u.insertScores([
            {
              tenantId: TENANT,
              customerId: customer.id,
              name: 'engagement',
              value: 1,
              model: { id: 'm', version: '1' },
              computedAt: new Date(T0),
            },
            {
              tenantId: TENANT,
              customerId: customer.id,
              name: 'engagement',
              value: 2,
              model: { id: 'm', version: '1', params: { halfLife: 30 } },
              computedAt: new Date(T0 + 1),
            },
          ]);
        });
        expect(await target.raw.count(TENANT, 'scores')).toBe(2);
        const latest = await reader().latestScores([customer.id]);
        expect(latest).toHaveLength(1);
        expect(latest[0]).toMatchObject({
          value: 2,
          model: { id: 'm', version: '1', params: { halfLife: 30 } },
        });
      });
    });

    suite('search', () => {
      it('finds active customers by handle, email or name prefix, case-insensitively', async () => {
        await rapport.ingest([
          message(1, { actor: { externalId: 'x1', handle: 'MarieCurie', email: 'marie@example.test' } }),
          message(2, { actor: { externalId: 'x2', handle: 'marvin' } }),
          message(3, { actor: { externalId: 'x3', handle: 'bob', displayName: 'Maria Bob' } }),
          message(4, { actor: { externalId: 'x4', handle: 'zed' } }),
        ]);
        const found = await reader().searchCustomers('mar', 10);
        expect(found).toHaveLength(3);
        expect(new Set(found.map((c) => c.status))).toEqual(new Set(['active']));
        expect(await reader().searchCustomers('MARIE@', 10)).toHaveLength(1);
        expect(await reader().searchCustomers('mar', 2)).toHaveLength(2);
      });
    });

    suite('stats', () => {
      it('counts what the raw tables hold', async () => {
        await rapport.ingest([message(1), message(2), message(3, { channel: 'mastodon', account: '@acme' })]);
        const stats = await reader().stats();
        expect(stats.interactions).toBe(await target.raw.count(TENANT, 'interactions'));
        expect(stats.identities).toBe(await target.raw.count(TENANT, 'identities'));
        expect(stats.customers).toBe(3);
        expect(stats.byChannel).toEqual([
          { channel: 'email', interactions: 2 },
          { channel: 'mastodon', interactions: 1 },
        ]);
        expect(stats.busiestAccounts[0]).toEqual({
          channel: 'email',
          account: 'support@acme.test',
          interactions: 2,
        });
      });
    });

    suite('atomicity', () => {
      it('a unit of work that throws keeps nothing and rethrows the same error', async () => {
        const failure = new Error('boom');
        const customer = sampleCustomer();
        const caught = await uow(async (u) => {
          await u.insertCustomers([customer]);
          await u.insertIdentities([sampleIdentity(customer.id, 'x')]);
          throw failure;
        }).catch((e: unknown) => e);
        expect(caught).toBe(failure);
        expect(await target.raw.count(TENANT, 'customers')).toBe(0);
        expect(await target.raw.count(TENANT, 'identities')).toBe(0);
      });
      it('readers never see writes of a unit of work that rolls back', async () => {
        const customer = sampleCustomer();
        // Started inside the unit of work, awaited after it: a reader may answer at once from
        // committed data (another connection) or wait until the unit of work ends.
        let pending: Promise<Customer[]> | Customer[] = [];
        await uow(async (u) => {
          await u.insertCustomers([customer]);
          pending = reader().getCustomers([customer.id]);
          throw new Error('rollback');
        }).catch(() => {});
        expect(await pending).toEqual([]);
        expect(await reader().getCustomers([customer.id])).toEqual([]);
      }, 10_000);
    });

    suite('isolation', () => {
      it("one tenant never sees another tenant's data", async () => {
        await rapport.tenant(OTHER).ingest([message(1, { actor: { externalId: 'shared@example.test' } })]);
        const mine = await rapport.ingest([message(1, { actor: { externalId: 'shared@example.test' } })]);
        expect(mine.results[0]?.status).toBe('created');
        expect(await target.raw.count(TENANT, 'interactions')).toBe(1);
        expect(await target.raw.count(OTHER, 'interactions')).toBe(1);
        const otherOwner = await target.raw.identityOwner(OTHER, {
          channel: 'email',
          externalId: 'shared@example.test',
        });
        expect(otherOwner).not.toBe(mine.results[0]?.customerId);
        expect(await reader().getCustomers([otherOwner!])).toEqual([]);
        expect((await reader(OTHER).timeline(mine.results[0]!.customerId!, { limit: 10 })).items).toEqual([]);
        expect((await reader(OTHER).stats()).interactions).toBe(1);
      });
    });

    suite('export', () => {
      it('exports everything held about a customer', async (context) => {
        requires(context, 'exportCustomer');
        const { results } = await rapport.ingest([
          message(1, { actor: { externalId: 'p' } }),
          message(2, { actor: { externalId: 'p' } }),
        ]);
        const data = await reader().exportCustomer(results[0]!.customerId!);
        expect(data?.mergedCustomers).toEqual([]);
        expect(data?.identities).toHaveLength(1);
        expect(data?.interactions).toHaveLength(2);
        expect(data?.conversations).toHaveLength(2);
      });
      it('an export includes the customers merged into the customer', async (context) => {
        requires(context, 'exportCustomer');
        const { results } = await rapport.ingest([message(1), message(2), message(3)]);
        const [a, b, c] = results.map((r) => r.customerId!) as [string, string, string];
        await rapport.customers.merge(a, b, { reason: 'same', actor: 'user:test' });
        await rapport.customers.merge(a, c, { reason: 'same', actor: 'user:test' });
        const data = await reader().exportCustomer(a);
        expect(data?.mergedCustomers.map((m) => m.id).sort()).toEqual([b, c].sort());
        expect(data?.identities).toHaveLength(3);
        expect(data?.interactions).toHaveLength(3);
        expect(data?.merges).toHaveLength(2);
      });
    });

    suite('erase', () => {
      it('erases personal data, remembers the erasure and does not ingest the identity again', async (context) => {
        requires(context, 'eraseCustomer');
        const { results } = await rapport.ingest([
          message(1, { actor: { externalId: 'gone', handle: 'gone', email: 'gone@example.test' } }),
          message(2),
        ]);
        const customerId = results[0]!.customerId!;
        await rapport.customers.erase(customerId, { actor: 'user:dpo' });
        expect(await target.raw.identityOwner(TENANT, { channel: 'email', externalId: 'gone' })).toBeNull();
        expect(
          await target.raw.interaction(TENANT, {
            channel: 'email',
            account: 'support@acme.test',
            externalId: 'm-1',
          }),
        ).toBeNull();
        expect(await target.raw.customer(TENANT, customerId)).toMatchObject({
          status: 'erased',
          displayName: null,
        });
        expect(await target.raw.count(TENANT, 'interactions')).toBe(1);
        const key = erasureKey({ channel: 'email', externalId: 'gone' });
        expect(await reader().findErasures([key, 'other'])).toEqual([key]);
        const again = await rapport.ingest([message(1, { actor: { externalId: 'gone' } })]);
        expect(again.results[0]?.status).toBe('suppressed');
        expect(await target.raw.count(TENANT, 'interactions')).toBe(1);
      });
      it('erasing a customer also erases those merged into it, their merge snapshots and referrals to them', async (context) => {
        requires(context, 'eraseCustomer');
        const { results } = await rapport.ingest([
          message(1, { actor: { externalId: 'keep' } }),
          message(2, { actor: { externalId: 'gone-a', displayName: 'Gone A' } }),
          message(3, { actor: { externalId: 'gone-b', email: 'b@example.test' } }),
          message(4, { kind: 'referral', actor: { externalId: 'keep' }, referred: { externalId: 'gone-a' } }),
        ]);
        const [keep, a, b] = results.map((r) => r.customerId!);
        const merge = await rapport.customers.merge(a!, b!, { reason: 'same person', actor: 'user:test' });
        await rapport.customers.erase(a!, { actor: 'user:dpo' });
        expect(await target.raw.customer(TENANT, b!)).toMatchObject({ status: 'erased', displayName: null });
        expect(await target.raw.identityOwner(TENANT, { channel: 'email', externalId: 'gone-b' })).toBeNull();
        const snapshot = (await reader().getMerge(merge.id))?.absorbedSnapshot;
        expect(snapshot).toMatchObject({ displayName: null, primaryEmail: null, status: 'erased' });
        const referral = await target.raw.interaction(TENANT, {
          channel: 'email',
          account: 'support@acme.test',
          externalId: 'm-4',
        });
        expect(referral?.customerId).toBe(keep);
        expect((await reader().getInteraction(referral!.id))?.referredCustomerId).toBeNull();
      });
      it('keeps nothing when the same identity is ingested again after an erasure', async (context) => {
        requires(context, 'eraseCustomer');
        const { results } = await rapport.ingest([message(1, { actor: { externalId: 'gone' } })]);
        await rapport.customers.erase(results[0]!.customerId!, { actor: 'user:dpo' });
        const again = await rapport.ingest([message(1, { actor: { externalId: 'gone' } })]);
        expect(again.results[0]?.status).toBe('suppressed');
        expect(await target.raw.count(TENANT, 'interactions')).toBe(0);
      });
    });

    suite('durability', () => {
      it('committed data survives closing and reopening the store', async (context) => {
        requires(context, 'durable');
        if (!target.reopen) context.skip('the store under test gives no reopen()');
        await rapport.ingest([message(1), message(2)]);
        await rapport.stop();
        const reopened = await target.reopen!();
        rapport = createRapport({
          storage: reopened.storage,
          tenant: TENANT,
          clock: { now: () => new Date(T0) },
        });
        await rapport.start();
        expect((await rapport.stats()).interactions).toBe(2);
        expect(await reopened.raw.count(TENANT, 'interactions')).toBe(2);
        const again = await rapport.ingest([message(1)]);
        expect(again.results[0]?.status).toBe('duplicate');
      });
    });
  });
}

function sampleCustomer(): Customer {
  return {
    id: newId(),
    tenantId: TENANT,
    displayName: 'Sample',
    primaryEmail: 'sample@example.test',
    attributes: {},
    tags: [],
    status: 'active',
    mergedInto: null,
    createdAt: new Date(T0),
    updatedAt: new Date(T0),
  };
}

function sampleIdentity(customerId: string, externalId: string) {
  return {
    id: newId(),
    tenantId: TENANT,
    customerId,
    channel: 'email',
    externalId,
    handle: null,
    displayName: null,
    email: null,
    verified: false,
    source: 'test',
    createdAt: new Date(T0),
  };
}
