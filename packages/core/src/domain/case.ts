/** How urgent a case is. */
export type CasePriority = 'low' | 'normal' | 'high' | 'urgent';

/** Where a case is in its life: new → open → pending → resolved → closed (a customer reply reopens). */
export type CaseStatus = 'new' | 'open' | 'pending' | 'resolved' | 'closed';

/** The SLA targets a case can be held to. */
export type SlaTarget = 'firstResponse' | 'nextResponse' | 'resolution';

/** One running or finished SLA target of a case. */
export interface SlaClock {
  /** When the target falls due (business hours and holidays already applied). */
  dueAt: Date;
  /** When it was met; null while it runs or once missed. */
  metAt: Date | null;
  /** When it was breached (the breach fired, or it was met late); null otherwise. */
  breachedAt: Date | null;
}

/** The SLA of a case: the policy it is held to and the state of each target. */
export interface CaseSla {
  policyId: string;
  firstResponse: SlaClock | null;
  /** The clock of the customer message currently waiting for an answer. */
  nextResponse: SlaClock | null;
  resolution: SlaClock | null;
  /** Finished next-response clocks (met or missed), oldest first, for metrics. */
  history: Array<{ target: SlaTarget } & SlaClock>;
}

/**
 * The ownership of a conversation once it needs an answer: kept in `Conversation.case`, null
 * until a case opens. Fields after `updatedAt` are kept by the case lifecycle; {@link normalizeCase}
 * fills them for cases stored before they existed.
 */
export interface CaseState {
  status: CaseStatus;
  priority: CasePriority;
  /** The queue or team the case is routed to. */
  queue: string | null;
  /** The agent who owns it. */
  assignee: string | null;
  openedAt: Date;
  updatedAt: Date;
  /** Who opened it: `rule:<id>`, `user:<id>`, `system:<name>`. */
  openedBy: string | null;
  /** The interaction that opened it. */
  openingInteractionId: string | null;
  /** The first agent reply since the case opened. */
  firstResponseAt: Date | null;
  /** Agent replies since the case opened (first contact resolution counts them). */
  agentReplies: number;
  /** The oldest customer message still waiting for an agent; null when the agent had the last word. */
  awaitingSince: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** Times a customer reply reopened it after it was resolved. */
  reopenCount: number;
  /** When it was last reopened. */
  reopenedAt: Date | null;
  sla: CaseSla | null;
  /**
   * The newest stored interaction (by id: ids grow in storage order) the case has taken into
   * account, so an interaction is never counted twice when history arrives out of order.
   */
  appliedThrough: string | null;
}

/** Statuses in which a case still needs work. */
export const OPEN_CASE_STATUSES: readonly CaseStatus[] = ['new', 'open', 'pending'];

/** Whether a case still needs work (new, open or pending). */
export function isCaseOpen(value: CaseState | null | undefined): value is CaseState {
  return value != null && OPEN_CASE_STATUSES.includes(value.status);
}

/** A newly opened case. */
export function newCase(
  at: Date,
  fields: Partial<
    Pick<CaseState, 'priority' | 'queue' | 'assignee' | 'openedBy' | 'openingInteractionId'>
  > = {},
): CaseState {
  return {
    status: 'new',
    priority: fields.priority ?? 'normal',
    queue: fields.queue ?? null,
    assignee: fields.assignee ?? null,
    openedAt: at,
    updatedAt: at,
    openedBy: fields.openedBy ?? null,
    openingInteractionId: fields.openingInteractionId ?? null,
    firstResponseAt: null,
    agentReplies: 0,
    awaitingSince: at,
    resolvedAt: null,
    closedAt: null,
    reopenCount: 0,
    reopenedAt: null,
    sla: null,
    appliedThrough: null,
  };
}

/** A deep copy (stores hand out copies so callers cannot change what they hold). */
export function copyCase(value: CaseState): CaseState {
  return structuredClone(value);
}

