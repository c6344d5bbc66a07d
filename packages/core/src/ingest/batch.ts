import type { Conversation } from '../domain/conversation.js';
import { deriveEffort } from '../domain/effort.js';
import type { Identity } from '../domain/identity.js';
import { newId } from '../domain/ids.js';
import type {
  Interaction,
  InteractionHead,
  InteractionKey,
  InteractionScore,
  ParsedInteractionInput,
} from '../domain/interaction.js';
import type { PendingEvents } from '../events/events.js';
import { BatchIdentityResolver, type IdentityRef, toIdentityRef } from '../identity/batch-resolver.js';
import type { ConversationTouch, InteractionContentUpdate, UnitOfWork } from '../plugins/storage.js';
import { InteractionKeyMap } from './key-map.js';
import type { PipelineDeps } from './pipeline.js';
import type { IngestItemResult } from './results.js';

/** One occurrence of an item in a batch. */
export interface Occurrence {
  input: ParsedInteractionInput;
  result: IngestItemResult;
}

/** All occurrences of one dedupe key in a batch, in input order. */
interface KeyGroup {
  /** The first occurrence's input; its channel, account and externalId are the group's key. */
  first: ParsedInteractionInput;
  occurrences: Occurrence[];
  /** The customer's identity in the kept occurrence, worked out once in prefetch. */
  customerSide: IdentityRef | null | undefined;
}

const version = (input: ParsedInteractionInput): number => input.version ?? 0;

/** The occurrence whose content is kept: the highest version, the first one among equals. */
function latest(group: KeyGroup): Occurrence {
  let best = group.occurrences[0]!;
  for (const o of group.occurrences) if (version(o.input) > version(best.input)) best = o;
  return best;
}

/** The work of one batch, inside its unit of work. */
export class TenantBatch {
  private readonly resolver: BatchIdentityResolver;
  private readonly heads = new InteractionKeyMap<InteractionHead>();
  private readonly conversationsByKey = new InteractionKeyMap<Conversation>();
  /** Conversation of each item stored in this batch, by interaction key. */
  private readonly conversationOfItem = new InteractionKeyMap<string>();
  /** Conversations this batch starts, by id: written once, with their final count and dates. */
  private readonly newConversations = new Map<string, Conversation>();
  private readonly touches = new Map<string, ConversationTouch>();
  private readonly inserts: Interaction[] = [];
  /** The group of each insert, at the same index as in {@link inserts}. */
  private readonly insertedGroups: KeyGroup[] = [];
  /** `ingest:<channel>` per channel, so each new identity does not build its own copy. */
  private readonly sources = new Map<string, string>();
  private readonly updates: Array<{
    update: InteractionContentUpdate;
    head: InteractionHead;
    previous: number;
  }> = [];

  constructor(
    private readonly uow: UnitOfWork,
    private readonly deps: PipelineDeps,
    private readonly events: PendingEvents,
    private readonly handoff: Map<string, { interactionIds: string[]; editedIds: string[] }>,
    private readonly now: Date,
  ) {
    this.resolver = new BatchIdentityResolver(uow, now, events);
  }

  async run(occurrences: Occurrence[]): Promise<void> {
    const groups = this.groupByKey(occurrences);
    await this.prefetch(groups);
    // Most items resolve without touching the store: only those that do cost a promise.
    for (const group of groups) {
      const pending = this.process(group);
      if (pending !== undefined) await pending;
    }
    await this.write();
  }

  private groupByKey(occurrences: Occurrence[]): KeyGroup[] {
    const byKey = new InteractionKeyMap<KeyGroup>();
    const groups: KeyGroup[] = [];
    for (const o of occurrences) {
      const { channel, account, externalId } = o.input;
      const group = byKey.get(channel, account, externalId);
      if (group) group.occurrences.push(o);
      else {
        const created: KeyGroup = { first: o.input, occurrences: [o], customerSide: undefined };
        byKey.set(channel, account, externalId, created);
        groups.push(created);
      }
    }
    return groups;
  }

