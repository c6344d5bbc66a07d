import { describe, expect, it } from 'vitest';
import {
  CASE_TRANSITIONS,
  canTransitionCase,
  caseOnAgentReply,
  caseOnCustomerMessage,
  transitionCase,
} from '../../src/cases/index.js';
import {
  type CaseState,
  type CaseStatus,
  isRapportError,
  newCase,
  type RapportError,
} from '../../src/index.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 4, 1, 9, 0);
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const STATUSES: CaseStatus[] = ['new', 'open', 'pending', 'resolved', 'closed'];

const ALLOWED: Record<CaseStatus, CaseStatus[]> = {
  new: ['open', 'pending', 'resolved', 'closed'],
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: [],
};

const inStatus = (status: CaseStatus, fields: Partial<CaseState> = {}): CaseState => ({
  ...newCase(at(0)),
  status,
  ...(status === 'resolved' || status === 'closed' ? { resolvedAt: at(H), awaitingSince: null } : {}),
  ...(status === 'closed' ? { closedAt: at(2 * H) } : {}),
  ...fields,
});

function thrown(fn: () => unknown): RapportError {
  try {
    fn();
  } catch (error) {
    if (isRapportError(error)) return error;
    throw error;
  }
  throw new Error('expected a RapportError');
}

describe('transitionCase', () => {
  it('publishes the allowed transitions', () => {
    expect(CASE_TRANSITIONS).toEqual(ALLOWED);
  });

  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const allowed = ALLOWED[from].includes(to);
      it(`${allowed ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
        expect(canTransitionCase(from, to)).toBe(allowed);
        const state = inStatus(from);
        const snapshot = structuredClone(state);
        if (allowed) {
          const next = transitionCase(state, to, at(10 * H));
          expect(next.status).toBe(to);
          expect(next.updatedAt).toEqual(at(10 * H));
        } else {
          const error = thrown(() => transitionCase(state, to, at(10 * H)));
          expect(error.code).toBe('RAPPORT_INVALID_CASE_TRANSITION');
          expect(error.jsonPath).toBe('$.status');
          if (ALLOWED[from].length === 0) expect(error.hint).toMatch(/new case/);
          for (const target of ALLOWED[from]) expect(error.hint).toContain(`"${target}"`);
        }
        expect(state).toEqual(snapshot);
      });
    }
  }

  it('resolving sets resolvedAt and clears awaitingSince', () => {
    const next = transitionCase(inStatus('open', { awaitingSince: at(H) }), 'resolved', at(5 * H));
    expect(next).toMatchObject({
      status: 'resolved',
      resolvedAt: at(5 * H),
      awaitingSince: null,
      closedAt: null,
    });
  });

  it('closing sets closedAt, and resolves a case that was not resolved', () => {
    const fromResolved = transitionCase(inStatus('resolved'), 'closed', at(5 * H));
    expect(fromResolved).toMatchObject({ status: 'closed', closedAt: at(5 * H), resolvedAt: at(H) });
    const fromPending = transitionCase(inStatus('pending', { awaitingSince: at(H) }), 'closed', at(5 * H));
    expect(fromPending).toMatchObject({
      status: 'closed',
      closedAt: at(5 * H),
      resolvedAt: at(5 * H),
      awaitingSince: null,
    });
  });

  it('reopening a resolved case counts the reopen and keeps the last resolution time', () => {
    const once = transitionCase(inStatus('resolved'), 'open', at(5 * H));
    expect(once).toMatchObject({ status: 'open', reopenCount: 1, reopenedAt: at(5 * H), resolvedAt: at(H) });
    const twice = transitionCase(transitionCase(once, 'resolved', at(6 * H)), 'open', at(7 * H));
    expect(twice).toMatchObject({ reopenCount: 2, reopenedAt: at(7 * H), resolvedAt: at(6 * H) });
    // pending → open is not a reopen.
    expect(transitionCase(inStatus('pending'), 'open', at(5 * H))).toMatchObject({
      reopenCount: 0,
      reopenedAt: null,
    });
  });

  it('says when the case already has the status', () => {
    expect(thrown(() => transitionCase(inStatus('open'), 'open', at(H))).hint).toMatch(/already open/);
  });
});

describe('caseOnCustomerMessage', () => {
  it('keeps a new or open case and its oldest waiting message', () => {
    const fresh = newCase(at(0));
    const r = caseOnCustomerMessage(fresh, at(H));
    expect(r).toEqual({ state: { ...fresh, updatedAt: at(H) }, reopened: false });
    const open = inStatus('open', { awaitingSince: null });
    const r2 = caseOnCustomerMessage(open, at(H));
    expect(r2.state).toMatchObject({ status: 'open', awaitingSince: at(H), updatedAt: at(H) });
    const r3 = caseOnCustomerMessage(r2.state as CaseState, at(2 * H));
    expect(r3.state?.awaitingSince).toEqual(at(H));
  });

  it('moves a pending case back to open', () => {
    const r = caseOnCustomerMessage(inStatus('pending', { awaitingSince: null }), at(H));
    expect(r).toMatchObject({
      reopened: false,
      state: { status: 'open', awaitingSince: at(H), reopenCount: 0 },
    });
  });

  it('reopens a resolved case', () => {
    const resolved = inStatus('resolved');
    const r = caseOnCustomerMessage(resolved, at(3 * H));
    expect(r).toMatchObject({
      reopened: true,
      state: { status: 'open', reopenCount: 1, reopenedAt: at(3 * H), awaitingSince: at(3 * H) },
    });
    expect(resolved.status).toBe('resolved');
  });

  it('leaves a closed case alone so that a new one opens', () => {
    const closed = inStatus('closed');
    expect(caseOnCustomerMessage(closed, at(3 * H))).toEqual({ state: null, closed: true });
  });
});

describe('caseOnAgentReply', () => {
  it('records the first response once, counts replies and clears the wait', () => {
    const fresh = newCase(at(0));
    const first = caseOnAgentReply(fresh, at(H));
    expect(first).toMatchObject({
      status: 'open',
      firstResponseAt: at(H),
      agentReplies: 1,
      awaitingSince: null,
      updatedAt: at(H),
    });
    expect(fresh).toMatchObject({ status: 'new', agentReplies: 0, awaitingSince: at(0) });
    const second = caseOnAgentReply(first, at(2 * H));
    expect(second).toMatchObject({ firstResponseAt: at(H), agentReplies: 2 });
  });

  it('leaves other statuses as they are', () => {
    for (const status of ['open', 'pending', 'resolved', 'closed'] as const) {
      expect(caseOnAgentReply(inStatus(status), at(H)).status).toBe(status);
    }
  });
});
