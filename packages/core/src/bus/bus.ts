/** A message handed from one pipeline stage to the next. */
export interface BusMessage<T = unknown> {
  /** Partition key: messages with the same key are delivered in order (Rapport uses the customer id). */
  key: string;
  payload: T;
}

/** Handles the messages of one topic. A throwing handler is reported; other partitions go on. */
export type BusHandler<T = unknown> = (message: BusMessage<T>) => void | Promise<void>;

/**
 * The pipeline's hand-off bus. In-process by default; a durable broker (NATS JetStream) can back it
 * with the same shape: topics, partition keys, per-partition order, at-least-once delivery.
 */
export interface Bus {
  readonly id: string;
  publish<T>(topic: string, messages: ReadonlyArray<BusMessage<T>>): Promise<void>;
  /** Subscribes to a topic; returns a function that unsubscribes. */
  subscribe<T>(topic: string, handler: BusHandler<T>): () => void;
  /** Resolves when every published message has been handled. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Topic on which the pipeline hands stored interactions to later stages (scoring, rules). */
export const INTERACTIONS_STORED_TOPIC = 'interactions.stored';

/** Payload of {@link INTERACTIONS_STORED_TOPIC}. */
export interface InteractionsStoredMessage {
  tenantId: string;
  customerId: string;
  /** Every interaction stored for the customer: new ones and new versions of stored ones. */
  interactionIds: string[];
  /** Those of `interactionIds` that are new versions (edits) of interactions stored before. */
  editedIds?: string[];
}
