import type { IdentityInput } from '@rapport/core';
import type { ResolvedSyntheticOptions, SyntheticOptions } from './options.js';
import { resolveSyntheticOptions } from './options.js';
import { cumulate, pickWeighted, SeededRandom } from './random.js';
import {
  CURRENCY_WEIGHTS,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  FIRST_NAMES_DISPLAY,
  LAST_NAMES,
  LAST_NAMES_DISPLAY,
  MASTODON_INSTANCES,
} from './words.js';

/** A person has at most this many identities (one per channel). */
export const MAX_IDENTITIES = 3;

/** How a person's identity carries an email (numbers, because they live in a typed array). */
export const EmailMode = {
  None: 0,
  /** The person's address, vouched for by the channel: a resolver may link on it. */
  Verified: 1,
  /** The person's address, not vouched for: a resolver must not link on it. */
  Unverified: 2,
} as const;

/** How identity ids and handles look on a channel. */
const IdStyle = { Tweet: 0, Mastodon: 1, Email: 2, Forum: 3, Generic: 4 } as const;

function idStyleOf(channel: string): number {
  switch (channel) {
    case 'twitter':
    case 'x':
    case 'bluesky':
      return IdStyle.Tweet;
    case 'mastodon':
      return IdStyle.Mastodon;
    case 'email':
      return IdStyle.Email;
    case 'forum':
      return IdStyle.Forum;
    default:
      return IdStyle.Generic;
  }
}

/** Odds of a person having 1, 2 or 3 identities. */
const IDENTITY_COUNT_WEIGHTS = cumulate([0.55, 0.3, 0.15]);
/** Odds of a grumpy (-1), neutral (0) or enthusiastic (1) person. */
const MOOD_WEIGHTS = cumulate([0.2, 0.45, 0.35]);
const CURRENCY_CUMULATIVE = cumulate(CURRENCY_WEIGHTS);

/**
 * The persons of a synthetic stream, kept in typed arrays: about a dozen bytes per person, so the
 * table stays small even with millions of persons. Strings (ids, handles, addresses) are built on
 * demand from name indexes rather than stored, which keeps the heap flat.
 *
 * Persons are numbered from 0. Those from `dormantFrom` on are dormant: they only become active
 * when someone refers them, in index order, so that "the active persons on a channel" is always a
 * prefix of that channel's (ascending) person list.
 */
export class Population {
  /** Number of persons. */
  readonly size: number;
  /** Channel ids, indexed by the channel numbers used in the tables. */
  readonly channels: readonly string[];
  /** Index of the first dormant person. */
  readonly dormantFrom: number;
  /** Index into FIRST_NAMES, per person. */
  readonly first: Uint16Array;
  /** Index into LAST_NAMES, per person. */
  readonly last: Uint16Array;
  /** Index into EMAIL_DOMAINS, per person. */
  readonly domain: Uint8Array;
  /** Index into the CURRENCIES word list, per person. */
  readonly currency: Uint8Array;
  /** -1 grumpy, 0 neutral, 1 enthusiastic: biases the tone of what the person writes. */
  readonly mood: Int8Array;
  /** Number of identities, per person (1 to MAX_IDENTITIES). */
  readonly identityCount: Uint8Array;
  /** Channel number of each identity slot (person * MAX_IDENTITIES + slot). */
  readonly identityChannel: Uint8Array;
  /** {@link EmailMode} of each identity slot. */
  readonly emailMode: Uint8Array;
  /** Slot whose items carry `actor.links`, or -1. */
  readonly linkFrom: Int8Array;
  /** Slot the links point at, or -1. */
  readonly linkTo: Int8Array;
  /** Per channel: the persons with an identity there, ascending. */
  readonly byChannel: readonly Int32Array[];
  /** Per channel: how many entries of `byChannel` are not dormant. */
  readonly activeByChannel: Int32Array;
  private readonly styles: Uint8Array;

