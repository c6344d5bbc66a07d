import type { Customer } from './customer.js';

/**
 * The record of one merge: everything needed to undo it exactly. Interactions are not listed: they
 * follow their identity, so moving the identities back moves them back too.
 */
export interface MergeRecord {
  id: string;
  tenantId: string;
  survivorId: string;
  absorbedId: string;
  reason: string;
  /** Who asked for it: `user:<id>`, `system:<channel>`, `rule:<id>`... */
  actor: string;
  at: Date;
  /** Identities moved from the absorbed customer to the survivor. */
  identityIds: string[];
  /** Conversations moved from the absorbed customer to the survivor. */
  conversationIds: string[];
  /** Consent records moved from the absorbed customer to the survivor. */
  consentIds: string[];
  /** Tags the survivor gained from the absorbed customer. */
  addedTags: string[];
  /** Attribute keys the survivor gained from the absorbed customer. */
  addedAttributes: string[];
  /** Profile fields the survivor filled from the absorbed customer. */
  filledFields: Array<'displayName' | 'primaryEmail'>;
  /** The absorbed customer as it was just before the merge. */
  absorbedSnapshot: Customer;
  unmergedAt: Date | null;
  unmergedBy: string | null;
}
