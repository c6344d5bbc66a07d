import { deriveEffort, type Interaction, isRapportError, type RapportError } from '@rapport/core';

export const DAY = 86_400_000;
export const T0 = Date.parse('2024-01-01T00:00:00Z');

let counter = 0;

/** A stored interaction with sensible defaults: an inbound message on email, at T0. */
export function interaction(fields: Partial<Interaction> = {}): Interaction {
  counter++;
  const kind = fields.kind ?? 'message';
  const text = fields.text === undefined ? 'hello' : fields.text;
  return {
    id: `i${counter}`,
    tenantId: 'default',
    channel: 'email',
    account: 'support@example.com',
    externalId: `x${counter}`,
    version: 1,
    direction: 'inbound',
    kind,
    effort: deriveEffort(kind, text),
    text,
    language: null,
    occurredAt: new Date(T0),
    receivedAt: new Date(T0),
    customerId: 'c1',
    identityId: 'id1',
    actorExternalId: 'ada@example.com',
    actorHandle: null,
    conversationId: null,
    thread: null,
    parent: null,
    amount: null,
    currency: null,
    referredIdentityId: null,
    referredCustomerId: null,
    scores: [],
    metadata: {},
    ...fields,
  };
}

/** An interaction `days` days after T0. */
export function at(days: number, fields: Partial<Interaction> = {}): Interaction {
  return interaction({ occurredAt: new Date(T0 + days * DAY), ...fields });
}

/** Streams items as the host's timeline does: an async iterable. */
export async function* stream<T>(items: Iterable<T>): AsyncIterable<T> {
  for (const item of items) yield item;
}

export function rapportErrorOf(fn: () => unknown): RapportError {
  try {
    fn();
  } catch (error) {
    if (isRapportError(error)) return error;
    throw error;
  }
  throw new Error('expected a RapportError');
}
