import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { IdentityInput, InteractionInput } from '@rapport/core';
import type { ChannelProfile } from './channels.js';
import { profileOf } from './channels.js';
import type { ResolvedSyntheticOptions, SyntheticOptions } from './options.js';
import { resolveSyntheticOptions } from './options.js';
import type { Population } from './population.js';
import { buildPopulation, MAX_IDENTITIES } from './population.js';
import type { SeededRandom } from './random.js';
import { cumulate, pickWeighted } from './random.js';
import type { SyntheticStats } from './stats.js';
import { createSyntheticStats, SeenTracker } from './stats.js';
import type { Tone } from './text.js';
import { drawTone, TextBuilder, TONES } from './text.js';
import { CURRENCIES, REACTIONS, SKUS } from './words.js';

/** Recent items remembered per channel account, as targets of reactions and shares. */
const RECENT_PER_ACCOUNT = 32;
/** Recent items remembered as candidates for edits. */
const EDITABLE_WINDOW = 128;
const DAY_MS = 86_400_000;

/** Action numbers, in the order of the mix weights. */
const Action = {
  Conversation: 0,
  Reply: 1,
  Reaction: 2,
  Share: 3,
  Review: 4,
  Purchase: 5,
  Referral: 6,
  Announcement: 7,
} as const;

/** Kinds by number, so that the edit window can store them in a typed array. */
const KINDS = ['message', 'mention', 'post', 'reply', 'review'] as const;
type EditableKind = (typeof KINDS)[number];

/** What wrote an editable item's text, so that an edit rewrites it the same way. */
const TextSource = { Customer: 0, Brand: 1, Announcement: 2 } as const;

/** Exchange rates from USD used to price purchases in the buyer's currency. */
const RATES: Readonly<Record<string, number>> = { USD: 1, EUR: 0.92, GBP: 0.79, CAD: 1.36, JPY: 150 };

/** How item ids look on a channel. */
function itemIdPrefix(channel: string, brand: string): (seq: number) => string {
  switch (channel) {
    case 'twitter':
    case 'x':
      // Snowflake-like numbers; the offset keeps them 16 digits and within safe integers.
      return (seq) => String(1_712_000_000_000_000 + seq);
    case 'mastodon':
      return (seq) => String(112_000_000_000_000 + seq);
    case 'email': {
      const domain = '@mail.' + brand + '.example';
      return (seq) => 'm' + seq + domain;
    }
    case 'forum':
      return (seq) => 'post-' + seq;
    default: {
      const prefix = channel + '-';
      return (seq) => prefix + seq;
    }
  }
}

/**
 * The state machine behind {@link syntheticStream}. Everything it keeps is bounded: the population
 * table (fixed size), a window of open threads, and small rings of recent items per account and of
 * editable items, all in typed arrays. Nothing grows with the number of items produced.
 */
class StreamEngine {
  private readonly population: Population;
  private readonly random: SeededRandom;
  private readonly text: TextBuilder;
  private readonly seen: SeenTracker;
  private readonly profiles: ChannelProfile[];
  private readonly itemIds: Array<(seq: number) => string>;
  /** Per channel, the offset of its accounts in the per-account tables. */
  private readonly accountBase: Int32Array;
  private readonly accountNames: string[];
  /** Per channel, how many accounts the brand has there. */
  private readonly accountCount: Int32Array;
  /** The email channel's number, or -1: mail is signed and has no handles. */
  private readonly email: number;
  private readonly brandNames: string[];
  private readonly mentionPrefixes: string[];
  /** Per action, the channels that support it. */
  private readonly actionChannels: Int32Array[];
  private readonly mix: Float64Array;
  /** Per channel, how many of its persons are active (a prefix of the population's list). */
  private readonly active: Int32Array;
  /** Persons below this index are active. */
  private activeCount: number;
  private readonly meanGapMs: number;
  private clock: number;
  private seq = 0;

  // Open threads, one entry per position in [0, openCount).
  private openCount = 0;
  private readonly tChannel: Uint8Array;
  private readonly tAccount: Uint8Array;
  private readonly tRoot: Float64Array;
  private readonly tLast: Float64Array;
  private readonly tTime: Float64Array;
  private readonly tLastInbound: Uint8Array;
  /** The person the brand addresses next: the last customer who spoke in the thread. */
  private readonly tPerson: Int32Array;
  private readonly tSlot: Uint8Array;
  private readonly tLeft: Uint8Array;

