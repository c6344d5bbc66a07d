import type { InteractionInput } from '@rapport/core';

/** A fixed instant, so suites do not depend on the wall clock. */
export const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

/** A small valid inbound message; override any field. */
export function message(n: number, overrides: Partial<InteractionInput> = {}): InteractionInput {
  return {
    channel: 'email',
    account: 'support@acme.test',
    externalId: `m-${n}`,
    direction: 'inbound',
    kind: 'message',
    text: `message number ${n}`,
    occurredAt: new Date(T0 + n * 60_000),
    actor: { externalId: `person-${n}@example.test`, handle: `person${n}` },
    ...overrides,
  };
}
