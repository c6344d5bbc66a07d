import type { Consent } from '../../domain/consent.js';
import type { Conversation } from '../../domain/conversation.js';
import type { Customer } from '../../domain/customer.js';
import type { Identity } from '../../domain/identity.js';
import type { Interaction } from '../../domain/interaction.js';
import type { MergeRecord } from '../../domain/merge.js';
import type { Score } from '../../domain/score.js';

/** One tenant's data in the memory store. Records are replaced, never mutated, so undo is cheap. */
export interface TenantData {
  customers: Map<string, Customer>;
  identities: Map<string, Identity>;
  identityByKey: Map<string, string>;
  interactions: Map<string, Interaction>;
  interactionByKey: Map<string, string>;
  conversations: Map<string, Conversation>;
  conversationByKey: Map<string, string>;
  consents: Map<string, Consent>;
  scores: Score[];
  merges: Map<string, MergeRecord>;
  erasures: Set<string>;
}

/** Empty tenant data. */
export function emptyTenantData(): TenantData {
  return {
    customers: new Map(),
    identities: new Map(),
    identityByKey: new Map(),
    interactions: new Map(),
    interactionByKey: new Map(),
    conversations: new Map(),
    conversationByKey: new Map(),
    consents: new Map(),
    scores: [],
    merges: new Map(),
    erasures: new Set(),
  };
}