  /** Every read the batch needs, in a few bulk calls. */
  private async prefetch(groups: KeyGroup[]): Promise<void> {
    // The items and their parents. A key asked twice is harmless: heads are kept by key.
    const keys: InteractionKey[] = [];
    const parents = new InteractionKeyMap<true>();
    for (const g of groups) {
      const input = g.first;
      keys.push(input);
      if (input.parent !== undefined && !parents.has(input.channel, input.account, input.parent)) {
        parents.set(input.channel, input.account, input.parent, true);
        keys.push({ channel: input.channel, account: input.account, externalId: input.parent });
      }
    }
    for (const head of await this.uow.findInteractions(keys)) {
      this.heads.set(head.channel, head.account, head.externalId, head);
    }

    const refs: IdentityRef[] = [];
    const threads: InteractionKey[] = [];
    const threadSeen = new InteractionKeyMap<true>();
    for (const g of groups) {
      const first = g.first;
      if (this.heads.has(first.channel, first.account, first.externalId)) continue;
      const input = latest(g).input;
      const customerSide = this.customerSide(input);
      g.customerSide = customerSide;
      if (customerSide) refs.push(customerSide);
      if (input.referred) refs.push(toIdentityRef(input.referred, input.channel));
      const threadId = this.threadCandidate(input);
      if (!threadSeen.has(input.channel, input.account, threadId)) {
        threadSeen.set(input.channel, input.account, threadId, true);
        threads.push({ channel: input.channel, account: input.account, externalId: threadId });
      }
    }
    await this.resolver.prefetch(refs);
    if (threads.length > 0) {
      for (const c of await this.uow.findConversations(threads)) {
        this.conversationsByKey.set(c.channel, c.account, c.externalId, c);
      }
    }
  }

  /** The customer's identity in an item: the actor when inbound, the recipient when outbound. */
  private customerSide(input: ParsedInteractionInput): IdentityRef | null {
    const person = input.direction === 'inbound' ? input.actor : input.recipient;
    return person ? toIdentityRef(person, input.channel) : null;
  }

  /** The thread key to use when the parent's conversation is not known. */
  private threadCandidate(input: ParsedInteractionInput): string {
    return input.thread ?? input.parent ?? input.externalId;
  }

  /** Works out one key's outcome; returns a promise only when resolving its people needed the store. */
  private process(group: KeyGroup): Promise<void> | undefined {
    const { first } = group;
    const head = this.heads.get(first.channel, first.account, first.externalId);
    const winner = latest(group);
    let seen = head ? head.version : -1;
    for (const o of group.occurrences) {
      const v = version(o.input);
      if (seen < 0) o.result.status = 'created';
      else if (v > seen) o.result.status = 'updated';
      else o.result.status = v === seen ? 'duplicate' : 'stale';
      if (v > seen) seen = v;
    }
    if (head) {
      for (const o of group.occurrences) {
        o.result.interactionId = head.id;
        o.result.customerId = head.customerId;
      }
      if (version(winner.input) > head.version) this.queueUpdate(head, winner.input);
      return undefined;
    }

    const input = winner.input;
    const customerSide = group.customerSide === undefined ? this.customerSide(input) : group.customerSide;
    const identity = customerSide ? this.resolver.resolve(customerSide, this.sourceOf(input.channel)) : null;
    if (identity instanceof Promise) {
      return identity.then((resolved) => this.afterActor(group, input, customerSide, resolved));
    }
    return this.afterActor(group, input, customerSide, identity);
  }

  private afterActor(
    group: KeyGroup,
    input: ParsedInteractionInput,
    customerSide: IdentityRef | null,
    identity: Identity | null,
  ): Promise<void> | undefined {
    if (customerSide && identity === null) {
      for (const o of group.occurrences) o.result.status = 'suppressed';
      return undefined;
    }
    if (input.referred === undefined) {
      this.store(group, input, identity, null);
      return undefined;
    }
    const referred = this.resolver.resolve(
      toIdentityRef(input.referred, input.channel),
      this.sourceOf(input.channel),
    );
    if (referred instanceof Promise) {
      return referred.then((resolved) => this.store(group, input, identity, resolved));
    }
    this.store(group, input, identity, referred);
    return undefined;
  }

