import type { Interaction } from '@rapport/core';
import type { WeightOf } from './weights.js';

/** Milliseconds in a day: half-lives are given in days, timestamps are epoch milliseconds. */
export const DAY_MS = 86_400_000;

/**
 * The decay rate λ (per millisecond) of a half-life in days: a contribution made Δt ago counts
 * e^(−λΔt) = 2^(−Δt/h) of its weight.
 */
export function decayRate(halfLifeDays: number): number {
  return Math.LN2 / (halfLifeDays * DAY_MS);
}

/** 2^(−Δt/h): what is left of a contribution after `elapsedMs` with a half-life of `halfLifeDays`. */
export function decayFactor(elapsedMs: number, halfLifeDays: number): number {
  return Math.exp(-decayRate(halfLifeDays) * elapsedMs);
}

/** The fields of an interaction the engagement score reads. */
export type ScoredInteraction = Pick<
  Interaction,
  'direction' | 'kind' | 'channel' | 'effort' | 'occurredAt' | 'actorExternalId' | 'actorHandle'
>;

/** Which actors count nothing (staff, bots). */
export interface ActorExclusion {
  actorExternalIds: ReadonlySet<string>;
  handles: readonly RegExp[];
}

/**
 * The scoring kernel: weight × decay per interaction, and the exact carry-forward of a score from
 * one time to another. Stateless; one per plugin.
 */
export class EngagementKernel {
  readonly #rate: number;
  readonly #weightOf: WeightOf;
  readonly #excludedIds: ReadonlySet<string>;
  readonly #handles: readonly RegExp[];

  constructor(halfLifeDays: number, weightOf: WeightOf, exclusion: ActorExclusion) {
    this.#rate = decayRate(halfLifeDays);
    this.#weightOf = weightOf;
    this.#excludedIds = exclusion.actorExternalIds;
    this.#handles = exclusion.handles;
  }

  /** The undecayed weight of one interaction: 0 for outbound items and excluded actors. */
  weight(interaction: ScoredInteraction): number {
    if (interaction.direction !== 'inbound') return 0;
    if (this.#excludedIds.size > 0 && this.#excludedIds.has(interaction.actorExternalId)) return 0;
    if (this.#handles.length > 0 && interaction.actorHandle !== null) {
      for (const pattern of this.#handles) if (pattern.test(interaction.actorHandle)) return 0;
    }
    return this.#weightOf(interaction);
  }

  /** What one interaction adds to the score at `nowMs`: its weight decayed from its occurrence. */
  contribution(interaction: ScoredInteraction, nowMs: number): number {
    const weight = this.weight(interaction);
    // Skipping exp for weightless items keeps outbound-heavy timelines cheap; the sum is unchanged.
    if (weight === 0) return 0;
    return weight * Math.exp(-this.#rate * (nowMs - interaction.occurredAt.getTime()));
  }

  /**
   * A score valid at `fromMs`, carried to `toMs`. Exponential decay is memoryless, so this is exact:
   * Σ wᵢ·e^(−λ(from−tᵢ)) · e^(−λ(to−from)) = Σ wᵢ·e^(−λ(to−tᵢ)).
   */
  carry(score: number, fromMs: number, toMs: number): number {
    if (score === 0) return 0;
    return score * Math.exp(-this.#rate * (toMs - fromMs));
  }
}
