import type { ConsentStatus } from '../domain/consent.js';
import type { Conversation } from '../domain/conversation.js';
import type { Customer } from '../domain/customer.js';
import type { Interaction } from '../domain/interaction.js';

/** The customer as rules see it: the record plus what conditions commonly ask about. */
export interface CustomerFacts extends Customer {
  /** Segment ids the customer belongs to. */
  segments: string[];
  /** Latest value per score name, e.g. `scores.engagement`, `scores.points`. */
  scores: Record<string, number>;
  /**
   * Effective consent per purpose for the triggering channel (the channel's own decision, else
   * the `*` one), e.g. `consent.marketing` is `granted`.
   */
  consent: Record<string, ConsentStatus>;
}

/** An interaction as rules see it: the record plus its scores by name (`score.sentiment`). */
export interface InteractionFacts extends Interaction {
  score: Record<string, number>;
}

/** The event that triggered the evaluation. */
export interface EventFacts {
  /** `interaction.received`, `custom:<name>`, `timer:case.opened`... */
  name: string;
  at: Date;
  /** Extra fields of the event: `segment` for segment events, `payload` for custom ones, `score` for score changes. */
  [field: string]: unknown;
}

/**
 * What conditions read. Paths start at one of these keys: `event.name`, `interaction.channel`,
 * `interaction.score.sentiment`, `customer.attributes.tier`, `customer.tags`, `customer.scores.engagement`,
 * `conversation.case.priority`. Apps evaluating their own facts may use any shape.
 */
export interface RuleFacts {
  event?: EventFacts;
  interaction?: InteractionFacts | null;
  customer?: CustomerFacts | null;
  conversation?: Conversation | null;
  [key: string]: unknown;
}
