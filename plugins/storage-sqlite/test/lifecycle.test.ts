import fs from 'node:fs';
import path from 'node:path';
import { isRapportError, RapportError } from '@rapport/core';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, migrations, sqliteStorage } from '../src/index.js';
import { context, customer, openStore, TENANT, tempDb, tempDir } from './fixtures.js';

async function rejection(promise: unknown): Promise<RapportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RapportError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): RapportError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RapportError) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

describe('init and close', () => {
  it('refuses use before init with a clear error', async () => {
    const storage = sqliteStorage({ filename: tempDb() });
    expect(thrown(() => storage.read(TENANT)).code).toBe('RAPPORT_NOT_STARTED');
    const error = await rejection(storage.unitOfWork(TENANT, async () => {}));
    expect(error.code).toBe('RAPPORT_NOT_STARTED');
    expect(error.message).toContain('before init');
    expect(thrown(() => storage.ensureTenant({ id: TENANT, name: 'Acme', createdAt: new Date() })).code).toBe(
      'RAPPORT_NOT_STARTED',
    );
  });

  it('refuses use after close, and close is idempotent', async () => {
    const storage = sqliteStorage({ filename: tempDb() });
    await storage.init(context);
    const reader = storage.read(TENANT);
    await storage.close();
    await storage.close();
    expect(thrown(() => storage.read(TENANT)).message).toContain('after close');
    expect((await rejection(storage.unitOfWork(TENANT, async () => {}))).code).toBe('RAPPORT_NOT_STARTED');
    expect(thrown(() => reader.getCustomers(['x'])).code).toBe('RAPPORT_NOT_STARTED');
    expect(thrown(() => storage.init(context)).code).toBe('RAPPORT_NOT_STARTED');
  });

  it('closes a store that was never opened', async () => {
    const storage = sqliteStorage({ filename: tempDb() });
    await storage.close();
    expect(thrown(() => storage.init(context)).code).toBe('RAPPORT_NOT_STARTED');
  });

  it('treats a second init as a no-op', async () => {
    const storage = await openStore();
    await storage.init(context);
    expect(await storage.read(TENANT).stats()).toMatchObject({ customers: 0 });
  });

  it('lets queued units of work finish before closing', async () => {
    const storage = sqliteStorage({ filename: tempDb() });
    await storage.init(context);
    const c = customer();
    const done = storage.unitOfWork(TENANT, async (uow) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await uow.insertCustomers([c]);
    });
    const closed = storage.close();
    await done;
    await closed;
    const reopened = await openStore({ filename: storage.options.filename });
    expect(await reopened.read(TENANT).getCustomers([c.id])).toHaveLength(1);
  });

  it('creates the directory of a new database file', async () => {
    const filename = path.join(tempDir(), 'nested', 'deeper', 'rapport.db');
    await openStore({ filename });
    expect(fs.existsSync(filename)).toBe(true);
  });

  it('fails with RAPPORT_STORAGE_FAILED when the file is not a database', async () => {
    const filename = tempDb();
    fs.writeFileSync(filename, 'definitely not sqlite '.repeat(100));
    const storage = sqliteStorage({ filename });
    const error = thrown(() => storage.init(context));
    expect(error.code).toBe('RAPPORT_STORAGE_FAILED');
    expect(error.message).toContain(filename);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('journal and pragmas', () => {
  it('uses WAL for a file database', async () => {
    const storage = await openStore();
    const db = new Database(storage.options.filename, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('uses a rollback journal when WAL is turned off, and reads still see committed data only', async () => {
    const storage = await openStore({ wal: false });
    const db = new Database(storage.options.filename, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    db.close();
    const c = customer();
    let during: unknown;
    await storage.unitOfWork(TENANT, async (uow) => {
      await uow.insertCustomers([c]);
      during = storage.read(TENANT).getCustomers([c.id]);
    });
    expect(during).toBeInstanceOf(Promise);
    expect(await during).toHaveLength(1);
  });

  it('makes new databases with the configured page size', async () => {
    const storage = await openStore({ pageSize: 8192 });
    await storage.close();
    const db = new Database(storage.options.filename, { readonly: true });
    expect(db.pragma('page_size', { simple: true })).toBe(8192);
    db.close();
  });
});

describe('migrations', () => {
  const applied = (filename: string) => {
    const db = new Database(filename, { readonly: true });
    const rows = db.prepare('SELECT version, name FROM rapport_migrations ORDER BY version').all();
    db.close();
    return rows;
  };

  it('are numbered 1, 2, 3... and named', () => {
    migrations.forEach((migration, index) => {
      expect(migration.version).toBe(index + 1);
      expect(migration.name.length).toBeGreaterThan(0);
    });
  });

  it('apply once and are idempotent on reopen, keeping the data', async () => {
    const filename = tempDb();
    const first = await openStore({ filename });
    const c = customer();
    await first.unitOfWork(TENANT, async (uow) => uow.insertCustomers([c]));
    await first.close();
    expect(applied(filename)).toEqual(migrations.map(({ version, name }) => ({ version, name })));

    const second = await openStore({ filename });
    expect(applied(filename)).toHaveLength(migrations.length);
    expect(await second.read(TENANT).getCustomers([c.id])).toEqual([c]);
  });

  it('bring a database written at version 1 forward, keeping its data', async () => {
    const filename = tempDb();
    const db = new Database(filename);
    expect(migrate(db, migrations.slice(0, 1)).applied).toEqual([1]);
    db.prepare(
      `INSERT INTO customers (tenant_id, id, status, created_at, updated_at) VALUES (?, 'c1', 'active', 0, 0)`,
    ).run(TENANT);
    db.prepare(
      `INSERT INTO interactions (tenant_id, id, channel, account, external_id, version, customer_id, occurred_at,
         received_at, direction, kind, effort, actor_external_id)
       VALUES (?, 'i1', 'email', 'a', 'e1', 0, 'c1', 5, 5, 'inbound', 'message', 'message', 'x')`,
    ).run(TENANT);
    db.prepare(
      `INSERT INTO conversations (tenant_id, id, channel, account, external_id, customer_id, started_at,
         last_interaction_at, interaction_count, case_data)
       VALUES (?, 'v1', 'email', 'a', 'e1', 'c1', 5, 5, 1, ?)`,
    ).run(TENANT, JSON.stringify({ status: 'open', openedAt: '2024-01-01T00:00:00.000Z' }));
    db.close();

    const storage = await openStore({ filename });
    expect(applied(filename)).toEqual(migrations.map(({ version, name }) => ({ version, name })));
    const reader = storage.read(TENANT);
    expect(await reader.getCustomers(['c1'])).toHaveLength(1);
    expect((await reader.scanInteractions({}, { limit: 10 })).items.map((i) => i.id)).toEqual(['i1']);
    expect((await reader.getConversation('v1'))?.case?.openedAt).toEqual(
      new Date('2024-01-01T00:00:00.000Z'),
    );
    await storage.unitOfWork(TENANT, async (uow) =>
      uow.addSegmentMembers([
        { tenantId: TENANT, segment: 'vip', customerId: 'c1', addedAt: new Date(0), source: 'user:test' },
      ]),
    );
    expect(await storage.read(TENANT).segmentsOf(['c1'])).toHaveLength(1);
  });

  it('report what they did and do nothing the second time', () => {
    const db = new Database(':memory:');
    const first = migrate(db);
    expect(first).toEqual({ from: 0, to: migrations.length, applied: migrations.map((m) => m.version) });
    expect(migrate(db)).toEqual({ from: migrations.length, to: migrations.length, applied: [] });
    db.close();
  });

  it('apply a new migration on top of an existing schema', () => {
    const db = new Database(':memory:');
    migrate(db);
    const next = [
      ...migrations,
      { version: migrations.length + 1, name: 'add a table', sql: 'CREATE TABLE extra (tenant_id TEXT)' },
    ];
    expect(migrate(db, next).applied).toEqual([migrations.length + 1]);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'extra'").pluck().get()).toBe(1);
    db.close();
  });

  it('roll back a failing migration as a whole', () => {
    const db = new Database(':memory:');
    const broken = [{ version: 1, name: 'broken', sql: 'CREATE TABLE a (x); CREATE TABLE a (x);' }];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'a'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM rapport_migrations').pluck().get()).toBe(0);
    db.close();
  });

  it('refuse a database written by a newer release', async () => {
    const filename = tempDb();
    await (await openStore({ filename })).close();
    const db = new Database(filename);
    db.prepare('INSERT INTO rapport_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      999,
      'future',
      0,
    );
    db.close();
    const error = thrown(() => sqliteStorage({ filename }).init(context));
    expect(isRapportError(error, 'RAPPORT_STORAGE_FAILED')).toBe(true);
    expect(error.message).toContain('999');
    expect(error.hint).toContain('Upgrade');
  });

  it('refuse a list with gaps', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'gap', sql: '' }])).toThrow(/1, 2, 3/);
    db.close();
  });

  it('give every table a tenant_id and every index a leading tenant_id', () => {
    const db = new Database(':memory:');
    migrate(db);
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('rapport_migrations')")
      .pluck()
      .all() as string[];
    for (const table of tables) {
      const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table);
      expect(columns, table).toContain('tenant_id');
      const indexes = db.prepare('SELECT name FROM pragma_index_list(?)').pluck().all(table) as string[];
      for (const index of indexes) {
        const first = db.prepare('SELECT name FROM pragma_index_info(?) WHERE seqno = 0').pluck().get(index);
        expect(first, index).toBe('tenant_id');
      }
    }
    db.close();
  });
});
