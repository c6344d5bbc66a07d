import { type Interaction, parsePluginOptions, type StorageReader, type TimeRange } from '@rapport/core';
import { z } from 'zod';
import { invalidInput, PLUGIN } from './errors.js';
import { DigraphBuilder, type WeightedDigraph } from './graph.js';

/**
 * Which way an interaction's edge points. `actor-to-target`: from the person who acted to the
 * person they engaged with (a reply points at the author replied to). `target-to-actor`: the
 * other way (a referral points from the person referred to the referrer who brought them).
 */
export type EdgeDirection = 'actor-to-target' | 'target-to-actor';

/**
 * Finds the customer an interaction engages with, before the built-in rules run: return a
 * customer id, `null` for "no edge", or `undefined` to let the built-in rules decide.
 */
export type TargetResolver = (interaction: Interaction) => string | null | undefined;

const kindSchema = z
  .object({
    weight: z.number().positive().finite().default(1).describe('Weight of one such interaction.'),
    direction: z
      .enum(['actor-to-target', 'target-to-actor'])
      .optional()
      .describe(
        'Which way the edge points. Default: `target-to-actor` for `referral`, else `actor-to-target`.',
      ),
  })
  .strict();

/** The kinds that make edges unless `kinds` says otherwise. */
export const defaultInteractionKinds = {
  reply: { weight: 1 },
  mention: { weight: 1 },
  referral: { weight: 1 },
} as const;

/** Schema of the options of {@link buildInteractionGraph}. Unknown keys are rejected so typos surface. */
export const interactionGraphOptionsSchema = z
  .object({
    kinds: z
      .record(z.string().min(1), kindSchema)
      .default(defaultInteractionKinds)
      .describe(
        'The interaction kinds that make edges, with their weight and direction; replaces the default (reply, mention, referral, weight 1 each). Custom kinds such as `answer` or `comment` resolve their target through `parent`.',
      ),
    targetOf: z
      .custom<TargetResolver>((value) => typeof value === 'function', 'must be a function')
      .optional()
      .describe(
        'Finds the customer an interaction engages with before the built-in rules (for example from mentions kept in metadata).',
      ),
    decay: z
      .object({
        halfLifeDays: z.number().positive().finite().describe('Age at which an interaction weighs half.'),
        asOf: z.date().describe('The moment ages are measured from; later interactions weigh in full.'),
      })
      .strict()
      .optional()
      .describe('Exponential time decay of edge weights: weight × 0.5^(age in days / halfLifeDays).'),
    includeIsolated: z
      .boolean()
      .default(false)
      .describe(
        'Add every customer who acted in a counted kind as a node, even without an edge. PageRank values depend on the number of nodes.',
      ),
  })
  .strict();

/** Options of {@link buildInteractionGraph}, as the caller writes them. */
export type InteractionGraphOptions = z.input<typeof interactionGraphOptionsSchema>;

/** What happened to the interactions given to {@link buildInteractionGraph}. */
export interface InteractionGraphStats {
  /** Interactions seen. */
  interactions: number;
  /** Interactions that made (or added weight to) an edge. */
  counted: number;
  /** Interactions that made no edge, by reason. */
  skipped: {
    /** Their kind is not in `kinds`. */
    kind: number;
    /** Outbound: the organization acted, not a customer. */
    outbound: number;
    /** No customer (unresolved or erased identity). */
    noCustomer: number;
    /** Neither `targetOf`, a referred customer nor a parent gave a target. */
    noTarget: number;
    /** The parent is not among the interactions given. */
    unresolvedParent: number;
    /** The target is the organization: an outbound parent, or a parent without a customer. */
    organization: number;
    /** The customer engaged with themself. */
    selfLoop: number;
  };
}

/** A graph of customers, with how it was built. */
export interface InteractionGraph {
  /** Nodes are customer ids; an edge weighs the (decayed) sum of its interactions' weights. */
  graph: WeightedDigraph;
  stats: InteractionGraphStats;
}

const DAY_MS = 86_400_000;

/**
 * Builds the influence graph of a tenant one interaction at a time (for interactions read page by
 * page from a store), then {@link InteractionGraphBuilder.build}. A reply may come before its
 * parent: targets found through `parent` are resolved when the graph is built.
 *
 * Rules, for each interaction whose kind is in `kinds`:
 * - outbound interactions and those without a customer are skipped (the organization is not a node);
 * - the target is what `targetOf` returns, else the referred customer (`referredCustomerId`), else
 *   the customer who authored the parent item (`parent`, on the same channel and account) when
 *   that item is inbound; a reply to the organization's own post makes no edge;
 * - the edge goes actor → target, or target → actor for `target-to-actor` kinds (referrals by
 *   default): an edge `u → v` always means "u gave v attention", so PageRank rewards those whom
 *   others engage with, and a referrer is rewarded by the customers they brought;
 * - engaging with oneself makes no edge; repeated interactions add their weights.
 */
