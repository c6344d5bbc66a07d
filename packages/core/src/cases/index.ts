export {
  type Assignment,
  type AssignmentContext,
  assignmentSchema,
  parseAssignment,
  pickAgent,
} from './assignment.js';
export {
  ALWAYS_OPEN,
  addBusinessTime,
  type BusinessCalendar,
  businessCalendarHints,
  businessCalendarSchema,
  businessTimeBetween,
  parseBusinessCalendar,
  WEEKDAYS,
  type Weekday,
} from './business-calendar.js';
export {
  CASE_TRANSITIONS,
  type CustomerMessageOutcome,
  canTransitionCase,
  caseOnAgentReply,
  caseOnCustomerMessage,
  transitionCase,
} from './lifecycle.js';
export {
  type CaseMetricsGroupBy,
  type CaseMetricsOptions,
  type CaseMetricsRow,
  caseMetrics,
  type DurationStats,
  durationStats,
  type SlaAchievement,
} from './metrics.js';
export {
  CASE_PRIORITIES,
  nextSlaDeadlines,
  parseSlaPolicies,
  SLA_TARGETS,
  type SlaPolicy,
  type SlaSubject,
  type SlaTargets,
  selectSlaPolicy,
  slaBreach,
  slaOnAgentReply,
  slaOnCustomerMessage,
  slaOnReopened,
  slaOnResolved,
  slaPolicySchema,
  slaTargetMs,
  startSla,
} from './sla-policy.js';
