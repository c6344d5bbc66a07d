import { z } from 'zod';
import {
  type CasePriority,
  type CaseSla,
  type CaseState,
  OPEN_CASE_STATUSES,
  type SlaClock,
  type SlaTarget,
} from '../domain/case.js';
import { RapportError } from '../errors/rapport-error.js';
import { type HintTable, validationError } from '../errors/validation.js';
import { parseDuration } from '../rules/duration.js';
import { addBusinessTime, businessCalendarHints, businessCalendarSchema } from './business-calendar.js';

/** Case priorities, lowest first. */
export const CASE_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const satisfies readonly CasePriority[];

/** The SLA targets, in the order a case meets them. */
export const SLA_TARGETS = [
  'firstResponse',
  'nextResponse',
  'resolution',
] as const satisfies readonly SlaTarget[];

/** Why a duration text cannot be an SLA target, or null when it can. */
function durationProblem(text: string): string | null {
  const parsed = parseDuration(text);
  if (typeof parsed === 'string') return parsed;
  if (parsed.fixedMs === null) {
    return `"${text}" uses months or years, which have no fixed length; use weeks, days, hours or minutes`;
  }
  return null;
}

const durationSchema = z.string().superRefine((text, ctx) => {
  const problem = durationProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const targetsSchema = z.strictObject({
  firstResponse: durationSchema.optional(),
  nextResponse: durationSchema.optional(),
  resolution: durationSchema.optional(),
});

/** The time allowed for each target; a target left out is not tracked. */
export type SlaTargets = z.output<typeof targetsSchema>;

const prioritySchema = z.enum(CASE_PRIORITIES);

/**
 * An SLA policy: which cases it holds and the time each target allows.
 *
 * - `match`: the cases it applies to; a field left out matches anything, a list matches any of
 *   its values (`queue` never matches a case without a queue).
 * - `targets`: ISO 8601 durations (`PT1H`, `P2D`) or the short forms of rules (`30m`, `4h`).
 *   With a `calendar` they count open time only, and a day is 24 hours of open time, so write
 *   business targets in hours (`PT8H` for one 9-to-5 day), not days.
 * - `byPriority`: for a priority, the targets it names replace those of `targets`; the others
 *   still come from `targets`.
 * - `calendar`: business hours and holidays; without one the clocks run around the clock.
 */
export const slaPolicySchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  match: z
    .strictObject({
      priority: z.array(prioritySchema).optional(),
      channel: z.array(z.string().min(1)).optional(),
      queue: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  targets: targetsSchema,
  byPriority: z
    .strictObject(
      Object.fromEntries(CASE_PRIORITIES.map((p) => [p, targetsSchema.optional()])) as Record<
        CasePriority,
        z.ZodOptional<typeof targetsSchema>
      >,
    )
    .optional(),
  calendar: businessCalendarSchema.optional(),
});

/** A checked SLA policy; see {@link slaPolicySchema}. */
export type SlaPolicy = z.output<typeof slaPolicySchema>;

const DURATION_HINT =
  'give an ISO 8601 duration such as PT30M, PT4H or P2D (or 30m, 4h); with a calendar it counts open time only';

function policyHints(): HintTable {
  const hints: Record<string, string> = {
    id: 'give each policy a non-empty, unique id',
    'match.priority': `use priorities among: ${CASE_PRIORITIES.join(', ')}`,
    ...businessCalendarHints('calendar.'),
  };
  for (const target of SLA_TARGETS) {
    hints[`targets.${target}`] = DURATION_HINT;
    for (const priority of CASE_PRIORITIES) hints[`byPriority.${priority}.${target}`] = DURATION_HINT;
  }
  return hints;
}

const POLICY_HINTS = policyHints();

/**
 * Checks a list of SLA policies. Order matters: {@link selectSlaPolicy} takes the first that
 * matches, so list specific policies before general ones.
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` with the path of the first problem
 *   (`$[1].targets.resolution`), a hint, and every problem in `issues`; also when two policies
 *   share an id.
 */
export function parseSlaPolicies(input: unknown): SlaPolicy[] {
  const parsed = z.array(slaPolicySchema).safeParse(input);
  if (!parsed.success) {
    throw validationError('RAPPORT_INVALID_OPTIONS', 'SLA policies', parsed.error, POLICY_HINTS);
  }
  const seen = new Map<string, number>();
  for (const [index, policy] of parsed.data.entries()) {
    const first = seen.get(policy.id);
    if (first !== undefined) {
      throw new RapportError(
        'RAPPORT_INVALID_OPTIONS',
        `Invalid SLA policies at $[${index}].id: the id "${policy.id}" is already used by $[${first}]`,
        {
          path: [index, 'id'],
          hint: 'give each policy its own id; cases keep the id of the policy they are held to',
        },
      );
    }
    seen.set(policy.id, index);
  }
  return parsed.data;
}

/** What {@link selectSlaPolicy} matches a case on. */
export interface SlaSubject {
  priority: CasePriority;
  channel: string;
  queue: string | null;
}

/** The first policy whose `match` fits the case, or null when none does. */
export function selectSlaPolicy(policies: readonly SlaPolicy[], subject: SlaSubject): SlaPolicy | null {
  for (const policy of policies) {
    const match = policy.match;
    if (match?.priority && !match.priority.includes(subject.priority)) continue;
    if (match?.channel && !match.channel.includes(subject.channel)) continue;
    if (match?.queue && (subject.queue === null || !match.queue.includes(subject.queue))) continue;
    return policy;
  }
  return null;
}

/**
 * The time a policy allows for one target at a priority, in milliseconds (open time when the
 * policy has a calendar), or null when the policy does not track that target.
 */
export function slaTargetMs(policy: SlaPolicy, priority: CasePriority, target: SlaTarget): number | null {
  const override = policy.byPriority?.[priority]?.[target];
  const text = override ?? policy.targets[target];
  if (text === undefined) return null;
  const parsed = parseDuration(text);
  if (typeof parsed === 'string' || parsed.fixedMs === null) {
    const path = override !== undefined ? ['byPriority', priority, target] : ['targets', target];
    throw new RapportError(
      'RAPPORT_INVALID_OPTIONS',
      `SLA policy "${policy.id}" has an invalid ${target} target: ${durationProblem(text)}`,
      { path, hint: DURATION_HINT },
    );
  }
  return parsed.fixedMs;
}

function runningClock(
  policy: SlaPolicy,
  priority: CasePriority,
  target: SlaTarget,
  from: Date,
): SlaClock | null {
  const ms = slaTargetMs(policy, priority, target);
  if (ms === null) return null;
  return { dueAt: addBusinessTime(policy.calendar ?? null, from, ms), metAt: null, breachedAt: null };
}

/** A clock met at `at`; met after its due time, it is breached at `at` too (unless it already was). */
function meet(clock: SlaClock, at: Date): SlaClock {
  const late = at.getTime() > clock.dueAt.getTime();
  return { dueAt: clock.dueAt, metAt: at, breachedAt: clock.breachedAt ?? (late ? at : null) };
}

/** Whether a clock still counts down: neither met nor breached. */
function isRunning(clock: SlaClock | null): clock is SlaClock {
  return clock !== null && clock.metAt === null && clock.breachedAt === null;
}

/** Whether a clock still waits for the event that meets it (breached or not). */
function isUnmet(clock: SlaClock | null): clock is SlaClock {
  return clock !== null && clock.metAt === null;
}

/** Whether the case still needs work (not narrowing, unlike `isCaseOpen`). */
const needsWork = (state: CaseState): boolean => OPEN_CASE_STATUSES.includes(state.status);

function withSla(state: CaseState, sla: CaseSla): CaseState {
  return { ...state, sla };
}

/**
 * Holds a case to a policy: the first-response and resolution clocks fall due the target's time
 * after `openedAt` (open time when the policy has a calendar), using the targets of the case's
 * priority; targets the policy leaves out get no clock. Any earlier SLA of the case is replaced.
 *
 * Usually called when the case opens, with no reply yet and no next-response clock. Applied
 * later, the deadlines still count from `openedAt`, a first response or resolution already
 * given meets its clock at that time (breached if late), and when the customer is waiting for a
 * further answer a next-response clock starts from `awaitingSince`. `updatedAt` becomes `at`.
 */
export function startSla(policy: SlaPolicy, state: CaseState, at: Date): CaseState {
  let firstResponse = runningClock(policy, state.priority, 'firstResponse', state.openedAt);
  if (firstResponse && state.firstResponseAt) firstResponse = meet(firstResponse, state.firstResponseAt);
  let resolution = runningClock(policy, state.priority, 'resolution', state.openedAt);
  if (resolution && state.resolvedAt && !needsWork(state)) resolution = meet(resolution, state.resolvedAt);
  const waiting = needsWork(state) && state.firstResponseAt !== null && state.awaitingSince !== null;
  const nextResponse = waiting
    ? runningClock(policy, state.priority, 'nextResponse', state.awaitingSince as Date)
    : null;
  return {
    ...state,
    updatedAt: at,
    sla: { policyId: policy.id, firstResponse, nextResponse, resolution, history: [] },
  };
}

/**
 * An agent replied at `at`: meets the first-response clock if it is still unmet (a reply after
 * the due time meets it late: `breachedAt` is set too) and meets the next-response clock, which
 * moves to `history`. The resolution clock is left alone. A case without SLA comes back
 * unchanged (as a copy, like every result here).
 */
export function slaOnAgentReply(state: CaseState, at: Date): CaseState {
  const sla = state.sla;
  if (!sla) return { ...state };
  const firstResponse = isUnmet(sla.firstResponse) ? meet(sla.firstResponse, at) : sla.firstResponse;
  const history = [...sla.history];
  if (isUnmet(sla.nextResponse)) history.push({ target: 'nextResponse', ...meet(sla.nextResponse, at) });
  const nextResponse = isUnmet(sla.nextResponse) ? null : sla.nextResponse;
  return withSla(state, { ...sla, firstResponse, nextResponse, history });
}

/**
 * A customer wrote at `at`: when the case is open (new, open or pending), has had its first
 * response and no next-response clock runs, a next-response clock starts, due the policy's
 * next-response target after `at`. Before the first response the first-response clock already
 * covers the wait; while a next-response clock runs, the oldest waiting message sets the deadline.
 * For a resolved case that this message reopens, use {@link slaOnReopened}.
 */
export function slaOnCustomerMessage(state: CaseState, policy: SlaPolicy, at: Date): CaseState {
  const sla = state.sla;
  if (!sla) return { ...state };
  if (!needsWork(state) || state.firstResponseAt === null || sla.nextResponse !== null) return { ...state };
  const nextResponse = runningClock(policy, state.priority, 'nextResponse', at);
  return nextResponse ? withSla(state, { ...sla, nextResponse }) : { ...state };
}

/**
 * The case was resolved at `at`: meets the resolution clock (breached if late).
 *
 * Resolving also answers whatever was still waiting: an unmet next-response clock is met at `at`
 * and moves to `history`, and an unmet first-response clock (a case resolved without a reply) is
 * met at `at`; each is breached if `at` is after its due time. So a resolved case has no running
 * clock, and a late resolution still counts against the targets it was late for.
 */
export function slaOnResolved(state: CaseState, at: Date): CaseState {
  const sla = state.sla;
  if (!sla) return { ...state };
  const history = [...sla.history];
  if (isUnmet(sla.nextResponse)) history.push({ target: 'nextResponse', ...meet(sla.nextResponse, at) });
  return withSla(state, {
    ...sla,
    firstResponse: isUnmet(sla.firstResponse) ? meet(sla.firstResponse, at) : sla.firstResponse,
    nextResponse: isUnmet(sla.nextResponse) ? null : sla.nextResponse,
    resolution: isUnmet(sla.resolution) ? meet(sla.resolution, at) : sla.resolution,
    history,
  });
}

/**
 * A resolved case was reopened at `at`: the previous resolution clock moves to `history` and a
 * new one falls due the resolution target after `at`; a next-response clock starts from `at`
 * (the reopening message waits for an answer) unless one already runs.
 */
export function slaOnReopened(state: CaseState, policy: SlaPolicy, at: Date): CaseState {
  const sla = state.sla;
  if (!sla) return { ...state };
  const history = [...sla.history];
  if (sla.resolution) history.push({ target: 'resolution', ...sla.resolution });
  return withSla(state, {
    ...sla,
    nextResponse: sla.nextResponse ?? runningClock(policy, state.priority, 'nextResponse', at),
    resolution: runningClock(policy, state.priority, 'resolution', at),
    history,
  });
}

/**
 * A breach timer fired at `at`: the clock of `target` gets `breachedAt = at` when it still runs
 * and was due at or before `at`. Otherwise (met, already breached, not yet due, no clock) nothing
 * changes, so a repeated or early timer is harmless. A breached clock stays in place until the
 * event that meets it (late).
 */
export function slaBreach(state: CaseState, target: SlaTarget, at: Date): CaseState {
  const sla = state.sla;
  const clock = sla?.[target] ?? null;
  if (!sla || !isRunning(clock) || clock.dueAt.getTime() > at.getTime()) return { ...state };
  return withSla(state, { ...sla, [target]: { ...clock, breachedAt: at } });
}

/**
 * The clocks still counting down (neither met nor breached), soonest first: what the runtime
 * schedules breach timers for. None for a resolved or closed case.
 */
export function nextSlaDeadlines(state: CaseState): Array<{ target: SlaTarget; dueAt: Date }> {
  const sla = state.sla;
  if (!sla || !needsWork(state)) return [];
  const deadlines: Array<{ target: SlaTarget; dueAt: Date }> = [];
  for (const target of SLA_TARGETS) {
    const clock = sla[target];
    if (isRunning(clock)) deadlines.push({ target, dueAt: clock.dueAt });
  }
  return deadlines.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}