export class InteractionGraphBuilder {
  readonly #options: z.output<typeof interactionGraphOptionsSchema>;
  readonly #kinds: Map<string, { weight: number; reverse: boolean }>;
  /** Index of each (channel, account) seen, by channel then account. */
  readonly #scopes = new Map<string, Map<string, number>>();
  #scopeCount = 0;
  #lastChannel: string | null = null;
  #lastAccount: string | null = null;
  #lastScope = -1;
  // Every item seen: its scope, external id and author (customer id, or '' for the organization).
  // Parents are joined to them when the graph is built, through a map of the referenced ids only,
  // which is far smaller than one of every item.
  readonly #itemScopes: number[] = [];
  readonly #itemIds: string[] = [];
  readonly #itemAuthors: string[] = [];
  readonly #actors: string[] = [];
  /** A customer id, or the parent's external id when `#parentScopes` holds a scope (>= 0). */
  readonly #targets: string[] = [];
  readonly #parentScopes: number[] = [];
  readonly #weights: number[] = [];
  readonly #reverse: boolean[] = [];
  readonly #isolated: string[] = [];
  readonly #stats: InteractionGraphStats = {
    interactions: 0,
    counted: 0,
    skipped: {
      kind: 0,
      outbound: 0,
      noCustomer: 0,
      noTarget: 0,
      unresolvedParent: 0,
      organization: 0,
      selfLoop: 0,
    },
  };

  constructor(options?: InteractionGraphOptions) {
    this.#options = parsePluginOptions(
      interactionGraphOptionsSchema,
      options,
      'buildInteractionGraph',
      PLUGIN,
    );
    this.#kinds = new Map(
      Object.entries(this.#options.kinds).map(([kind, config]) => [
        kind,
        {
          weight: config.weight,
          reverse:
            (config.direction ?? (kind === 'referral' ? 'target-to-actor' : 'actor-to-target')) ===
            'target-to-actor',
        },
      ]),
    );
  }

  /** Adds one stored interaction. */
  add(interaction: Interaction): void {
    if (typeof interaction !== 'object' || interaction === null || typeof interaction.kind !== 'string') {
      throw invalidInput(
        `Interaction #${this.#stats.interactions} is not a stored interaction`,
        ['interactions', this.#stats.interactions],
        'pass interactions as stored by Rapport (with kind, direction, customerId and occurredAt)',
      );
    }
    const stats = this.#stats;
    stats.interactions += 1;
    const customer = interaction.customerId;
    const inbound = interaction.direction === 'inbound';
    const scope = this.#scope(interaction.channel, interaction.account);
    this.#itemScopes.push(scope);
    this.#itemIds.push(interaction.externalId);
    this.#itemAuthors.push(inbound && customer ? customer : '');

    const kind = this.#kinds.get(interaction.kind);
    if (kind === undefined) {
      stats.skipped.kind += 1;
      return;
    }
    if (!inbound) {
      stats.skipped.outbound += 1;
      return;
    }
    if (!customer) {
      stats.skipped.noCustomer += 1;
      return;
    }
    if (this.#options.includeIsolated) this.#isolated.push(customer);

    let target: string | null | undefined = this.#options.targetOf?.(interaction);
    let parentScope = -1;
    if (target === undefined) {
      if (interaction.referredCustomerId) target = interaction.referredCustomerId;
      else if (interaction.parent) {
        target = interaction.parent;
        parentScope = scope;
      }
    }
    if (target === undefined || target === null || target === '') {
      stats.skipped.noTarget += 1;
      return;
    }

    let weight = kind.weight;
    const decay = this.#options.decay;
    if (decay) {
      const ageDays = Math.max(0, decay.asOf.getTime() - interaction.occurredAt.getTime()) / DAY_MS;
      weight *= 0.5 ** (ageDays / decay.halfLifeDays);
    }
    this.#actors.push(customer);
    this.#targets.push(target);
    this.#parentScopes.push(parentScope);
    this.#weights.push(weight);
    this.#reverse.push(kind.reverse);
  }

  /** The index of a channel and account (the last one is kept at hand: runs are common). */
  #scope(channel: string, account: string): number {
    if (channel === this.#lastChannel && account === this.#lastAccount) return this.#lastScope;
    let accounts = this.#scopes.get(channel);
    if (!accounts) {
      accounts = new Map();
      this.#scopes.set(channel, accounts);
    }
    let scope = accounts.get(account);
    if (scope === undefined) {
      scope = this.#scopeCount++;
      accounts.set(account, scope);
    }
    this.#lastChannel = channel;
    this.#lastAccount = account;
    this.#lastScope = scope;
    return scope;
  }

  /** Authors of the parents referenced, by pending edge (undefined: not seen; '': the organization). */
  #resolveParents(): Array<string | undefined> {
    const referenced: Array<Map<string, number>> = Array.from({ length: this.#scopeCount }, () => new Map());
    const slots = new Int32Array(this.#actors.length).fill(-1);
    let slotCount = 0;
    for (let i = 0; i < this.#actors.length; i++) {
      const scope = this.#parentScopes[i]!;
      if (scope < 0) continue;
      const ids = referenced[scope]!;
      const parent = this.#targets[i]!;
      let slot = ids.get(parent);
      if (slot === undefined) {
        slot = slotCount++;
        ids.set(parent, slot);
      }
      slots[i] = slot;
    }
    const slotAuthors: Array<string | undefined> = new Array(slotCount);
    if (slotCount > 0) {
      for (let j = 0; j < this.#itemIds.length; j++) {
        const slot = referenced[this.#itemScopes[j]!]!.get(this.#itemIds[j]!);
        // A later version of an item overwrites the earlier one, as the store keeps the latest.
        if (slot !== undefined) slotAuthors[slot] = this.#itemAuthors[j]!;
      }
    }
    return Array.from(slots, (slot) => (slot < 0 ? undefined : slotAuthors[slot]));
  }

  /** Builds the graph from everything added so far. */
  build(): InteractionGraph {
    const skipped = { ...this.#stats.skipped };
    let counted = 0;
    const parents = this.#resolveParents();
    const builder = new DigraphBuilder();
    for (const customer of this.#isolated) builder.addNode(customer);
    for (let i = 0; i < this.#actors.length; i++) {
      const actor = this.#actors[i]!;
      let target: string | undefined = this.#targets[i]!;
      if (this.#parentScopes[i]! >= 0) {
        target = parents[i];
        if (target === undefined) {
          skipped.unresolvedParent += 1;
          continue;
        }
        if (target === '') {
          skipped.organization += 1;
          continue;
        }
      }
      if (target === actor) {
        skipped.selfLoop += 1;
        continue;
      }
      if (this.#reverse[i]) builder.addEdge(target, actor, this.#weights[i]!);
      else builder.addEdge(actor, target, this.#weights[i]!);
      counted += 1;
    }
    return {
      graph: builder.build(),
      stats: { interactions: this.#stats.interactions, counted, skipped },
    };
  }
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof (value as AsyncIterable<T> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Builds the influence graph of customers from stored interactions: who replies to, mentions
 * and refers whom (see {@link InteractionGraphBuilder} for the rules). Give an array or iterable
 * for a synchronous result, or an async iterable (such as {@link storedInteractions}) for a promise.
 *
 * @example
 * ```ts
 * const { graph, stats } = await buildInteractionGraph(storedInteractions(storage.read('acme')));
 * const scores = influenceScores(graph);
 * ```
 */
export function buildInteractionGraph(
  interactions: Iterable<Interaction>,
  options?: InteractionGraphOptions,
): InteractionGraph;
export function buildInteractionGraph(
  interactions: AsyncIterable<Interaction>,
  options?: InteractionGraphOptions,
): Promise<InteractionGraph>;
export function buildInteractionGraph(
  interactions: Iterable<Interaction> | AsyncIterable<Interaction>,
  options?: InteractionGraphOptions,
): InteractionGraph | Promise<InteractionGraph> {
  const builder = new InteractionGraphBuilder(options);
  if (isAsyncIterable<Interaction>(interactions)) {
    return (async () => {
      for await (const interaction of interactions) builder.add(interaction);
      return builder.build();
    })();
  }
  if (typeof (interactions as Iterable<Interaction> | null)?.[Symbol.iterator] !== 'function') {
    throw invalidInput(
      'buildInteractionGraph reads an iterable of interactions',
      ['interactions'],
      'pass an array, an iterable or an async iterable of stored interactions',
    );
  }
  for (const interaction of interactions) builder.add(interaction);
  return builder.build();
}

/**
 * Every interaction of a tenant stored in `range`, oldest first, read page by page through a
 * store's reader (`storage.read(tenantId)`).
 */
export async function* storedInteractions(
  reader: Pick<StorageReader, 'scanInteractions'>,
  range: TimeRange = {},
  pageSize = 1000,
): AsyncIterableIterator<Interaction> {
  let cursor: string | null = null;
  do {
    const page = await reader.scanInteractions(range, { limit: pageSize, cursor });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== null);
}
