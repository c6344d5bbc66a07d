import { parseDuration, parseOrThrow, parsePluginOptions } from '@rapport/core';
import { z } from 'zod';
import { PLUGIN } from './errors.js';
import {
  type CommunityInteraction,
  consume,
  defaultAnonymousActors,
  type InteractionSource,
  type Item,
  toItem,
} from './items.js';

const valuesSchema = z.array(z.number().finite().nonnegative());

function numbers(values: Iterable<number>, what: string): number[] {
  return parseOrThrow(valuesSchema, Array.from(values), 'RAPPORT_INVALID_INPUT', what, {
    '': 'give finite numbers of zero or more, one per member',
  });
}

/**
 * The Gini coefficient of non-negative values: `G = 2·Σ i·x₍ᵢ₎ / (n·Σx) − (n+1)/n`, with the
 * values sorted ascending and i = 1…n. 0 when everyone holds the same; (n−1)/n, its largest value,
 * when one member holds everything.
 *
 * No values, or values that are all zero, give 0: there is nothing unequally shared.
 *
 * @example
 * ```ts
 * gini([1, 2, 3, 4, 10]); // 0.4
 * gini([0, 0, 0, 5]); // 0.75
 * ```
 * @throws RapportError `RAPPORT_INVALID_INPUT` for a negative or non-finite value.
 */
export function gini(values: Iterable<number>): number {
  const sorted = numbers(values, 'gini values').sort((a, b) => a - b);
  const n = sorted.length;
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += sorted[i]!;
    weighted += (i + 1) * sorted[i]!;
  }
  if (total === 0) return 0;
  // Rounding can leave a hair below zero for equal values.
  return Math.max(0, (2 * weighted) / (n * total) - (n + 1) / n);
}

/** Schema of the options of {@link participationShares}. */
export const participationSharesOptionsSchema = z
  .object({
    topFraction: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.01)
      .describe('Fraction of members in the top group (Nielsen: 1%).'),
    activeFraction: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.1)
      .describe('Fraction of members in the top and next groups together (Nielsen: 1% + 9% = 10%).'),
  })
  .strict()
  .refine((o) => o.activeFraction >= o.topFraction, {
    message: 'activeFraction must be at least topFraction',
    path: ['activeFraction'],
  });

/** Options of {@link participationShares}. */
export type ParticipationSharesOptions = z.input<typeof participationSharesOptionsSchema>;

/** One group of members in {@link ParticipationShares}. */
export interface ParticipationGroup {
  /** Members in the group. */
  members: number;
  /** Their contributions. */
  contributions: number;
  /** Their share of all contributions (0 when there are none). */
  share: number;
}

/** Shares of contributions by the most active members (Nielsen's 90-9-1). */
export interface ParticipationShares {
  members: number;
  contributions: number;
  /** The top 1% of members (`topFraction`). */
  top: ParticipationGroup;
  /** The next 9% (up to `activeFraction`). */
  next: ParticipationGroup;
  /** The remaining 90%. */
  rest: ParticipationGroup;
}

/**
 * Who makes the contributions: the shares of all contributions made by the top 1% of members,
 * the next 9% and the remaining 90% (Nielsen's "90-9-1 rule": in many communities the top 1%
 * make most contributions, the next 9% the rest, and 90% lurk).
 *
 * Exactly: with n members sorted by contributions, most first,
 * - the top group is the first ⌈n·topFraction⌉ members (⌈n/100⌉: at least one member as soon as
 *   there is one);
 * - the next group the following ⌈n·activeFraction⌉ − ⌈n·topFraction⌉ (⌈n/10⌉ − ⌈n/100⌉);
 * - the rest group everyone else;
 * - each share is the group's contributions divided by all contributions; the three sum to 1, or
 *   are all 0 when nobody contributed.
 *
 * Ties at a group boundary do not matter: members with equal contributions are interchangeable,
 * so the shares are the same whichever of them falls in which group. Members with no contribution
 * belong in the input: they are the 90%, and leaving them out shrinks every group.
 *
 * @param contributionsPerMember - one count per member: an array, or a map or record by member id.
 * @example
 * ```ts
 * // 100 members: one made 50 contributions, nine made 5 each, the other 90 one each.
 * participationShares([50, ...Array(9).fill(5), ...Array(90).fill(1)]);
 * // top { members: 1, share: 50/185 }, next { members: 9, share: 45/185 }, rest { members: 90, share: 90/185 }
 * ```
 */