  // Recent items per account: ring buffers of RECENT_PER_ACCOUNT entries.
  private readonly rSeq: Float64Array;
  private readonly rThread: Float64Array;
  private readonly rTime: Float64Array;
  private readonly rCount: Int32Array;
  private readonly rHead: Int32Array;

  // Editable items: one ring buffer.
  private eCount = 0;
  private eHead = 0;
  private readonly eChannel = new Uint8Array(EDITABLE_WINDOW);
  private readonly eAccount = new Uint8Array(EDITABLE_WINDOW);
  private readonly eSeq = new Float64Array(EDITABLE_WINDOW);
  private readonly eThread = new Float64Array(EDITABLE_WINDOW);
  private readonly eParent = new Float64Array(EDITABLE_WINDOW);
  private readonly eTime = new Float64Array(EDITABLE_WINDOW);
  private readonly eKind = new Uint8Array(EDITABLE_WINDOW);
  private readonly eSource = new Uint8Array(EDITABLE_WINDOW);
  /** Actor person, or -1 for the brand. */
  private readonly eActor = new Int32Array(EDITABLE_WINDOW);
  private readonly eActorSlot = new Uint8Array(EDITABLE_WINDOW);
  /** Recipient person, or -1 for none. */
  private readonly eRecipient = new Int32Array(EDITABLE_WINDOW);
  private readonly eRecipientSlot = new Uint8Array(EDITABLE_WINDOW);
  private readonly eVersion = new Uint32Array(EDITABLE_WINDOW);
  private readonly eRating = new Uint8Array(EDITABLE_WINDOW);

  constructor(
    private readonly options: ResolvedSyntheticOptions,
    private readonly stats: SyntheticStats,
  ) {
    const { population, stream } = buildPopulation(options);
    this.population = population;
    this.random = stream;
    this.text = new TextBuilder(stream);
    this.seen = new SeenTracker(population, stats);
    const channels = options.channels;
    this.profiles = channels.map(profileOf);
    this.itemIds = channels.map((channel) => itemIdPrefix(channel, options.brand));
    this.accountBase = new Int32Array(channels.length);
    this.accountCount = new Int32Array(channels.length);
    this.email = channels.indexOf('email');
    this.accountNames = [];
    this.brandNames = [];
    this.mentionPrefixes = [];
    const brandName = options.brand.charAt(0).toUpperCase() + options.brand.slice(1);
    channels.forEach((channel, c) => {
      this.accountBase[c] = this.accountNames.length;
      for (const account of options.accounts[channel] ?? []) {
        this.accountNames.push(account);
        this.brandNames.push(/support/i.test(account) ? brandName + ' Support' : brandName);
        this.mentionPrefixes.push('@' + account + ' ');
      }
      this.accountCount[c] = this.accountNames.length - (this.accountBase[c] as number);
      stats.byChannel[channel] ??= 0;
    });
    const supporting = (has: (profile: ChannelProfile) => boolean): Int32Array => {
      const list = channels.flatMap((_, c) => (has(this.profiles[c] as ChannelProfile) ? [c] : []));
      // A channel set where nobody supports an action still gets it, on every channel: the caller
      // asked for it in the mix.
      return Int32Array.from(list.length > 0 ? list : channels.map((_, c) => c));
    };
    const all = supporting(() => true);
    this.actionChannels = [
      all,
      all,
      supporting((p) => p.reactions),
      supporting((p) => p.shares),
      supporting((p) => p.reviews),
      supporting((p) => p.purchases),
      all,
      supporting((p) => p.announcements),
    ];
    const m = options.mix;
    this.mix = cumulate([
      m.conversation,
      m.reply,
      m.reaction,
      m.share,
      m.review,
      m.purchase,
      m.referral,
      m.announcement,
    ]);
    this.active = Int32Array.from(population.activeByChannel);
    this.activeCount = population.dormantFrom;
    this.meanGapMs = (options.spanDays * DAY_MS) / Math.max(1, options.interactions);
    this.clock = options.startAt.getTime();

    const threads = options.openThreads;
    this.tChannel = new Uint8Array(threads);
    this.tAccount = new Uint8Array(threads);
    this.tRoot = new Float64Array(threads);
    this.tLast = new Float64Array(threads);
    this.tTime = new Float64Array(threads);
    this.tLastInbound = new Uint8Array(threads);
    this.tPerson = new Int32Array(threads);
    this.tSlot = new Uint8Array(threads);
    this.tLeft = new Uint8Array(threads);

    const accounts = this.accountNames.length;
    this.rSeq = new Float64Array(accounts * RECENT_PER_ACCOUNT);
    this.rThread = new Float64Array(accounts * RECENT_PER_ACCOUNT);
    this.rTime = new Float64Array(accounts * RECENT_PER_ACCOUNT);
    this.rCount = new Int32Array(accounts);
    this.rHead = new Int32Array(accounts);
  }

