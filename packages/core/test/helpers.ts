import type { InteractionInput } from '../src/index.js';

export const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

/** A valid inbound message with overrides. */
export function item(n: number, overrides: Partial<InteractionInput> = {}): InteractionInput {
  return {
    channel: 'mastodon',
    account: '@acme',
    externalId: `s-${n}`,
    direction: 'inbound',
    kind: 'mention',
    text: `status ${n}`,
    occurredAt: new Date(T0 + n * 1000),
    actor: { externalId: `user-${n}` },
    ...overrides,
  };
}

/** A clock tests move by hand. */
export function manualClock(start = T0) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}
