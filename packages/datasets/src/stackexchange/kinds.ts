import type { InteractionKindRegistry } from '@rapport/core';

/**
 * The custom interaction kinds the Stack Exchange loader emits, with their effort class. Register
 * them with the app (see `InteractionKindRegistry` in `@rapport/core`) so scoring weighs an
 * answer as a contribution and a vote as a signal. Questions use the built-in kind `post`.
 */
export const stackExchangeKinds = {
  /** An answer to a question. */
  answer: { effort: 'contribution' },
  /** A comment on a question or an answer. */
  comment: { effort: 'contribution' },
  /** A question's owner accepting one of its answers. */
  accept: { effort: 'signal' },
  /** An anonymous up- or down-vote on a post. */
  vote: { effort: 'signal' },
} as const satisfies InteractionKindRegistry;

/** A custom kind emitted by the Stack Exchange loader. */
export type StackExchangeKind = keyof typeof stackExchangeKinds;
