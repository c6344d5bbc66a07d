import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  caseOnAgentReply,
  caseOnCustomerMessage,
  nextSlaDeadlines,
  parseSlaPolicies,
  type SlaPolicy,
  selectSlaPolicy,
  slaBreach,
  slaOnAgentReply,
  slaOnCustomerMessage,
  slaOnReopened,
  slaOnResolved,
  slaTargetMs,
  startSla,
  transitionCase,
} from '../../src/cases/index.js';
import { type CaseState, isRapportError, newCase, type RapportError } from '../../src/index.js';

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const T0 = Date.UTC(2024, 0, 8, 10, 0); // a Monday, 11:00 in Berlin
const at = (offsetMs: number) => new Date(T0 + offsetMs);

const [standard, vip] = parseSlaPolicies([
  {
    id: 'standard',
    targets: { firstResponse: 'PT1H', nextResponse: 'PT2H', resolution: 'P1D' },
    byPriority: { urgent: { firstResponse: 'PT15M' } },
  },
  {
    id: 'vip',
    name: 'VIP queue, business hours',
    match: { queue: ['vip'] },
    targets: { firstResponse: 'PT4H', resolution: 'PT16H' },
    calendar: {
      timeZone: 'Europe/Berlin',
      hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]])),
    },
  },
]) as [SlaPolicy, SlaPolicy];

function thrown(fn: () => unknown): RapportError {
  try {
    fn();
  } catch (error) {
    if (isRapportError(error)) return error;
    throw error;
  }
  throw new Error('expected a RapportError');
}

const opened = (fields: Parameters<typeof newCase>[1] = {}) =>
  startSla(standard, newCase(at(0), fields), at(0));

describe('parseSlaPolicies', () => {
  it('accepts valid policies and keeps their order', () => {
    expect([standard.id, vip.id]).toEqual(['standard', 'vip']);
    expect(parseSlaPolicies([])).toEqual([]);
  });

  it('refuses a bad duration with its path and a hint', () => {
    const error = thrown(() =>
      parseSlaPolicies([
        { id: 'a', targets: {} },
        { id: 'b', targets: { resolution: 'tomorrow' } },
      ]),
    );
    expect(error.code).toBe('RAPPORT_INVALID_OPTIONS');
    expect(error.jsonPath).toBe('$[1].targets.resolution');
    expect(error.hint).toMatch(/ISO 8601/);
  });

  it('refuses months, zero and overrides with bad durations', () => {
    expect(thrown(() => parseSlaPolicies([{ id: 'a', targets: { resolution: 'P1M' } }])).message).toMatch(
      /no fixed length/,
    );
    expect(thrown(() => parseSlaPolicies([{ id: 'a', targets: { resolution: 'PT0S' } }])).jsonPath).toBe(
      '$[0].targets.resolution',
    );
    expect(
      thrown(() =>
        parseSlaPolicies([{ id: 'a', targets: {}, byPriority: { high: { firstResponse: 'soon' } } }]),
      ).jsonPath,
    ).toBe('$[0].byPriority.high.firstResponse');
  });

  it('refuses unknown keys, unknown priorities, bad calendars and a non-array', () => {
    expect(thrown(() => parseSlaPolicies([{ id: 'a', targets: {}, extra: 1 }])).jsonPath).toBe('$[0]');
    expect(thrown(() => parseSlaPolicies([{ id: 'a', targets: { firstReply: 'PT1H' } }])).jsonPath).toBe(
      '$[0].targets',
    );
    expect(
      thrown(() => parseSlaPolicies([{ id: 'a', targets: {}, match: { priority: ['critical'] } }])).jsonPath,
    ).toBe('$[0].match.priority[0]');
    const calendar = thrown(() =>
      parseSlaPolicies([{ id: 'a', targets: {}, calendar: { timeZone: 'CET-ish', hours: { mon: [] } } }]),
    );
    expect(calendar.jsonPath).toBe('$[0].calendar.timeZone');
    expect(calendar.hint).toMatch(/IANA/);
    expect(thrown(() => parseSlaPolicies({ id: 'a' })).code).toBe('RAPPORT_INVALID_OPTIONS');
  });

  it('refuses duplicate ids, pointing at the second one', () => {
    const error = thrown(() =>
      parseSlaPolicies([
        { id: 'a', targets: {} },
        { id: 'b', targets: {} },
        { id: 'a', targets: {} },
      ]),
    );
    expect(error.code).toBe('RAPPORT_INVALID_OPTIONS');
    expect(error.path).toEqual([2, 'id']);
    expect(error.message).toMatch(/\$\[0\]/);
  });
});