export function participationShares(
  contributionsPerMember: Iterable<number> | ReadonlyMap<string, number> | Readonly<Record<string, number>>,
  options?: ParticipationSharesOptions,
): ParticipationShares {
  const { topFraction, activeFraction } = parsePluginOptions(
    participationSharesOptionsSchema,
    options,
    'participationShares',
    PLUGIN,
  );
  const raw =
    contributionsPerMember instanceof Map
      ? contributionsPerMember.values()
      : Symbol.iterator in Object(contributionsPerMember)
        ? (contributionsPerMember as Iterable<number>)
        : Object.values(contributionsPerMember as Record<string, number>);
  const values = numbers(raw, 'contributions per member').sort((a, b) => b - a);
  const n = values.length;
  const topSize = Math.ceil(n * topFraction);
  const activeSize = Math.max(topSize, Math.ceil(n * activeFraction));
  const sum = (from: number, to: number) => {
    let s = 0;
    for (let i = from; i < to; i++) s += values[i]!;
    return s;
  };
  const total = sum(0, n);
  const group = (from: number, to: number): ParticipationGroup => {
    const contributions = sum(from, to);
    return { members: to - from, contributions, share: total === 0 ? 0 : contributions / total };
  };
  return {
    members: n,
    contributions: total,
    top: group(0, topSize),
    next: group(topSize, activeSize),
    rest: group(activeSize, n),
  };
}

const contributionSelection = {
  contributionKinds: z
    .array(z.string().min(1))
    .optional()
    .describe(
      'The kinds that count as contributions. Default: every inbound interaction whose effort class is `contribution`.',
    ),
  anonymousActors: z
    .array(z.string())
    .default([...defaultAnonymousActors])
    .describe('External ids of synthetic actors that are not members (anonymous voters, deleted users).'),
};

/** Schema of the options of {@link contributionsPerMember}. */
export const contributionsOptionsSchema = z.object(contributionSelection).strict();
/** Options of {@link contributionsPerMember}: which interactions are contributions. */
export type ContributionsOptions = z.input<typeof contributionsOptionsSchema>;

/** Reads interactions and keeps the contributions, as `(member id, time)`. */
class ContributionReader {
  readonly #kinds: Set<string> | undefined;
  readonly #anonymous: ReadonlySet<string>;
  #seen = 0;

  constructor(options: z.output<typeof contributionsOptionsSchema>) {
    this.#kinds = options.contributionKinds ? new Set(options.contributionKinds) : undefined;
    this.#anonymous = new Set(options.anonymousActors);
  }

  /** The contribution's member id and time, or undefined when the interaction is not one. */
  read(interaction: CommunityInteraction): Item | undefined {
    const item = toItem(interaction, this.#seen++, this.#anonymous);
    if (item.person === null || item.anonymous) return undefined;
    const counted = this.#kinds ? this.#kinds.has(item.kind) : item.effort === 'contribution';
    return counted ? item : undefined;
  }
}

/**
 * Contributions per member: the number of inbound contributions (effort class `contribution`,
 * or `contributionKinds`) each member made, by member id (the customer id, or
 * `<channel>:<externalId>` for interaction inputs). Members who never contributed are not in it:
 * add them with a count of 0 before {@link participationShares} or {@link gini}.
 */
export function contributionsPerMember(
  interactions: Iterable<CommunityInteraction>,
  options?: ContributionsOptions,
): Map<string, number>;
export function contributionsPerMember(
  interactions: AsyncIterable<CommunityInteraction>,
  options?: ContributionsOptions,
): Promise<Map<string, number>>;
export function contributionsPerMember(
  interactions: InteractionSource,
  options?: ContributionsOptions,
): Map<string, number> | Promise<Map<string, number>> {
  const reader = new ContributionReader(
    parsePluginOptions(contributionsOptionsSchema, options, 'contributionsPerMember', PLUGIN),
  );
  const counts = new Map<string, number>();
  return consume(
    interactions,
    'contributionsPerMember',
    (interaction) => {
      const item = reader.read(interaction);
      if (item) counts.set(item.member!.id, (counts.get(item.member!.id) ?? 0) + 1);
    },
    () => counts,
  );
}

const instantSchema = z.union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))]);

