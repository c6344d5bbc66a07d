import { type CaseState, isCaseOpen, type SlaClock, type SlaTarget } from '../domain/case.js';
import type { Conversation } from '../domain/conversation.js';
import { RapportError } from '../errors/rapport-error.js';

const DAY_MS = 86_400_000;

/** How {@link caseMetrics} groups cases into rows. */
export type CaseMetricsGroupBy = 'channel' | 'queue' | 'agent' | 'none';

/** Options of {@link caseMetrics}. */
export interface CaseMetricsOptions {
  /**
   * `channel` of the conversation, `queue` (`(none)` without one), `agent`: the assignee
   * (`(unassigned)` without one), or `none`: one row, `all`.
   */
  groupBy: CaseMetricsGroupBy;
  /** Days a resolution must stand to count as a first-contact resolution; 7 by default. */
  fcrReopenWindowDays?: number;
  /** The time the metrics are taken at. */
  now: Date;
}

/** Summary of a set of durations, in milliseconds. */
export interface DurationStats {
  count: number;
  meanMs: number;
  /** The middle value; the mean of the two middle values when `count` is even. */
  medianMs: number;
  /** Nearest rank: the smallest value that at least 90% of the values do not exceed. */
  p90Ms: number;
}

/** SLA achievement per target and overall: a ratio from 0 to 1, null when no clock finished. */
export interface SlaAchievement {
  firstResponse: number | null;
  nextResponse: number | null;
  resolution: number | null;
  overall: number | null;
}

/** The case metrics of one group. */
export interface CaseMetricsRow {
  group: string;
  /** Cases in the group. */
  cases: number;
  /** Cases still needing work: new, open or pending. */
  open: number;
  /** Cases done: resolved or closed. */
  resolved: number;
  firstResponse: DurationStats | null;
  resolution: DurationStats | null;
  slaAchievement: SlaAchievement;
  reopenRate: number | null;
  firstContactResolution: number | null;
}

/** Summary statistics of durations, or null when there are none. */
export function durationStats(values: readonly number[]): DurationStats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const middle = Math.floor(n / 2);
  return {
    count: n,
    meanMs: sorted.reduce((sum, v) => sum + v, 0) / n,
    medianMs: n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2,
    p90Ms: sorted[Math.ceil(0.9 * n) - 1]!,
  };
}

function groupOf(conversation: Conversation, c: CaseState, groupBy: CaseMetricsGroupBy): string {
  switch (groupBy) {
    case 'channel':
      return conversation.channel;
    case 'queue':
      return c.queue ?? '(none)';
    case 'agent':
      return c.assignee ?? '(unassigned)';
    default:
      return 'all';
  }
}

/** Every clock of a target, current and in history, that finished: met or breached. */
function finishedClocks(c: CaseState, target: SlaTarget): SlaClock[] {
  const sla = c.sla;
  if (!sla) return [];
  const clocks: SlaClock[] = sla.history.filter((h) => h.target === target);
  const current = sla[target];
  if (current) clocks.push(current);
  return clocks.filter((clock) => clock.metAt !== null || clock.breachedAt !== null);
}

