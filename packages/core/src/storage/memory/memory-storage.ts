import type { Tenant } from '../../domain/tenant.js';
import type { StoragePlugin, StorageReader } from '../../plugins/storage.js';
import { STORAGE_SPEC_VERSION } from '../../plugins/storage.js';
import { WriteLock } from '../write-lock.js';
import { MemoryReader } from './memory-reader.js';
import { MemoryUnitOfWork } from './memory-unit-of-work.js';
import { emptyTenantData, type TenantData } from './tenant-data.js';

/** The memory store, with access to its maps for tests (the conformance suite's raw queries). */
export interface MemoryStoragePlugin extends StoragePlugin {
  /** The maps of one tenant, bypassing the plugin API. For tests only. */
  inspect(tenantId: string): TenantData;
}

/**
 * An in-memory store: fast, complete, and gone when the process ends. For tests and experiments;
 * use `@rapport/storage-sqlite` or `@rapport/storage-postgres` to keep data.
 */
export function memoryStorage(): MemoryStoragePlugin {
  const tenants = new Map<string, Tenant>();
  const data = new Map<string, TenantData>();
  const lock = new WriteLock();

  const tenantData = (tenantId: string): TenantData => {
    let d = data.get(tenantId);
    if (!d) {
      d = emptyTenantData();
      data.set(tenantId, d);
    }
    return d;
  };

  /**
   * Readers see committed data only: while a unit of work is open its writes are in the maps, so a
   * reader waits for it to finish.
   */
  const committedReader = (tenantId: string): StorageReader => {
    const reader = new MemoryReader(tenantData(tenantId));
    return new Proxy(reader, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const read = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
        return (...args: unknown[]) => (lock.busy ? lock.run(() => read(...args)) : read(...args));
      },
    });
  };

  return {
    id: 'memory',
    version: '0.1.0',
    specVersion: STORAGE_SPEC_VERSION,
    capabilities: { durable: false, concurrentProcesses: false, exportCustomer: true, eraseCustomer: true },
    init() {},
    close() {},
    ensureTenant(tenant) {
      const existing = tenants.get(tenant.id);
      if (existing) return existing;
      tenants.set(tenant.id, tenant);
      tenantData(tenant.id);
      return tenant;
    },
    unitOfWork(tenantId, work) {
      return lock.run(async () => {
        const uow = new MemoryUnitOfWork(tenantData(tenantId), tenantId);
        try {
          return await work(uow);
        } catch (error) {
          uow.rollback();
          throw error;
        }
      });
    },
    read: committedReader,
    listTenants() {
      return [...tenants.values()]
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((t) => ({ ...t }));
    },
    inspect: tenantData,
  };
}