  /** The next item of the stream. */
  next(): InteractionInput {
    const random = this.random;
    if (this.eCount > 0 && this.options.editRatio > 0 && random.next() < this.options.editRatio)
      return this.edit();
    switch (pickWeighted(random, this.mix)) {
      case Action.Conversation:
        return this.conversation();
      case Action.Reply:
        return this.reply();
      case Action.Reaction:
        return this.reaction(false);
      case Action.Share:
        return this.reaction(true);
      case Action.Review:
        return this.review();
      case Action.Purchase:
        return this.purchase();
      case Action.Referral:
        return this.referral();
      default:
        return this.announcement();
    }
  }

  /** The customer count a verified-email and link resolver should reach (see SyntheticStats). */
  expectedCustomers(): number {
    return this.seen.expectedCustomers();
  }

  // --- actions ---------------------------------------------------------------------------------

  /** A customer opens a conversation: message, public mention or forum post. */
  private conversation(): InteractionInput {
    const random = this.random;
    const channel = this.pickChannel(Action.Conversation);
    const person = this.pickPerson(channel);
    const slot = this.population.slotOn(person, channel);
    const account = random.int(this.accountCount[channel] as number);
    const profile = this.profiles[channel] as ChannelProfile;
    const kind = random.pick(profile.starts);
    const seq = ++this.seq;
    const time = this.stamp(0);
    let text = this.write(person, this.text.length(profile.longForm));
    if (kind === 'mention' && profile.mentionsBrand) {
      text = (this.mentionPrefixes[(this.accountBase[channel] as number) + account] as string) + text;
    }
    const id = this.itemId(channel, seq);
    const item = this.item(channel, account, id, 'inbound', kind, time, this.personActor(person, slot));
    if (profile.mutable) item.version = 1;
    this.addText(item, text, profile);
    item.thread = id;
    this.count(item, channel, 1);
    this.stats.threads++;
    this.openThread(channel, account, seq, time, person, slot);
    this.remember(channel, account, seq, seq, time);
    if (profile.mutable) {
      const e = this.rememberEditable(channel, account, seq, time, kind, TextSource.Customer);
      this.eThread[e] = seq;
      this.eActor[e] = person;
      this.eActorSlot[e] = slot;
    }
    return item;
  }

