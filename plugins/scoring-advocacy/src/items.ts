import { deriveEffort, type EffortClass, type Interaction, type InteractionInput } from '@rapport/core';
import { invalidInput } from './errors.js';

/**
 * What the functions of this package read: stored interactions (as a store or
 * `rapport.interactions` return them), or interaction inputs (as channels and the loaders of
 * `@rapport/datasets` produce them, before ingest).
 */
export type CommunityInteraction = Interaction | InteractionInput;

/** Interactions as an array, an iterable, or an async iterable (a loader, a store scan). */
export type InteractionSource = Iterable<CommunityInteraction> | AsyncIterable<CommunityInteraction>;

/**
 * The synthetic identities that stand for "somebody" rather than a person: the anonymous voter
 * and the deleted user of the Stack Exchange loader. They are never credited nor counted as
 * members; an item of theirs still counts as someone else's for the people who engage with it.
 */
export const defaultAnonymousActors: readonly string[] = ['anonymous-voter', 'deleted-user'];

/** Who did something: a customer of the store, or an identity on a channel (for inputs). */
export interface MemberRef {
  /**
   * The member's id in results: the customer id for stored interactions resolved to a customer,
   * else `<channel>:<externalId>` of the actor.
   */
  id: string;
  /** The customer, when the interaction is stored and resolved to one. */
  customerId: string | null;
  /** The actor's identity, when there is no customer to name (interaction inputs). */
  actor: { channel: string; externalId: string } | null;
}

/** One interaction, reduced to what the analyses read. */
export interface Item {
  /** The stored id, or the external id of an input: what evidence cites. */
  id: string;
  /** Channel and account, which scope `externalId` and `parent`. */
  scope: string;
  externalId: string;
  kind: string;
  effort: EffortClass;
  at: number;
  parent: string | null;
  /** Internal key of the customer-side person who acted; null for the organization (outbound). */
  person: string | null;
  /** True when `person` is one of the anonymous actors. */
  anonymous: boolean;
  member: MemberRef | null;
  /** Referrals: internal key of the referred person. */
  referred: string | null;
  metadata: Record<string, unknown>;
}

function isStored(value: CommunityInteraction): value is Interaction {
  return 'actorExternalId' in value && 'customerId' in value;
}

function actorMember(channel: string, externalId: string): { key: string; member: MemberRef } {
  return {
    key: `a\u0000${channel}\u0000${externalId}`,
    member: { id: `${channel}:${externalId}`, customerId: null, actor: { channel, externalId } },
  };
}

function timeOf(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') return Date.parse(value);
  return Number.NaN;
}

/**
 * Reduces one interaction to an {@link Item}. People are keyed by customer id for stored
 * interactions that have one, else by the actor's channel and external id: inputs name people
 * only on their channel, so the same person on two channels counts as two until ingest merges them.
 */
export function toItem(raw: CommunityInteraction, index: number, anonymous: ReadonlySet<string>): Item {
  if (typeof raw !== 'object' || raw === null || typeof raw.kind !== 'string') {
    throw invalidInput(
      `Interaction #${index} is not an interaction`,
      ['interactions', index],
      'pass stored interactions, or interaction inputs such as the loaders of @rapport/datasets yield',
    );
  }
  const at = timeOf(raw.occurredAt);
  if (Number.isNaN(at)) {
    throw invalidInput(
      `Interaction #${index} has no valid occurredAt`,
      ['interactions', index, 'occurredAt'],
      'give occurredAt as a Date or an ISO 8601 string',
    );
  }
  const inbound = raw.direction === 'inbound';
  let person: string | null = null;
  let member: MemberRef | null = null;
  let actorId: string;
  let referred: string | null = null;
  let effort: EffortClass;
  if (isStored(raw)) {
    actorId = raw.actorExternalId;
    effort = raw.effort;
    if (inbound) {
      if (raw.customerId) {
        person = `c\u0000${raw.customerId}`;
        member = { id: raw.customerId, customerId: raw.customerId, actor: null };
      } else {
        ({ key: person, member } = actorMember(raw.channel, raw.actorExternalId));
      }
    }
    if (raw.referredCustomerId) referred = `c\u0000${raw.referredCustomerId}`;
  } else {
    actorId = raw.actor?.externalId ?? '';
    effort = raw.effort ?? deriveEffort(raw.kind, raw.text);
    if (inbound && actorId !== '') {
      ({ key: person, member } = actorMember(raw.actor.channel ?? raw.channel, actorId));
    }
    if (raw.referred)
      referred = actorMember(raw.referred.channel ?? raw.channel, raw.referred.externalId).key;
  }
  return {
    id: isStored(raw) ? raw.id : raw.externalId,
    scope: `${raw.channel}\u0000${raw.account}`,
    externalId: raw.externalId,
    kind: raw.kind,
    effort,
    at,
    parent: raw.parent ?? null,
    person,
    anonymous: person !== null && anonymous.has(actorId),
    member,
    referred,
    metadata: (raw.metadata ?? {}) as Record<string, unknown>,
  };
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof (value as AsyncIterable<T> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Feeds every interaction of `source` to `visit`, then returns `finish()`: synchronously for an
 * array or iterable, as a promise for an async iterable.
 */
export function consume<R>(
  source: InteractionSource,
  what: string,
  visit: (interaction: CommunityInteraction, index: number) => void,
  finish: () => R,
): R | Promise<R> {
  if (isAsyncIterable<CommunityInteraction>(source)) {
    return (async () => {
      let index = 0;
      for await (const interaction of source) visit(interaction, index++);
      return finish();
    })();
  }
  if (typeof (source as Iterable<CommunityInteraction> | null)?.[Symbol.iterator] !== 'function') {
    throw invalidInput(
      `${what} reads an iterable of interactions`,
      ['interactions'],
      'pass an array, an iterable or an async iterable of interactions',
    );
  }
  let index = 0;
  for (const interaction of source as Iterable<CommunityInteraction>) visit(interaction, index++);
  return finish();
}
