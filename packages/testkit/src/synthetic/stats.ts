import { builtInKinds } from '@rapport/core';
import type { Population } from './population.js';
import { EmailMode, MAX_IDENTITIES } from './population.js';

/**
 * What a synthetic stream produced: ground truth for assertions after ingesting it. Counters are
 * updated as items are yielded, so they are meaningful even when the consumer stops early;
 * `expectedCustomers` is only computed once the stream has run to its end.
 */
export interface SyntheticStats {
  /** Items yielded, edits included. */
  items: number;
  /** Items that repeat an earlier item with a higher `version`. */
  edits: number;
  /** Conversations opened by customers. */
  threads: number;
  /** Items per kind (every built-in kind is present, possibly 0). */
  byKind: Record<string, number>;
  /** Items per channel. */
  byChannel: Record<string, number>;
  /** Items per direction. */
  byDirection: { inbound: number; outbound: number };
  /** Items per effort class, as `deriveEffort` classifies them. */
  byEffort: { signal: number; contribution: number; transaction: number };
  /** Customer-written texts per intended tone (for sentiment checks). */
  byTone: { negative: number; neutral: number; positive: number };
  /** Distinct persons named in items (as actor, recipient, referred person or link target). */
  persons: number;
  /** Distinct person identities named in items, link targets included. */
  identities: number;
  /** Referrals naming a person not seen before, and an already active one. */
  referrals: { newPersons: number; existingPersons: number };
  /** Items whose actor carries `links`. */
  linkedItems: number;
  /** Sum of purchase amounts per currency (edits never repeat a purchase). */
  revenue: Record<string, number>;
  /**
   * How many customers a resolver that links identities by shared verified email and by explicit
   * `links` (and nothing else) ends up with after ingesting the whole stream: the persons, each
   * counted once per group of its identities that the stream lets a resolver tie together.
   * Undefined until the stream has been consumed to the end.
   */
  expectedCustomers: number | undefined;
}

/** Empty stats, to pass to {@link syntheticStream} and read while or after consuming it. */
export function createSyntheticStats(): SyntheticStats {
  const byKind: Record<string, number> = {};
  for (const kind of builtInKinds) byKind[kind] = 0;
  return {
    items: 0,
    edits: 0,
    threads: 0,
    byKind,
    byChannel: {},
    byDirection: { inbound: 0, outbound: 0 },
    byEffort: { signal: 0, contribution: 0, transaction: 0 },
    byTone: { negative: 0, neutral: 0, positive: 0 },
    persons: 0,
    identities: 0,
    referrals: { newPersons: 0, existingPersons: 0 },
    linkedItems: 0,
    revenue: {},
    expectedCustomers: undefined,
  };
}

/** Which persons and identities a stream has named so far: one byte per identity slot. */
export class SeenTracker {
  /** Per identity slot: 1 once named in an item. */
  readonly identities: Uint8Array;
  /** Per person: 1 once its links have been emitted. */
  readonly linksEmitted: Uint8Array;
  private readonly persons: Uint8Array;

  constructor(
    private readonly population: Population,
    private readonly stats: SyntheticStats,
  ) {
    this.identities = new Uint8Array(population.size * MAX_IDENTITIES);
    this.persons = new Uint8Array(population.size);
    this.linksEmitted = new Uint8Array(population.size);
  }

  /** Records that identity `slot` of person `p` was named in an item. */
  see(p: number, slot: number): void {
    const key = p * MAX_IDENTITIES + slot;
    if (this.identities[key] === 1) return;
    this.identities[key] = 1;
    this.stats.identities++;
    if (this.persons[p] === 0) {
      this.persons[p] = 1;
      this.stats.persons++;
    }
  }

  /** Records that person `p`'s actor links were emitted (naming the link target too). */
  seeLinks(p: number): void {
    this.stats.linkedItems++;
    if (this.linksEmitted[p] === 1) return;
    this.linksEmitted[p] = 1;
    this.see(p, this.population.linkTo[p] as number);
  }

  /**
   * Counts the customers a verified-email and explicit-link resolver should end with. Per person:
   * its named identities, minus one for each union that a shared verified email or an emitted link
   * makes. With at most three identities a person, a tiny union-find per person does it.
   */
  expectedCustomers(): number {
    const population = this.population;
    let total = 0;
    const parent = [0, 1, 2];
    const find = (x: number): number => {
      while (parent[x] !== x) x = parent[x] as number;
      return x;
    };
    for (let p = 0; p < population.size; p++) {
      if (this.persons[p] === 0) continue;
      const base = p * MAX_IDENTITIES;
      const count = population.identityCount[p] as number;
      parent[0] = 0;
      parent[1] = 1;
      parent[2] = 2;
      let groups = 0;
      let verifiedRoot = -1;
      for (let slot = 0; slot < count; slot++) {
        if (this.identities[base + slot] === 0) continue;
        groups++;
        if (population.emailMode[base + slot] === EmailMode.Verified) {
          if (verifiedRoot === -1) verifiedRoot = slot;
          else {
            parent[slot] = verifiedRoot;
            groups--;
          }
        }
      }
      if (this.linksEmitted[p] === 1) {
        const a = find(population.linkFrom[p] as number);
        const b = find(population.linkTo[p] as number);
        if (a !== b) {
          parent[b] = a;
          groups--;
        }
      }
      total += groups;
    }
    return total;
  }
}
