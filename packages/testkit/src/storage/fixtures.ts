import type { Interaction, InteractionInput } from '@rapport/core';

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

let stored = 0;

/**
 * A complete stored {@link Interaction}, as a storage plugin returns it, for tests and benches
 * of code that reads stored interactions (scoring, graphs, storage round trips); override any
 * field. Without overrides: an inbound `message` of effort `contribution` on channel `mastodon`,
 * account `@acme`, tenant `default`, occurred and received at {@link T0}, with no text, customer,
 * identity, conversation, thread, parent, amount or referral, no scores and empty metadata.
 *
 * Derived defaults, so a few overrides give a consistent item:
 * - `id` and `externalId` are unique in the process (`int_1`, `ext_1`, ...);
 * - `receivedAt` is the given `occurredAt`;
 * - `actorExternalId` is the given `customerId`, or `someone` when there is none.
 *
 * @example
 * ```ts
 * const reply = storedInteraction({ kind: 'reply', customerId: 'bob', parent: 'p1' });
 * ```
 */
export function storedInteraction(overrides: Partial<Interaction> = {}): Interaction {
  stored += 1;
  const occurredAt = overrides.occurredAt ?? new Date(T0);
  return {
    id: `int_${stored}`,
    tenantId: 'default',
    channel: 'mastodon',
    account: '@acme',
    externalId: `ext_${stored}`,
    version: 0,
    direction: 'inbound',
    kind: 'message',
    effort: 'contribution',
    text: null,
    language: null,
    occurredAt,
    receivedAt: occurredAt,
    customerId: null,
    identityId: null,
    actorExternalId: overrides.customerId ?? 'someone',
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
    ...overrides,
  };
}