  /** A reply in an open thread: the brand, the customer, or on forums another customer. */
  private reply(): InteractionInput {
    if (this.openCount === 0) return this.conversation();
    const random = this.random;
    const k = random.int(this.openCount);
    const channel = this.tChannel[k] as number;
    const account = this.tAccount[k] as number;
    const profile = this.profiles[channel] as ChannelProfile;
    let person = this.tPerson[k] as number;
    let slot = this.tSlot[k] as number;
    let outbound = false;
    if (this.tLastInbound[k] === 1) {
      if (profile.peerReplies && random.next() < this.options.peerReplyRatio) {
        // Someone else from the community chimes in; the brand answers them next.
        let other = this.pickPerson(channel);
        if (other === person) other = this.pickPerson(channel);
        person = other;
        slot = this.population.slotOn(other, channel);
      } else if (random.next() < this.options.brandReplyRatio) {
        outbound = true;
      }
    }
    const seq = ++this.seq;
    const time = this.stamp(this.tTime[k] as number);
    const id = this.itemId(channel, seq);
    const root = this.tRoot[k] as number;
    const parent = this.tLast[k] as number;
    let item: InteractionInput;
    if (outbound) {
      item = this.item(channel, account, id, 'outbound', 'reply', time, this.brandActor(channel, account));
      if (profile.mutable) item.version = 1;
      this.addText(item, this.text.brand(this.population.firstName(person), channel === this.email), profile);
      item.recipient = this.recipient(person, slot);
    } else {
      item = this.item(channel, account, id, 'inbound', 'reply', time, this.personActor(person, slot));
      if (profile.mutable) item.version = 1;
      this.addText(item, this.write(person, this.text.length(profile.longForm)), profile);
    }
    item.thread = this.itemId(channel, root);
    item.parent = this.itemId(channel, parent);
    this.count(item, channel, 1);
    this.remember(channel, account, seq, root, time);
    if (profile.mutable) {
      const e = this.rememberEditable(
        channel,
        account,
        seq,
        time,
        'reply',
        outbound ? TextSource.Brand : TextSource.Customer,
      );
      this.eThread[e] = root;
      this.eParent[e] = parent;
      if (outbound) {
        this.eRecipient[e] = person;
        this.eRecipientSlot[e] = slot;
      } else {
        this.eActor[e] = person;
        this.eActorSlot[e] = slot;
      }
    }
    // Advance the thread, and close it once it has run its course.
    this.tLast[k] = seq;
    this.tTime[k] = time;
    this.tLastInbound[k] = outbound ? 0 : 1;
    this.tPerson[k] = person;
    this.tSlot[k] = slot;
    const left = (this.tLeft[k] as number) - 1;
    if (left <= 0) this.closeThread(k);
    else this.tLeft[k] = left;
    return item;
  }

  /** A reaction, or a share (plain, or quoting with text), of a recent item. */
  private reaction(share: boolean): InteractionInput {
    const random = this.random;
    const channel = this.pickChannel(share ? Action.Share : Action.Reaction);
    const account = random.int(this.accountCount[channel] as number);
    const ring = (this.accountBase[channel] as number) + account;
    const filled = this.rCount[ring] as number;
    // Nothing to react to yet on this account (start of the stream): start a conversation instead.
    if (filled === 0) return this.conversation();
    const entry = ring * RECENT_PER_ACCOUNT + random.int(filled);
    const person = this.pickPerson(channel);
    const slot = this.population.slotOn(person, channel);
    const profile = this.profiles[channel] as ChannelProfile;
    const seq = ++this.seq;
    const time = this.stamp(this.rTime[entry] as number);
    const kind = share ? 'share' : 'reaction';
    const item = this.item(
      channel,
      account,
      this.itemId(channel, seq),
      'inbound',
      kind,
      time,
      this.personActor(person, slot),
    );
    let effort = 0;
    if (share && random.next() < 0.25) {
      // A quote: the share adds words, which makes it a contribution.
      this.addText(item, this.write(person, random.between(3, 25)), profile);
      effort = 1;
    }
    const thread = this.rThread[entry] as number;
    if (thread > 0) item.thread = this.itemId(channel, thread);
    item.parent = this.itemId(channel, this.rSeq[entry] as number);
    if (!share) item.metadata = { reaction: random.pick(REACTIONS) };
    this.count(item, channel, effort);
    return item;
  }

  /** A review with a rating that matches its tone. */
  private review(): InteractionInput {
    const random = this.random;
    const channel = this.pickChannel(Action.Review);
    const person = this.pickPerson(channel);
    const slot = this.population.slotOn(person, channel);
    const account = random.int(this.accountCount[channel] as number);
    const profile = this.profiles[channel] as ChannelProfile;
    const seq = ++this.seq;
    const time = this.stamp(0);
    const tone = this.tone(person);
    const rating =
      tone === 0 ? random.between(1, 2) : tone === 1 ? random.between(3, 4) : random.between(4, 5);
    const item = this.item(
      channel,
      account,
      this.itemId(channel, seq),
      'inbound',
      'review',
      time,
      this.personActor(person, slot),
    );
    if (profile.mutable) item.version = 1;
    this.addText(item, this.write(person, this.text.length(true) + 5, tone), profile);
    item.metadata = { rating };
    this.count(item, channel, 1);
    this.remember(channel, account, seq, 0, time);
    if (profile.mutable) {
      const e = this.rememberEditable(channel, account, seq, time, 'review', TextSource.Customer);
      this.eActor[e] = person;
      this.eActorSlot[e] = slot;
      this.eRating[e] = rating;
    }
    return item;
  }

