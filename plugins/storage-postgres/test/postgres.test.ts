import {
  createRapport,
  type Interaction,
  newId,
  RapportError,
  type RuleTimer,
  silentLogger,
  systemClock,
} from '@rapport/core';
import { message, T0 } from '@rapport/testkit';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate, migrations, postgresRawQueries, postgresStorage } from '../src/index.js';
import { PLAIN_INSERT_THRESHOLD } from '../src/unit-of-work.js';
import { uniqueName, useTestDatabase } from './pg.js';

const db = useTestDatabase();
const TENANT = 't';

/** A store on a new schema (or the one given), closed with the test file. */
function store(schema = uniqueName('s'), extra: Record<string, unknown> = {}) {
  return db.track(postgresStorage({ connectionString: db.url, schema, max: 4, ...extra }));
}

const context = { logger: silentLogger, clock: systemClock };

function timer(key: string): RuleTimer {
  return {
    id: newId(),
    tenantId: TENANT,
    key,
    ruleId: 'r',
    ruleVersion: 1,
    dueAt: new Date(T0),
    subject: {
      event: 'interaction.received',
      customerId: null,
      conversationId: null,
      interactionId: null,
      at: new Date(T0),
    },
    createdAt: new Date(T0),
  };
}

describe('postgres storage', () => {
  it('migrates once when several stores start on a new schema at the same time', async () => {
    const schema = uniqueName('s');
    const stores = Array.from({ length: 4 }, () => store(schema));
    await Promise.all(stores.map((s) => s.init(context)));
    const { rows } = await db.sql(`SELECT version FROM ${schema}.rapport_migrations ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      expect(await migrate(pool, { schema })).toMatchObject({ from: migrations.length, applied: [] });
    } finally {
      await pool.end();
    }
  });

  it('refuses a schema written by a newer release, and one behind with migrate: false', async () => {
    const schema = uniqueName('s');
    await store(schema).init(context);
    await db.sql(`INSERT INTO ${schema}.rapport_migrations VALUES (999, 'future', 0)`);
    await expect(store(schema).init(context)).rejects.toMatchObject({ code: 'RAPPORT_STORAGE_FAILED' });
    await expect(store(uniqueName('s'), { migrate: false }).init(context)).rejects.toThrow(/needs/);
  });

  it('fails loudly, as RAPPORT_STORAGE_FAILED, when the server cannot be reached', async () => {
    const storage = postgresStorage({
      connectionString: 'postgres://nobody@127.0.0.1:1/none',
      connectionTimeoutMs: 2000,
    });
    const error = await Promise.resolve(storage.init(context)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportError);
    expect(error).toMatchObject({ code: 'RAPPORT_STORAGE_FAILED', plugin: 'postgres' });
    expect((error as RapportError).cause).toBeDefined();
  });

  it('wraps pg errors as RAPPORT_STORAGE_FAILED with the cause, and rolls the unit of work back', async () => {
    const storage = store();
    await storage.init(context);
    const raw = db.track(postgresRawQueries({ connectionString: db.url, schema: storage.options.schema }));
    const customer = {
      id: newId(),
      tenantId: TENANT,
      displayName: null,
      primaryEmail: null,
      attributes: {},
      tags: [],
      status: 'active' as const,
      mergedInto: null,
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
    };
    const caught = await storage
      .unitOfWork(TENANT, async (u) => {
        await u.insertCustomers([customer]);
        await u.insertCustomers([customer]);
      })
      .catch((e: unknown) => e);
    expect(caught).toMatchObject({ code: 'RAPPORT_STORAGE_FAILED', plugin: 'postgres', retryable: true });
    expect((caught as RapportError).cause).toMatchObject({ code: '23505' });
    expect(await raw.count(TENANT, 'customers')).toBe(0);
    // A storage error swallowed by `work` still rolls everything back.
    await expect(
      storage.unitOfWork(TENANT, async (u) => {
        await u.insertCustomers([{ ...customer, id: newId() }]);
        await Promise.resolve(u.insertCustomers([customer, customer])).catch(() => {});
      }),
    ).rejects.toMatchObject({ code: 'RAPPORT_STORAGE_FAILED' });
    expect(await raw.count(TENANT, 'customers')).toBe(0);
  });

  it('throws a write that failed after its call returned from the next call, as it was, and keeps nothing', async () => {
    const storage = store();
    await storage.init(context);
    const raw = db.track(postgresRawQueries({ connectionString: db.url, schema: storage.options.schema }));
    const customer = {
      id: newId(),
      tenantId: TENANT,
      displayName: null,
      primaryEmail: null,
      attributes: {},
      tags: [],
      status: 'active' as const,
      mergedInto: null,
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
    };
    await storage.unitOfWork(TENANT, async (u) => u.insertCustomers([customer]));
    const seen: unknown[] = [];
    const caught = await storage
      .unitOfWork(TENANT, async (u) => {
        await u.insertCustomers([{ ...customer, id: newId() }]);
        // Returns once queued; the duplicate key fails on the server afterwards.
        await u.insertCustomers([customer]);
        try {
          await u.listIdentities(customer.id);
        } catch (error) {
          seen.push(error);
          throw error;
        }
      })
      .catch((e: unknown) => e);
    // The caller gets the write's own error, retryable as a conflict with another writer is.
    expect(seen).toEqual([caught]);
    expect(caught).toMatchObject({
      code: 'RAPPORT_STORAGE_FAILED',
      retryable: true,
      cause: { code: '23505' },
    });
    expect((caught as RapportError).message).toContain('insertCustomers');
    expect(await raw.count(TENANT, 'customers')).toBe(1);
  });

  it('sets the tenant of each unit of work (the hook for row-level security policies)', async () => {
    const storage = store();
    await storage.init(context);
    const schema = storage.options.schema;
    // What a policy would check, as a trigger: rows written must belong to the transaction's tenant.
    await db.sql(`CREATE FUNCTION ${schema}.check_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('rapport.tenant', true) IS DISTINCT FROM NEW.tenant_id THEN
          RAISE EXCEPTION 'tenant % written in a transaction of tenant %', NEW.tenant_id, current_setting('rapport.tenant', true);
        END IF;
        RETURN NEW;
      END $$`);
    await db.sql(
      `CREATE TRIGGER check_tenant BEFORE INSERT ON ${schema}.rule_timers FOR EACH ROW EXECUTE FUNCTION ${schema}.check_tenant()`,
    );
    await storage.unitOfWork('tenant-a', async (u) =>
      u.upsertTimers([{ ...timer('k'), tenantId: 'tenant-a' }]),
    );
    await storage.unitOfWork("it's b", async (u) => u.upsertTimers([{ ...timer('k'), tenantId: "it's b" }]));
    expect(await storage.read('tenant-a').dueTimers(new Date(T0 + 1), 10)).toHaveLength(1);
    expect(await storage.read("it's b").dueTimers(new Date(T0 + 1), 10)).toHaveLength(1);
  });

  it('two stores (as two processes) insert the same interactions: each is stored once, the loser is told', async () => {
    const schema = uniqueName('s');
    const a = store(schema);
    const b = store(schema);
    await Promise.all([a.init(context), b.init(context)]);
    const first = createRapport({ storage: a, tenant: TENANT, clock: { now: () => new Date(T0) } });
    await first.start();
    const items = Array.from({ length: 20 }, (_, i) => message(i));
    await first.ingest(items);
    const raw = db.track(postgresRawQueries({ connectionString: db.url, schema }));
    expect(await raw.count(TENANT, 'interactions')).toBe(20);
    // The second store inserts a stored key under a new id, as a process that checked before the
    // first one committed would: the row is skipped and reported, the new key goes in.
    const stored = await b
      .read(TENANT)
      .findInteractions(
        items.map((_, i) => ({ channel: 'email', account: 'support@acme.test', externalId: `m-${i}` })),
      );
    const again = await b.unitOfWork(TENANT, async (u) => {
      const original = await u.getInteraction(stored[0]!.id);
      return u.insertInteractions([
        { ...original!, id: newId() },
        { ...original!, id: newId(), externalId: 'fresh' },
      ]);
    });
    expect(again.skipped).toHaveLength(1);
    expect(await raw.count(TENANT, 'interactions')).toBe(21);
    await first.stop();
  });

  it('a timer is claimed by exactly one of several concurrent units of work', async () => {
    const schema = uniqueName('s');
    const stores = Array.from({ length: 4 }, () => store(schema));
    await Promise.all(stores.map((s) => s.init(context)));
    const timers = Array.from({ length: 10 }, (_, i) => timer(`k${i}`));
    await stores[0]!.unitOfWork(TENANT, async (u) => u.upsertTimers(timers));
    const ids = timers.map((t) => t.id);
    const claims = await Promise.all(
      stores.map((s) =>
        s.unitOfWork(TENANT, async (u) => {
          const due = await u.dueTimers(new Date(T0 + 1), 100);
          return u.deleteTimers(due.map((t) => t.id));
        }),
      ),
    );
    expect(claims.flat().sort()).toEqual([...ids].sort());
  });

  it('keeps each tenant to its rows on a shared schema', async () => {
    const storage = store();
    await storage.init(context);
    await storage.unitOfWork('a', async (u) => u.upsertTimers([{ ...timer('k'), tenantId: 'a' }]));
    expect(await storage.read('b').dueTimers(new Date(T0 + 1), 10)).toEqual([]);
    expect(await storage.read('a').dueTimers(new Date(T0 + 1), 10)).toHaveLength(1);
  });
});

/** A complete interaction of tenant `TENANT`, keyed `key`. */
function interaction(key: string, overrides: Partial<Interaction> = {}): Interaction {
  return {
    id: newId(),
    tenantId: TENANT,
    channel: 'forum',
    account: 'community',
    externalId: key,
    version: 0,
    direction: 'inbound',
    kind: 'post',
    effort: 'contribution',
    text: `post ${key}`,
    language: null,
    occurredAt: new Date(T0),
    receivedAt: new Date(T0 + 1),
    customerId: null,
    identityId: null,
    actorExternalId: `actor-${key}`,
    actorHandle: null,
    conversationId: null,
    thread: null,
    parent: null,
    amount: null,
    currency: null,
    referredIdentityId: null,
    referredCustomerId: null,
    scores: [],
    metadata: {},
    ...overrides,
  };
}

describe('bulk inserts of interactions (tried without conflict arbitration first)', () => {
  const bulk = PLAIN_INSERT_THRESHOLD + 50;
  const keys = (from: number, n: number) => Array.from({ length: n }, (_, i) => `k${from + i}`);

  it('store every field as given, whatever characters the text holds', async () => {
    const storage = store();
    await storage.init(context);
    const odd = interaction('odd', {
      text: 'tab\there, line\nbreak, return\r, back\\slash \\N, "quotes", émoji 🎉, \\.',
      actorHandle: '\\N',
      language: 'fr',
      amount: 0.1 + 0.2,
      currency: 'EUR',
      thread: 't\t1',
      scores: [{ name: 'sentiment', value: -0.25, model: { id: 'm\\1', version: '1' } }],
      metadata: { nested: { a: [1, 'two\n', null] }, 'key\twith tab': '\\' },
      version: 3,
      occurredAt: new Date(-86_400_000),
    });
    const batch = [...keys(0, bulk).map((k) => interaction(k)), odd];
    const { skipped } = await storage.unitOfWork(TENANT, async (u) => u.insertInteractions(batch));
    expect(skipped).toEqual([]);
    expect(await storage.read(TENANT).getInteraction(odd.id)).toEqual(odd);
    expect(await storage.read(TENANT).getInteraction(batch[7]!.id)).toEqual(batch[7]);
  });

  it('skip the keys another writer stored first and say which, also twice in one unit of work', async () => {
    const schema = uniqueName('s');
    const [a, b] = [store(schema), store(schema)];
    await Promise.all([a.init(context), b.init(context)]);
    const raw = db.track(postgresRawQueries({ connectionString: db.url, schema }));
    await a.unitOfWork(TENANT, async (u) => u.insertInteractions(keys(0, 40).map((k) => interaction(k))));
    const first = keys(0, bulk).map((k) => interaction(k));
    const second = keys(bulk - 10, bulk).map((k) => interaction(k));
    const results = await b.unitOfWork(TENANT, async (u) => [
      await u.insertInteractions(first),
      await u.insertInteractions(second),
    ]);
    expect(results[0]!.skipped).toEqual(first.slice(0, 40).map((i) => i.id));
    // The second batch overlaps the first by ten keys, stored in this very unit of work.
    expect(results[1]!.skipped).toEqual(second.slice(0, 10).map((i) => i.id));
    expect(await raw.count(TENANT, 'interactions')).toBe(2 * bulk - 10);
  });

  it('fail the unit of work, keeping nothing, when the insert fails for another reason than a clash', async () => {
    const storage = store();
    await storage.init(context);
    const raw = db.track(postgresRawQueries({ connectionString: db.url, schema: storage.options.schema }));
    const batch = keys(0, bulk).map((k) => interaction(k));
    batch[bulk - 1] = interaction('nul', { text: 'Postgres refuses \u0000 in text' });
    const caught = await storage
      .unitOfWork(TENANT, async (u) => {
        await u.insertInteractions(keys(bulk, 5).map((k) => interaction(k)));
        return u.insertInteractions(batch);
      })
      .catch((e: unknown) => e);
    expect(caught).toMatchObject({ code: 'RAPPORT_STORAGE_FAILED', retryable: false });
    expect(await raw.count(TENANT, 'interactions')).toBe(0);
  });
});

describe('reads inside a unit of work', () => {
  it('run one at a time on its connection, even when called together', async () => {
    const storage = db.track(postgresStorage({ connectionString: db.url, schema: uniqueName('s'), max: 2 }));
    await storage.init({ logger: silentLogger, clock: systemClock });
    await storage.ensureTenant({ id: 't', name: 't', createdAt: new Date() });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const results = await storage.unitOfWork('t', async (uow) =>
        Promise.all([uow.segmentsOf(['c']), uow.latestScores(['c']), uow.listConsents(['c']), uow.stats()]),
      );
      expect(results.slice(0, 3)).toEqual([[], [], []]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('tenants', () => {
  it('registers a new tenant once when two processes ensure it at the same moment', async () => {
    const schema = uniqueName('s');
    const [a, b] = [0, 1].map(() => db.track(postgresStorage({ connectionString: db.url, schema, max: 4 })));
    await a!.init(context);
    await b!.init(context);
    for (let n = 0; n < 20; n++) {
      const tenant = { id: `tenant-${n}`, name: `Tenant ${n}`, createdAt: new Date(T0 + n) };
      // Each store caches the tenants it knows, so every round is a fresh race between the two.
      const [fromA, fromB] = await Promise.all([a!.ensureTenant(tenant), b!.ensureTenant(tenant)]);
      expect(fromA).toEqual(tenant);
      expect(fromB).toEqual(tenant);
    }
  });
});