  /** Builds the new interaction of a key and queues it, with its conversation's changes. */
  private store(
    group: KeyGroup,
    input: ParsedInteractionInput,
    identity: Identity | null,
    referred: Identity | null,
  ): void {
    const customerId = identity?.customerId ?? null;
    const effort = input.effort ?? deriveEffort(input.kind, input.text, this.deps.kinds);
    // A purchase, a referral or a like on nothing in particular starts no conversation; answers
    // and reactions to an item join the item's conversation.
    const conversationId =
      input.thread === undefined &&
      input.parent === undefined &&
      (effort !== 'contribution' || input.kind === 'referral')
        ? null
        : this.conversationFor(input, customerId);
    const interaction: Interaction = {
      id: newId(),
      tenantId: this.uow.tenantId,
      channel: input.channel,
      account: input.account,
      externalId: input.externalId,
      version: version(input),
      direction: input.direction,
      kind: input.kind,
      effort,
      text: input.text ?? null,
      language: input.language ?? null,
      occurredAt: input.occurredAt,
      receivedAt: input.receivedAt ?? this.now,
      customerId,
      identityId: identity?.id ?? null,
      actorExternalId: input.actor.externalId,
      actorHandle: input.actor.handle ?? null,
      conversationId,
      thread: input.thread ?? null,
      parent: input.parent ?? null,
      amount: input.amount ?? null,
      currency: input.currency ?? null,
      referredIdentityId: referred?.id ?? null,
      referredCustomerId: referred?.customerId ?? null,
      scores: [],
      metadata: input.metadata ?? {},
    };
    if (this.deps.annotators.length > 0) interaction.scores = this.annotate(interaction);
    if (conversationId !== null) {
      this.conversationOfItem.set(input.channel, input.account, input.externalId, conversationId);
      this.touch(conversationId, interaction);
    }
    this.inserts.push(interaction);
    this.insertedGroups.push(group);
    for (const o of group.occurrences) {
      o.result.interactionId = interaction.id;
      o.result.customerId = customerId;
    }
  }

  /** `ingest:<channel>`, the source recorded on identities first seen in this batch. */
  private sourceOf(channel: string): string {
    let source = this.sources.get(channel);
    if (source === undefined) {
      source = `ingest:${channel}`;
      this.sources.set(channel, source);
    }
    return source;
  }

  private annotate(interaction: Interaction): InteractionScore[] {
    if (this.deps.annotators.length === 0) return [];
    const scores: InteractionScore[] = [];
    for (const scorer of this.deps.annotators) {
      const produced = scorer.annotate?.(interaction);
      if (produced) scores.push(...produced);
    }
    return scores;
  }

  /**
   * The conversation of a new item: its parent's, when the parent is known; otherwise the one keyed
   * by its thread id (or its parent's id, or its own id for a thread starter), created if missing.
   * A parent that arrives later without a thread id keys its conversation by its own id, which is
   * the key its children used, so they meet.
   */
  private conversationFor(input: ParsedInteractionInput, customerId: string | null): string {
    const { channel, account } = input;
    if (input.thread === undefined && input.parent !== undefined) {
      const known =
        this.heads.get(channel, account, input.parent)?.conversationId ??
        this.conversationOfItem.get(channel, account, input.parent);
      if (known) return known;
    }
    const externalId = this.threadCandidate(input);
    const existing = this.conversationsByKey.get(channel, account, externalId);
    if (existing) return existing.id;
    const conversation: Conversation = {
      id: newId(),
      tenantId: this.uow.tenantId,
      channel,
      account,
      externalId,
      customerId,
      startedAt: input.occurredAt,
      lastInteractionAt: input.occurredAt,
      interactionCount: 0,
      case: null,
    };
    this.conversationsByKey.set(channel, account, externalId, conversation);
    this.newConversations.set(conversation.id, conversation);
    // Asked here too, so that nobody listening costs no payload closure per conversation.
    if (this.deps.emitter.wants('conversation.started')) {
      this.events.add('conversation.started', () => ({ tenantId: this.uow.tenantId, conversation }));
    }
    return conversation.id;
  }

