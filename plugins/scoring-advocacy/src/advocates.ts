import { parsePluginOptions } from '@rapport/core';
import { z } from 'zod';
import { PLUGIN } from './errors.js';
import {
  type CommunityInteraction,
  consume,
  defaultAnonymousActors,
  type InteractionSource,
  type Item,
  type MemberRef,
  toItem,
} from './items.js';

/** The kinds of evidence that make someone an advocate. */
export const advocacyEvidenceKinds = [
  'accepted-answer',
  'upvoted-answer',
  'appreciated-reply',
  'converted-referral',
] as const;

/** A kind of evidence of advocacy. */
export type AdvocacyEvidenceKind = (typeof advocacyEvidenceKinds)[number];

/**
 * Default weight of each kind of evidence. A converted referral brings revenue and an accepted
 * answer solved someone's problem by their own say, so they outweigh an answer the crowd
 * upvoted, which in turn outweighs a reply someone liked.
 */
export const defaultAdvocacyWeights: Readonly<Record<AdvocacyEvidenceKind, number>> = Object.freeze({
  'accepted-answer': 3,
  'upvoted-answer': 2,
  'appreciated-reply': 1,
  'converted-referral': 5,
});

const weight = (kind: AdvocacyEvidenceKind) =>
  z
    .number()
    .finite()
    .nonnegative()
    .default(defaultAdvocacyWeights[kind])
    .describe(`Points per ${kind} (default ${defaultAdvocacyWeights[kind]}).`);

const kindList = (defaults: string[], what: string) =>
  z
    .array(z.string().min(1))
    .default(defaults)
    .describe(`${what} (default: ${defaults.join(', ')}).`);

/** Schema of the options of {@link findAdvocates}. Unknown keys are rejected so typos surface. */
export const advocatesOptionsSchema = z
  .object({
    weights: z
      .object({
        'accepted-answer': weight('accepted-answer'),
        'upvoted-answer': weight('upvoted-answer'),
        'appreciated-reply': weight('appreciated-reply'),
        'converted-referral': weight('converted-referral'),
      })
      .strict()
      .prefault({})
      .describe('Points per piece of evidence, by kind; missing kinds keep their default.'),
    minAnswerScore: z
      .number()
      .int()
      .default(1)
      .describe('An answer is upvoted when its net score (up minus down) is at least this.'),
    minReplyReactions: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('A reply is appreciated when it got at least this many positive reactions.'),
    answerKinds: kindList(['answer'], 'Kinds that answer a question'),
    replyKinds: kindList(['reply', 'comment'], 'Kinds that reply to someone'),
    acceptKinds: kindList(['accept'], 'Kinds by which an asker accepts an answer (the parent)'),
    reactionKinds: kindList(['reaction', 'vote'], 'Kinds that react to their parent'),
    referralKinds: kindList(['referral'], 'Kinds that refer someone (`referred`)'),
    purchaseKinds: kindList(['purchase'], 'Kinds that convert a referral'),
    conversionWindowDays: z
      .number()
      .positive()
      .finite()
      .optional()
      .describe(
        'A purchase converts a referral only within this many days after it; default: any time after.',
      ),
    anonymousActors: z
      .array(z.string())
      .default([...defaultAnonymousActors])
      .describe(
        'External ids of synthetic actors that are never credited (anonymous voters, deleted users).',
      ),
    limit: z.number().int().positive().optional().describe('Keep only the first `limit` advocates.'),
  })
  .strict();

/** Options of {@link findAdvocates}, as the caller writes them. */
export type AdvocatesOptions = z.input<typeof advocatesOptionsSchema>;
type ResolvedOptions = z.output<typeof advocatesOptionsSchema>;

/** One reason someone is an advocate. */
export interface AdvocacyEvidence {
  kind: AdvocacyEvidenceKind;
  /**
   * The advocate's own interaction: the answer, the reply or the referral (the stored id, or the
   * external id of an interaction input).
   */
  interactionId: string;
  /** When the advocate's interaction happened. */
  occurredAt: Date;
  /** The interactions that make it evidence: the accept, the up-votes or reactions, the purchase. */
  related: string[];
  /** Why, in words. */
  detail: string;
}

