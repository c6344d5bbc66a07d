import type { Consent, ConsentStatus } from '../../domain/consent.js';
import type { Customer } from '../../domain/customer.js';
import type { Interaction } from '../../domain/interaction.js';
import type { Score } from '../../domain/score.js';
import type { StorageReader } from '../../plugins/storage.js';
import type { CustomerFacts, EventFacts, InteractionFacts, RuleFacts } from '../../rules/facts.js';

/** What a rule evaluation is about: the ids the triggering event carried. */
export interface RuleSubject {
  customerId: string | null;
  conversationId: string | null;
  interactionId: string | null;
}

/** At most this many past interactions are read for aggregates over all history. */
export const HISTORY_CAP = 10_000;

/** The interaction as rules see it, with its scores by name. */
export function interactionFacts(interaction: Interaction): InteractionFacts {
  const score: Record<string, number> = {};
  for (const s of interaction.scores) score[s.name] = s.value;
  return { ...interaction, score };
}

/** Effective consent per purpose on `channel`: the latest decision for the channel or for `*`. */
export function effectiveConsent(
  consents: readonly Consent[],
  channel: string | null,
): Record<string, ConsentStatus> {
  const out: Record<string, ConsentStatus> = {};
  // Consents come oldest first, so the last matching decision wins.
  for (const c of consents) if (c.channel === '*' || c.channel === channel) out[c.purpose] = c.status;
  return out;
}

/** Latest value per score name (the newest across models when several share a name). */
export function latestByName(scores: readonly Score[]): Record<string, number> {
  const out: Record<string, number> = {};
  const at: Record<string, number> = {};
  for (const s of scores) {
    const t = s.computedAt.getTime();
    if (at[s.name] === undefined || t >= at[s.name]!) {
      out[s.name] = s.value;
      at[s.name] = t;
    }
  }
  return out;
}

/** Customer facts from the stored customer and what is kept about it. */
export async function customerFacts(
  reader: StorageReader,
  customer: Customer,
  channel: string | null,
): Promise<CustomerFacts> {
  // One after another: inside a unit of work the reader is one connection, which runs one
  // statement at a time.
  const segments = await reader.segmentsOf([customer.id]);
  const scores = await reader.latestScores([customer.id]);
  const consents = await reader.listConsents([customer.id]);
  return {
    ...customer,
    segments: segments.map((s) => s.segment),
    scores: latestByName(scores),
    consent: effectiveConsent(consents, channel),
  };
}

/** Follows merges to the customer that holds the record now. */
async function canonical(reader: StorageReader, id: string): Promise<Customer | null> {
  let customer = (await reader.getCustomers([id]))[0] ?? null;
  for (let hops = 0; customer?.status === 'merged' && customer.mergedInto && hops < 16; hops++) {
    customer = (await reader.getCustomers([customer.mergedInto]))[0] ?? null;
  }
  return customer;
}

/** Loads the facts for a subject as they are in the store now. */
export async function loadFacts(
  reader: StorageReader,
  subject: RuleSubject,
  event: EventFacts,
): Promise<RuleFacts> {
  const interaction = subject.interactionId ? await reader.getInteraction(subject.interactionId) : null;
  const customerId = subject.customerId ?? interaction?.customerId ?? null;
  const customer = customerId ? await canonical(reader, customerId) : null;
  const conversationId = subject.conversationId ?? interaction?.conversationId ?? null;
  const conversation = conversationId ? await reader.getConversation(conversationId) : null;
  return {
    event,
    interaction: interaction ? interactionFacts(interaction) : null,
    customer: customer
      ? await customerFacts(reader, customer, interaction?.channel ?? conversation?.channel ?? null)
      : null,
    conversation,
  };
}

/**
 * The customer's interactions that occurred within `windowMs` before `now` (all of them for
 * Infinity, up to {@link HISTORY_CAP}), newest first, as aggregates read them.
 */
export async function loadHistory(
  reader: StorageReader,
  customerId: string,
  now: number,
  windowMs: number,
): Promise<InteractionFacts[]> {
  const range = Number.isFinite(windowMs)
    ? { from: new Date(now - windowMs), to: new Date(now + 1) }
    : { to: new Date(now + 1) };
  return (await reader.recentInteractions(customerId, range, HISTORY_CAP)).map(interactionFacts);
}