  /** Draws the persons for `options` from `random`. */
  constructor(options: ResolvedSyntheticOptions, random: SeededRandom) {
    const size = options.customers;
    const channelCount = options.channels.length;
    this.size = size;
    this.channels = options.channels;
    this.styles = Uint8Array.from(options.channels, idStyleOf);
    this.dormantFrom = Math.max(1, size - Math.floor(size * options.dormantRatio));
    this.first = new Uint16Array(size);
    this.last = new Uint16Array(size);
    this.domain = new Uint8Array(size);
    this.currency = new Uint8Array(size);
    this.mood = new Int8Array(size);
    this.identityCount = new Uint8Array(size);
    this.identityChannel = new Uint8Array(size * MAX_IDENTITIES);
    this.emailMode = new Uint8Array(size * MAX_IDENTITIES);
    this.linkFrom = new Int8Array(size).fill(-1);
    this.linkTo = new Int8Array(size).fill(-1);
    const emailChannel = options.channels.indexOf('email');
    const perChannel = new Int32Array(channelCount);
    const chosen = new Uint8Array(channelCount);

    for (let p = 0; p < size; p++) {
      this.first[p] = random.int(FIRST_NAMES.length);
      this.last[p] = random.int(LAST_NAMES.length);
      this.domain[p] = random.int(EMAIL_DOMAINS.length);
      this.currency[p] = pickWeighted(random, CURRENCY_CUMULATIVE);
      this.mood[p] = pickWeighted(random, MOOD_WEIGHTS) - 1;
      const count = Math.min(channelCount, pickWeighted(random, IDENTITY_COUNT_WEIGHTS) + 1);
      this.identityCount[p] = count;
      chosen.fill(0);
      let emailSlot = -1;
      for (let slot = 0; slot < count; slot++) {
        // Distinct channels: a person has at most one identity per channel.
        let channel = random.int(channelCount);
        while (chosen[channel] === 1) channel = (channel + 1) % channelCount;
        chosen[channel] = 1;
        perChannel[channel] = (perChannel[channel] as number) + 1;
        this.identityChannel[p * MAX_IDENTITIES + slot] = channel;
        if (channel === emailChannel) {
          // An email identity is its address, and the mailbox vouches for it.
          this.emailMode[p * MAX_IDENTITIES + slot] = EmailMode.Verified;
          emailSlot = slot;
        }
      }
      this.drawLinks(p, count, emailSlot, options, random);
    }

    this.byChannel = Array.from(perChannel, (n) => new Int32Array(n));
    this.activeByChannel = new Int32Array(channelCount);
    const filled = new Int32Array(channelCount);
    for (let p = 0; p < size; p++) {
      for (let slot = 0; slot < (this.identityCount[p] as number); slot++) {
        const channel = this.identityChannel[p * MAX_IDENTITIES + slot] as number;
        (this.byChannel[channel] as Int32Array)[filled[channel] as number] = p;
        filled[channel] = (filled[channel] as number) + 1;
        if (p < this.dormantFrom)
          this.activeByChannel[channel] = (this.activeByChannel[channel] as number) + 1;
      }
    }
  }

  /**
   * Decides how the identities of person `p` can be tied together. Shared verified emails and
   * explicit links are given to different persons on purpose: a resolver links on a verified
   * email only when it first sees an identity, so a person tied both ways could legitimately end
   * up split depending on arrival order, and the ground truth would be ambiguous.
   */
  private drawLinks(
    p: number,
    count: number,
    emailSlot: number,
    options: ResolvedSyntheticOptions,
    random: SeededRandom,
  ): void {
    const base = p * MAX_IDENTITIES;
    const r = random.next();
    if (count >= 2 && r < options.emailLinkRatio) {
      // Two identities share the verified address (the mailbox itself counts as one).
      const a = emailSlot >= 0 ? emailSlot : random.int(count);
      const b = (a + 1 + random.int(count - 1)) % count;
      this.emailMode[base + a] = EmailMode.Verified;
      this.emailMode[base + b] = EmailMode.Verified;
      return;
    }
    if (count >= 2 && r < options.emailLinkRatio + options.channelLinkRatio) {
      const from = random.int(count);
      this.linkFrom[p] = from;
      this.linkTo[p] = (from + 1 + random.int(count - 1)) % count;
    }
    // Elsewhere an address may show up unverified (a profile field): it must not link anything.
    // A single identity may also carry its verified address: alone, it links nothing either.
    for (let slot = 0; slot < count; slot++) {
      if (slot === emailSlot) continue;
      const x = random.next();
      if (x < 0.15) this.emailMode[base + slot] = EmailMode.Unverified;
      else if (count === 1 && x < 0.25) this.emailMode[base + slot] = EmailMode.Verified;
    }
  }

  /** The slot of person `p`'s identity on channel number `channel` (the person must have one). */
  slotOn(p: number, channel: number): number {
    const base = p * MAX_IDENTITIES;
    const count = this.identityCount[p] as number;
    for (let slot = 1; slot < count; slot++) if (this.identityChannel[base + slot] === channel) return slot;
    return 0;
  }

  /** The person's address: lower case, unique per person (the index is part of it). */
  email(p: number): string {
    return (
      (FIRST_NAMES[this.first[p] as number] as string) +
      '.' +
      (LAST_NAMES[this.last[p] as number] as string) +
      p +
      '@' +
      (EMAIL_DOMAINS[this.domain[p] as number] as string)
    );
  }

  /** The person's display name. */
  displayName(p: number): string {
    return (
      (FIRST_NAMES_DISPLAY[this.first[p] as number] as string) +
      ' ' +
      (LAST_NAMES_DISPLAY[this.last[p] as number] as string)
    );
  }

  /** The person's first name, as displayed. */
  firstName(p: number): string {
    return FIRST_NAMES_DISPLAY[this.first[p] as number] as string;
  }

  /** The channel id of a slot. */
  channelOf(p: number, slot: number): string {
    return this.channels[this.identityChannel[p * MAX_IDENTITIES + slot] as number] as string;
  }