/** A customer who helps others, with the evidence. */
export interface Advocate extends MemberRef {
  /** Σ weight(kind) over the evidence. */
  score: number;
  /** Pieces of evidence by kind. */
  counts: Record<AdvocacyEvidenceKind, number>;
  /** Oldest first. */
  evidence: AdvocacyEvidence[];
}

const DAY_MS = 86_400_000;

interface Reaction {
  id: string;
  person: string | null;
  up: boolean;
}

/** Down-votes and reactions marked negative are the only negative ones. */
function isPositive(item: Item): boolean {
  return item.metadata.voteType !== 'down' && item.metadata.positive !== false;
}

function channelScore(item: Item): number | undefined {
  const score = item.metadata.score;
  return typeof score === 'number' && Number.isFinite(score) ? score : undefined;
}

function countsOf(): Record<AdvocacyEvidenceKind, number> {
  return { 'accepted-answer': 0, 'upvoted-answer': 0, 'appreciated-reply': 0, 'converted-referral': 0 };
}

/**
 * Collects interactions one at a time (for a store read page by page), then ranks the advocates
 * with {@link AdvocatesFinder.result}. Parents and reactions may come in any order: everything
 * is joined at the end.
 */
export class AdvocatesFinder {
  readonly #options: ResolvedOptions;
  readonly #anonymous: ReadonlySet<string>;
  readonly #kinds: Record<'answer' | 'reply' | 'accept' | 'reaction' | 'referral' | 'purchase', Set<string>>;
  /** Latest version of each item that can be evidence or a parent, by scope and external id. */
  readonly #items = new Map<string, Item>();
  readonly #reactions = new Map<string, Reaction[]>();
  readonly #accepts: Item[] = [];
  readonly #referrals: Item[] = [];
  readonly #purchases = new Map<string, Item[]>();
  #seen = 0;