const DATE_FIELDS = [
  'openedAt',
  'updatedAt',
  'firstResponseAt',
  'awaitingSince',
  'resolvedAt',
  'closedAt',
  'reopenedAt',
] as const;

const toMs = (value: Date | null | undefined): number | null =>
  value instanceof Date ? value.getTime() : null;
const fromJson = (value: unknown): Date | null =>
  typeof value === 'number' || typeof value === 'string' ? new Date(value) : null;

function encodeClock(clock: SlaClock | null): Record<string, unknown> | null {
  if (!clock) return null;
  return { dueAt: toMs(clock.dueAt), metAt: toMs(clock.metAt), breachedAt: toMs(clock.breachedAt) };
}

function decodeClock(raw: unknown): SlaClock | null {
  if (raw === null || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  return {
    dueAt: fromJson(r.dueAt) ?? new Date(0),
    metAt: fromJson(r.metAt),
    breachedAt: fromJson(r.breachedAt),
  };
}

/**
 * A case as plain JSON, dates as epoch milliseconds: what stores keep in their case column.
 * {@link decodeCase} reverses it.
 */
export function encodeCase(value: CaseState): Record<string, unknown> {
  const json: Record<string, unknown> = { ...value };
  for (const field of DATE_FIELDS) json[field] = toMs(value[field]);
  const sla = value.sla;
  json.sla = sla
    ? {
        policyId: sla.policyId,
        firstResponse: encodeClock(sla.firstResponse),
        nextResponse: encodeClock(sla.nextResponse),
        resolution: encodeClock(sla.resolution),
        history: sla.history.map((h) => ({ target: h.target, ...encodeClock(h) })),
      }
    : null;
  return json;
}

/**
 * A case from what {@link encodeCase} produced, or from JSON stored by older versions (ISO date
 * strings, fields missing): missing fields take the values a case opened then would have.
 */
export function decodeCase(raw: Record<string, unknown>): CaseState {
  const openedAt = fromJson(raw.openedAt) ?? new Date(0);
  const status = (raw.status as CaseStatus | undefined) ?? 'new';
  const sla = raw.sla as Record<string, unknown> | null | undefined;
  return {
    status,
    priority: (raw.priority as CasePriority | undefined) ?? 'normal',
    queue: (raw.queue as string | null | undefined) ?? null,
    assignee: (raw.assignee as string | null | undefined) ?? null,
    openedAt,
    updatedAt: fromJson(raw.updatedAt) ?? openedAt,
    openedBy: (raw.openedBy as string | null | undefined) ?? null,
    openingInteractionId: (raw.openingInteractionId as string | null | undefined) ?? null,
    firstResponseAt: fromJson(raw.firstResponseAt),
    agentReplies: typeof raw.agentReplies === 'number' ? raw.agentReplies : 0,
    // A case stored before this field existed and still open is waiting since it opened.
    awaitingSince:
      'awaitingSince' in raw
        ? fromJson(raw.awaitingSince)
        : OPEN_CASE_STATUSES.includes(status)
          ? openedAt
          : null,
    resolvedAt: fromJson(raw.resolvedAt),
    closedAt: fromJson(raw.closedAt),
    reopenCount: typeof raw.reopenCount === 'number' ? raw.reopenCount : 0,
    reopenedAt: fromJson(raw.reopenedAt),
    appliedThrough: typeof raw.appliedThrough === 'string' ? raw.appliedThrough : null,
    sla:
      sla && typeof sla === 'object'
        ? {
            policyId: String(sla.policyId),
            firstResponse: decodeClock(sla.firstResponse),
            nextResponse: decodeClock(sla.nextResponse),
            resolution: decodeClock(sla.resolution),
            history: Array.isArray(sla.history)
              ? sla.history.map((h: Record<string, unknown>) => ({
                  target: h.target as SlaTarget,
                  ...(decodeClock(h) as SlaClock),
                }))
              : [],
          }
        : null,
  };
}
