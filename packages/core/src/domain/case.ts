/** How urgent a case is. */
export type CasePriority = 'low' | 'normal' | 'high' | 'urgent';

/** Where a case is in its life: new → open → pending → resolved → closed (a customer reply reopens). */
export type CaseStatus = 'new' | 'open' | 'pending' | 'resolved' | 'closed';

/**
 * The ownership of a conversation once it needs an answer: kept in `Conversation.case`, null
 * until a case opens.
 */
export interface CaseState {
  status: CaseStatus;
  priority: CasePriority;
  /** The queue or team the case is routed to. */
  queue: string | null;
  /** The agent who owns it. */
  assignee: string | null;
  openedAt: Date;
  updatedAt: Date;
}
