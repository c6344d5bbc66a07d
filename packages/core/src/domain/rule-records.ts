/** A customer's membership of a segment, with who added it. */
export interface SegmentMembership {
  tenantId: string;
  /** Segment id, such as `vip` (a slug chosen by the app or the rule). */
  segment: string;
  customerId: string;
  addedAt: Date;
  /** `rule:<id>@<version>`, `user:<id>`... */
  source: string;
}

/** What happened to one action of a fired rule. */
export interface RuleActionOutcome {
  /** Index of the action in the rule. */
  index: number;
  type: string;
  /**
   * `applied`; `pending` until an after-commit action (webhook, emit, reply) ran; `overridden`
   * by a higher-priority rule's conflicting action; `suppressed` by consent or preferences;
   * `skipped` when there was nothing to act on (e.g. no conversation); `failed`.
   */
  status: 'applied' | 'pending' | 'overridden' | 'suppressed' | 'skipped' | 'failed';
  detail?: string;
  error?: { code: string; message: string };
}

/** One firing of a rule, with every action's outcome. */
export interface RuleFiring {
  id: string;
  tenantId: string;
  ruleId: string;
  ruleVersion: number;
  /** The trigger: an event name, `custom:<name>`, or `timer:<event>` for time triggers. */
  trigger: string;
  customerId: string | null;
  conversationId: string | null;
  interactionId: string | null;
  actions: RuleActionOutcome[];
  firedAt: Date;
}

/** What a timer fires about: the event that started it. */
export interface RuleTimerSubject {
  event: string;
  customerId: string | null;
  conversationId: string | null;
  interactionId: string | null;
  /** When the starting event happened. */
  at: Date;
}

/** A pending time trigger, kept in storage so it survives restarts. */
export interface RuleTimer {
  id: string;
  tenantId: string;
  /** Unique per tenant: a new timer with the same key replaces the old one (restart semantics). */
  key: string;
  ruleId: string;
  ruleVersion: number;
  dueAt: Date;
  subject: RuleTimerSubject;
  createdAt: Date;
}
