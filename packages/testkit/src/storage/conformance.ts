import {
  type CaseState,
  type Customer,
  createRapport,
  erasureKey,
  newCase,
  newId,
  type OutboxMessage,
  type Page,
  type PageRequest,
  type Rapport,
  type RuleFiring,
  type RuleTimer,
  type Score,
  type SegmentMembership,
  type StoragePlugin,
  type StorageRawQueries,
  type UnitOfWork,
} from '@rapport/core';
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { message, T0 } from './fixtures.js';
import { checkMergeRoundTrip } from './merge-property.js';
import { checkTenantIsolation } from './tenancy-property.js';

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
  'scan',
  'tenancy-property',
  'segments',
  'cases',
  'rule-firings',
  'timers',
  'outbox',
  'channel-state',
  'tenants',
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
      it('reads interactions by id in bulk, in the order asked, each once, the missing left out', async () => {
        const result = await rapport.ingest([message(1), message(2), message(3)]);
        const [a, b, c] = result.results.map((r) => r.interactionId!);
        const found = await reader().getInteractions([c!, 'int_missing', a!, c!, b!]);
        expect(found.map((i) => i.id)).toEqual([c, a, b]);
        expect(found[1]).toEqual(await reader().getInteraction(a!));
        expect(await reader().getInteractions([])).toEqual([]);
        // Many at once (stores may look them up in chunks), in reverse order.
        const many = await rapport.ingest(Array.from({ length: 150 }, (_, n) => message(10 + n)));
        const ids = many.results.map((r) => r.interactionId!).reverse();
        const all = await reader().getInteractions([...ids, 'int_missing']);
        expect(all.map((i) => i.id)).toEqual(ids);
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

      it('lists the active customers by id, page by page, without merged ones', async () => {
        const { results } = await rapport.ingest([message(1), message(2), message(3), message(4)]);
        const ids = results.map((r) => r.customerId!);
        await rapport.customers.merge(ids[0]!, ids[2]!, { reason: 'same person', actor: 'test' });
        const listed: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Page<Customer> = await reader().listCustomers({ limit: 2, cursor });
          expect(page.items.length).toBeLessThanOrEqual(2);
          listed.push(...page.items.map((c) => c.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        const active = ids.filter((id) => id !== ids[2]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(listed).toEqual(active);
        expect((await reader().listCustomers({ limit: 10 })).nextCursor).toBeNull();
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

    suite('tenancy-property', () => {
      it('random operations on two tenants leave each as if it were alone in the store', async () => {
        await checkTenantIsolation(options.create, Math.max(5, Math.round((options.propertyRuns ?? 40) / 2)));
      }, 180_000);
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

      it('pages the score log newest first, by name, with causes, ties in the order recorded', async () => {
        const customer = sampleCustomer();
        const other = sampleCustomer();
        const score = (name: string, value: number, at: number, cause?: Score['cause']): Score => ({
          tenantId: TENANT,
          customerId: customer.id,
          name,
          value,
          model: { id: 'm', version: '2', params: { h: 1 } },
          computedAt: new Date(T0 + at),
          ...(cause ? { cause } : {}),
        });
        await uow(async (u) => {
          await u.insertCustomers([customer, other]);
          await u.insertScores([
            score('engagement', 1, 0, { kind: 'interactions', interactionIds: ['i1', 'i2'] }),
            score('engagement.level', 1, 0, { kind: 'interactions', interactionIds: ['i1', 'i2'] }),
            score('engagement', 2, 5, { kind: 'recompute' }),
            // Same millisecond: the later insert comes first in a newest-first log.
            score('engagement', 3, 5, { kind: 'interactions', interactionIds: ['i3'] }),
            score('engagement', 4, 9),
            { ...score('engagement', 99, 50), customerId: other.id },
          ]);
        });
        const all: Score[] = [];
        let cursor: string | null = null;
        do {
          const page: Page<Score> = await reader().scoreHistory(customer.id, {
            name: 'engagement',
            limit: 2,
            cursor,
          });
          expect(page.items.length).toBeLessThanOrEqual(2);
          all.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(all.map((s) => s.value)).toEqual([4, 3, 2, 1]);
        expect(all[1]!.cause).toEqual({ kind: 'interactions', interactionIds: ['i3'] });
        expect(all[3]).toMatchObject({
          model: { id: 'm', version: '2', params: { h: 1 } },
          cause: { kind: 'interactions', interactionIds: ['i1', 'i2'] },
        });
        expect(all[0]!.cause).toBeUndefined();
        const everything = await reader().scoreHistory(customer.id, { limit: 10 });
        expect(everything.items.map((s) => `${s.name}=${s.value}`)).toEqual([
          'engagement=4',
          'engagement=3',
          'engagement=2',
          'engagement.level=1',
          'engagement=1',
        ]);
        expect(everything.nextCursor).toBeNull();
        expect((await reader().scoreHistory(customer.id, { name: 'nothing', limit: 5 })).items).toEqual([]);
        await expect(
          Promise.resolve().then(() =>
            reader().scoreHistory(customer.id, { limit: 2, cursor: 'not-a-cursor' }),
          ),
        ).rejects.toMatchObject({ code: 'RAPPORT_INVALID_INPUT' });
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
      it('a unit of work that throws keeps none of its segment, case, firing and timer writes', async () => {
        await rapport.ingest([message(1)]);
        const row = await target.raw.interaction(TENANT, {
          channel: 'email',
          account: 'support@acme.test',
          externalId: 'm-1',
        });
        const conversationId = row!.conversationId!;
        const member = sampleMember('c-1', 'vip', T0);
        const firing = sampleFiring({ customerId: 'c-1' });
        const timer = sampleTimer('k', T0 + 1000, { customerId: 'c-1' });
        const opened = sampleCase();
        await uow(async (u) => {
          await u.addSegmentMembers([member]);
          await u.insertRuleFirings([firing]);
          await u.upsertTimers([timer]);
          await u.updateConversationCases([{ id: conversationId, case: opened }]);
        });
        const failure = new Error('boom');
        const caught = await uow(async (u) => {
          await u.addSegmentMembers([sampleMember('c-2', 'vip', T0)]);
          await u.removeSegmentMembers('vip', ['c-1']);
          await u.updateConversationCases([{ id: conversationId, case: sampleCase({ status: 'closed' }) }]);
          await u.insertRuleFirings([sampleFiring()]);
          await u.updateRuleFirings([{ id: firing.id, actions: [] }]);
          await u.upsertTimers([sampleTimer('k', T0 + 5000), sampleTimer('new', T0)]);
          await u.deleteTimers([timer.id]);
          throw failure;
        }).catch((e: unknown) => e);
        expect(caught).toBe(failure);
        expect(await target.raw.count(TENANT, 'segment_members')).toBe(1);
        expect(await target.raw.count(TENANT, 'rule_firings')).toBe(1);
        expect(await target.raw.count(TENANT, 'rule_timers')).toBe(1);
        expect(await reader().segmentsOf(['c-1', 'c-2'])).toEqual([member]);
        expect((await reader().getConversation(conversationId))?.case).toEqual(opened);
        expect((await reader().listRuleFirings({}, { limit: 10 })).items).toEqual([firing]);
        expect(await reader().dueTimers(new Date(T0 + 10_000), 10)).toEqual([timer]);
        // Nothing of the rolled-back writes lingers in the keys either.
        const restarted = sampleTimer('k', T0 + 2000);
        await uow(async (u) => {
          await u.upsertTimers([restarted, sampleTimer('new', T0 + 3000)]);
          await u.addSegmentMembers([sampleMember('c-2', 'vip', T0 + 9)]);
        });
        expect(await target.raw.count(TENANT, 'rule_timers')).toBe(2);
        expect((await reader().dueTimers(new Date(T0 + 10_000), 10))[0]).toEqual(restarted);
        expect((await reader().segmentsOf(['c-2']))[0]?.addedAt.getTime()).toBe(T0 + 9);
      });
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
        expect(data?.outbox).toEqual([]);
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
      it('an export includes the segment memberships and rule firings of the customer and those merged into it, oldest first', async (context) => {
        requires(context, 'exportCustomer');
        const { results } = await rapport.ingest([message(1), message(2), message(3)]);
        const [a, b, stranger] = results.map((r) => r.customerId!) as [string, string, string];
        await rapport.customers.merge(a, b, { reason: 'same', actor: 'user:test' });
        const members = [
          sampleMember(b, 'vip', T0 + 1),
          sampleMember(a, 'vip', T0 + 2),
          sampleMember(a, 'churn-risk', T0 + 3),
          sampleMember(stranger, 'vip', T0),
        ];
        const firings = [
          sampleFiring({ customerId: a, firedAt: new Date(T0 + 5) }),
          sampleFiring({ customerId: b, firedAt: new Date(T0 + 4) }),
          sampleFiring({ customerId: stranger, firedAt: new Date(T0 + 4) }),
          sampleFiring({ customerId: null, firedAt: new Date(T0 + 4) }),
        ];
        await uow(async (u) => {
          await u.addSegmentMembers(members);
          await u.insertRuleFirings(firings);
        });
        const data = await reader().exportCustomer(a);
        expect(data?.segments).toEqual([members[0], members[1], members[2]]);
        expect(data?.ruleFirings).toEqual([firings[1], firings[0]]);
        const alone = await reader().exportCustomer(stranger);
        expect(alone?.segments).toEqual([members[3]]);
        expect(alone?.ruleFirings).toEqual([firings[2]]);
      });
      it('an export includes the outbox messages to the customer and those merged into it, oldest first', async (context) => {
        requires(context, 'exportCustomer');
        const { results } = await rapport.ingest([message(1), message(2), message(3)]);
        const [a, b, stranger] = results.map((r) => r.customerId!) as [string, string, string];
        await rapport.customers.merge(a, b, { reason: 'same', actor: 'user:test' });
        const sentAt = new Date(T0 + 9);
        const messages = [
          sampleOutbox('to-a-late', { customerId: a, createdAt: new Date(T0 + 5) }),
          sampleOutbox('to-b', {
            customerId: b,
            createdAt: new Date(T0 + 3),
            state: 'sent',
            attempts: 2,
            externalId: '<sent@acme.test>',
            sentAt,
            updatedAt: sentAt,
            errors: [
              { at: new Date(T0 + 4), kind: 'transient', code: 'RAPPORT_CHANNEL_ERROR', message: 'timeout' },
            ],
          }),
          // Same time as `to-b`: the id decides.
          sampleOutbox('to-a-early', { customerId: a, createdAt: new Date(T0 + 3) }),
          sampleOutbox('to-stranger', { customerId: stranger, createdAt: new Date(T0 + 1) }),
          sampleOutbox('to-nobody', { customerId: null, createdAt: new Date(T0 + 2) }),
        ];
        await uow(async (u) => u.insertOutbox(messages));
        const data = await reader().exportCustomer(a);
        const expected = messages
          .slice(0, 3)
          .sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1));
        expect(data?.outbox).toEqual(expected);
        const sent = data?.outbox.find((m) => m.idempotencyKey === 'to-b');
        expect(sent?.createdAt).toBeInstanceOf(Date);
        expect(sent?.sentAt).toBeInstanceOf(Date);
        expect(sent?.errors[0]?.at).toBeInstanceOf(Date);
        const alone = await reader().exportCustomer(stranger);
        expect(alone?.outbox).toEqual([messages[3]]);
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
      it('erasing a customer deletes its segment memberships, rule firings and timers, and those of customers merged into it', async (context) => {
        requires(context, 'eraseCustomer');
        const { results } = await rapport.ingest([message(1), message(2), message(3)]);
        const [gone, merged, kept] = results.map((r) => r.customerId!) as [string, string, string];
        await rapport.customers.merge(gone, merged, { reason: 'same', actor: 'user:test' });
        const keptMember = sampleMember(kept, 'vip', T0);
        const keptFiring = sampleFiring({ customerId: kept });
        const anonymousFiring = sampleFiring({ customerId: null });
        const keptTimer = sampleTimer('kept', T0, { customerId: kept });
        await uow(async (u) => {
          await u.addSegmentMembers([
            sampleMember(gone, 'vip', T0),
            sampleMember(gone, 'churn-risk', T0),
            sampleMember(merged, 'vip', T0),
            keptMember,
          ]);
          await u.insertRuleFirings([
            sampleFiring({ customerId: gone }),
            sampleFiring({ customerId: merged }),
            keptFiring,
            anonymousFiring,
          ]);
          await u.upsertTimers([
            sampleTimer('gone', T0, { customerId: gone }),
            sampleTimer('merged', T0, { customerId: merged }),
            keptTimer,
          ]);
        });
        await rapport.customers.erase(gone, { actor: 'user:dpo' });
        expect(await target.raw.count(TENANT, 'segment_members')).toBe(1);
        expect(await target.raw.count(TENANT, 'rule_firings')).toBe(2);
        expect(await target.raw.count(TENANT, 'rule_timers')).toBe(1);
        expect(await reader().segmentsOf([gone, merged, kept])).toEqual([keptMember]);
        expect((await reader().segmentMembers('vip', { limit: 10 })).items).toEqual([keptMember]);
        expect((await reader().listRuleFirings({ customerId: gone }, { limit: 10 })).items).toEqual([]);
        const left = (await reader().listRuleFirings({}, { limit: 10 })).items;
        expect(left.map((f) => f.id).sort()).toEqual([keptFiring.id, anonymousFiring.id].sort());
        expect(await reader().dueTimers(new Date(T0 + 10_000), 10)).toEqual([keptTimer]);
      });
      it('erasing a customer deletes its outbox messages and those of customers merged into it', async (context) => {
        requires(context, 'eraseCustomer');
        const { results } = await rapport.ingest([message(1), message(2), message(3)]);
        const [gone, merged, kept] = results.map((r) => r.customerId!) as [string, string, string];
        await rapport.customers.merge(gone, merged, { reason: 'same', actor: 'user:test' });
        const keptMessage = sampleOutbox('to-kept', { customerId: kept });
        const anonymous = sampleOutbox('to-nobody', { customerId: null });
        await uow(async (u) =>
          u.insertOutbox([
            sampleOutbox('to-gone', { customerId: gone }),
            sampleOutbox('to-gone-sent', { customerId: gone, state: 'sent', sentAt: new Date(T0 + 1) }),
            sampleOutbox('to-merged', { customerId: merged }),
            keptMessage,
            anonymous,
          ]),
        );
        await rapport.customers.erase(gone, { actor: 'user:dpo' });
        expect(await target.raw.count(TENANT, 'outbox')).toBe(2);
        expect(await reader().findOutboxByKey(['to-gone', 'to-gone-sent', 'to-merged'])).toEqual([]);
        expect(await reader().findOutboxByKey(['to-kept', 'to-nobody'])).toEqual([keptMessage, anonymous]);
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

    suite('scan', () => {
      it('scans interactions oldest first (occurredAt, then id) in complete keyset pages', async () => {
        // Three items per second, so ties on occurredAt are broken by id.
        await rapport.ingest(
          Array.from({ length: 10 }, (_, i) =>
            message(i, { occurredAt: new Date(T0 + Math.floor(i / 3) * 1000) }),
          ),
        );
        const all = await collect((page) => reader().scanInteractions({}, page), 4);
        expect(all.pages).toBe(3);
        expect(all.items).toHaveLength(10);
        expect(new Set(all.items.map((i) => i.id)).size).toBe(10);
        expect(all.items.map((i) => i.externalId).sort()).toEqual(
          Array.from({ length: 10 }, (_, i) => `m-${i}`).sort(),
        );
        expectAscending(all.items.map((i) => ({ t: i.occurredAt.getTime(), id: i.id })));
        expect(all.items[0]?.occurredAt).toBeInstanceOf(Date);
        const one = await reader().scanInteractions({}, { limit: 100 });
        expect(one.items.map((i) => i.id)).toEqual(all.items.map((i) => i.id));
        expect(one.nextCursor).toBeNull();
      });
      it('takes `from` inclusive and `to` exclusive, either open', async () => {
        await rapport.ingest(
          Array.from({ length: 10 }, (_, i) => message(i, { occurredAt: new Date(T0 + i * 1000) })),
        );
        const from = new Date(T0 + 3000);
        const to = new Date(T0 + 7000);
        const names = async (range: { from?: Date; to?: Date }) =>
          (await collect((page) => reader().scanInteractions(range, page), 2)).items.map((i) => i.externalId);
        expect(await names({ from, to })).toEqual(['m-3', 'm-4', 'm-5', 'm-6']);
        expect(await names({ from })).toEqual(['m-3', 'm-4', 'm-5', 'm-6', 'm-7', 'm-8', 'm-9']);
        expect(await names({ to })).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6']);
        expect(await names({ from: to, to: from })).toEqual([]);
        expect(await names({ from: new Date(T0 + 20_000) })).toEqual([]);
      });
      it("reads a customer's interactions in a time range, newest first, at most `limit`", async () => {
        const ann = { actor: { externalId: 'ann@example.test' } };
        // Two per second for ann, so ties on occurredAt are broken by id; one item of someone else.
        await rapport.ingest([
          ...Array.from({ length: 8 }, (_, i) =>
            message(i, { ...ann, occurredAt: new Date(T0 + Math.floor(i / 2) * 1000) }),
          ),
          message(20, { occurredAt: new Date(T0 + 1000) }),
        ]);
        const annId = (
          await reader().findIdentities([{ channel: 'email', externalId: 'ann@example.test' }])
        )[0]!.customerId;
        const names = async (range: { from?: Date; to?: Date }, limit = 100) =>
          (await reader().recentInteractions(annId, range, limit)).map((i) => i.externalId);
        const all = await reader().recentInteractions(annId, {}, 100);
        expect(all).toHaveLength(8);
        expect(all.every((i) => i.customerId === annId && i.occurredAt instanceof Date)).toBe(true);
        const order = all.map((i) => ({ t: i.occurredAt.getTime(), id: i.id })).reverse();
        expectAscending(order);
        const from = new Date(T0 + 1000);
        const to = new Date(T0 + 3000);
        expect((await names({ from, to })).sort()).toEqual(['m-2', 'm-3', 'm-4', 'm-5']);
        expect(await names({ from, to }, 3)).toEqual(
          all
            .map((i) => i.externalId)
            .filter((n) => ['m-2', 'm-3', 'm-4', 'm-5'].includes(n))
            .slice(0, 3),
        );
        expect(await names({ from: to })).toHaveLength(2);
        expect(await names({ to: from })).toHaveLength(2);
        expect(await names({}, 0)).toEqual([]);
        expect(await reader(OTHER).recentInteractions(annId, {}, 10)).toEqual([]);
      });
      it('a tenant scans its own interactions only', async () => {
        await rapport.tenant(OTHER).ingest([message(1), message(2)]);
        expect((await reader().scanInteractions({}, { limit: 10 })).items).toEqual([]);
        await rapport.ingest([message(3)]);
        const mine = await reader().scanInteractions({}, { limit: 10 });
        expect(mine.items.map((i) => i.externalId)).toEqual(['m-3']);
        const theirs = await reader(OTHER).scanInteractions({}, { limit: 10 });
        expect(theirs.items.map((i) => i.externalId)).toEqual(['m-1', 'm-2']);
      });
    });

    suite('segments', () => {
      it('adds members once: a pair already present keeps its date and source', async () => {
        const ids = ['c-3', 'c-1', 'c-5', 'c-2', 'c-4'];
        const first = ids.map((id, i) => sampleMember(id, 'vip', T0 + i));
        await uow(async (u) => {
          await u.addSegmentMembers(first);
          // A pair already present, in the same unit of work or a later one, is left as it is.
          await u.addSegmentMembers([sampleMember('c-1', 'vip', T0 + 100, TENANT, 'user:later')]);
        });
        await uow(async (u) =>
          u.addSegmentMembers([sampleMember('c-3', 'vip', T0 + 200, TENANT, 'user:later')]),
        );
        expect(await target.raw.count(TENANT, 'segment_members')).toBe(5);
        // A pair given twice in one call is added once, as first given.
        const twice = [
          sampleMember('c-6', 'vip', T0 + 300),
          sampleMember('c-6', 'vip', T0 + 400, TENANT, 'user:x'),
        ];
        await uow(async (u) => u.addSegmentMembers(twice));
        expect(await target.raw.count(TENANT, 'segment_members')).toBe(6);
        expect(await reader().segmentsOf(['c-6'])).toEqual([twice[0]]);
        const [c1] = await reader().segmentsOf(['c-1']);
        expect(c1).toEqual(first[1]);
        expect(c1?.addedAt).toBeInstanceOf(Date);
        expect((await reader().segmentsOf(['c-3']))[0]).toEqual(first[0]);
      });
      it('lists a segment by customer id in complete keyset pages', async () => {
        const ids = ['c-3', 'c-1', 'c-5', 'c-2', 'c-4'];
        await uow(async (u) =>
          u.addSegmentMembers([
            ...ids.map((id) => sampleMember(id, 'vip', T0)),
            sampleMember('c-9', 'churn-risk', T0),
          ]),
        );
        const all = await collect((page) => reader().segmentMembers('vip', page), 2);
        expect(all.pages).toBe(3);
        expect(all.items.map((m) => m.customerId)).toEqual(['c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
        expect(all.items.every((m) => m.segment === 'vip')).toBe(true);
        const exact = await reader().segmentMembers('vip', { limit: 5 });
        expect(exact.items).toHaveLength(5);
        expect(exact.nextCursor).toBeNull();
        expect((await reader().segmentMembers('nobody', { limit: 5 })).items).toEqual([]);
      });
      it('answers the segments of customers by customer id, then segment, and removes members', async () => {
        await uow(async (u) =>
          u.addSegmentMembers([
            sampleMember('c-2', 'vip', T0),
            sampleMember('c-1', 'vip', T0),
            sampleMember('c-1', 'churn-risk', T0 + 1),
            sampleMember('c-3', 'vip', T0),
          ]),
        );
        const pairs = async (ids: string[]) =>
          (await reader().segmentsOf(ids)).map((m) => `${m.customerId}/${m.segment}`);
        expect(await pairs(['c-2', 'c-1', 'c-404'])).toEqual(['c-1/churn-risk', 'c-1/vip', 'c-2/vip']);
        expect(await pairs([])).toEqual([]);
        await uow(async (u) => {
          await u.removeSegmentMembers('vip', ['c-1', 'c-404']);
          await u.removeSegmentMembers('nobody', ['c-2']);
          // A unit of work reads its own writes.
          expect((await u.segmentsOf(['c-1'])).map((m) => m.segment)).toEqual(['churn-risk']);
        });
        expect(await pairs(['c-1', 'c-2', 'c-3'])).toEqual(['c-1/churn-risk', 'c-2/vip', 'c-3/vip']);
        expect(await target.raw.count(TENANT, 'segment_members')).toBe(3);
      });
      it("a tenant's memberships are its own", async () => {
        await uow(async (u) => u.addSegmentMembers([sampleMember('c-1', 'vip', T0)]));
        expect(await reader(OTHER).segmentsOf(['c-1'])).toEqual([]);
        expect((await reader(OTHER).segmentMembers('vip', { limit: 10 })).items).toEqual([]);
        expect(await target.raw.count(OTHER, 'segment_members')).toBe(0);
        // The same pair in another tenant is a new membership, and removing it there leaves ours.
        await uow(
          async (u) => u.addSegmentMembers([sampleMember('c-1', 'vip', T0 + 5, OTHER, 'user:other')]),
          OTHER,
        );
        expect((await reader(OTHER).segmentsOf(['c-1']))[0]).toMatchObject({
          tenantId: OTHER,
          source: 'user:other',
        });
        await uow(async (u) => u.removeSegmentMembers('vip', ['c-1']), OTHER);
        expect(await reader(OTHER).segmentsOf(['c-1'])).toEqual([]);
        expect(await reader().segmentsOf(['c-1'])).toEqual([sampleMember('c-1', 'vip', T0)]);
      });
    });

    suite('cases', () => {
      const conversationOf = async (externalId: string) => {
        const row = await target.raw.interaction(TENANT, {
          channel: 'email',
          account: 'support@acme.test',
          externalId,
        });
        return row!.conversationId!;
      };
      it('replaces the case state of a conversation, its dates read back as Dates', async () => {
        await rapport.ingest([message(1)]);
        const id = await conversationOf('m-1');
        expect((await reader().getConversation(id))?.case).toBeNull();
        const opened = sampleCase({ status: 'open', assignee: 'agent-7', queue: 'billing' });
        await uow(async (u) => {
          await u.updateConversationCases([{ id, case: opened }]);
          expect((await u.getConversation(id))?.case).toEqual(opened);
        });
        const stored = await reader().getConversation(id);
        expect(stored?.case).toEqual(opened);
        expect(stored?.case?.openedAt).toBeInstanceOf(Date);
        expect(stored?.case?.updatedAt).toBeInstanceOf(Date);
        expect(stored?.case?.openedAt.getTime()).toBe(T0 + 1000);
        const [found] = await reader().findConversations([
          { channel: 'email', account: 'support@acme.test', externalId: 'm-1' },
        ]);
        expect(found?.case).toEqual(opened);
        const listed = await reader().listConversations({}, { limit: 10 });
        expect(listed.items[0]?.case).toEqual(opened);
        expect(listed.items[0]?.case?.updatedAt).toBeInstanceOf(Date);

        const pending = sampleCase({ status: 'pending', priority: 'urgent', updatedAt: new Date(T0 + 9000) });
        await uow(async (u) => u.updateConversationCases([{ id, case: pending }]));
        expect((await reader().getConversation(id))?.case).toEqual(pending);
        await uow(async (u) =>
          u.updateConversationCases([
            { id, case: null },
            { id: 'absent', case: pending },
          ]),
        );
        expect((await reader().getConversation(id))?.case).toBeNull();
        expect(await target.raw.count(TENANT, 'conversations')).toBe(1);
      });
      it('keeps the case when new interactions touch the conversation', async () => {
        await rapport.ingest([message(1)]);
        const id = await conversationOf('m-1');
        const opened = sampleCase();
        await uow(async (u) => u.updateConversationCases([{ id, case: opened }]));
        await rapport.ingest([
          message(2, { kind: 'reply', actor: { externalId: 'person-1@example.test' }, parent: 'm-1' }),
        ]);
        const stored = await reader().getConversation(id);
        expect(stored?.interactionCount).toBe(2);
        expect(stored?.case).toEqual(opened);
      });
      it('lists conversations by case, status, queue and assignee', async () => {
        await rapport.ingest([message(1), message(2), message(3), message(4)]);
        const ids = await Promise.all(['m-1', 'm-2', 'm-3', 'm-4'].map(conversationOf));
        await uow(async (u) =>
          u.updateConversationCases([
            { id: ids[0]!, case: sampleCase({ status: 'open', queue: 'billing', assignee: 'ann' }) },
            { id: ids[1]!, case: sampleCase({ status: 'pending', queue: 'billing', assignee: 'bob' }) },
            { id: ids[2]!, case: sampleCase({ status: 'resolved', queue: 'tech', assignee: 'ann' }) },
          ]),
        );
        const list = async (filter: Parameters<ReturnType<typeof reader>['listConversations']>[0]) =>
          (await reader().listConversations(filter, { limit: 10 })).items.map((c) => c.id).sort();
        expect(await list({ hasCase: true })).toEqual([ids[0], ids[1], ids[2]].sort());
        expect(await list({ hasCase: false })).toEqual([ids[3]]);
        expect(await list({ caseStatus: ['open', 'pending'] })).toEqual([ids[0], ids[1]].sort());
        expect(await list({ queue: 'billing', assignee: 'ann' })).toEqual([ids[0]]);
        expect(await list({ assignee: 'ann', caseStatus: ['resolved'] })).toEqual([ids[2]]);
        expect(await list({ caseStatus: [] })).toEqual([]);
      });
      it("another tenant cannot change a tenant's case", async () => {
        await rapport.ingest([message(1)]);
        const id = await conversationOf('m-1');
        const opened = sampleCase();
        await uow(async (u) => u.updateConversationCases([{ id, case: opened }]));
        await uow(async (u) => u.updateConversationCases([{ id, case: null }]), OTHER);
        expect(await reader(OTHER).getConversation(id)).toBeNull();
        expect((await reader().getConversation(id))?.case).toEqual(opened);
      });
    });

    suite('outbox', () => {
      it('adds messages once per idempotency key and reads them back by id and key, dates as Dates', async () => {
        const a = sampleOutbox('k-a');
        const b = sampleOutbox('k-b', { createdAt: new Date(T0 + 5) });
        expect(await uow(async (u) => u.insertOutbox([a, b]))).toEqual({ skipped: [] });
        const again = sampleOutbox('k-a', { payload: { ...a.payload, text: 'other' } });
        expect(await uow(async (u) => u.insertOutbox([again]))).toEqual({ skipped: [again.id] });
        expect(await target.raw.count(TENANT, 'outbox')).toBe(2);
        expect(await reader().getOutboxMessages([b.id, 'absent', a.id])).toEqual(
          expect.arrayContaining([a, b]),
        );
        const [found] = await reader().findOutboxByKey(['k-a', 'absent']);
        expect(found).toEqual(a);
        expect(found?.nextAttemptAt).toBeInstanceOf(Date);
        expect(found?.payload.context).toEqual({ subject: 'Order 42', references: ['<a@x>', '<b@x>'] });
      });
      it('lists newest first with filters, keyset paged', async () => {
        const messages = [0, 1, 2, 3, 4].map((n) =>
          sampleOutbox(`k-${n}`, {
            createdAt: new Date(T0 + (n < 2 ? 0 : n)),
            conversationId: n % 2 === 0 ? 'conv-even' : 'conv-odd',
            state: n === 4 ? 'sent' : 'pending',
          }),
        );
        await uow(async (u) => u.insertOutbox(messages));
        const expected = [...messages].sort(
          (x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1),
        );
        const ids = (await collect((page) => reader().listOutbox({}, page), 2)).items.map((m) => m.id);
        expect(ids).toEqual(expected.map((m) => m.id));
        const even = await reader().listOutbox({ conversationId: 'conv-even' }, { limit: 10 });
        expect(even.items.map((m) => m.idempotencyKey).sort()).toEqual(['k-0', 'k-2', 'k-4']);
        const sent = await reader().listOutbox({ state: 'sent' }, { limit: 10 });
        expect(sent.items.map((m) => m.idempotencyKey)).toEqual(['k-4']);
      });
      it('answers due messages, and a claim takes each at most once, expired leases included', async () => {
        const soon = sampleOutbox('soon', { nextAttemptAt: new Date(T0 + 100) });
        const later = sampleOutbox('later', { nextAttemptAt: new Date(T0 + 5000) });
        const unknown = sampleOutbox('unknown', { state: 'unknown', nextAttemptAt: new Date(T0 + 200) });
        const sent = sampleOutbox('sent', { state: 'sent', nextAttemptAt: new Date(T0) });
        const failed = sampleOutbox('failed', { state: 'failed', nextAttemptAt: new Date(T0) });
        await uow(async (u) => u.insertOutbox([soon, later, unknown, sent, failed]));
        const now = new Date(T0 + 1000);
        const due = await reader().dueOutbox(now, 10);
        expect(due.map((m) => m.idempotencyKey)).toEqual(['soon', 'unknown']);
        expect((await reader().dueOutbox(now, 1)).map((m) => m.idempotencyKey)).toEqual(['soon']);
        const lease = new Date(T0 + 31_000);
        const claimed = await uow(async (u) =>
          u.claimOutbox([soon.id, later.id, sent.id, 'absent'], now, lease),
        );
        expect(claimed).toEqual([soon.id]);
        // A second sender finds it taken.
        expect(await uow(async (u) => u.claimOutbox([soon.id], now, lease))).toEqual([]);
        const [taken] = await reader().getOutboxMessages([soon.id]);
        expect(taken).toMatchObject({
          state: 'sending',
          attempts: 1,
          leaseUntil: lease,
          nextAttemptAt: lease,
        });
        expect(taken?.updatedAt).toEqual(now);
        expect((await reader().dueOutbox(now, 10)).map((m) => m.idempotencyKey)).toEqual(['unknown']);
        // Its sender died: once the lease expires, it is due again (to be reconciled first).
        const afterLease = new Date(T0 + 40_000);
        expect((await reader().dueOutbox(afterLease, 10)).map((m) => m.idempotencyKey)).toEqual([
          'unknown',
          'later',
          'soon',
        ]);
        expect(await uow(async (u) => u.claimOutbox([soon.id], afterLease, new Date(T0 + 70_000)))).toEqual([
          soon.id,
        ]);
        expect((await reader().getOutboxMessages([soon.id]))[0]?.attempts).toBe(2);
      });
      it('replaces messages by id, keeping their idempotency key', async () => {
        const m = sampleOutbox('k-1');
        await uow(async (u) => u.insertOutbox([m]));
        const sentAt = new Date(T0 + 2000);
        const updated: OutboxMessage = {
          ...m,
          idempotencyKey: 'changed',
          state: 'sent',
          attempts: 2,
          externalId: '<reply@acme.test>',
          sentAt,
          leaseUntil: null,
          errors: [
            { at: new Date(T0 + 1000), kind: 'transient', code: 'RAPPORT_CHANNEL_ERROR', message: 'timeout' },
          ],
          updatedAt: sentAt,
        };
        await uow(async (u) => u.updateOutbox([updated]));
        const [stored] = await reader().findOutboxByKey(['k-1']);
        expect(stored).toEqual({ ...updated, idempotencyKey: 'k-1' });
        expect(stored?.errors[0]?.at).toBeInstanceOf(Date);
        expect(await reader().findOutboxByKey(['changed'])).toEqual([]);
      });
      it("a tenant's outbox is its own, idempotency keys included", async () => {
        const mine = sampleOutbox('shared-key');
        await uow(async (u) => u.insertOutbox([mine]));
        const theirs = sampleOutbox('shared-key', {}, OTHER);
        expect(await uow(async (u) => u.insertOutbox([theirs]), OTHER)).toEqual({ skipped: [] });
        expect(await reader(OTHER).getOutboxMessages([mine.id])).toEqual([]);
        expect(await reader(OTHER).dueOutbox(new Date(T0 + 5000), 10)).toEqual([
          { ...theirs, tenantId: OTHER },
        ]);
        expect(
          await uow(async (u) => u.claimOutbox([mine.id], new Date(T0 + 5000), new Date(T0 + 9000)), OTHER),
        ).toEqual([]);
        await uow(async (u) => u.updateOutbox([{ ...mine, state: 'failed' }]), OTHER);
        expect((await reader().getOutboxMessages([mine.id]))[0]?.state).toBe('pending');
      });
      it('nothing of an aborted unit of work is kept', async () => {
        const m = sampleOutbox('k-1');
        await expect(
          uow(async (u) => {
            await u.insertOutbox([m]);
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        expect(await target.raw.count(TENANT, 'outbox')).toBe(0);
      });
    });

    suite('channel-state', () => {
      it('keeps values per scope, overwrites, deletes with null, and is tenant-scoped', async () => {
        await uow(async (u) => u.setChannelState('email:support', { cursor: '7:41', 'seen:1': 'x' }));
        await uow(async (u) => u.setChannelState('mastodon:acme', { cursor: '109' }));
        expect(await reader().getChannelState('email:support', ['cursor', 'seen:1', 'absent'])).toEqual({
          cursor: '7:41',
          'seen:1': 'x',
        });
        await uow(async (u) => {
          await u.setChannelState('email:support', { cursor: '7:42', 'seen:1': null });
          expect(await u.getChannelState('email:support', ['cursor', 'seen:1'])).toEqual({ cursor: '7:42' });
        });
        expect(await reader().getChannelState('email:support', ['cursor', 'seen:1'])).toEqual({
          cursor: '7:42',
        });
        expect(await reader().getChannelState('mastodon:acme', ['cursor'])).toEqual({ cursor: '109' });
        expect(await target.raw.count(TENANT, 'channel_state')).toBe(2);
        expect(await reader(OTHER).getChannelState('email:support', ['cursor'])).toEqual({});
        await uow(async (u) => u.setChannelState('email:support', { cursor: 'other' }), OTHER);
        expect(await reader().getChannelState('email:support', ['cursor'])).toEqual({ cursor: '7:42' });
      });
    });

    suite('rule-firings', () => {
      /** Seven firings: two per millisecond (ties broken by id), rules r1/r2, customers c-1/c-2/none. */
      const seed = async () => {
        const firings = Array.from({ length: 7 }, (_, i) =>
          sampleFiring({
            ruleId: i % 2 === 0 ? 'r1' : 'r2',
            customerId: i % 3 === 2 ? null : `c-${(i % 3) + 1}`,
            firedAt: new Date(T0 + Math.floor(i / 2)),
          }),
        );
        await uow(async (u) => u.insertRuleFirings(firings));
        return firings;
      };
      const newestFirst = (list: RuleFiring[]) =>
        [...list].sort(
          (a, b) => b.firedAt.getTime() - a.firedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
        );

      it('round-trips a firing with its action outcomes', async () => {
        const firing = sampleFiring({
          customerId: 'c-1',
          conversationId: 'v-1',
          interactionId: 'i-1',
          trigger: 'interaction.received',
          actions: [
            { index: 0, type: 'tag', status: 'applied' },
            { index: 1, type: 'webhook', status: 'pending', detail: 'queued' },
            { index: 2, type: 'reply', status: 'failed', error: { code: 'E_TIMEOUT', message: 'timed out' } },
          ],
        });
        await uow(async (u) => u.insertRuleFirings([firing, sampleFiring({ actions: [] })]));
        const page = await reader().listRuleFirings({ customerId: 'c-1' }, { limit: 10 });
        expect(page.items).toEqual([firing]);
        expect(page.items[0]?.firedAt).toBeInstanceOf(Date);
        expect(await target.raw.count(TENANT, 'rule_firings')).toBe(2);
      });
      it('lists firings newest first (firedAt, then id) in complete keyset pages, filtered by rule and customer', async () => {
        const firings = await seed();
        const all = await collect((page) => reader().listRuleFirings({}, page), 3);
        expect(all.pages).toBe(3);
        expect(all.items.map((f) => f.id)).toEqual(newestFirst(firings).map((f) => f.id));
        for (const filter of [{ ruleId: 'r1' }, { customerId: 'c-1' }, { ruleId: 'r2', customerId: 'c-2' }]) {
          const expected = newestFirst(
            firings.filter(
              (f) =>
                (!('ruleId' in filter) || f.ruleId === filter.ruleId) &&
                (!('customerId' in filter) || f.customerId === filter.customerId),
            ),
          );
          expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(0);
          const listed = await collect((page) => reader().listRuleFirings(filter, page), 1);
          expect(
            listed.items.map((f) => f.id),
            JSON.stringify(filter),
          ).toEqual(expected.map((f) => f.id));
        }
        expect((await reader().listRuleFirings({ ruleId: 'nope' }, { limit: 5 })).items).toEqual([]);
      });
      it('replaces the action outcomes of recorded firings', async () => {
        const firing = sampleFiring({ actions: [{ index: 0, type: 'webhook', status: 'pending' }] });
        await uow(async (u) => u.insertRuleFirings([firing]));
        const actions: RuleFiring['actions'] = [
          {
            index: 0,
            type: 'webhook',
            status: 'failed',
            error: { code: 'HTTP_500', message: 'server error' },
          },
        ];
        await uow(async (u) => {
          await u.updateRuleFirings([
            { id: firing.id, actions },
            { id: 'absent', actions: [] },
          ]);
          expect((await u.listRuleFirings({}, { limit: 5 })).items[0]?.actions).toEqual(actions);
        });
        const [stored] = (await reader().listRuleFirings({}, { limit: 5 })).items;
        expect(stored).toEqual({ ...firing, actions });
        expect(await target.raw.count(TENANT, 'rule_firings')).toBe(1);
      });
      it("a tenant's firings are its own", async () => {
        const [firing] = await seed();
        expect((await reader(OTHER).listRuleFirings({}, { limit: 10 })).items).toEqual([]);
        expect((await reader(OTHER).listRuleFirings({ customerId: 'c-1' }, { limit: 10 })).items).toEqual([]);
        expect(await target.raw.count(OTHER, 'rule_firings')).toBe(0);
        await uow(async (u) => u.updateRuleFirings([{ id: firing!.id, actions: [] }]), OTHER);
        expect(
          (await reader().listRuleFirings({}, { limit: 10 })).items.find((f) => f.id === firing!.id),
        ).toEqual(firing);
      });
    });

    suite('timers', () => {
      it('answers due timers soonest first (dueAt, then id), `until` inclusive, at most `limit`', async () => {
        const timers = [
          sampleTimer('k1', T0 + 3000),
          sampleTimer('k2', T0 + 1000),
          sampleTimer('k3', T0 + 1000),
          sampleTimer('k4', T0 + 9000),
        ];
        await uow(async (u) => u.upsertTimers(timers));
        expect(await target.raw.count(TENANT, 'rule_timers')).toBe(4);
        const soonest = [timers[1]!, timers[2]!].sort((a, b) => (a.id < b.id ? -1 : 1));
        const due = await reader().dueTimers(new Date(T0 + 3000), 10);
        expect(due).toEqual([...soonest, timers[0]]);
        expect(due[0]?.dueAt).toBeInstanceOf(Date);
        expect(due[0]?.subject.at).toBeInstanceOf(Date);
        expect(await reader().dueTimers(new Date(T0 + 3000), 2)).toEqual(soonest);
        expect(await reader().dueTimers(new Date(T0 + 999), 10)).toEqual([]);
        expect((await reader().dueTimers(new Date(T0 + 100_000), 10)).map((t) => t.key)).toHaveLength(4);
      });
      it('a timer whose key exists replaces the stored one, id, due time and subject and all', async () => {
        const first = sampleTimer('restart', T0 + 5000, { customerId: 'c-1' });
        const other = sampleTimer('other', T0 + 6000);
        await uow(async (u) => u.upsertTimers([first, other]));
        const second = {
          ...sampleTimer('restart', T0 + 1000, { customerId: 'c-2', event: 'case.opened' }),
          ruleVersion: 2,
        };
        await uow(async (u) => {
          await u.upsertTimers([second]);
          expect((await u.dueTimers(new Date(T0 + 10_000), 10)).map((t) => t.id)).toEqual([
            second.id,
            other.id,
          ]);
        });
        expect(await target.raw.count(TENANT, 'rule_timers')).toBe(2);
        expect(await reader().dueTimers(new Date(T0 + 10_000), 10)).toEqual([second, other]);
        // The replaced timer's id is gone: deleting it does nothing.
        await uow(async (u) => u.deleteTimers([first.id]));
        expect(await target.raw.count(TENANT, 'rule_timers')).toBe(2);
        // The same timer upserted again (same id and key) is rescheduled in place.
        await uow(async (u) => u.upsertTimers([{ ...second, dueAt: new Date(T0 + 7000) }]));
        expect((await reader().dueTimers(new Date(T0 + 10_000), 10)).map((t) => t.id)).toEqual([
          other.id,
          second.id,
        ]);
        expect(await target.raw.count(TENANT, 'rule_timers')).toBe(2);
      });
      it('deletes timers by id, returning those it deleted, so a timer is claimed once', async () => {
        const timers = [sampleTimer('a', T0), sampleTimer('b', T0 + 1), sampleTimer('c', T0 + 2)];
        await uow(async (u) => u.upsertTimers(timers));
        const deleted = await uow(async (u) => u.deleteTimers([timers[0]!.id, 'absent', timers[2]!.id]));
        expect(deleted).toEqual([timers[0]!.id, timers[2]!.id]);
        expect(await uow(async (u) => u.deleteTimers([timers[0]!.id]))).toEqual([]);
        expect(await reader().dueTimers(new Date(T0 + 10), 10)).toEqual([timers[1]]);
        expect(await target.raw.count(TENANT, 'rule_timers')).toBe(1);
        // After a delete the key is free again.
        const again = sampleTimer('a', T0 + 5);
        await uow(async (u) => u.upsertTimers([again]));
        expect(await reader().dueTimers(new Date(T0 + 10), 10)).toEqual([timers[1], again]);
      });
      it("a tenant's timers are its own, keys included", async () => {
        const mine = sampleTimer('k', T0);
        await uow(async (u) => u.upsertTimers([mine]));
        expect(await reader(OTHER).dueTimers(new Date(T0 + 10_000), 10)).toEqual([]);
        expect(await target.raw.count(OTHER, 'rule_timers')).toBe(0);
        const theirs = sampleTimer('k', T0 + 1, {}, OTHER);
        await uow(async (u) => {
          await u.upsertTimers([theirs]);
          await u.deleteTimers([mine.id]);
        }, OTHER);
        expect(await reader().dueTimers(new Date(T0 + 10_000), 10)).toEqual([mine]);
        expect(await reader(OTHER).dueTimers(new Date(T0 + 10_000), 10)).toEqual([theirs]);
      });
    });

    suite('tenants', () => {
      it('lists every tenant of the store once', async () => {
        await target.storage.ensureTenant({ id: OTHER, name: 'Other', createdAt: new Date(T0 + 1) });
        await target.storage.ensureTenant({ id: OTHER, name: 'Renamed', createdAt: new Date(T0 + 2) });
        const tenants = await target.storage.listTenants();
        expect(tenants.map((t) => t.id).sort()).toEqual([TENANT, OTHER].sort());
        const other = tenants.find((t) => t.id === OTHER);
        expect(other).toEqual({ id: OTHER, name: 'Other', createdAt: new Date(T0 + 1) });
        expect(other?.createdAt).toBeInstanceOf(Date);
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

/** Every page of a keyset-paged listing, and how many pages it took. */
async function collect<T>(
  list: (page: PageRequest) => Page<T> | Promise<Page<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page<T> = await list({ limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
    if (pages > 1000) throw new Error('the listing never ends');
  } while (cursor);
  return { items, pages };
}

/** Checks (time, id) pairs ascend strictly, ids compared by code unit. */
function expectAscending(rows: Array<{ t: number; id: string }>): void {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    expect(a.t < b.t || (a.t === b.t && a.id < b.id), `${a.t}/${a.id} before ${b.t}/${b.id}`).toBe(true);
  }
}

function sampleMember(
  customerId: string,
  segment: string,
  at: number,
  tenantId = TENANT,
  source = 'rule:r1@1',
): SegmentMembership {
  return { tenantId, segment, customerId, addedAt: new Date(at), source };
}

function sampleCase(overrides: Partial<CaseState> = {}): CaseState {
  return {
    ...newCase(new Date(T0 + 1000), {
      priority: 'high',
      openedBy: 'rule:triage',
      openingInteractionId: 'i-1',
    }),
    status: 'open',
    updatedAt: new Date(T0 + 2000),
    firstResponseAt: new Date(T0 + 1500),
    agentReplies: 1,
    awaitingSince: null,
    sla: {
      policyId: 'standard',
      firstResponse: { dueAt: new Date(T0 + 3000), metAt: new Date(T0 + 1500), breachedAt: null },
      nextResponse: null,
      resolution: { dueAt: new Date(T0 + 90_000), metAt: null, breachedAt: null },
      history: [
        { target: 'nextResponse', dueAt: new Date(T0 + 4000), metAt: null, breachedAt: new Date(T0 + 4000) },
      ],
    },
    ...overrides,
  };
}

function sampleOutbox(key: string, overrides: Partial<OutboxMessage> = {}, tenantId = TENANT): OutboxMessage {
  return {
    id: newId(),
    tenantId,
    idempotencyKey: key,
    channel: 'email',
    account: 'support@acme.test',
    conversationId: 'conv-1',
    customerId: 'c-1',
    author: 'user:agent-7',
    payload: {
      to: { externalId: 'person-1@example.test', handle: 'Person One' },
      inReplyTo: 'm-1',
      thread: 'm-1',
      context: { subject: 'Order 42', references: ['<a@x>', '<b@x>'] },
      text: `Reply ${key}`,
    },
    state: 'pending',
    attempts: 0,
    nextAttemptAt: new Date(T0 + 1000),
    leaseUntil: null,
    errors: [],
    externalId: null,
    sentAt: null,
    createdAt: new Date(T0),
    updatedAt: new Date(T0),
    ...overrides,
  };
}

function sampleFiring(overrides: Partial<RuleFiring> = {}, tenantId = TENANT): RuleFiring {
  return {
    id: newId(),
    tenantId,
    ruleId: 'r1',
    ruleVersion: 1,
    trigger: 'interaction.received',
    customerId: null,
    conversationId: null,
    interactionId: null,
    actions: [{ index: 0, type: 'tag', status: 'applied' }],
    firedAt: new Date(T0),
    ...overrides,
  };
}

function sampleTimer(
  key: string,
  dueAt: number,
  subject: Partial<RuleTimer['subject']> = {},
  tenantId = TENANT,
): RuleTimer {
  return {
    id: newId(),
    tenantId,
    key,
    ruleId: 'r1',
    ruleVersion: 1,
    dueAt: new Date(dueAt),
    subject: {
      event: 'interaction.received',
      customerId: null,
      conversationId: null,
      interactionId: null,
      at: new Date(T0),
      ...subject,
    },
    createdAt: new Date(T0),
  };
}
