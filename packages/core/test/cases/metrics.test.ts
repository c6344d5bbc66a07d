import { describe, expect, it } from 'vitest';
import { type CaseMetricsRow, caseMetrics, durationStats } from '../../src/cases/index.js';
import {
  type CaseSla,
  type CaseState,
  type Conversation,
  isRapportError,
  newCase,
  type SlaClock,
} from '../../src/index.js';

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const T = Date.UTC(2024, 5, 1); // 2024-06-01
const NOW = new Date(Date.UTC(2024, 5, 30)); // 29 days later
const at = (ms: number) => new Date(ms);

const clock = (dueAt: number, metAt: number | null, breachedAt: number | null = null): SlaClock => ({
  dueAt: at(dueAt),
  metAt: metAt === null ? null : at(metAt),
  breachedAt: breachedAt === null ? null : at(breachedAt),
});
const sla = (fields: Partial<CaseSla>): CaseSla => ({
  policyId: 'std',
  firstResponse: null,
  nextResponse: null,
  resolution: null,
  history: [],
  ...fields,
});

let n = 0;
function conversation(
  channel: string,
  openedAt: number,
  fields: Partial<CaseState>,
): { conversation: Conversation } {
  n++;
  const c: CaseState = { ...newCase(at(openedAt)), awaitingSince: null, ...fields };
  return {
    conversation: {
      id: `conv-${n}`,
      tenantId: 't',
      channel,
      account: 'acme',
      externalId: `x-${n}`,
      customerId: null,
      startedAt: at(openedAt),
      lastInteractionAt: at(openedAt),
      interactionCount: 1,
      case: c,
    },
  };
}

// A: email, billing, ann. Answered in 1 h, resolved at 4 h, closed; both SLA clocks met on time.
const A = conversation('email', T, {
  status: 'closed',
  queue: 'billing',
  assignee: 'ann',
  firstResponseAt: at(T + H),
  agentReplies: 1,
  resolvedAt: at(T + 4 * H),
  closedAt: at(T + 5 * H),
  sla: sla({ firstResponse: clock(T + 2 * H, T + H), resolution: clock(T + DAY, T + 4 * H) }),
});
// B: email, billing, bob. First response late (3 h, due 2 h), three replies, resolved at 10 h on
// time; two next-response clocks in history, one on time and one late.
const B = conversation('email', T, {
  status: 'resolved',
  queue: 'billing',
  assignee: 'bob',
  firstResponseAt: at(T + 3 * H),
  agentReplies: 3,
  resolvedAt: at(T + 10 * H),
  sla: sla({
    firstResponse: clock(T + 2 * H, T + 3 * H, T + 2 * H),
    resolution: clock(T + DAY, T + 10 * H),
    history: [
      { target: 'nextResponse', ...clock(T + 6 * H, T + 5 * H) },
      { target: 'nextResponse', ...clock(T + 8 * H, T + 9 * H, T + 9 * H) },
    ],
  }),
});
// C: mastodon, no queue, unassigned, new and unanswered; first response breached, resolution running.
const C = conversation('mastodon', T + DAY, {
  status: 'new',
  awaitingSince: at(T + DAY),
  sla: sla({
    firstResponse: clock(T + DAY + 2 * H, null, T + DAY + 2 * H),
    resolution: clock(T + 2 * DAY, null),
  }),
});
// D: mastodon, support, ann. Answered in 30 min, resolved at 2 h, reopened 22 h later and open
// again; the first resolution clock (met) is in history, the new one and a next response run.
const D = conversation('mastodon', T, {
  status: 'open',
  queue: 'support',
  assignee: 'ann',
  firstResponseAt: at(T + 30 * M),
  agentReplies: 1,
  resolvedAt: at(T + 2 * H),
  reopenCount: 1,
  reopenedAt: at(T + DAY),
  awaitingSince: at(T + DAY),
  sla: sla({
    firstResponse: clock(T + 2 * H, T + 30 * M),
    nextResponse: clock(T + DAY + 2 * H, null),
    resolution: clock(T + 2 * DAY, null),
    history: [{ target: 'resolution', ...clock(T + DAY, T + 2 * H) }],
  }),
});
// E: email, support, bob. Opened 3 days before NOW, answered in 2 h, resolved at 5 h; no SLA.
const E = conversation('email', NOW.getTime() - 3 * DAY, {
  status: 'resolved',
  queue: 'support',
  assignee: 'bob',
  firstResponseAt: at(NOW.getTime() - 3 * DAY + 2 * H),
  agentReplies: 1,
  resolvedAt: at(NOW.getTime() - 3 * DAY + 5 * H),
});
// F: mastodon, support, ann. Answered in 1 h, resolved at 3 h, reopened 10 days later (outside
// the 7-day window); no SLA.
const F = conversation('mastodon', T, {
  status: 'open',
  queue: 'support',
  assignee: 'ann',
  firstResponseAt: at(T + H),
  agentReplies: 1,
  resolvedAt: at(T + 3 * H),
  reopenCount: 1,
  reopenedAt: at(T + 10 * DAY),
});
const noCase = conversation('email', T, {});
noCase.conversation.case = null;