describe('selectSlaPolicy and slaTargetMs', () => {
  const policies = parseSlaPolicies([
    { id: 'urgent-email', match: { priority: ['urgent', 'high'], channel: ['email'] }, targets: {} },
    { id: 'vip', match: { queue: ['vip'] }, targets: {} },
    { id: 'default', targets: {} },
  ]);

  it('takes the first policy whose match fits, absent fields matching anything', () => {
    const pick = (priority: CaseState['priority'], channel: string, queue: string | null) =>
      selectSlaPolicy(policies, { priority, channel, queue })?.id;
    expect(pick('urgent', 'email', 'vip')).toBe('urgent-email');
    expect(pick('high', 'email', null)).toBe('urgent-email');
    expect(pick('urgent', 'mastodon', 'vip')).toBe('vip');
    expect(pick('low', 'email', 'vip')).toBe('vip');
    expect(pick('low', 'email', null)).toBe('default');
    expect(
      selectSlaPolicy(policies.slice(0, 2), { priority: 'low', channel: 'email', queue: null }),
    ).toBeNull();
  });

  it('uses the priority overrides target by target', () => {
    expect(slaTargetMs(standard, 'urgent', 'firstResponse')).toBe(15 * M);
    expect(slaTargetMs(standard, 'urgent', 'resolution')).toBe(DAY);
    expect(slaTargetMs(standard, 'low', 'firstResponse')).toBe(H);
    expect(slaTargetMs(vip, 'normal', 'nextResponse')).toBeNull();
  });
});

