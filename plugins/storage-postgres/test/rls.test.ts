import {
  type Customer,
  type Interaction,
  newId,
  type StoragePlugin,
  silentLogger,
  systemClock,
} from '@rapport/core';
import { T0 } from '@rapport/testkit';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { postgresStorage, TENANT_SETTING } from '../src/index.js';
import { uniqueName, useTestDatabase } from './pg.js';

const db = useTestDatabase({ appRole: true });
const context = { logger: silentLogger, clock: systemClock };
const at = new Date(T0);

/** Every table that holds tenant rows (all but the tenants registry and the migrations record). */
const TENANT_TABLES = [
  'customers',
  'identities',
  'interactions',
  'conversations',
  'consents',
  'scores',
  'merges',
  'erasures',
  'segment_members',
  'rule_firings',
  'rule_timers',
  'outbox',
  'channel_state',
] as const;

function customer(tenantId: string, id = newId()): Customer {
  return {
    id,
    tenantId,
    displayName: `customer of ${tenantId}`,
    primaryEmail: null,
    attributes: {},
    tags: [],
    status: 'active',
    mergedInto: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** Writes at least one row into every tenant table for `tenantId`, through the store. */
async function fillTenant(storage: StoragePlugin, tenantId: string): Promise<void> {
  await storage.ensureTenant({ id: tenantId, name: tenantId, createdAt: at });
  await storage.unitOfWork(tenantId, async (u) => {
    const [kept, absorbed, erased] = [customer(tenantId), customer(tenantId), customer(tenantId)];
    await u.insertCustomers([kept, absorbed, erased]);
    const identityId = newId();
    await u.insertIdentities([
      {
        id: identityId,
        tenantId,
        customerId: kept.id,
        channel: 'email',
        externalId: `someone@${tenantId}.test`,
        handle: null,
        displayName: null,
        email: null,
        verified: false,
        source: 'test',
        createdAt: at,
      },
    ]);
    const conversationId = newId();
    const interaction: Interaction = {
      id: newId(),
      tenantId,
      channel: 'email',
      account: 'support',
      externalId: `m-${tenantId}`,
      version: 0,
      direction: 'inbound',
      kind: 'message',
      effort: 'contribution',
      text: 'hello',
      language: null,
      occurredAt: at,
      receivedAt: at,
      customerId: kept.id,
      identityId,
      actorExternalId: `someone@${tenantId}.test`,
      actorHandle: null,
      conversationId,
      thread: null,
      parent: null,
      amount: null,
      currency: null,
      referredIdentityId: null,
      referredCustomerId: null,
      scores: [],
      metadata: {},
    };
    await u.insertInteractions([interaction]);
    await u.insertConversations([
      {
        id: conversationId,
        tenantId,
        channel: 'email',
        account: 'support',
        externalId: `m-${tenantId}`,
        customerId: kept.id,
        startedAt: at,
        lastInteractionAt: at,
        interactionCount: 1,
        case: null,
      },
    ]);
    await u.insertConsents([
      {
        id: newId(),
        tenantId,
        customerId: kept.id,
        purpose: 'marketing',
        channel: 'email',
        status: 'granted',
        at,
        source: 'test',
      },
    ]);
    await u.insertScores([
      {
        tenantId,
        customerId: kept.id,
        name: 'points',
        value: 1,
        model: { id: 'm', version: '1' },
        computedAt: at,
      },
    ]);
    await u.updateCustomers([{ ...absorbed, status: 'merged', mergedInto: kept.id }]);
    await u.insertMerge({
      id: newId(),
      tenantId,
      survivorId: kept.id,
      absorbedId: absorbed.id,
      reason: 'test',
      actor: 'user:test',
      at,
      identityIds: [],
      conversationIds: [],
      consentIds: [],
      addedTags: [],
      addedAttributes: [],
      filledFields: [],
      absorbedSnapshot: absorbed,
      unmergedAt: null,
      unmergedBy: null,
    });
    await u.eraseCustomer(erased.id, [`erased-key-of-${tenantId}`], at);
    await u.addSegmentMembers([
      { tenantId, segment: 'vip', customerId: kept.id, addedAt: at, source: 'test' },
    ]);
    await u.insertRuleFirings([
      {
        id: newId(),
        tenantId,
        ruleId: 'r',
        ruleVersion: 1,
        trigger: 'interaction.received',
        customerId: kept.id,
        conversationId,
        interactionId: interaction.id,
        actions: [],
        firedAt: at,
      },
    ]);
    await u.upsertTimers([
      {
        id: newId(),
        tenantId,
        key: 'k',
        ruleId: 'r',
        ruleVersion: 1,
        dueAt: at,
        subject: {
          event: 'interaction.received',
          customerId: kept.id,
          conversationId,
          interactionId: interaction.id,
          at,
        },
        createdAt: at,
      },
    ]);
    await u.insertOutbox([
      {
        id: newId(),
        tenantId,
        idempotencyKey: `reply-of-${tenantId}`,
        channel: 'email',
        account: 'support@acme.test',
        conversationId,
        customerId: kept.id,
        author: 'user:test',
        payload: { to: { externalId: 'someone@example.test' }, text: 'Hello' },
        state: 'pending',
        attempts: 0,
        nextAttemptAt: at,
        leaseUntil: null,
        errors: [],
        externalId: null,
        sentAt: null,
        createdAt: at,
        updatedAt: at,
      },
    ]);
    await u.setChannelState('email:support@acme.test', { cursor: `cursor-of-${tenantId}` });
  });
}

/** Rows per table of `tenantId`, counted by the admin role (which row security never binds). */
async function adminCounts(schema: string, tenantId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TENANT_TABLES) {
    const { rows } = await db.sql(
      `SELECT count(*)::integer AS n FROM ${schema}.${table} WHERE tenant_id = $1`,
      [tenantId],
    );
    counts[table] = rows[0].n;
  }
  return counts;
}

/** A plain connection as the app role, outside the store. */
async function appConnection(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.appUrl });
  await client.connect();
  db.track({ close: () => client.end() });
  return client;
}

