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
  type TenantRow,
  toTenant,
  type UnitOfWork,
  WriteLock,
} from '@rapport/core';
import type pg from 'pg';
import { version } from '../package.json';
import {
  oneAtATime,
  openPool,
  type PgClient,
  type PgPool,
  type Queryable,
  queryRows,
  TENANT_SETTING,
  tenantQueryable,
} from './connection.js';
import { notOpen, PLUGIN, storageFailure } from './errors.js';
import { migrate } from './migrations.js';
import {
  type PostgresStorageOptions,
  parsePostgresStorageOptions,
  type ResolvedPostgresStorageOptions,
} from './options.js';
import { PostgresReader, type Session } from './reader.js';
import { Statements } from './statements.js';
import { PostgresUnitOfWork } from './unit-of-work.js';

/** The storage plugin made by {@link postgresStorage}. */
export interface PostgresStoragePlugin extends StoragePlugin {
  readonly id: 'postgres';
  /** The validated options, defaults filled in. */
  readonly options: Readonly<ResolvedPostgresStorageOptions>;
}

/** Everything that exists while the store is open. */
interface OpenStore {
  closed: boolean;
  pool: PgPool;
  q: Statements;
  /** Units of work of this store run one at a time (the contract), each on its own connection. */
  lock: WriteLock;
  logger: Logger;
}

/**
 * Starts a transaction on `client` and sets its tenant for that transaction only, in one round
 * trip. The row-level security policies read it; at COMMIT or ROLLBACK the connection's session
 * tenant (see `onTenantConnection`) is back.
 */
async function begin(client: PgClient, tenantId: string, mode = ''): Promise<void> {
  await client.query(
    `BEGIN${mode}; SELECT set_config('${TENANT_SETTING}', ${client.escapeLiteral(tenantId)}, true)`,
  );
}

/** Rolls back what is left of a transaction; a failure here must not hide the error that led here. */
async function rollback(client: Pick<PgClient, 'query'>, logger: Logger): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch (error) {
    logger.error('postgres storage: ROLLBACK failed', { error: String(error) });
    return false;
  }
}

/**
 * PostgreSQL storage (node-postgres): for apps that run several Rapport processes on one database.
 * The factory only validates and keeps the options; `init` opens the pool and migrates the schema.
 *
 * ```ts
 * const rapport = createRapport({ storage: postgresStorage({ connectionString: process.env.DATABASE_URL }) });
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` when an option is invalid; its path names it.
 */