describe('SLA clocks', () => {
  it('startSla starts first-response and resolution clocks from openedAt', () => {
    const base = newCase(at(0));
    const before = structuredClone(base);
    const c = startSla(standard, base, at(0));
    expect(base).toEqual(before);
    expect(c.sla).toEqual({
      policyId: 'standard',
      firstResponse: { dueAt: at(H), metAt: null, breachedAt: null },
      nextResponse: null,
      resolution: { dueAt: at(DAY), metAt: null, breachedAt: null },
      history: [],
    });
    expect(nextSlaDeadlines(c)).toEqual([
      { target: 'firstResponse', dueAt: at(H) },
      { target: 'resolution', dueAt: at(DAY) },
    ]);
    const urgent = opened({ priority: 'urgent' });
    expect(urgent.sla?.firstResponse?.dueAt).toEqual(at(15 * M));
  });

  it('startSla counts business time with the policy calendar', () => {
    // Friday 2024-01-12 15:00 in Berlin: 2 hours on Friday, 2 more on Monday.
    const friday = DateTime.fromISO('2024-01-12T15:00', { zone: 'Europe/Berlin' }).toJSDate();
    const c = startSla(vip, newCase(friday, { queue: 'vip' }), friday);
    expect(c.sla?.firstResponse?.dueAt).toEqual(
      DateTime.fromISO('2024-01-15T11:00', { zone: 'Europe/Berlin' }).toJSDate(),
    );
    // 16 business hours: 2 on Friday, 8 on Monday, 6 on Tuesday.
    expect(c.sla?.resolution?.dueAt).toEqual(
      DateTime.fromISO('2024-01-16T15:00', { zone: 'Europe/Berlin' }).toJSDate(),
    );
    expect(c.sla?.nextResponse).toBeNull();
  });

  it('startSla applied late keeps the deadlines from openedAt and records what already happened', () => {
    let c = newCase(at(0));
    c = caseOnAgentReply(c, at(2 * H));
    c = caseOnCustomerMessage(c, at(3 * H)).state as CaseState;
    const late = startSla(standard, c, at(4 * H));
    expect(late.updatedAt).toEqual(at(4 * H));
    expect(late.sla?.firstResponse).toEqual({ dueAt: at(H), metAt: at(2 * H), breachedAt: at(2 * H) });
    expect(late.sla?.nextResponse).toEqual({ dueAt: at(5 * H), metAt: null, breachedAt: null });
  });

  it('an agent reply meets the first response on time', () => {
    const c = slaOnAgentReply(opened(), at(30 * M));
    expect(c.sla?.firstResponse).toEqual({ dueAt: at(H), metAt: at(30 * M), breachedAt: null });
    expect(c.sla?.resolution?.metAt).toBeNull();
    expect(nextSlaDeadlines(c)).toEqual([{ target: 'resolution', dueAt: at(DAY) }]);
  });

  it('a reply exactly at the due time is on time, a later one is a late meet', () => {
    expect(slaOnAgentReply(opened(), at(H)).sla?.firstResponse?.breachedAt).toBeNull();
    const late = slaOnAgentReply(opened(), at(90 * M));
    expect(late.sla?.firstResponse).toEqual({ dueAt: at(H), metAt: at(90 * M), breachedAt: at(90 * M) });
  });

  it('slaBreach records a due clock once, ignores early and repeated calls', () => {
    const c = opened();
    const early = slaBreach(c, 'firstResponse', at(59 * M));
    expect(early).toEqual(c);
    expect(early).not.toBe(c);
    const breached = slaBreach(c, 'firstResponse', at(H));
    expect(c.sla?.firstResponse?.breachedAt).toBeNull();
    expect(breached.sla?.firstResponse).toEqual({ dueAt: at(H), metAt: null, breachedAt: at(H) });
    expect(nextSlaDeadlines(breached)).toEqual([{ target: 'resolution', dueAt: at(DAY) }]);
    const again = slaBreach(breached, 'firstResponse', at(2 * H));
    expect(again).toEqual(breached);
    expect(slaBreach(breached, 'nextResponse', at(2 * H))).toEqual(breached);
    // The reply that follows meets it late and keeps the time of the breach.
    const met = slaOnAgentReply(breached, at(3 * H));
    expect(met.sla?.firstResponse).toEqual({ dueAt: at(H), metAt: at(3 * H), breachedAt: at(H) });
    expect(slaBreach(met, 'firstResponse', at(4 * H))).toEqual(met);
  });

  it('a customer message after the first response starts a next-response clock, met by the next reply', () => {
    let c = opened();
    // Before the first response the first-response clock covers the wait.
    expect(slaOnCustomerMessage(c, standard, at(10 * M)).sla?.nextResponse).toBeNull();
    c = caseOnAgentReply(c, at(20 * M));
    c = slaOnAgentReply(c, at(20 * M));
    c = caseOnCustomerMessage(c, at(H)).state as CaseState;
    c = slaOnCustomerMessage(c, standard, at(H));
    expect(c.sla?.nextResponse).toEqual({ dueAt: at(3 * H), metAt: null, breachedAt: null });
    // A second message while the first waits keeps the older deadline.
    const second = slaOnCustomerMessage(c, standard, at(2 * H));
    expect(second.sla?.nextResponse?.dueAt).toEqual(at(3 * H));
    expect(nextSlaDeadlines(c).map((d) => d.target)).toEqual(['nextResponse', 'resolution']);
    c = slaOnAgentReply(caseOnAgentReply(c, at(2 * H)), at(2 * H));
    expect(c.sla?.nextResponse).toBeNull();
    expect(c.sla?.history).toEqual([
      { target: 'nextResponse', dueAt: at(3 * H), metAt: at(2 * H), breachedAt: null },
    ]);
    expect(c.sla?.firstResponse?.metAt).toEqual(at(20 * M));
  });

  it('a breached next-response clock is met late and moves to history', () => {
    let c = slaOnAgentReply(caseOnAgentReply(opened(), at(10 * M)), at(10 * M));
    c = slaOnCustomerMessage(c, standard, at(H));
    c = slaBreach(c, 'nextResponse', at(3 * H));
    expect(c.sla?.nextResponse?.breachedAt).toEqual(at(3 * H));
    c = slaOnAgentReply(c, at(4 * H));
    expect(c.sla?.history).toEqual([
      { target: 'nextResponse', dueAt: at(3 * H), metAt: at(4 * H), breachedAt: at(3 * H) },
    ]);
  });

  it('no next-response clock for a closed case or a policy without that target', () => {
    const answered = slaOnAgentReply(caseOnAgentReply(opened(), at(10 * M)), at(10 * M));
    const resolved = transitionCase(answered, 'resolved', at(H));
    expect(slaOnCustomerMessage(resolved, standard, at(2 * H)).sla?.nextResponse).toBeNull();
    const vipCase = slaOnAgentReply(
      caseOnAgentReply(startSla(vip, newCase(at(0)), at(0)), at(10 * M)),
      at(10 * M),
    );
    expect(slaOnCustomerMessage(vipCase, vip, at(H)).sla?.nextResponse).toBeNull();
  });

  it('resolving meets the resolution clock, and answers a waiting message', () => {
    let c = slaOnAgentReply(caseOnAgentReply(opened(), at(10 * M)), at(10 * M));
    c = slaOnCustomerMessage(c, standard, at(H));
    const onTime = slaOnResolved(transitionCase(c, 'resolved', at(2 * H)), at(2 * H));
    expect(onTime.sla?.resolution).toEqual({ dueAt: at(DAY), metAt: at(2 * H), breachedAt: null });
    expect(onTime.sla?.nextResponse).toBeNull();
    expect(onTime.sla?.history).toEqual([
      { target: 'nextResponse', dueAt: at(3 * H), metAt: at(2 * H), breachedAt: null },
    ]);
    expect(nextSlaDeadlines(onTime)).toEqual([]);
    const late = slaOnResolved(c, at(DAY + H));
    expect(late.sla?.resolution?.breachedAt).toEqual(at(DAY + H));
    expect(late.sla?.history[0]?.breachedAt).toEqual(at(DAY + H));
  });

  it('resolving without any reply meets the first-response clock too', () => {
    const c = slaOnResolved(opened(), at(30 * M));
    expect(c.sla?.firstResponse).toEqual({ dueAt: at(H), metAt: at(30 * M), breachedAt: null });
    expect(nextSlaDeadlines({ ...c, status: 'open' })).toEqual([]);
  });

  it('reopening restarts the resolution clock and starts a next-response clock', () => {
    let c = slaOnAgentReply(caseOnAgentReply(opened(), at(10 * M)), at(10 * M));
    c = slaOnResolved(transitionCase(c, 'resolved', at(H)), at(H));
    const outcome = caseOnCustomerMessage(c, at(2 * DAY));
    expect(outcome.state && 'reopened' in outcome && outcome.reopened).toBe(true);
    const reopened = slaOnReopened(outcome.state as CaseState, standard, at(2 * DAY));
    expect(reopened.sla?.history).toEqual([
      { target: 'resolution', dueAt: at(DAY), metAt: at(H), breachedAt: null },
    ]);
    expect(reopened.sla?.resolution).toEqual({ dueAt: at(3 * DAY), metAt: null, breachedAt: null });
    expect(reopened.sla?.nextResponse).toEqual({ dueAt: at(2 * DAY + 2 * H), metAt: null, breachedAt: null });
    expect(reopened.sla?.firstResponse?.metAt).toEqual(at(10 * M));
    expect(nextSlaDeadlines(reopened)).toEqual([
      { target: 'nextResponse', dueAt: at(2 * DAY + 2 * H) },
      { target: 'resolution', dueAt: at(3 * DAY) },
    ]);
    // slaOnCustomerMessage after the reopen changes nothing more.
    expect(slaOnCustomerMessage(reopened, standard, at(2 * DAY))).toEqual(reopened);
  });

  it('functions leave a case without SLA alone and never mutate their input', () => {
    const plain = newCase(at(0));
    const frozen = structuredClone(plain);
    for (const result of [
      slaOnAgentReply(plain, at(H)),
      slaOnCustomerMessage(plain, standard, at(H)),
      slaOnResolved(plain, at(H)),
      slaOnReopened(plain, standard, at(H)),
      slaBreach(plain, 'firstResponse', at(H)),
    ]) {
      expect(result).toEqual(plain);
    }
    expect(nextSlaDeadlines(plain)).toEqual([]);
    expect(plain).toEqual(frozen);

    const c = opened();
    const snapshot = structuredClone(c);
    slaOnAgentReply(c, at(2 * H));
    slaBreach(c, 'firstResponse', at(2 * H));
    slaOnResolved(c, at(2 * H));
    slaOnReopened(c, standard, at(2 * H));
    expect(c).toEqual(snapshot);
  });
});