/** Schema of the options of {@link activeContributors}. */
export const activeContributorsOptionsSchema = z
  .object({
    window: z
      .string()
      .min(1)
      .transform((text, context) => {
        const parsed = parseDuration(text);
        if (typeof parsed !== 'string') return parsed;
        context.addIssue({ code: 'custom', message: parsed, input: text });
        return z.NEVER;
      })
      .describe(
        'How far back from `now`: `30d`, `2w`, `90d` or ISO 8601 (`P1M` is a calendar month, in UTC).',
      ),
    now: instantSchema.optional().describe('The end of the window (included); default: the current time.'),
    ...contributionSelection,
  })
  .strict();

/** Options of {@link activeContributors}. */
export type ActiveContributorsOptions = z.input<typeof activeContributorsOptionsSchema>;

/** Who contributed within a window. */
export interface ActiveContributors {
  /** Start of the window (excluded). */
  from: Date;
  /** End of the window (included). */
  to: Date;
  count: number;
  /** Member ids, sorted. */
  members: string[];
  /** Contributions in the window. */
  contributions: number;
}

/**
 * The members with at least one contribution in the window `(now − window, now]` (the window's
 * start excluded, its end included, so back-to-back windows do not share an instant).
 *
 * @example
 * ```ts
 * await activeContributors(storedInteractions(reader), { window: '30d', now: new Date() });
 * ```
 */
export function activeContributors(
  interactions: Iterable<CommunityInteraction>,
  options: ActiveContributorsOptions,
): ActiveContributors;
export function activeContributors(
  interactions: AsyncIterable<CommunityInteraction>,
  options: ActiveContributorsOptions,
): Promise<ActiveContributors>;
export function activeContributors(
  interactions: InteractionSource,
  options: ActiveContributorsOptions,
): ActiveContributors | Promise<ActiveContributors> {
  const o = parsePluginOptions(activeContributorsOptionsSchema, options, 'activeContributors', PLUGIN);
  const to = (o.now ?? new Date()).getTime();
  const from = o.window.before(to);
  const reader = new ContributionReader(o);
  const members = new Set<string>();
  let contributions = 0;
  return consume(
    interactions,
    'activeContributors',
    (interaction) => {
      const item = reader.read(interaction);
      if (!item || item.at <= from || item.at > to) return;
      members.add(item.member!.id);
      contributions += 1;
    },
    () => ({
      from: new Date(from),
      to: new Date(to),
      count: members.size,
      members: [...members].sort(),
      contributions,
    }),
  );
}

/** Schema of the options of {@link retentionCohorts}. */
export const retentionCohortsOptionsSchema = z
  .object({
    period: z
      .enum(['month', 'week'])
      .default('month')
      .describe('Calendar months, or ISO weeks (Monday to Sunday), in UTC.'),
    now: instantSchema
      .optional()
      .describe(
        'Contributions after `now` are ignored and the table runs up to the period holding `now`; default: up to the period of the last contribution.',
      ),
    ...contributionSelection,
  })
  .strict();

/** Options of {@link retentionCohorts}. */
export type RetentionCohortsOptions = z.input<typeof retentionCohortsOptionsSchema>;

/** One row of a {@link RetentionTable}: the members who first contributed in one period. */
export interface RetentionCohort {
  /** `YYYY-MM` for months; the Monday `YYYY-MM-DD` for weeks. */
  cohort: string;
  /** Start of the cohort's period (UTC). */
  start: Date;
  /** Members whose first contribution falls in the period. */
  members: number;
  /** `active[k]`: members of the cohort who contributed in the k-th period after it (k = 0 is the cohort's own). */
  active: number[];
  /** `retention[k] = active[k] / members`; `retention[0]` is 1. */
  retention: number[];
}