  constructor(options?: AdvocatesOptions) {
    this.#options = parsePluginOptions(advocatesOptionsSchema, options, 'findAdvocates', PLUGIN);
    this.#anonymous = new Set(this.#options.anonymousActors);
    const o = this.#options;
    this.#kinds = {
      answer: new Set(o.answerKinds),
      reply: new Set(o.replyKinds),
      accept: new Set(o.acceptKinds),
      reaction: new Set(o.reactionKinds),
      referral: new Set(o.referralKinds),
      purchase: new Set(o.purchaseKinds),
    };
  }

  /** Adds one interaction. */
  add(interaction: CommunityInteraction): void {
    const item = toItem(interaction, this.#seen++, this.#anonymous);
    const kinds = this.#kinds;
    const key = `${item.scope}\u0000${item.externalId}`;
    if (kinds.reaction.has(item.kind)) {
      if (item.parent === null) return;
      const target = `${item.scope}\u0000${item.parent}`;
      let list = this.#reactions.get(target);
      if (!list) {
        list = [];
        this.#reactions.set(target, list);
      }
      list.push({ id: item.id, person: item.person, up: isPositive(item) });
      return;
    }
    if (kinds.accept.has(item.kind)) {
      this.#accepts.push(item);
      return;
    }
    if (kinds.referral.has(item.kind)) this.#referrals.push(item);
    if (kinds.purchase.has(item.kind) && item.person !== null) {
      let list = this.#purchases.get(item.person);
      if (!list) {
        list = [];
        this.#purchases.set(item.person, list);
      }
      list.push(item);
    }
    // Everything else may be evidence or a parent (a question, a post): kept by key, so a later
    // version of an editable item replaces the earlier one, as a store keeps the latest.
    this.#items.set(key, item);
  }

  /** The advocates found so far, best first. */
  result(): Advocate[] {
    const o = this.#options;
    const kinds = this.#kinds;
    const items = this.#items;
    const advocates = new Map<string, Advocate>();
    const credit = (item: Item, evidence: Omit<AdvocacyEvidence, 'interactionId' | 'occurredAt'>) => {
      let advocate = advocates.get(item.person!);
      if (!advocate) {
        advocate = { ...item.member!, score: 0, counts: countsOf(), evidence: [] };
        advocates.set(item.person!, advocate);
      }
      advocate.score += o.weights[evidence.kind];
      advocate.counts[evidence.kind] += 1;
      advocate.evidence.push({
        kind: evidence.kind,
        interactionId: item.id,
        occurredAt: new Date(item.at),
        related: evidence.related,
        detail: evidence.detail,
      });
    };
    const creditable = (item: Item | undefined): item is Item =>
      item !== undefined && item.person !== null && !item.anonymous;
    const parentOf = (item: Item): Item | undefined =>
      item.parent === null ? undefined : items.get(`${item.scope}\u0000${item.parent}`);
    /** The parent when it is another person's (not the organization's, not one's own). */
    const othersParent = (item: Item): Item | undefined => {
      const parent = parentOf(item);
      return parent && parent.person !== null && parent.person !== item.person ? parent : undefined;
    };
    const reactionsOn = (item: Item): Reaction[] =>
      // The author's own reactions are not appreciation by others.
      (this.#reactions.get(`${item.scope}\u0000${item.externalId}`) ?? []).filter(
        (r) => r.person !== item.person,
      );
    const whose = (parent: Item) => (parent.member ? parent.member.id : 'someone');

    // Accepted answers: one piece of evidence per answer, however many accept items name it.
    const accepted = new Set<string>();
    for (const accept of this.#accepts) {
      const answer = parentOf(accept);
      if (!creditable(answer)) continue;
      const key = `${answer.scope}\u0000${answer.externalId}`;
      if (accepted.has(key)) continue;
      // The asker is the author of the question answered; the accepter stands in when the
      // question is not among the interactions.
      const question = parentOf(answer);
      const asker = question ? question.person : accept.person;
      if (asker === answer.person || accept.person === answer.person) continue;
      accepted.add(key);
      credit(answer, {
        kind: 'accepted-answer',
        related: [accept.id],
        detail: `answer accepted by the asker${question ? ` of ${question.id} (${whose(question)})` : ''}`,
      });
    }

    for (const item of items.values()) {
      if (!creditable(item)) continue;
      const isAnswer = kinds.answer.has(item.kind);
      if (!isAnswer && !kinds.reply.has(item.kind)) continue;
      const parent = othersParent(item);
      if (!parent) continue;
      const reactions = reactionsOn(item);
      const ups = reactions.filter((r) => r.up);
      const fromChannel = channelScore(item);
      if (isAnswer) {
        // Votes in the stream are preferred because they can be cited; without any, the score
        // the channel reports (a dump's Score) stands in.
        const downs = reactions.length - ups.length;
        const net = reactions.length > 0 ? ups.length - downs : fromChannel;
        if (net === undefined || net < o.minAnswerScore) continue;
        credit(item, {
          kind: 'upvoted-answer',
          related: ups.map((r) => r.id),
          detail:
            reactions.length > 0
              ? `answer to ${parent.id} (${whose(parent)}) with net score ${net} (${ups.length} up, ${downs} down)`
              : `answer to ${parent.id} (${whose(parent)}) with score ${net} as the channel reports it`,
        });
      } else {
        const positive = ups.length > 0 ? ups.length : (fromChannel ?? 0);
        if (positive < o.minReplyReactions) continue;
        credit(item, {
          kind: 'appreciated-reply',
          related: ups.map((r) => r.id),
          detail:
            ups.length > 0
              ? `reply to ${parent.id} (${whose(parent)}) with ${positive} positive reaction${positive === 1 ? '' : 's'}`
              : `reply to ${parent.id} (${whose(parent)}) with score ${positive} as the channel reports it`,
        });
      }
    }

    const window =
      o.conversionWindowDays === undefined ? Number.POSITIVE_INFINITY : o.conversionWindowDays * DAY_MS;
    const converted = new Set<string>();
    for (const referral of this.#referrals) {
      if (!creditable(referral) || referral.referred === null || referral.referred === referral.person)
        continue;
      const key = `${referral.scope}\u0000${referral.externalId}`;
      if (converted.has(key)) continue;
      let first: Item | undefined;
      for (const purchase of this.#purchases.get(referral.referred) ?? []) {
        if (purchase.at < referral.at || purchase.at - referral.at > window) continue;
        if (!first || purchase.at < first.at) first = purchase;
      }
      if (!first) continue;
      converted.add(key);
      credit(referral, {
        kind: 'converted-referral',
        related: [first.id],
        detail: `referred ${first.member?.id ?? 'someone'}, who purchased ${first.id} on ${new Date(first.at).toISOString()}`,
      });
    }

    const ranked = [...advocates.values()];
    for (const advocate of ranked) {
      advocate.evidence.sort(
        (a, b) =>
          a.occurredAt.getTime() - b.occurredAt.getTime() ||
          (a.interactionId < b.interactionId ? -1 : a.interactionId > b.interactionId ? 1 : 0),
      );
    }
    ranked.sort(
      (a, b) =>
        b.score - a.score ||
        b.evidence.length - a.evidence.length ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    return o.limit === undefined ? ranked : ranked.slice(0, o.limit);
  }
}

/**
 * Finds the customers who help others, ranked by a weighted count of evidence. Each piece of
 * evidence names the advocate's interaction and the interactions that back it:
 *
 * - `accepted-answer`: an answer (an `answerKinds` item) that an accept item (`acceptKinds`,
 *   whose `parent` is the answer) marks as accepted, when the asker (the author of the question
 *   the answer replies to, else the accepter) is someone else than the answerer. One per answer;
 * - `upvoted-answer`: an answer to someone else's item whose net score is at least
 *   `minAnswerScore` (default 1). The net score counts the `reactionKinds` items whose parent is
 *   the answer: +1 each, −1 for a down-vote (`metadata.voteType === 'down'`) or a reaction with
 *   `metadata.positive === false`; reactions by the author are ignored. An answer without any
 *   such reaction in the stream takes `metadata.score` (the channel's own count) instead;
 * - `appreciated-reply`: a `replyKinds` item (reply, comment) whose parent is another person's
 *   inbound item, with at least `minReplyReactions` (default 1) positive reactions by others
 *   (again `metadata.score` when there are none in the stream);
 * - `converted-referral`: a referral of someone else whose referred person made a purchase at or
 *   after the referral (within `conversionWindowDays` when set). One per referral.
 *
 * "Someone else" compares people: customer ids for stored interactions, the actor's channel and
 * external id for interaction inputs. Outbound items are the organization's: never credited, and
 * an answer or reply to them helps no customer. Anonymous actors (`anonymousActors`) are never
 * credited. Items whose parent is not among the interactions are not evidence: whose item they
 * answer cannot be told.
 *
 * The score is Σ weight × count over the evidence; ties are ranked by the number of pieces of
 * evidence, then by id.
 *
 * @example
 * ```ts
 * const advocates = await findAdvocates(loadStackExchange('dumps/meta.conlang'), { limit: 10 });
 * advocates[0]; // { id: 'stackexchange:14', score: 12, counts: {...}, evidence: [...] }
 * ```
 */
export function findAdvocates(
  interactions: Iterable<CommunityInteraction>,
  options?: AdvocatesOptions,
): Advocate[];
export function findAdvocates(
  interactions: AsyncIterable<CommunityInteraction>,
  options?: AdvocatesOptions,
): Promise<Advocate[]>;
export function findAdvocates(
  interactions: InteractionSource,
  options?: AdvocatesOptions,
): Advocate[] | Promise<Advocate[]>;
export function findAdvocates(
  interactions: InteractionSource,
  options?: AdvocatesOptions,
): Advocate[] | Promise<Advocate[]> {
  const finder = new AdvocatesFinder(options);
  return consume(
    interactions,
    'findAdvocates',
    (interaction) => finder.add(interaction),
    () => finder.result(),
  );
}