interface Tally {
  achieved: number;
  finished: number;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/**
 * Whether a reopen came within the window after the resolution it undid. After a reopened case
 * is resolved again, `resolvedAt` is the later resolution and the earlier one is no longer
 * known, so such a reopen counts as within the window.
 */
function reopenedWithin(c: CaseState, windowMs: number): boolean {
  if (c.reopenCount === 0) return false;
  if (c.reopenedAt === null || c.resolvedAt === null) return true;
  const gap = c.reopenedAt.getTime() - c.resolvedAt.getTime();
  return gap < 0 || gap <= windowMs;
}

function rowFor(group: string, cases: readonly CaseState[], now: number, windowMs: number): CaseMetricsRow {
  const firstResponseTimes: number[] = [];
  const resolutionTimes: number[] = [];
  const sla: Record<SlaTarget, Tally> = {
    firstResponse: { achieved: 0, finished: 0 },
    nextResponse: { achieved: 0, finished: 0 },
    resolution: { achieved: 0, finished: 0 },
  };
  let open = 0;
  let resolved = 0;
  let resolvedOnce = 0;
  let reopened = 0;
  let fcrEligible = 0;
  let fcr = 0;
  for (const c of cases) {
    const done = c.status === 'resolved' || c.status === 'closed';
    if (isCaseOpen(c)) open++;
    if (done) resolved++;
    if (c.firstResponseAt) firstResponseTimes.push(c.firstResponseAt.getTime() - c.openedAt.getTime());
    if (done && c.resolvedAt) resolutionTimes.push(c.resolvedAt.getTime() - c.openedAt.getTime());
    for (const target of Object.keys(sla) as SlaTarget[]) {
      for (const clock of finishedClocks(c, target)) {
        sla[target].finished++;
        if (clock.metAt !== null && clock.breachedAt === null) sla[target].achieved++;
      }
    }
    // Only a resolved case can be reopened, so a reopen count also means it was resolved once.
    const wasResolved = c.resolvedAt !== null || c.reopenCount > 0;
    if (!wasResolved) continue;
    resolvedOnce++;
    if (c.reopenCount > 0) reopened++;
    const settled = c.resolvedAt !== null && c.resolvedAt.getTime() <= now - windowMs;
    if (c.reopenCount > 0 || settled) {
      fcrEligible++;
      if (c.agentReplies <= 1 && !reopenedWithin(c, windowMs)) fcr++;
    }
  }
  const achieved = sla.firstResponse.achieved + sla.nextResponse.achieved + sla.resolution.achieved;
  const finished = sla.firstResponse.finished + sla.nextResponse.finished + sla.resolution.finished;
  return {
    group,
    cases: cases.length,
    open,
    resolved,
    firstResponse: durationStats(firstResponseTimes),
    resolution: durationStats(resolutionTimes),
    slaAchievement: {
      firstResponse: ratio(sla.firstResponse.achieved, sla.firstResponse.finished),
      nextResponse: ratio(sla.nextResponse.achieved, sla.nextResponse.finished),
      resolution: ratio(sla.resolution.achieved, sla.resolution.finished),
      overall: ratio(achieved, finished),
    },
    reopenRate: ratio(reopened, resolvedOnce),
    firstContactResolution: ratio(fcr, fcrEligible),
  };
}

/**
 * Case metrics per group, sorted by group name. Conversations without a case are skipped.
 *
 * Definitions:
 * - **cases / open / resolved**: cases in the group; those new, open or pending; those resolved or closed.
 * - **first response time**: `firstResponseAt − openedAt`, over cases with a first response.
 * - **resolution time**: `resolvedAt − openedAt`, over resolved or closed cases (for a case
 *   reopened and resolved again, up to its last resolution).
 * - **durations** give `count`, `meanMs`, `medianMs` (mean of the two middle values for an even
 *   count) and `p90Ms` (nearest rank); null when there is none.
 * - **SLA achievement** per target: clocks met on time ÷ clocks finished, over every finished
 *   clock of the target, current and in the SLA history. A clock is finished when it was met or
 *   breached; one met late counts as breached. `overall` pools the three targets. Null when no
 *   clock finished.
 * - **reopen rate**: cases reopened at least once ÷ cases resolved at least once.
 * - **first contact resolution**: among eligible cases (resolved at least once, and either
 *   resolved at least N days before `now` or reopened), those resolved with at most one agent
 *   reply and not reopened within N days of their resolution. N is `fcrReopenWindowDays` (7 by
 *   default), a day being 24 hours. A case reopened and then resolved again counts as reopened
 *   within the window, as the time of its earlier resolution is no longer kept.
 *
 * Ratios are between 0 and 1, and null when their denominator is 0. With `groupBy: 'none'` there
 * is always one row, `all`, even for no cases.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` when `fcrReopenWindowDays` is negative or not a number.
 */
export function caseMetrics(
  cases: ReadonlyArray<{ conversation: Conversation }>,
  options: CaseMetricsOptions,
): CaseMetricsRow[] {
  const windowDays = options.fcrReopenWindowDays ?? 7;
  if (!Number.isFinite(windowDays) || windowDays < 0) {
    throw new RapportError(
      'RAPPORT_INVALID_INPUT',
      `fcrReopenWindowDays must be 0 or more, got ${windowDays}`,
      {
        path: ['fcrReopenWindowDays'],
        hint: 'give the number of days a resolution must stand, e.g. 7',
      },
    );
  }
  const groups = new Map<string, CaseState[]>();
  if (options.groupBy === 'none') groups.set('all', []);
  for (const { conversation } of cases) {
    const c = conversation.case;
    if (!c) continue;
    const group = groupOf(conversation, c, options.groupBy);
    const list = groups.get(group);
    if (list) list.push(c);
    else groups.set(group, [c]);
  }
  const now = options.now.getTime();
  return [...groups.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((group) => rowFor(group, groups.get(group)!, now, windowDays * DAY_MS));
}