/** A cohort retention table. */
export interface RetentionTable {
  period: 'month' | 'week';
  /** Oldest first; every period from the first contribution to the last one, even empty. */
  cohorts: RetentionCohort[];
}

const DAY_MS = 86_400_000;
/** 1970-01-05, the first Monday of the epoch: ISO weeks start on Mondays. */
const FIRST_MONDAY_MS = 4 * DAY_MS;

function periodIndex(at: number, period: 'month' | 'week'): number {
  if (period === 'week') return Math.floor((at - FIRST_MONDAY_MS) / (7 * DAY_MS));
  const date = new Date(at);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

function periodStart(index: number, period: 'month' | 'week'): Date {
  if (period === 'week') return new Date(FIRST_MONDAY_MS + index * 7 * DAY_MS);
  return new Date(Date.UTC(Math.floor(index / 12), index % 12, 1));
}

function periodLabel(start: Date, period: 'month' | 'week'): string {
  const iso = start.toISOString();
  return period === 'week' ? iso.slice(0, 10) : iso.slice(0, 7);
}

/**
 * Cohort retention of contributors. Each member belongs to the cohort of the period (UTC month,
 * or ISO week from Monday) of their first contribution; for every cohort and every k from 0 to
 * the last period, `active[k]` counts its members who made at least one contribution in the
 * k-th period after the cohort's, and `retention[k]` is that count over the cohort's size. A
 * member who skips a period and comes back counts again when they come back (period-by-period
 * retention, not "survival").
 *
 * Periods with no newcomer still get a row (with 0 members and empty shares of 0) so that rows
 * line up with the calendar.
 *
 * @example
 * ```ts
 * const table = await retentionCohorts(loadStackExchange(dir), { period: 'month' });
 * table.cohorts[0]; // { cohort: '2018-02', members: 40, active: [40, 12, ...], retention: [1, 0.3, ...] }
 * ```
 */
export function retentionCohorts(
  interactions: Iterable<CommunityInteraction>,
  options?: RetentionCohortsOptions,
): RetentionTable;
export function retentionCohorts(
  interactions: AsyncIterable<CommunityInteraction>,
  options?: RetentionCohortsOptions,
): Promise<RetentionTable>;
export function retentionCohorts(
  interactions: InteractionSource,
  options?: RetentionCohortsOptions,
): RetentionTable | Promise<RetentionTable> {
  const o = parsePluginOptions(retentionCohortsOptionsSchema, options, 'retentionCohorts', PLUGIN);
  const reader = new ContributionReader(o);
  // Periods in which each member contributed; the first is found at the end, as the stream
  // need not be in time order.
  const periods = new Map<string, Set<number>>();
  let last = Number.NEGATIVE_INFINITY;
  return consume(
    interactions,
    'retentionCohorts',
    (interaction) => {
      const item = reader.read(interaction);
      if (!item || (o.now && item.at > o.now.getTime())) return;
      const index = periodIndex(item.at, o.period);
      let set = periods.get(item.member!.id);
      if (!set) {
        set = new Set();
        periods.set(item.member!.id, set);
      }
      set.add(index);
      if (index > last) last = index;
    },
    () => {
      if (periods.size === 0) return { period: o.period, cohorts: [] };
      if (o.now) last = periodIndex(o.now.getTime(), o.period);
      let first = Number.POSITIVE_INFINITY;
      const firstOf = new Map<string, number>();
      for (const [member, set] of periods) {
        const start = Math.min(...set);
        firstOf.set(member, start);
        if (start < first) first = start;
      }
      const rows = Array.from({ length: last - first + 1 }, (_, i) => ({
        members: 0,
        active: new Array<number>(last - first - i + 1).fill(0),
      }));
      for (const [member, set] of periods) {
        const start = firstOf.get(member)!;
        const row = rows[start - first]!;
        row.members += 1;
        for (const index of set) row.active[index - start]! += 1;
      }
      return {
        period: o.period,
        cohorts: rows.map((row, i) => {
          const start = periodStart(first + i, o.period);
          return {
            cohort: periodLabel(start, o.period),
            start,
            members: row.members,
            active: row.active,
            retention: row.active.map((count) => (row.members === 0 ? 0 : count / row.members)),
          };
        }),
      };
    },
  );
}
