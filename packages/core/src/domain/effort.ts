/**
 * How much the actor put into an interaction. Engagement models weigh a `contribution` (a reply,
 * a review, an answer) above a one-click `signal` (a like, a plain share); `transaction`s
 * (purchases) carry value rather than effort.
 */
export type EffortClass = 'signal' | 'contribution' | 'transaction';

/** The kinds Rapport knows. Channels may use others (see {@link InteractionKindRegistry}). */
export const builtInKinds = [
  'message',
  'mention',
  'reply',
  'post',
  'review',
  'reaction',
  'share',
  'purchase',
  'referral',
] as const;

/** A kind Rapport knows out of the box. */
export type BuiltInKind = (typeof builtInKinds)[number];

/** Effort class of each built-in kind when it carries content. */
const builtInEffort: Record<BuiltInKind, EffortClass> = {
  message: 'contribution',
  mention: 'contribution',
  reply: 'contribution',
  post: 'contribution',
  review: 'contribution',
  reaction: 'signal',
  share: 'signal',
  purchase: 'transaction',
  referral: 'contribution',
};

const NON_BLANK = /\S/;

/** Extra kinds declared by an app or a plugin, with their effort class. */
export type InteractionKindRegistry = Readonly<Record<string, { effort: EffortClass }>>;

/**
 * Derives the effort class from kind and content:
 * - a share that adds text (a quote) is a contribution, a plain share a signal;
 * - an authored kind (message, reply, post...) without any text is only a signal;
 * - custom kinds take their registered class, else contribution when they carry text.
 */
export function deriveEffort(
  kind: string,
  text: string | null | undefined,
  registry?: InteractionKindRegistry,
): EffortClass {
  // A regex test instead of trim(): no copy of a long text on the ingest hot path.
  const hasText = text !== undefined && text !== null && NON_BLANK.test(text);
  const known = builtInEffort[kind as BuiltInKind] ?? registry?.[kind]?.effort;
  if (known === undefined) return hasText ? 'contribution' : 'signal';
  if (kind === 'share') return hasText ? 'contribution' : 'signal';
  if (known === 'contribution' && !hasText && kind !== 'referral') return 'signal';
  return known;
}