  /** The channel's id of person `p`'s identity in `slot`: unique per channel. */
  externalId(p: number, slot: number): string {
    const channel = this.identityChannel[p * MAX_IDENTITIES + slot] as number;
    switch (this.styles[channel]) {
      case IdStyle.Tweet:
        return String(1_400_000_000 + p);
      case IdStyle.Mastodon:
        return String(109_000_000_000 + p);
      case IdStyle.Email:
        return this.email(p);
      case IdStyle.Forum:
        return String(10_000 + p);
      default:
        return 'user-' + p;
    }
  }

  /** The handle of person `p`'s identity in `slot`, if the channel has handles. */
  handle(p: number, slot: number): string | undefined {
    const channel = this.identityChannel[p * MAX_IDENTITIES + slot] as number;
    const first = FIRST_NAMES[this.first[p] as number] as string;
    const last = LAST_NAMES[this.last[p] as number] as string;
    switch (this.styles[channel]) {
      case IdStyle.Tweet:
        return first + '_' + last + (p % 1000);
      case IdStyle.Mastodon:
        return first + p + '@' + (MASTODON_INSTANCES[p % MASTODON_INSTANCES.length] as string);
      case IdStyle.Email:
        return undefined;
      case IdStyle.Forum:
        return first + '.' + last;
      default:
        return first + p;
    }
  }

  /**
   * Person `p`'s identity in `slot` as a channel describes it. `withLinks` adds the explicit link
   * to another identity when this slot is the one that reports it (only actors carry links).
   */
  identity(p: number, slot: number, withLinks: boolean, channelExplicit: boolean): IdentityInput {
    const identity: IdentityInput = { externalId: this.externalId(p, slot) };
    if (channelExplicit) identity.channel = this.channelOf(p, slot);
    const handle = this.handle(p, slot);
    if (handle !== undefined) identity.handle = handle;
    identity.displayName = this.displayName(p);
    const mode = this.emailMode[p * MAX_IDENTITIES + slot];
    if (mode !== EmailMode.None) {
      identity.email = this.email(p);
      identity.verified = mode === EmailMode.Verified;
    }
    if (withLinks && this.linkFrom[p] === slot) {
      const to = this.linkTo[p] as number;
      const link: { channel: string; externalId: string; handle?: string } = {
        channel: this.channelOf(p, to),
        externalId: this.externalId(p, to),
      };
      const linkHandle = this.handle(p, to);
      if (linkHandle !== undefined) link.handle = linkHandle;
      identity.links = [link];
    }
    return identity;
  }
}

/** Builds the population of a stream: the persons depend on the seed and options only. */
export function buildPopulation(options: ResolvedSyntheticOptions): {
  population: Population;
  stream: SeededRandom;
} {
  const root = new SeededRandom(options.seed);
  // Separate random sources: changing how the stream draws never changes who the persons are.
  const population = new Population(options, root.fork());
  return { population, stream: root.fork() };
}

/** One identity of a {@link SyntheticCustomer}. */
export interface SyntheticIdentity {
  channel: string;
  externalId: string;
  handle?: string;
  email?: string;
  /** True when the channel vouches for `email`. */
  verified?: boolean;
  /** Items by this identity carry `actor.links` to this other identity of the same person. */
  linksTo?: { channel: string; externalId: string };
}

/** Ground truth about one person of a synthetic stream. */
export interface SyntheticCustomer {
  /** The person's number, stable for a seed and options. */
  index: number;
  displayName: string;
  /** The person's address (whether or not any identity carries it). */
  email: string;
  /** Dormant persons only appear once somebody refers them. */
  dormant: boolean;
  identities: SyntheticIdentity[];
  /** At least two identities carry the same verified email, so a resolver can link them. */
  sharedVerifiedEmail: boolean;
  /** One identity names another in `actor.links`. */
  channelLink: boolean;
}

/**
 * The persons behind {@link syntheticStream} for the same options, one at a time: who has which
 * identities and how they can be linked. Memory stays bounded by the population table.
 */
export function* syntheticCustomers(options: SyntheticOptions = {}): Generator<SyntheticCustomer> {
  const { population } = buildPopulation(resolveSyntheticOptions(options));
  for (let p = 0; p < population.size; p++) yield describeCustomer(population, p);
}

/** Ground truth about person `p` of `population`. */
export function describeCustomer(population: Population, p: number): SyntheticCustomer {
  const identities: SyntheticIdentity[] = [];
  let verified = 0;
  const count = population.identityCount[p] as number;
  for (let slot = 0; slot < count; slot++) {
    const input = population.identity(p, slot, false, true);
    const identity: SyntheticIdentity = { channel: input.channel as string, externalId: input.externalId };
    if (input.handle !== undefined) identity.handle = input.handle;
    if (input.email !== undefined) {
      identity.email = input.email;
      identity.verified = input.verified === true;
      if (input.verified) verified++;
    }
    if (population.linkFrom[p] === slot) {
      const to = population.linkTo[p] as number;
      identity.linksTo = { channel: population.channelOf(p, to), externalId: population.externalId(p, to) };
    }
    identities.push(identity);
  }
  return {
    index: p,
    displayName: population.displayName(p),
    email: population.email(p),
    dormant: p >= population.dormantFrom,
    identities,
    sharedVerifiedEmail: verified >= 2,
    channelLink: population.linkFrom[p] !== -1,
  };
}
