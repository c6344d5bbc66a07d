import { deriveEffort, type Interaction, isRapportError, type RapportError } from '@rapport/core';
import { storedInteraction } from '@rapport/testkit';

export const DAY = 86_400_000;
export const T0 = Date.parse('2024-01-01T00:00:00Z');

/** A stored interaction (testkit's builder): an inbound email message from ada at T0. */
export function interaction(fields: Partial<Interaction> = {}): Interaction {
  const kind = fields.kind ?? 'message';
  const text = fields.text === undefined ? 'hello' : fields.text;
  return storedInteraction({
    channel: 'email',
    account: 'support@example.com',
    kind,
    effort: deriveEffort(kind, text),
    text,
    occurredAt: new Date(T0),
    receivedAt: new Date(T0),
    customerId: 'c1',
    identityId: 'id1',
    actorExternalId: 'ada@example.com',
    ...fields,
  });
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