const ALL = [A, B, C, D, E, F, noCase];

describe('durationStats', () => {
  it('gives mean, median (mean of the middle two when even) and nearest-rank p90', () => {
    expect(durationStats([])).toBeNull();
    expect(durationStats([5])).toEqual({ count: 1, meanMs: 5, medianMs: 5, p90Ms: 5 });
    expect(durationStats([4, 1, 3, 2])).toEqual({ count: 4, meanMs: 2.5, medianMs: 2.5, p90Ms: 4 });
    const ten = Array.from({ length: 10 }, (_, i) => (10 - i) * 10);
    expect(durationStats(ten)).toEqual({ count: 10, meanMs: 55, medianMs: 55, p90Ms: 90 });
  });
});

describe('caseMetrics', () => {
  it('computes the hand-checked numbers for all cases', () => {
    const rows = caseMetrics(ALL, { groupBy: 'none', now: NOW });
    expect(rows).toEqual<CaseMetricsRow[]>([
      {
        group: 'all',
        cases: 6,
        open: 3, // C, D, F
        resolved: 3, // A (closed), B, E
        // First responses of A, B, D, E, F: 1 h, 3 h, 0.5 h, 2 h, 1 h.
        firstResponse: { count: 5, meanMs: 1.5 * H, medianMs: H, p90Ms: 3 * H },
        // Resolutions of A, B, E: 4 h, 10 h, 5 h.
        resolution: { count: 3, meanMs: (19 * H) / 3, medianMs: 5 * H, p90Ms: 10 * H },
        slaAchievement: {
          firstResponse: 2 / 4, // A and D on time; B late; C breached
          nextResponse: 1 / 2, // B's history: one on time, one late; D's is still running
          resolution: 3 / 3, // A, B, D's first; C's and D's current still run
          overall: 6 / 9,
        },
        reopenRate: 2 / 5, // D and F reopened, of A, B, D, E, F resolved once
        // Eligible: A and B (resolved more than 7 days ago), D and F (reopened); E is too recent.
        // A and F count (F's reopen came after 10 days); B had 3 replies; D reopened within 22 h.
        firstContactResolution: 2 / 4,
      },
    ]);
  });

  it('groups by channel', () => {
    const rows = caseMetrics(ALL, { groupBy: 'channel', now: NOW });
    expect(rows.map((r) => r.group)).toEqual(['email', 'mastodon']);
    const [email, mastodon] = rows as [CaseMetricsRow, CaseMetricsRow];
    expect(email).toEqual({
      group: 'email',
      cases: 3,
      open: 0,
      resolved: 3,
      firstResponse: { count: 3, meanMs: 2 * H, medianMs: 2 * H, p90Ms: 3 * H },
      resolution: { count: 3, meanMs: (19 * H) / 3, medianMs: 5 * H, p90Ms: 10 * H },
      slaAchievement: { firstResponse: 1 / 2, nextResponse: 1 / 2, resolution: 1, overall: 4 / 6 },
      reopenRate: 0,
      firstContactResolution: 1 / 2,
    });
    expect(mastodon).toEqual({
      group: 'mastodon',
      cases: 3,
      open: 3,
      resolved: 0,
      firstResponse: { count: 2, meanMs: 0.75 * H, medianMs: 0.75 * H, p90Ms: H },
      resolution: null,
      slaAchievement: { firstResponse: 1 / 2, nextResponse: null, resolution: 1, overall: 2 / 3 },
      reopenRate: 1,
      firstContactResolution: 1 / 2,
    });
  });

  it('groups by agent and by queue, naming the missing ones', () => {
    const byAgent = caseMetrics(ALL, { groupBy: 'agent', now: NOW });
    expect(byAgent.map((r) => [r.group, r.cases])).toEqual([
      ['(unassigned)', 1],
      ['ann', 3],
      ['bob', 2],
    ]);
    const ann = byAgent[1]!;
    expect(ann).toMatchObject({ open: 2, resolved: 1, reopenRate: 2 / 3, firstContactResolution: 2 / 3 });
    const bob = byAgent[2]!;
    // B is eligible but had 3 replies; E is too recent to be eligible.
    expect(bob).toMatchObject({ reopenRate: 0, firstContactResolution: 0 });
    const unassigned = byAgent[0]!;
    expect(unassigned).toMatchObject({
      firstResponse: null,
      resolution: null,
      slaAchievement: { firstResponse: 0, nextResponse: null, resolution: null, overall: 0 },
      reopenRate: null,
      firstContactResolution: null,
    });

    const byQueue = caseMetrics(ALL, { groupBy: 'queue', now: NOW });
    expect(byQueue.map((r) => [r.group, r.cases])).toEqual([
      ['(none)', 1],
      ['billing', 2],
      ['support', 3],
    ]);
    // support: D (reopened within the window), E (too recent), F (reopened after the window).
    expect(byQueue[2]).toMatchObject({ reopenRate: 2 / 3, firstContactResolution: 1 / 2 });
  });

  it('uses the reopen window given', () => {
    // With 30 days, A, B and E resolved too recently; D and F were reopened within 30 days.
    const [row] = caseMetrics(ALL, { groupBy: 'none', now: NOW, fcrReopenWindowDays: 30 });
    expect(row?.firstContactResolution).toBe(0);
    // With 0 days, every case resolved once is eligible and no reopen falls within the window,
    // so only B (3 replies) fails.
    const [zero] = caseMetrics(ALL, { groupBy: 'none', now: NOW, fcrReopenWindowDays: 0 });
    expect(zero?.firstContactResolution).toBe(4 / 5);
  });

  it('counts a reopened case resolved again as reopened within the window', () => {
    const again = conversation('email', T, {
      status: 'resolved',
      agentReplies: 1,
      resolvedAt: at(T + 20 * DAY),
      reopenCount: 1,
      reopenedAt: at(T + 19 * DAY),
    });
    const [row] = caseMetrics([again], { groupBy: 'none', now: NOW });
    expect(row).toMatchObject({ reopenRate: 1, firstContactResolution: 0 });
  });

  it('gives one empty row for no cases and no rows per group', () => {
    expect(caseMetrics([], { groupBy: 'none', now: NOW })).toEqual([
      {
        group: 'all',
        cases: 0,
        open: 0,
        resolved: 0,
        firstResponse: null,
        resolution: null,
        slaAchievement: { firstResponse: null, nextResponse: null, resolution: null, overall: null },
        reopenRate: null,
        firstContactResolution: null,
      },
    ]);
    expect(caseMetrics([], { groupBy: 'channel', now: NOW })).toEqual([]);
  });

  it('refuses a negative window', () => {
    try {
      caseMetrics(ALL, { groupBy: 'none', now: NOW, fcrReopenWindowDays: -1 });
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_INPUT')).toBe(true);
    }
  });
});
