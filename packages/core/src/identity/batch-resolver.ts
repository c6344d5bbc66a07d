import type { Customer } from '../domain/customer.js';
import { type Identity, type IdentityInput, identityKeyString, type LinkReason } from '../domain/identity.js';
import { newId } from '../domain/ids.js';
import type { PendingEvents } from '../events/events.js';
import type { UnitOfWork } from '../plugins/storage.js';
import { erasureKey } from '../storage/erasure-key.js';
import { mergeCustomers } from './merge.js';

/** An identity as a channel described it, with its channel filled in. */
export interface IdentityRef {
  channel: string;
  externalId: string;
  handle?: string | undefined;
  displayName?: string | undefined;
  email?: string | undefined;
  verified?: boolean | undefined;
  links?: IdentityRef[] | undefined;
  /** {@link identityKeyString} of the ref, worked out once (see {@link refKey}). */
  key?: string | undefined;
}

/** The lookup key of a ref, computed on first use and kept on it: a batch asks for it several times. */
export function refKey(ref: IdentityRef): string {
  let key = ref.key;
  if (key === undefined) {
    key = identityKeyString(ref);
    ref.key = key;
  }
  return key;
}

/** Fills in the channel of an identity input (and of its links) and normalises the email. */
export function toIdentityRef(input: IdentityInput, channel: string): IdentityRef {
  return {
    channel: input.channel ?? channel,
    externalId: input.externalId,
    handle: input.handle,
    displayName: input.displayName,
    email: input.email?.trim().toLowerCase(),
    verified: input.verified,
    links: input.links?.map((link) => ({
      channel: link.channel,
      externalId: link.externalId,
      handle: link.handle,
      email: link.email?.trim().toLowerCase(),
      verified: link.verified,
      key: undefined,
    })),
    key: undefined,
  };
}

function collectKeys(ref: IdentityRef, into: Map<string, IdentityRef>): void {
  into.set(refKey(ref), ref);
  const links = ref.links;
  if (links !== undefined) for (const link of links) into.set(refKey(link), link);
}

/**
 * Resolves the identities of one batch inside its unit of work: finds an identity by (channel,
 * externalId), or creates a customer on first sight, linking deterministically (an explicit link
 * from the reporting channel, or the same verified email) and merging customers that an explicit
 * link proves to be one person.
 *
 * Lookups are done once per batch; new customers and identities are written in bulk.
 */
export class BatchIdentityResolver {
  private readonly known = new Map<string, Identity>();
  private readonly erased = new Set<string>();
  private readonly verifiedEmailOwner = new Map<string, string>();
  private newCustomers: Customer[] = [];
  private newIdentities: Identity[] = [];

  constructor(
    private readonly uow: UnitOfWork,
    private readonly now: Date,
    private readonly events: PendingEvents,
  ) {}

  /** Loads every identity, erasure and verified email the batch refers to, in a few bulk reads. */
  async prefetch(refs: Iterable<IdentityRef>): Promise<void> {
    const wanted = new Map<string, IdentityRef>();
    for (const ref of refs) collectKeys(ref, wanted);
    if (wanted.size === 0) return;
    const found = await this.uow.findIdentities([...wanted.values()]);
    for (const identity of found) this.known.set(identityKeyString(identity), identity);

    // Map.forEach, not entries(): no [key, value] pair allocated per ref.
    const hashes = new Map<string, string>();
    const emails = new Set<string>();
    wanted.forEach((ref, key) => {
      if (this.known.has(key)) return;
      hashes.set(erasureKey(ref), key);
      if (ref.verified && ref.email) emails.add(ref.email);
    });
    if (hashes.size === 0) return;
    for (const hash of await this.uow.findErasures([...hashes.keys()])) this.erased.add(hashes.get(hash)!);

    if (emails.size > 0) {
      const owners = await this.uow.findIdentitiesByVerifiedEmail([...emails]);
      owners.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
      for (const owner of owners) {
        if (!this.verifiedEmailOwner.has(owner.email!))
          this.verifiedEmailOwner.set(owner.email!, owner.customerId);
      }
    }
  }