  private touch(conversationId: string, interaction: Interaction): void {
    const started = this.newConversations.get(conversationId);
    if (started) {
      started.interactionCount++;
      if (interaction.occurredAt > started.lastInteractionAt)
        started.lastInteractionAt = interaction.occurredAt;
      if (interaction.occurredAt < started.startedAt) started.startedAt = interaction.occurredAt;
      started.customerId ??= interaction.customerId;
      return;
    }
    const touch = this.touches.get(conversationId);
    if (!touch) {
      this.touches.set(conversationId, {
        id: conversationId,
        lastInteractionAt: interaction.occurredAt,
        added: 1,
        customerId: interaction.customerId,
      });
      return;
    }
    touch.added++;
    if (interaction.occurredAt > touch.lastInteractionAt) touch.lastInteractionAt = interaction.occurredAt;
    touch.customerId ??= interaction.customerId;
  }

  private queueUpdate(head: InteractionHead, input: ParsedInteractionInput): void {
    const update: InteractionContentUpdate = {
      id: head.id,
      version: version(input),
      kind: input.kind,
      effort: input.effort ?? deriveEffort(input.kind, input.text, this.deps.kinds),
      text: input.text ?? null,
      language: input.language ?? null,
      receivedAt: input.receivedAt ?? this.now,
      amount: input.amount ?? null,
      currency: input.currency ?? null,
      scores: [],
      metadata: input.metadata ?? {},
    };
    this.updates.push({ update, head, previous: head.version });
  }

  private async write(): Promise<void> {
    const { uow } = this;
    await this.resolver.flush();
    // Interactions first: rows another writer stored meanwhile must not count in their conversation.
    if (this.inserts.length > 0) {
      const { skipped } = await uow.insertInteractions(this.inserts);
      this.dropSkipped(skipped);
    }
    if (this.newConversations.size > 0) await uow.insertConversations([...this.newConversations.values()]);
    if (this.updates.length > 0) {
      // New content needs new annotations; edits are rare, so reading the stored row is fine here.
      if (this.deps.annotators.length > 0) {
        for (const { update, head } of this.updates) {
          const current = await uow.getInteraction(head.id);
          if (current) update.scores = this.annotate({ ...current, ...update });
        }
      }
      await uow.updateInteractionContent(this.updates.map((u) => u.update));
    }
    if (this.touches.size > 0) await uow.touchConversations([...this.touches.values()]);

    const received = this.deps.emitter.wants('interaction.received');
    for (const interaction of this.inserts) {
      if (received) this.events.add('interaction.received', () => ({ tenantId: uow.tenantId, interaction }));
      this.handOff(interaction.customerId, interaction.id);
    }
    for (const { head, previous } of this.updates) {
      if (this.deps.emitter.wants('interaction.updated')) {
        const interaction = await uow.getInteraction(head.id);
        if (interaction) {
          this.events.add('interaction.updated', () => ({
            tenantId: uow.tenantId,
            interaction,
            previousVersion: previous,
          }));
        }
      }
      this.handOff(head.customerId, head.id, true);
    }
  }

  /** Another writer stored some keys first: those items are duplicates, not new. */
  private dropSkipped(skipped: readonly string[]): void {
    if (skipped.length === 0) return;
    const gone = new Set(skipped);
    for (let i = this.inserts.length - 1; i >= 0; i--) {
      const interaction = this.inserts[i]!;
      if (!gone.has(interaction.id)) continue;
      this.inserts.splice(i, 1);
      const [group] = this.insertedGroups.splice(i, 1);
      if (interaction.conversationId !== null) this.untouch(interaction.conversationId);
      for (const o of group!.occurrences) o.result.status = 'duplicate';
    }
  }

  /** Takes back the count a skipped interaction added to its conversation. */
  private untouch(conversationId: string): void {
    const started = this.newConversations.get(conversationId);
    if (started) {
      if (--started.interactionCount === 0) this.newConversations.delete(conversationId);
      return;
    }
    const touch = this.touches.get(conversationId);
    if (touch && --touch.added === 0) this.touches.delete(conversationId);
  }

  private handOff(customerId: string | null, interactionId: string, edited = false): void {
    if (customerId === null) return;
    let entry = this.handoff.get(customerId);
    if (entry === undefined) {
      entry = { interactionIds: [], editedIds: [] };
      this.handoff.set(customerId, entry);
    }
    entry.interactionIds.push(interactionId);
    if (edited) entry.editedIds.push(interactionId);
  }
}
