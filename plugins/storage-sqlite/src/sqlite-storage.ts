import {
  type Logger,
  RapportError,
  STORAGE_SPEC_VERSION,
  type StorageCapabilities,
  type StorageContext,
  type StoragePlugin,
  type StorageReader,
  silentLogger,
  type Tenant,
  toTenant,
  type UnitOfWork,
  WriteLock,
} from '@rapport/core';
import { version } from '../package.json';
import { isMemory, openReader, openWriter, type SqliteDatabase } from './connection.js';
import { notOpen, storageFailure } from './errors.js';
import { migrate } from './migrations.js';
import {
  parseSqliteStorageOptions,
  type ResolvedSqliteStorageOptions,
  type SqliteStorageOptions,
} from './options.js';
import { QueuedReader, SqliteReader } from './reader.js';
import { ReadStatements, WriteStatements } from './statements.js';
import { SqliteUnitOfWork } from './unit-of-work.js';

/** The storage plugin made by {@link sqliteStorage}. */
export interface SqliteStoragePlugin extends StoragePlugin {
  readonly id: 'sqlite';
  /** The validated options, defaults filled in. */
  readonly options: Readonly<ResolvedSqliteStorageOptions>;
}

/** Everything that exists while the store is open. */
interface OpenStore {
  closed: boolean;
  writer: SqliteDatabase;
  /** The read-only connection, for a WAL file; null when reads share the writer. */
  reader: SqliteDatabase | null;
  writerReads: ReadStatements;
  committedReads: ReadStatements | null;
  writes: WriteStatements;
  lock: WriteLock;
  logger: Logger;
}

/** Lets the test-only raw queries reach a `:memory:` store's one connection (see raw-queries.ts). */
const connections = new WeakMap<object, () => SqliteDatabase | null>();

/** The writer connection of a store made by {@link sqliteStorage}, or undefined for other objects. */
export function writerConnectionOf(plugin: object): (() => SqliteDatabase | null) | undefined {
  return connections.get(plugin);
}

/**
 * Embedded SQLite storage (better-sqlite3), the default Rapport store. The factory only validates
 * and keeps the options; `init` opens the database and migrates it.
 *
 * ```ts
 * const rapport = createRapport({ storage: sqliteStorage({ filename: 'data/rapport.db' }) });
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` when an option is invalid; its path names it.
 */
