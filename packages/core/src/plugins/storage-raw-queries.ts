import type { IdentityKey } from '../domain/identity.js';
import type { InteractionKey } from '../domain/interaction.js';

/** Logical tables a store keeps; each store maps them to its own layout. */
export type RawTable =
  | 'customers'
  | 'identities'
  | 'interactions'
  | 'conversations'
  | 'merges'
  | 'consents'
  | 'scores'
  | 'segment_members'
  | 'rule_firings'
  | 'rule_timers'
  | 'outbox'
  | 'channel_state';

/** An interaction as persisted, read without going through the plugin's API. */
export interface RawInteractionRow {
  id: string;
  version: number;
  customerId: string | null;
  identityId: string | null;
  conversationId: string | null;
  text: string | null;
}

/** A customer as persisted. */
export interface RawCustomerRow {
  id: string;
  status: string;
  mergedInto: string | null;
  displayName: string | null;
  tags: string[];
}

/**
 * Tiny query functions a store supplies so the conformance suite checks what was really persisted,
 * not only what the plugin's API answers. They must bypass the plugin's own read paths (SQL for a
 * database, the internal maps for the memory store).
 */
export interface StorageRawQueries {
  count(tenantId: string, table: RawTable): Promise<number>;
  interaction(tenantId: string, key: InteractionKey): Promise<RawInteractionRow | null>;
  /** The customer id an identity points at, or null when there is no such identity. */
  identityOwner(tenantId: string, key: IdentityKey): Promise<string | null>;
  customer(tenantId: string, id: string): Promise<RawCustomerRow | null>;
}