describe('row-level security', () => {
  it('binds the app role even as the tables’ owner: a connection sees and writes only the tenant it set, and nothing with none set', async () => {
    const schema = uniqueName('rls');
    const storage = db.track(postgresStorage({ connectionString: db.appUrl, schema, max: 2 }));
    await storage.init(context);
    await fillTenant(storage, 'a');
    await fillTenant(storage, 'b');
    const before = { a: await adminCounts(schema, 'a'), b: await adminCounts(schema, 'b') };
    for (const table of TENANT_TABLES) {
      expect([table, before.a[table]! > 0, before.b[table]! > 0]).toEqual([table, true, true]);
    }

    // The app role owns the tables it migrated, and FORCE makes the policies bind it anyway.
    const { rows: tables } = await db.sql(
      `SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner, c.relrowsecurity AS rls,
              c.relforcerowsecurity AS forced
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname`,
      [schema],
    );
    for (const t of tables) {
      const bound = (TENANT_TABLES as readonly string[]).includes(t.name);
      expect(t).toEqual({ name: t.name, owner: db.appRole, rls: bound, forced: bound });
    }

    const client = await appConnection();
    const count = async (table: string, where = '') =>
      (await client.query(`SELECT count(*)::integer AS n FROM ${schema}.${table} ${where}`)).rows[0].n;

    // No tenant set: every table looks empty, and nothing can be written.
    for (const table of TENANT_TABLES) expect([table, await count(table)]).toEqual([table, 0]);
    await expect(
      client.query(`INSERT INTO ${schema}.erasures (tenant_id, erasure_key, erased_at) VALUES ('a', 'x', 0)`),
    ).rejects.toMatchObject({ code: '42501' });
    // The tenants registry is deliberately outside: it is what spans tenants.
    expect(await count('tenants')).toBe(2);

    // Tenant a set on the session: its rows, all of them, and none of b's.
    await client.query(`SELECT set_config('${TENANT_SETTING}', 'a', false)`);
    for (const table of TENANT_TABLES) {
      expect([table, await count(table)]).toEqual([table, before.a[table]]);
      expect([table, await count(table, `WHERE tenant_id = 'b'`)]).toEqual([table, 0]);
      const updated = await client.query(
        `UPDATE ${schema}.${table} SET tenant_id = tenant_id WHERE tenant_id = 'b'`,
      );
      const deleted = await client.query(`DELETE FROM ${schema}.${table} WHERE tenant_id = 'b'`);
      expect([table, updated.rowCount, deleted.rowCount]).toEqual([table, 0, 0]);
    }
    // Writing a row of b, or moving a row of a to b, is refused.
    await expect(
      client.query(`INSERT INTO ${schema}.erasures (tenant_id, erasure_key, erased_at) VALUES ('b', 'x', 0)`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      client.query(`UPDATE ${schema}.customers SET tenant_id = 'b' WHERE tenant_id = 'a'`),
    ).rejects.toMatchObject({ code: '42501' });
    // The same holds inside a transaction that sets the tenant for itself only.
    await client.query('BEGIN');
    await client.query(`SELECT set_config('${TENANT_SETTING}', 'b', true)`);
    expect(await count('interactions', `WHERE tenant_id = 'a'`)).toBe(0);
    expect(await count('interactions')).toBe(before.b.interactions);
    await client.query('COMMIT');
    expect(await count('interactions')).toBe(before.a.interactions);

    // Nothing of b changed.
    expect(await adminCounts(schema, 'b')).toEqual(before.b);
  });
});

describe('committed reads under row-level security', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Counts the statements that set a session's tenant, from here on. */
  function countTenantSwitches(): () => number {
    const query = vi.spyOn(pg.Client.prototype, 'query');
    return () =>
      query.mock.calls.filter(([config]) => {
        const text = typeof config === 'string' ? config : (config as { text?: string }).text;
        return text?.includes(`set_config('${TENANT_SETTING}', $1, false)`) ?? false;
      }).length;
  }

  it('set the tenant on a pooled connection only when it holds another, and a unit of work leaves it as it was', async () => {
    const storage = db.track(
      postgresStorage({ connectionString: db.appUrl, schema: uniqueName('rls'), max: 1 }),
    );
    await storage.init(context);
    await fillTenant(storage, 'a');
    await fillTenant(storage, 'b');
    const switches = countTenantSwitches();
    const conversations = async (tenantId: string) =>
      (await storage.read(tenantId).listConversations({}, { limit: 10 })).items.map((c) => c.tenantId);

    expect(await conversations('a')).toEqual(['a']);
    expect(switches()).toBe(1);
    expect(await conversations('a')).toEqual(['a']);
    expect((await storage.read('a').stats()).conversations).toBe(1);
    expect(switches()).toBe(1);
    expect(await conversations('b')).toEqual(['b']);
    expect(switches()).toBe(2);
    // A unit of work of a on the same (only) connection sets a for its transaction only.
    expect(
      await storage.unitOfWork('a', async (u) => (await u.listConversations({}, { limit: 10 })).items.length),
    ).toBe(1);
    expect(await conversations('b')).toEqual(['b']);
    expect(switches()).toBe(2);
    expect(await conversations('a')).toEqual(['a']);
    expect(switches()).toBe(3);
  });

  it('close a connection whose read failed, so the next reader gets a known one', async () => {
    const storage = db.track(
      postgresStorage({ connectionString: db.appUrl, schema: uniqueName('rls'), max: 1 }),
    );
    await storage.init(context);
    await fillTenant(storage, 'a');
    await fillTenant(storage, 'b');
    const switches = countTenantSwitches();
    expect((await storage.read('b').listConversations({}, { limit: 10 })).items).toHaveLength(1);
    // Postgres refuses NUL in text: the statement fails after the tenant was set.
    await expect(storage.read('a').getCustomers(['\u0000'])).rejects.toMatchObject({
      code: 'RAPPORT_STORAGE_FAILED',
    });
    expect(switches()).toBe(2);
    // The failed connection is gone; its replacement is set to b again before b reads.
    expect(
      (await storage.read('b').listConversations({}, { limit: 10 })).items.map((c) => c.tenantId),
    ).toEqual(['b']);
    expect(switches()).toBe(3);
  });
});