  /**
   * The identity for `ref`, created (with its customer) on first sight; null when the identity
   * belongs to an erased customer. Synchronous unless `ref` has links (applying one may merge
   * customers, which reads and writes the store): the ingest loop then skips a promise per item.
   */
  resolve(ref: IdentityRef, source: string): Identity | null | Promise<Identity | null> {
    const key = refKey(ref);
    let identity = this.known.get(key);
    if (!identity) {
      if (this.erased.has(key)) return null;
      let customerId: string | undefined;
      let reason: LinkReason = 'first-sight';
      for (const link of ref.links ?? []) {
        const linked = this.known.get(refKey(link));
        if (linked) {
          customerId = linked.customerId;
          reason = 'channel-link';
          break;
        }
      }
      if (customerId === undefined && ref.verified && ref.email) {
        customerId = this.verifiedEmailOwner.get(ref.email);
        if (customerId !== undefined) reason = 'verified-email';
      }
      if (customerId === undefined) customerId = this.createCustomer(ref).id;
      identity = this.createIdentity(ref, key, customerId, source, ref.verified ?? false, reason);
    }
    if (ref.links === undefined || ref.links.length === 0) return identity;
    return this.applyLinks(ref, key, identity);
  }

  private async applyLinks(ref: IdentityRef, key: string, identity: Identity): Promise<Identity> {
    for (const link of ref.links ?? []) await this.link(identity, link, ref.channel);
    return this.known.get(key) ?? identity;
  }

  /** Writes the customers and identities created so far. */
  async flush(): Promise<void> {
    if (this.newCustomers.length > 0) {
      const customers = this.newCustomers;
      this.newCustomers = [];
      await this.uow.insertCustomers(customers);
    }
    if (this.newIdentities.length > 0) {
      const identities = this.newIdentities;
      this.newIdentities = [];
      await this.uow.insertIdentities(identities);
    }
  }

  private createCustomer(ref: IdentityRef): Customer {
    const customer: Customer = {
      id: newId(),
      tenantId: this.uow.tenantId,
      displayName: ref.displayName ?? ref.handle ?? null,
      primaryEmail: ref.email ?? null,
      attributes: {},
      tags: [],
      status: 'active',
      mergedInto: null,
      createdAt: this.now,
      updatedAt: this.now,
    };
    this.newCustomers.push(customer);
    this.events.add('customer.created', () => ({ tenantId: this.uow.tenantId, customer }));
    return customer;
  }

  private createIdentity(
    ref: IdentityRef,
    key: string,
    customerId: string,
    source: string,
    verified: boolean,
    reason: LinkReason,
  ): Identity {
    const identity: Identity = {
      id: newId(),
      tenantId: this.uow.tenantId,
      customerId,
      channel: ref.channel,
      externalId: ref.externalId,
      handle: ref.handle ?? null,
      displayName: ref.displayName ?? null,
      email: ref.email ?? null,
      verified,
      source,
      createdAt: this.now,
    };
    this.known.set(key, identity);
    this.newIdentities.push(identity);
    if (verified && identity.email && !this.verifiedEmailOwner.has(identity.email)) {
      this.verifiedEmailOwner.set(identity.email, customerId);
    }
    this.events.add('identity.linked', () => ({ tenantId: this.uow.tenantId, identity, customerId, reason }));
    return identity;
  }

  /** Applies an explicit link from `channel`: the linked identity is the same person. */
  private async link(identity: Identity, link: IdentityRef, channel: string): Promise<void> {
    const key = refKey(link);
    const linked = this.known.get(key);
    if (!linked) {
      if (!this.erased.has(key)) {
        this.createIdentity(
          link,
          key,
          identity.customerId,
          `link:${channel}`,
          link.verified ?? false,
          'channel-link',
        );
      }
      return;
    }
    const current = this.known.get(identityKeyString(identity)) ?? identity;
    if (linked.customerId === current.customerId) return;
    await this.flush();
    const customers = await this.uow.getCustomers([current.customerId, linked.customerId]);
    if (customers.length < 2 || customers.some((c) => c.status !== 'active')) return;
    // The older customer survives, so the outcome does not depend on which side reported the link.
    customers.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    const [survivor, absorbed] = customers as [Customer, Customer];
    const outcome = await mergeCustomers(this.uow, survivor.id, absorbed.id, {
      reason: `channel-link:${channel}`,
      actor: `system:${channel}`,
      at: this.now,
    });
    for (const [k, known] of this.known) {
      if (known.customerId === absorbed.id) this.known.set(k, { ...known, customerId: survivor.id });
    }
    for (const [email, owner] of this.verifiedEmailOwner) {
      if (owner === absorbed.id) this.verifiedEmailOwner.set(email, survivor.id);
    }
    this.events.add('customer.merged', () => ({ tenantId: this.uow.tenantId, merge: outcome.merge }));
  }
}