  /** A purchase in the buyer's currency. */
  private purchase(): InteractionInput {
    const random = this.random;
    const channel = this.pickChannel(Action.Purchase);
    const person = this.pickPerson(channel);
    const slot = this.population.slotOn(person, channel);
    const account = random.int(this.accountCount[channel] as number);
    const seq = ++this.seq;
    const time = this.stamp(0);
    const [sku, price] = random.pick(SKUS);
    const r = random.next();
    const quantity = r < 0.8 ? 1 : r < 0.95 ? 2 : 3;
    const currency = CURRENCIES[this.population.currency[person] as number] as string;
    const raw = price * quantity * (RATES[currency] ?? 1);
    // Yen have no minor unit; other currencies are rounded to cents.
    const amount = currency === 'JPY' ? Math.round(raw) : Math.round(raw * 100) / 100;
    const item = this.item(
      channel,
      account,
      'order-' + seq,
      'inbound',
      'purchase',
      time,
      this.personActor(person, slot),
    );
    item.amount = amount;
    item.currency = currency;
    item.metadata = { sku, quantity };
    this.stats.revenue[currency] = (this.stats.revenue[currency] ?? 0) + amount;
    this.count(item, channel, 2);
    return item;
  }

  /** A referral of a new person (a dormant one wakes up) or of an existing customer. */
  private referral(): InteractionInput {
    const random = this.random;
    const population = this.population;
    const channel = this.pickChannel(Action.Referral);
    const person = this.pickPerson(channel);
    const slot = population.slotOn(person, channel);
    const account = random.int(this.accountCount[channel] as number);
    const profile = this.profiles[channel] as ChannelProfile;
    const seq = ++this.seq;
    const time = this.stamp(0);
    let referred: number;
    if (this.activeCount < population.size && random.next() < this.options.newReferralRatio) {
      referred = this.activate();
      this.stats.referrals.newPersons++;
    } else {
      referred = random.int(this.activeCount);
      if (referred === person && this.activeCount > 1) referred = (referred + 1) % this.activeCount;
      this.stats.referrals.existingPersons++;
    }
    const item = this.item(
      channel,
      account,
      this.itemId(channel, seq),
      'inbound',
      'referral',
      time,
      this.personActor(person, slot),
    );
    if (random.next() < 0.6) this.addText(item, this.text.referral(), profile);
    // The referred person is named by their first identity, on whatever channel that is.
    item.referred = population.identity(referred, 0, false, true);
    this.seen.see(referred, 0);
    this.count(item, channel, 1);
    return item;
  }

  /** A brand post addressed to nobody in particular. */
  private announcement(): InteractionInput {
    const random = this.random;
    const channel = this.pickChannel(Action.Announcement);
    const account = random.int(this.accountCount[channel] as number);
    const profile = this.profiles[channel] as ChannelProfile;
    const seq = ++this.seq;
    const time = this.stamp(0);
    const id = this.itemId(channel, seq);
    const item = this.item(channel, account, id, 'outbound', 'post', time, this.brandActor(channel, account));
    if (profile.mutable) item.version = 1;
    this.addText(item, this.text.announcement(), profile);
    item.thread = id;
    this.count(item, channel, 1);
    this.remember(channel, account, seq, seq, time);
    if (profile.mutable) {
      const e = this.rememberEditable(channel, account, seq, time, 'post', TextSource.Announcement);
      this.eThread[e] = seq;
    }
    return item;
  }

