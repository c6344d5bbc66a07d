import type { EffortClass, Interaction } from '@rapport/core';

/** Weight of each interaction kind. Kinds not listed fall back to the weight of their effort class. */
export type KindWeights = Readonly<Record<string, number>>;

/** Weight of each effort class, for kinds without a weight of their own. */
export type EffortWeights = Readonly<Record<EffortClass, number>>;

/**
 * Default weight per kind, in the spirit of crowd.dev's and Orbit's tables: a one-click signal
 * weighs least, authored content more, and content that helps other customers (a reply, a review,
 * an answer) most. Purchases weigh 0: the value they carry is the CLV model's business, and
 * counting it here would make engagement a proxy of spend.
 */
export const DEFAULT_KIND_WEIGHTS: KindWeights = Object.freeze({
  reaction: 1,
  share: 2,
  mention: 3,
  message: 4,
  post: 5,
  reply: 6,
  review: 8,
  referral: 8,
  answer: 10,
  purchase: 0,
});

/** Default weight of a kind absent from the kind table, by its effort class. */
export const DEFAULT_EFFORT_WEIGHTS: EffortWeights = Object.freeze({
  signal: 1,
  contribution: 4,
  transaction: 0,
});

/** Resolves the weight of one interaction: channel override, then kind, then effort class. */
export type WeightOf = (interaction: Pick<Interaction, 'kind' | 'channel' | 'effort'>) => number;

/**
 * Builds the weight lookup. Maps rather than object lookups: kinds and channels come from outside,
 * and a kind named `constructor` or `__proto__` must not find a prototype's property.
 */
export function weightLookup(
  kinds: KindWeights,
  channels: Readonly<Record<string, KindWeights>>,
  effort: EffortWeights,
): WeightOf {
  const byKind = new Map(Object.entries(kinds));
  const byChannel = new Map(
    Object.entries(channels).map(([channel, table]) => [channel, new Map(Object.entries(table))]),
  );
  const byEffort = new Map(Object.entries(effort));
  const fallback = (interaction: Pick<Interaction, 'kind' | 'effort'>): number =>
    byKind.get(interaction.kind) ?? byEffort.get(interaction.effort) ?? 0;
  if (byChannel.size === 0) return fallback;
  return (interaction) => byChannel.get(interaction.channel)?.get(interaction.kind) ?? fallback(interaction);
}