export function postgresStorage(options?: PostgresStorageOptions): PostgresStoragePlugin {
  const resolved = Object.freeze(parsePostgresStorageOptions(options));
  const capabilities: StorageCapabilities = Object.freeze({
    durable: true,
    concurrentProcesses: true,
    exportCustomer: true,
    eraseCustomer: true,
  });
  let state: 'new' | 'opening' | 'open' | 'closed' = 'new';
  let store: OpenStore | null = null;
  let opening: Promise<void> | null = null;
  let closing: Promise<void> | null = null;
  // Tenants are never deleted, so once seen a tenant needs no more trips to the database.
  const tenants = new Map<string, Tenant>();

  const use = (operation: string): OpenStore => {
    if (store === null || state !== 'open') throw notOpen(operation, state === 'closed' ? 'closed' : 'new');
    return store;
  };

  const open = async (context: StorageContext | undefined): Promise<void> => {
    const logger = context?.logger ?? silentLogger;
    const pool = openPool(resolved);
    // An idle pooled connection that dies (server restart) must not crash the process.
    pool.on('error', (error: Error) => {
      logger.warn('postgres storage: an idle connection failed', { error: String(error) });
    });
    try {
      const migration = await migrate(pool, { schema: resolved.schema, apply: resolved.migrate });
      const q = new Statements(resolved.schema);
      const s: OpenStore = { closed: false, pool, q, lock: new WriteLock(), logger };
      store = s;
      logger.info('postgres storage opened', {
        schema: resolved.schema,
        schemaVersion: migration.to,
        migrationsApplied: migration.applied,
      });
    } catch (error) {
      await pool.end().catch(() => {});
      if (error instanceof RapportError) throw error;
      throw new RapportError(
        'RAPPORT_STORAGE_FAILED',
        `postgres storage: cannot open the database: ${String(error)}`,
        {
          cause: error,
          retryable: true,
          hint: 'Check that the server is running and that `connectionString` (or host, port, user, password, database) reaches it with a role that may create the schema.',
          plugin: PLUGIN,
        },
      );
    }
  };

  const plugin: PostgresStoragePlugin = {
    id: 'postgres',
    version,
    specVersion: STORAGE_SPEC_VERSION,
    capabilities,
    options: resolved,

    async init(context: StorageContext): Promise<void> {
      if (state === 'open') return;
      if (state === 'closed') throw notOpen('init', 'closed');
      if (opening === null) {
        state = 'opening';
        opening = open(context).then(
          () => {
            if (state === 'opening') state = 'open';
          },
          (error: unknown) => {
            if (state === 'opening') state = 'new';
            opening = null;
            throw error;
          },
        );
      }
      await opening;
    },

    close(): Promise<void> {
      if (closing !== null) return closing;
      const wasOpening = opening;
      state = 'closed';
      closing = (async () => {
        if (wasOpening !== null) await wasOpening.catch(() => {});
        const current = store;
        if (current === null) return;
        // Units of work already queued finish first; nothing new can start.
        await current.lock.run(async () => {
          current.closed = true;
          store = null;
          await current.pool.end();
        });
      })();
      return closing;
    },

    async ensureTenant(tenant: Tenant): Promise<Tenant> {
      const known = tenants.get(tenant.id);
      if (known !== undefined) return { ...known };
      const s = use('ensureTenant');
      try {
        const params = [tenant.id, tenant.name, tenant.createdAt.getTime()];
        let [row] = await queryRows<TenantRow>(s.pool, s.q.ensureTenant, params);
        // Another process inserted the tenant at the same moment: our insert waited for its commit
        // and did nothing, and our statement's snapshot predates the row. The next one sees it.
        for (let attempt = 1; row === undefined && attempt < 3; attempt++)
          [row] = await queryRows<TenantRow>(s.pool, s.q.ensureTenant, params);
        if (row === undefined) throw new Error(`tenant ${tenant.id} was neither inserted nor found`);
        const stored = toTenant(row);
        tenants.set(stored.id, stored);
        return { ...stored };
      } catch (error) {
        throw storageFailure('ensureTenant', error);
      }
    },

    async unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
      const s = use('unitOfWork');
      await s.lock.acquire();
      try {
        if (s.closed) throw notOpen('unitOfWork', 'closed');
        let client: PgClient;
        try {
          client = await s.pool.connect();
        } catch (error) {
          throw storageFailure('unitOfWork (connect)', error);
        }
        let healthy = true;
        try {
          try {
            await begin(client, tenantId);
          } catch (error) {
            healthy = false;
            throw storageFailure('unitOfWork (BEGIN)', error);
          }
          // Everything of the unit of work, COMMIT and ROLLBACK included, goes through one queue,
          // so nothing it started can run after the transaction ends.
          const serial = oneAtATime(client);
          const session: Session = { db: serial, snapshot: (read) => read(serial) };
          const uow = new PostgresUnitOfWork(s.q, tenantId, s, session, serial);
          let result: T;
          try {
            result = await work(uow);
          } catch (error) {
            uow.finish();
            await uow.settle();
            healthy = await rollback(serial, s.logger);
            throw error;
          }
          uow.finish();
          // Writes still running after their calls returned finish first; one that failed is
          // thrown now, as it was (retryable or not), since `work` never saw it.
          await uow.settle();
          if (uow.aborted !== null) {
            healthy = await rollback(serial, s.logger);
            throw (
              uow.takeUnseen() ??
              // `work` swallowed a storage error: Postgres already aborted the transaction.
              new RapportError(
                'RAPPORT_STORAGE_FAILED',
                'postgres storage: the unit of work was rolled back after an error inside it',
                { cause: uow.aborted, plugin: PLUGIN },
              )
            );
          }
          try {
            await serial.query('COMMIT');
          } catch (error) {
            healthy = await rollback(serial, s.logger);
            throw storageFailure('unitOfWork (COMMIT)', error);
          }
          return result;
        } finally {
          // A connection left in an unknown state is closed rather than reused.
          client.release(healthy ? undefined : true);
        }
      } finally {
        s.lock.release();
      }
    },

    read(tenantId: string): StorageReader {
      const s = use('read');
      const committed: Session = {
        db: tenantQueryable(s.pool, tenantId),
        snapshot: (read) => snapshotOn(s.pool, tenantId, read, s.logger),
      };
      return new PostgresReader(s.q, tenantId, s, committed);
    },

    // The tenants table is the registry of tenants, outside row-level security (see migration 2),
    // so listing and registering tenants need no tenant set.
    async listTenants(): Promise<Tenant[]> {
      const s = use('listTenants');
      try {
        const rows = await queryRows<TenantRow>(s.pool, s.q.allTenants, []);
        return rows.map(toTenant);
      } catch (error) {
        throw storageFailure('listTenants', error);
      }
    },
  };
  return plugin;
}

/** Runs `read` in a read-only repeatable-read transaction of `tenantId` on one pooled connection. */
async function snapshotOn<T>(
  pool: pg.Pool,
  tenantId: string,
  read: (db: Queryable) => Promise<T>,
  logger: Logger,
): Promise<T> {
  const client = await pool.connect();
  let healthy = true;
  try {
    await begin(client, tenantId, ' ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let result: T;
    try {
      result = await read(client);
    } catch (error) {
      healthy = await rollback(client, logger);
      throw error;
    }
    await client.query('COMMIT');
    return result;
  } catch (error) {
    healthy = false;
    throw error;
  } finally {
    client.release(healthy ? undefined : true);
  }
}