  /** An earlier item again, with a higher version and new text; its original date is kept. */
  private edit(): InteractionInput {
    const random = this.random;
    const e = random.int(this.eCount);
    const channel = this.eChannel[e] as number;
    const account = this.eAccount[e] as number;
    const profile = this.profiles[channel] as ChannelProfile;
    const kind = KINDS[this.eKind[e] as number] as EditableKind;
    const actor = this.eActor[e] as number;
    const recipient = this.eRecipient[e] as number;
    const outbound = actor === -1;
    const version = (this.eVersion[e] as number) + 1;
    this.eVersion[e] = version;
    const item = this.item(
      channel,
      account,
      this.itemId(channel, this.eSeq[e] as number),
      outbound ? 'outbound' : 'inbound',
      kind,
      this.eTime[e] as number,
      outbound ? this.brandActor(channel, account) : this.personActor(actor, this.eActorSlot[e] as number),
    );
    item.version = version;
    const source = this.eSource[e];
    let text: string;
    if (source === TextSource.Announcement) text = this.text.announcement();
    else if (source === TextSource.Brand) {
      text = this.text.brand(this.population.firstName(recipient), channel === this.email);
    } else {
      text = this.write(actor, this.text.length(profile.longForm || kind === 'review'));
    }
    this.addText(item, text, profile);
    if (recipient !== -1) item.recipient = this.recipient(recipient, this.eRecipientSlot[e] as number);
    const thread = this.eThread[e] as number;
    if (thread > 0) item.thread = this.itemId(channel, thread);
    const parent = this.eParent[e] as number;
    if (parent > 0) item.parent = this.itemId(channel, parent);
    const rating = this.eRating[e] as number;
    if (rating > 0) item.metadata = { rating };
    // The edit happens now: that is when the organization receives the new version.
    item.receivedAt = new Date(this.stamp(this.eTime[e] as number));
    this.stats.edits++;
    this.count(item, channel, 1);
    return item;
  }

  // --- building blocks -------------------------------------------------------------------------

  /** The fields every item has. */
  private item(
    channel: number,
    account: number,
    externalId: string,
    direction: 'inbound' | 'outbound',
    kind: string,
    time: number,
    actor: IdentityInput,
  ): InteractionInput {
    const item: InteractionInput = {
      channel: this.options.channels[channel] as string,
      account: this.accountNames[(this.accountBase[channel] as number) + account] as string,
      externalId,
      direction,
      kind,
      occurredAt: new Date(time),
      actor,
    };
    if (this.options.tenant !== undefined) item.tenant = this.options.tenant;
    return item;
  }

  private addText(item: InteractionInput, text: string, profile: ChannelProfile): void {
    item.text = text;
    if (profile.reportsLanguage) item.language = 'en';
  }

  /** Updates the counters for an item; effort 0 signal, 1 contribution, 2 transaction. */
  private count(item: InteractionInput, channel: number, effort: number): void {
    const stats = this.stats;
    stats.items++;
    stats.byKind[item.kind] = (stats.byKind[item.kind] ?? 0) + 1;
    const name = this.options.channels[channel] as string;
    stats.byChannel[name] = (stats.byChannel[name] as number) + 1;
    if (item.direction === 'inbound') stats.byDirection.inbound++;
    else stats.byDirection.outbound++;
    if (effort === 0) stats.byEffort.signal++;
    else if (effort === 1) stats.byEffort.contribution++;
    else stats.byEffort.transaction++;
  }

  private itemId(channel: number, seq: number): string {
    return (this.itemIds[channel] as (seq: number) => string)(seq);
  }

  /** A customer as actor; records the identity (and its link target) as named. */
  private personActor(person: number, slot: number): IdentityInput {
    const actor = this.population.identity(person, slot, true, false);
    this.seen.see(person, slot);
    if (actor.links !== undefined) this.seen.seeLinks(person);
    return actor;
  }

  private recipient(person: number, slot: number): IdentityInput {
    this.seen.see(person, slot);
    return this.population.identity(person, slot, false, false);
  }

  private brandActor(channel: number, account: number): IdentityInput {
    const index = (this.accountBase[channel] as number) + account;
    const name = this.accountNames[index] as string;
    const actor: IdentityInput = { externalId: name, displayName: this.brandNames[index] as string };
    // Mailboxes have no handle: the address is the id.
    if (channel !== this.email) actor.handle = name;
    return actor;
  }

  private tone(person: number): number {
    return drawTone(this.random, this.population.mood[person] as number);
  }

  /** Text written by `person` in `tone` (drawn from their mood unless given), counted per tone. */
  private write(person: number, words: number, tone = this.tone(person)): string {
    this.stats.byTone[TONES[tone] as Tone]++;
    return this.text.customer(words, tone);
  }

