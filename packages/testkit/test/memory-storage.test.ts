import {
  identityKeyString,
  interactionKeyString,
  type MemoryStoragePlugin,
  memoryStorage,
  type StorageRawQueries,
} from '@rapport/core';
import { describeStorageConformance } from '../src/conformance.js';

/** Raw queries over the memory store's maps, bypassing its reader. */
function memoryRaw(store: MemoryStoragePlugin): StorageRawQueries {
  return {
    async count(tenantId, table) {
      const d = store.inspect(tenantId);
      const sizes = {
        customers: d.customers.size,
        identities: d.identities.size,
        interactions: d.interactions.size,
        conversations: d.conversations.size,
        merges: d.merges.size,
        consents: d.consents.size,
        scores: d.scores.length,
        segment_members: d.segmentMembers.size,
        rule_firings: d.ruleFirings.size,
        rule_timers: d.timers.size,
        outbox: d.outbox.size,
        channel_state: d.channelState.size,
      };
      return sizes[table];
    },
    async interaction(tenantId, key) {
      const d = store.inspect(tenantId);
      const id = d.interactionByKey.get(interactionKeyString(key));
      const row = id === undefined ? undefined : d.interactions.get(id);
      if (!row) return null;
      const { version, customerId, identityId, conversationId, text } = row;
      return { id: row.id, version, customerId, identityId, conversationId, text };
    },
    async identityOwner(tenantId, key) {
      const d = store.inspect(tenantId);
      const id = d.identityByKey.get(identityKeyString(key));
      return id === undefined ? null : (d.identities.get(id)?.customerId ?? null);
    },
    async customer(tenantId, id) {
      const c = store.inspect(tenantId).customers.get(id);
      return c
        ? { id: c.id, status: c.status, mergedInto: c.mergedInto, displayName: c.displayName, tags: c.tags }
        : null;
    },
  };
}

describeStorageConformance({
  name: 'memory',
  create: async () => {
    const storage = memoryStorage();
    return { storage, raw: memoryRaw(storage) };
  },
});