export function sqliteStorage(options?: SqliteStorageOptions): SqliteStoragePlugin {
  const resolved = Object.freeze(parseSqliteStorageOptions(options));
  const memory = isMemory(resolved.filename);
  const capabilities: StorageCapabilities = Object.freeze({
    durable: !memory,
    concurrentProcesses: false,
    exportCustomer: true,
    eraseCustomer: true,
  });
  let state: 'new' | 'open' | 'closed' = 'new';
  let store: OpenStore | null = null;
  let closing: Promise<void> | null = null;
  // Tenants are never deleted, so once seen a tenant needs no more trips to the database.
  const tenants = new Map<string, Tenant>();

  const use = (operation: string): OpenStore => {
    if (store === null || state !== 'open') throw notOpen(operation, state === 'new' ? 'new' : 'closed');
    return store;
  };

  const open = (context: StorageContext | undefined): void => {
    const logger = context?.logger ?? silentLogger;
    let writer: SqliteDatabase | undefined;
    let reader: SqliteDatabase | null = null;
    try {
      const opened = openWriter(resolved);
      writer = opened.db;
      const migration = migrate(writer);
      const wal = opened.journalMode === 'wal';
      if (!memory && resolved.wal && !wal) {
        logger.warn('sqlite storage: the file system refused WAL; reads will wait for open units of work', {
          filename: resolved.filename,
          journalMode: opened.journalMode,
        });
      }
      if (wal) reader = openReader(resolved);
      store = {
        closed: false,
        writer,
        reader,
        writerReads: new ReadStatements(writer),
        committedReads: reader === null ? null : new ReadStatements(reader),
        writes: new WriteStatements(writer),
        lock: new WriteLock(),
        logger,
      };
      logger.info('sqlite storage opened', {
        filename: resolved.filename,
        journalMode: opened.journalMode,
        schemaVersion: migration.to,
        migrationsApplied: migration.applied,
      });
    } catch (error) {
      reader?.close();
      writer?.close();
      if (error instanceof RapportError) throw error;
      throw new RapportError(
        'RAPPORT_STORAGE_FAILED',
        `sqlite storage: cannot open ${resolved.filename}: ${String(error)}`,
        {
          cause: error,
          hint: 'Check that `filename` points to a SQLite database (or a new file) in a writable directory.',
          plugin: 'sqlite',
        },
      );
    }
  };

  const plugin: SqliteStoragePlugin = {
    id: 'sqlite',
    version,
    specVersion: STORAGE_SPEC_VERSION,
    capabilities,
    options: resolved,

    init(context: StorageContext): void {
      if (state === 'open') return;
      if (state === 'closed') throw notOpen('init', 'closed');
      open(context);
      state = 'open';
    },

    close(): Promise<void> {
      if (closing !== null) return closing;
      const current = store;
      state = 'closed';
      if (current === null) {
        closing = Promise.resolve();
        return closing;
      }
      // Units of work already queued finish first; nothing new can start.
      closing = current.lock.run(() => {
        current.closed = true;
        store = null;
        try {
          if (!memory) current.writer.pragma('optimize');
        } catch (error) {
          current.logger.warn('sqlite storage: PRAGMA optimize failed on close', { error: String(error) });
        }
        current.reader?.close();
        current.writer.close();
      });
      return closing;
    },

    ensureTenant(tenant: Tenant): Tenant | Promise<Tenant> {
      const known = tenants.get(tenant.id);
      if (known !== undefined) return { ...known };
      const s = use('ensureTenant');
      const ensure = (): Tenant => {
        try {
          s.writes.insertTenant.run(tenant.id, tenant.name, tenant.createdAt.getTime());
          const stored = toTenant(s.writes.tenantById.get(tenant.id)!);
          tenants.set(stored.id, stored);
          return { ...stored };
        } catch (error) {
          throw storageFailure('ensureTenant', error);
        }
      };
      // The writer may be inside a unit of work, and this write must not become part of it.
      return s.lock.busy ? s.lock.run(ensure) : ensure();
    },

    async unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
      const s = use('unitOfWork');
      await s.lock.acquire();
      try {
        if (s.closed) throw notOpen('unitOfWork', 'closed');
        try {
          s.writes.begin.run();
        } catch (error) {
          throw storageFailure('unitOfWork (BEGIN IMMEDIATE)', error);
        }
        const uow = new SqliteUnitOfWork(s.writerReads, s.writes, s.writer, tenantId, s);
        let result: T;
        try {
          result = await work(uow);
        } catch (error) {
          uow.finish();
          rollback(s);
          throw error;
        }
        uow.finish();
        if (!s.writer.inTransaction) {
          throw new RapportError(
            'RAPPORT_STORAGE_FAILED',
            'sqlite storage: SQLite rolled the unit of work back after an error inside it',
            { plugin: 'sqlite' },
          );
        }
        try {
          s.writes.commit.run();
        } catch (error) {
          rollback(s);
          throw storageFailure('unitOfWork (COMMIT)', error);
        }
        return result;
      } finally {
        s.lock.release();
      }
    },

    read(tenantId: string): StorageReader {
      const s = use('read');
      if (s.committedReads !== null) return new SqliteReader(s.committedReads, tenantId, s);
      return new QueuedReader(new SqliteReader(s.writerReads, tenantId, s), s.lock);
    },

    listTenants(): Tenant[] | Promise<Tenant[]> {
      const s = use('listTenants');
      const list = (statements: ReadStatements) => (): Tenant[] => {
        if (s.closed) throw notOpen('listTenants', 'closed');
        try {
          return statements.allTenants.all().map(toTenant);
        } catch (error) {
          throw storageFailure('listTenants', error);
        }
      };
      // Committed tenants only: on one connection, wait for an open unit of work to end.
      if (s.committedReads !== null) return list(s.committedReads)();
      return s.lock.busy ? s.lock.run(list(s.writerReads)) : list(s.writerReads)();
    },
  };
  connections.set(plugin, () => store?.writer ?? null);
  return plugin;
}

/** Rolls back what is left of a transaction; a failure here must not hide the error that led here. */
function rollback(s: OpenStore): void {
  if (!s.writer.inTransaction) return;
  try {
    s.writes.rollback.run();
  } catch (error) {
    s.logger.error('sqlite storage: ROLLBACK failed', { error: String(error) });
  }
}
