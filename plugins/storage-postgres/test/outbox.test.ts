import { newId, type OutboxMessage, silentLogger, systemClock } from '@rapport/core';
import { T0 } from '@rapport/testkit';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresStorage } from '../src/index.js';
import { Statements } from '../src/statements.js';
import { uniqueName, useTestDatabase } from './pg.js';

const db = useTestDatabase();
const TENANT = 't';
const context = { logger: silentLogger, clock: systemClock };

/** A store on a new schema (or the one given), closed with the test file. */
function store(schema = uniqueName('s')) {
  return db.track(postgresStorage({ connectionString: db.url, schema, max: 4 }));
}

function outbox(key: string, overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: newId(),
    tenantId: TENANT,
    idempotencyKey: key,
    channel: 'email',
    account: 'support@acme.test',
    conversationId: 'conv-1',
    customerId: 'c-1',
    author: 'user:agent',
    payload: { to: { externalId: 'p@example.test' }, text: `Reply ${key}` },
    state: 'pending',
    attempts: 0,
    nextAttemptAt: new Date(T0),
    leaseUntil: null,
    errors: [],
    externalId: null,
    sentAt: null,
    createdAt: new Date(T0),
    updatedAt: new Date(T0),
    ...overrides,
  };
}

/** A connection of its own, as another process's would be. */
async function otherProcess(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  db.track({ close: () => client.end() });
  return client;
}

describe('outbox on Postgres', () => {
  it('a message is claimed by exactly one of several concurrent senders', async () => {
    const schema = uniqueName('s');
    const stores = Array.from({ length: 4 }, () => store(schema));
    await Promise.all(stores.map((s) => s.init(context)));
    const messages = Array.from({ length: 30 }, (_, i) => outbox(`k${i}`));
    await stores[0]!.unitOfWork(TENANT, async (u) => u.insertOutbox(messages));
    const now = new Date(T0 + 1000);
    const lease = new Date(T0 + 60_000);
    // Each sender claims every due message it saw, in an order of its own.
    const claims = await Promise.all(
      stores.map((s, n) =>
        s.unitOfWork(TENANT, async (u) => {
          const due = (await u.dueOutbox(now, 100)).map((m) => m.id);
          return u.claimOutbox(n % 2 === 0 ? due : due.reverse(), now, lease);
        }),
      ),
    );
    expect(claims.flat().sort()).toEqual(messages.map((m) => m.id).sort());
    const stored = await stores[0]!.read(TENANT).getOutboxMessages(messages.map((m) => m.id));
    expect(new Set(stored.map((m) => `${m.state}/${m.attempts}`))).toEqual(new Set(['sending/1']));
  });

  it('a claim that waits on a sender holding the row claims nothing once it commits, the row once it rolls back', async () => {
    const schema = uniqueName('s');
    const storage = store(schema);
    await storage.init(context);
    const [taken, released] = [outbox('taken'), outbox('released')];
    await storage.unitOfWork(TENANT, async (u) => u.insertOutbox([taken, released]));
    const now = new Date(T0 + 1000);
    const lease = new Date(T0 + 60_000);
    const claimSql = new Statements(schema).outbox.claimOutbox.text;
    for (const [message, end, expected] of [
      [taken, 'COMMIT', []],
      [released, 'ROLLBACK', [released.id]],
    ] as const) {
      const other = await otherProcess();
      await other.query('BEGIN');
      const first = await other.query(claimSql, [TENANT, [message.id], now.getTime(), lease.getTime()]);
      expect(first.rowCount).toBe(1);
      // This claim blocks on the row lock the other sender holds...
      const second = storage.unitOfWork(TENANT, async (u) => u.claimOutbox([message.id], now, lease));
      const state = await Promise.race([
        second.then(() => 'finished'),
        new Promise((resolve) => setTimeout(() => resolve('waiting'), 300)),
      ]);
      expect(state).toBe('waiting');
      // ...and decides on the row as the other sender leaves it.
      await other.query(end);
      expect(await second).toEqual(expected);
    }
    const stored = await storage.read(TENANT).getOutboxMessages([taken.id, released.id]);
    expect(stored.map((m) => m.attempts)).toEqual([1, 1]);
  });

  it('due messages and open cases are read through their partial indexes', async () => {
    const schema = uniqueName('s');
    const storage = store(schema);
    await storage.init(context);
    await storage.unitOfWork(TENANT, async (u) => u.insertOutbox([outbox('k')]));
    const q = new Statements(schema);
    const client = await otherProcess();
    // On a few rows a sequential scan is cheapest; without it the planner shows which index it can use.
    await client.query('SET enable_seqscan = off');
    const plan = async (text: string, values: string[]) => {
      await client.query('DEALLOCATE ALL');
      await client.query(`PREPARE p AS ${text}`);
      const literals = values.map((v) => client.escapeLiteral(v)).join(', ');
      const { rows } = await client.query(`EXPLAIN EXECUTE p(${literals})`);
      return rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    };
    expect(await plan(q.outbox.dueOutbox.text, ['t', String(T0), '10'])).toMatch(/outbox_due/);
    const open = q.listConversations(64 | 128);
    expect(await plan(open.text, ['t', '{open,pending}', '10'])).toMatch(/conversations_open_cases/);
    const state = q.outbox.listOutbox(2);
    expect(await plan(state.text, ['t', 'failed', '10'])).toMatch(/outbox_state/);
  });

  it('erasing a customer deletes their outbox messages', async () => {
    const storage = store();
    await storage.init(context);
    await storage.unitOfWork(TENANT, async (u) =>
      u.insertOutbox([outbox('a', { customerId: 'c-1' }), outbox('b', { customerId: 'c-2' })]),
    );
    await storage.unitOfWork(TENANT, async (u) => u.eraseCustomer('c-1', [], new Date(T0)));
    const left = await storage.read(TENANT).listOutbox({}, { limit: 10 });
    expect(left.items.map((m) => m.idempotencyKey)).toEqual(['b']);
  });
});
