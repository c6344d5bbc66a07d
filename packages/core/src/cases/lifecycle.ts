import type { CaseState, CaseStatus } from '../domain/case.js';
import { RapportError } from '../errors/rapport-error.js';

/**
 * The statuses each status may move to. A resolved case moves back to open when it is reopened;
 * a closed case never changes (a customer writing again gets a new case).
 */
export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  new: ['open', 'pending', 'resolved', 'closed'],
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: [],
};

/** Whether a case may move from one status to another (a status never moves to itself). */
export function canTransitionCase(from: CaseStatus, to: CaseStatus): boolean {
  return CASE_TRANSITIONS[from]?.includes(to) ?? false;
}

function transitionHint(from: CaseStatus, to: CaseStatus): string {
  const allowed = CASE_TRANSITIONS[from] ?? [];
  if (allowed.length === 0) {
    return `a ${from} case cannot change; when the customer writes again, a new case opens`;
  }
  const list = allowed.map((s) => `"${s}"`).join(', ');
  return from === to
    ? `the case is already ${from}; from "${from}" it can move to ${list}`
    : `from "${from}" a case can move to ${list}`;
}

/**
 * Moves a case to another status at `at` and returns the new state (`updatedAt` becomes `at`).
 *
 * - to `resolved`: `resolvedAt` is `at` and `awaitingSince` is cleared (resolving answers the customer).
 * - to `closed`: `closedAt` is `at`; a case closed without having been resolved is resolved at the
 *   same instant (`resolvedAt`), so resolution metrics count it, and `awaitingSince` is cleared.
 * - `resolved` to `open` is a reopen: `reopenCount` grows by one and `reopenedAt` is `at`;
 *   `resolvedAt` keeps the time of the resolution it undid until the case is resolved again.
 *
 * @throws RapportError `RAPPORT_INVALID_CASE_TRANSITION` when {@link CASE_TRANSITIONS} does not
 *   allow the move, with a hint listing the statuses that are allowed.
 */
export function transitionCase(state: CaseState, to: CaseStatus, at: Date): CaseState {
  const from = state.status;
  if (!canTransitionCase(from, to)) {
    throw new RapportError('RAPPORT_INVALID_CASE_TRANSITION', `A ${from} case cannot move to ${to}`, {
      path: ['status'],
      hint: transitionHint(from, to),
    });
  }
  const next: CaseState = { ...state, status: to, updatedAt: at };
  switch (to) {
    case 'resolved':
      next.resolvedAt = at;
      next.awaitingSince = null;
      break;
    case 'closed':
      next.closedAt = at;
      if (from !== 'resolved') next.resolvedAt = at;
      next.awaitingSince = null;
      break;
    case 'open':
      if (from === 'resolved') {
        next.reopenCount = state.reopenCount + 1;
        next.reopenedAt = at;
      }
      break;
    default:
      break;
  }
  return next;
}

/** What a customer message does to a case: see {@link caseOnCustomerMessage}. */
export type CustomerMessageOutcome = { state: CaseState; reopened: boolean } | { state: null; closed: true };

/**
 * A customer message arrived at `at`. A new or open case keeps its status, a pending one becomes
 * open, and a resolved one is reopened (`reopenCount` + 1, `reopenedAt` = `at`, `reopened: true`).
 * `awaitingSince` becomes `at` unless an earlier message is already waiting, and `updatedAt` is `at`.
 *
 * A closed case is not touched: the result is `{ state: null, closed: true }` and the caller opens
 * a new case for the message.
 */
export function caseOnCustomerMessage(state: CaseState, at: Date): CustomerMessageOutcome {
  if (state.status === 'closed') return { state: null, closed: true };
  const next: CaseState = { ...state, updatedAt: at, awaitingSince: state.awaitingSince ?? at };
  if (state.status === 'pending') next.status = 'open';
  if (state.status === 'resolved') {
    next.status = 'open';
    next.reopenCount = state.reopenCount + 1;
    next.reopenedAt = at;
    return { state: next, reopened: true };
  }
  return { state: next, reopened: false };
}

/**
 * An agent replied at `at`: `firstResponseAt` is set if this is the first reply, `agentReplies`
 * grows by one, nobody is waiting any more (`awaitingSince` null), and a new case becomes open (an
 * answered case is at least open; moving it to pending is the agent's explicit choice). Other
 * statuses stay. `updatedAt` is `at`.
 */
export function caseOnAgentReply(state: CaseState, at: Date): CaseState {
  return {
    ...state,
    status: state.status === 'new' ? 'open' : state.status,
    firstResponseAt: state.firstResponseAt ?? at,
    agentReplies: state.agentReplies + 1,
    awaitingSince: null,
    updatedAt: at,
  };
}