  /**
   * Advances the clock by a random gap (exponential: bursts and lulls around the mean) and
   * returns the item's time: the clock, or slightly earlier when disorder is enabled, but never
   * before `notBefore` (the parent's time).
   */
  private stamp(notBefore: number): number {
    this.clock += this.random.exponential(this.meanGapMs);
    let time = this.clock;
    if (this.options.disorderMs > 0) time -= this.random.next() * this.options.disorderMs;
    return Math.round(Math.max(time, notBefore));
  }

  /** A channel for `action` on which someone is active. */
  private pickChannel(action: number): number {
    const list = this.actionChannels[action] as Int32Array;
    const start = this.random.int(list.length);
    for (let i = 0; i < list.length; i++) {
      const channel = list[(start + i) % list.length] as number;
      if ((this.active[channel] as number) > 0) return channel;
    }
    // No supporting channel has active persons yet; any channel with active persons will do.
    for (let channel = 0; channel < this.active.length; channel++)
      if ((this.active[channel] as number) > 0) return channel;
    return 0;
  }

  /**
   * An active person with an identity on `channel`. Squaring the draw skews activity: persons
   * early in the list act far more often, like the few heavy users of any real community.
   */
  private pickPerson(channel: number): number {
    const u = this.random.next();
    const list = this.population.byChannel[channel] as Int32Array;
    return list[Math.floor(u * u * (this.active[channel] as number))] as number;
  }

  /** Wakes the next dormant person up (referred for the first time). */
  private activate(): number {
    const person = this.activeCount++;
    const population = this.population;
    const count = population.identityCount[person] as number;
    // Persons wake up in index order, so each is the next entry of its channels' lists.
    for (let slot = 0; slot < count; slot++) {
      const channel = population.identityChannel[person * MAX_IDENTITIES + slot] as number;
      this.active[channel] = (this.active[channel] as number) + 1;
    }
    return person;
  }

  private openThread(
    channel: number,
    account: number,
    seq: number,
    time: number,
    person: number,
    slot: number,
  ): void {
    // A full window drops a random thread: it goes quiet, as many real ones do.
    if (this.openCount === this.tChannel.length) this.closeThread(this.random.int(this.openCount));
    const k = this.openCount++;
    this.tChannel[k] = channel;
    this.tAccount[k] = account;
    this.tRoot[k] = seq;
    this.tLast[k] = seq;
    this.tTime[k] = time;
    this.tLastInbound[k] = 1;
    this.tPerson[k] = person;
    this.tSlot[k] = slot;
    this.tLeft[k] = this.random.between(1, 7);
  }

  /** Removes open thread `k` by moving the last one into its place. */
  private closeThread(k: number): void {
    const last = --this.openCount;
    if (k === last) return;
    this.tChannel[k] = this.tChannel[last] as number;
    this.tAccount[k] = this.tAccount[last] as number;
    this.tRoot[k] = this.tRoot[last] as number;
    this.tLast[k] = this.tLast[last] as number;
    this.tTime[k] = this.tTime[last] as number;
    this.tLastInbound[k] = this.tLastInbound[last] as number;
    this.tPerson[k] = this.tPerson[last] as number;
    this.tSlot[k] = this.tSlot[last] as number;
    this.tLeft[k] = this.tLeft[last] as number;
  }

  /** Remembers an item as a target for reactions and shares (`thread` 0 when none). */
  private remember(channel: number, account: number, seq: number, thread: number, time: number): void {
    const ring = (this.accountBase[channel] as number) + account;
    const head = this.rHead[ring] as number;
    const entry = ring * RECENT_PER_ACCOUNT + head;
    this.rSeq[entry] = seq;
    this.rThread[entry] = thread;
    this.rTime[entry] = time;
    this.rHead[ring] = (head + 1) % RECENT_PER_ACCOUNT;
    if ((this.rCount[ring] as number) < RECENT_PER_ACCOUNT)
      this.rCount[ring] = (this.rCount[ring] as number) + 1;
  }

