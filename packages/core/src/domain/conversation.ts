import type { CaseState } from './case.js';

/**
 * A thread of interactions on one channel and account. The cases capability adds ownership
 * (status, priority, assignee, queue, SLA clocks) to conversations; those fields live in
 * `case`, which stays null until a case opens.
 */
export interface Conversation {
  id: string;
  tenantId: string;
  channel: string;
  account: string;
  /** The channel's thread id (its root item). */
  externalId: string;
  /** The customer the conversation is with, when known. */
  customerId: string | null;
  startedAt: Date;
  lastInteractionAt: Date;
  interactionCount: number;
  case: CaseState | null;
}

/** Dedupe key of a conversation within a tenant. */
export interface ConversationKey {
  channel: string;
  account: string;
  externalId: string;
}
