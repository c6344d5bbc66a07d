/**
 * Where an outgoing message is: `pending` (waiting for its next attempt), `sending` (claimed by a
 * sender, under a lease), `sent`, `failed` (permanently, or out of attempts) or `unknown` (an
 * attempt ended ambiguously: the channel must be asked before any retry).
 */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'unknown';

/** What a reply says and where it goes, as handed to the channel's `send`. */
export interface OutboxPayload {
  to: { externalId: string; handle?: string };
  /** The external id of the item replied to. */
  inReplyTo?: string;
  /** The conversation's thread reference on the channel. */
  thread?: string;
  /** The channel data of the item replied to (its metadata). */
  context?: Record<string, unknown>;
  subject?: string;
  text: string;
}

/** One failed or ambiguous attempt, as recorded on the message. */
export interface OutboxAttempt {
  at: Date;
  /** The channel error kind (`rate-limited`, `transient`, …), or `unknown` for an ambiguous end. */
  kind: string;
  code: string;
  message: string;
}

/** A message in the durable outbox: one per reply, sent at most once on its channel. */
export interface OutboxMessage {
  id: string;
  tenantId: string;
  /** Reused on every attempt; channels map it to their native idempotency. Unique per tenant. */
  idempotencyKey: string;
  channel: string;
  account: string;
  conversationId: string | null;
  customerId: string | null;
  /** Who wrote it: `user:<id>`, `rule:<id>`… */
  author: string | null;
  payload: OutboxPayload;
  state: OutboxState;
  /** Attempts started so far. */
  attempts: number;
  /**
   * When the next attempt may start. While `sending` it equals `leaseUntil`: a sender that died
   * mid-attempt lets the lease expire, and the message falls due again (to be reconciled first).
   */
  nextAttemptAt: Date;
  /** While `sending`: until when the sender holds it. */
  leaseUntil: Date | null;
  /** Failed and ambiguous attempts, oldest first (the last few are kept). */
  errors: OutboxAttempt[];
  /** The channel's id of the sent message. */
  externalId: string | null;
  sentAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Filters for listing outbox messages. */
export interface OutboxFilter {
  conversationId?: string;
  state?: OutboxState;
}