  /**
   * Remembers how to rebuild an item, so that it can be edited later, and returns its entry. The
   * entry starts as a brand item with no thread, parent, recipient or rating: callers fill in what
   * their item has.
   */
  private rememberEditable(
    channel: number,
    account: number,
    seq: number,
    time: number,
    kind: EditableKind,
    source: number,
  ): number {
    const e = this.eHead;
    this.eHead = (e + 1) % EDITABLE_WINDOW;
    if (this.eCount < EDITABLE_WINDOW) this.eCount++;
    this.eChannel[e] = channel;
    this.eAccount[e] = account;
    this.eSeq[e] = seq;
    this.eTime[e] = time;
    this.eKind[e] = KINDS.indexOf(kind);
    this.eSource[e] = source;
    this.eVersion[e] = 1;
    this.eThread[e] = 0;
    this.eParent[e] = 0;
    this.eActor[e] = -1;
    this.eActorSlot[e] = 0;
    this.eRecipient[e] = -1;
    this.eRecipientSlot[e] = 0;
    this.eRating[e] = 0;
    return e;
  }
}

/**
 * A seeded, deterministic stream of realistic multi-channel social CRM items, each a valid
 * `InteractionInput`. The same options (seed included) always yield the same items.
 *
 * It produces customers opening conversations, brand replies and customer answers in threads
 * (`thread` and `parent` set, outbound items addressed to their `recipient`), forum replies
 * between customers, reactions and plain shares of recent items, reviews, purchases, referrals of
 * new and existing persons, brand announcements, and occasional edits (the same `externalId`
 * again with a higher `version`). Persons have 1–3 identities; some share a verified email across
 * channels and some carry explicit `actor.links`; see {@link syntheticCustomers} for the truth.
 *
 * Memory stays flat however many items are drawn: only bounded state is kept. Options are
 * validated immediately (a `ZodError` is thrown on bad options), items are produced lazily.
 *
 * @param options - see {@link syntheticOptionsSchema}; all optional.
 * @param stats - counters updated as items are yielded (ground truth for assertions); the same
 *   object is the generator's return value.
 */
export function syntheticStream(
  options: SyntheticOptions = {},
  stats: SyntheticStats = createSyntheticStats(),
): Generator<InteractionInput, SyntheticStats, undefined> {
  const resolved = resolveSyntheticOptions(options);
  return run(resolved, stats);
}

function* run(
  options: ResolvedSyntheticOptions,
  stats: SyntheticStats,
): Generator<InteractionInput, SyntheticStats, undefined> {
  const engine = new StreamEngine(options, stats);
  for (let i = 0; i < options.interactions; i++) yield engine.next();
  stats.expectedCustomers = engine.expectedCustomers();
  return stats;
}

/**
 * {@link syntheticStream} as arrays of up to `size` items, the shape channel batches and bulk
 * ingest take. Only the current batch is held. Options are validated immediately.
 */
export function syntheticBatches(
  options: SyntheticOptions = {},
  size = 1000,
  stats: SyntheticStats = createSyntheticStats(),
): Generator<InteractionInput[], SyntheticStats, undefined> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('batch size must be a positive integer');
  return batches(syntheticStream(options, stats), size);
}

function* batches(
  items: Generator<InteractionInput, SyntheticStats, undefined>,
  size: number,
): Generator<InteractionInput[], SyntheticStats, undefined> {
  let batch: InteractionInput[] = [];
  for (;;) {
    const step = items.next();
    if (step.done) {
      if (batch.length > 0) yield batch;
      return step.value;
    }
    batch.push(step.value);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
}

/**
 * {@link syntheticStream} as an async iterable, for consumers written against async sources
 * (channel streams). It hands the event loop back every `yieldEvery` items so that a long
 * stream does not starve timers and I/O. Options are validated immediately.
 */
export function syntheticStreamAsync(
  options: SyntheticOptions = {},
  stats: SyntheticStats = createSyntheticStats(),
  yieldEvery = 1000,
): AsyncGenerator<InteractionInput, SyntheticStats, undefined> {
  return asAsync(syntheticStream(options, stats), Math.max(1, Math.floor(yieldEvery)));
}

async function* asAsync(
  items: Generator<InteractionInput, SyntheticStats, undefined>,
  yieldEvery: number,
): AsyncGenerator<InteractionInput, SyntheticStats, undefined> {
  let sinceYield = 0;
  for (;;) {
    const step = items.next();
    if (step.done) return step.value;
    yield step.value;
    if (++sinceYield >= yieldEvery) {
      sinceYield = 0;
      await nextMacrotask();
    }
  }
}
