import { z } from 'zod';

/**
 * The JSON rule format. Everything here is plain JSON, so rules can live in files, a database or
 * a form, be diffed and reviewed, and be versioned. Shapes are checked here; what depends on the
 * registered operators and actions (names, values, regex safety, durations) is checked when the
 * rule set compiles, with the same error code and JSON paths.
 */

/** Rule ids: letters, digits, `_`, `.`, `:` or `-`, so they read well in logs and URLs. */
export const ruleIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'must be letters, digits, `_`, `.`, `:` or `-`');

/** A reference to a fact, usable wherever a value is: `{ "ref": "interaction.channel" }`. */
export const factRefSchema = z.object({ ref: z.string().min(1) }).strict();

/** A reference to a fact. */
export type FactRef = z.infer<typeof factRefSchema>;

/** A dotted path into the facts, such as `customer.attributes.tier` or `interaction.scores.sentiment`. */
export const factPathSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$:-]+)*$/, 'must be dot-separated names, such as `customer.tags`');

/** A comparison of one fact with a value. */
export interface FactCondition {
  path: string;
  operator: string;
  value?: unknown;
  /** For date operators with calendar durations: the IANA time zone days are counted in. */
  timeZone?: string;
}

/** An aggregate over the customer's interactions, compared with a value. */
export interface AggregateCondition {
  aggregate: {
    /** `count` of interactions, or `sum` / `avg` / `min` / `max` of a numeric `path`. */
    fn: 'count' | 'sum' | 'avg' | 'min' | 'max';
    /** Numeric path within an interaction, for sum/avg/min/max (e.g. `amount`). */
    path?: string;
    /** Only interactions that occurred this long before now (e.g. `24h`). Omit for all history. */
    within?: string;
    /** Only interactions matching this; paths are relative to each interaction, `ref` reaches the current facts. */
    where?: Condition;
  };
  operator: string;
  value?: unknown;
}

/** A condition tree: `all`, `any`, `not`, a fact condition, or an aggregate condition. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | FactCondition
  | AggregateCondition;

const factConditionSchema = z
  .object({
    path: factPathSchema,
    operator: z.string().min(1),
    value: z.unknown().optional(),
    timeZone: z.string().min(1).optional(),
  })
  .strict();

/** Schema of a condition tree (recursive). */
export const conditionSchema: z.ZodType<Condition, Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(conditionSchema) }).strict(),
    z.object({ any: z.array(conditionSchema) }).strict(),
    z.object({ not: conditionSchema }).strict(),
    factConditionSchema,
    z
      .object({
        aggregate: z
          .object({
            fn: z.enum(['count', 'sum', 'avg', 'min', 'max']),
            path: factPathSchema.optional(),
            within: z.string().min(1).optional(),
            where: conditionSchema.optional(),
          })
          .strict(),
        operator: z.string().min(1),
        value: z.unknown().optional(),
      })
      .strict(),
  ]),
);

/** Events a rule can be triggered by. `custom` means an event emitted by a rule's `emit` action. */
export const triggerEventNames = [
  'interaction.received',
  'interaction.updated',
  'customer.created',
  'customer.merged',
  'identity.linked',
  'conversation.started',
  'consent.recorded',
  'score.changed',
  'level.changed',
  'segment.entered',
  'segment.left',
  'case.opened',
  'case.updated',
  'custom',
] as const;

/** An event that can trigger rules. */
export type TriggerEventName = (typeof triggerEventNames)[number];

/**
 * When a rule runs:
 * - `{ "event": "interaction.received" }`: on every such event;
 * - `{ "event": "case.opened", "after": "30m" }`: 30 minutes after each case opened (a timer kept
 *   in storage, so it survives restarts); conditions are evaluated when the timer fires, against
 *   the facts of that moment;
 * - `per: "customer"` or `"conversation"`: one timer per customer or conversation, restarted by
 *   every new event (for "nothing happened for N");
 * - `{ "inactiveFor": "90d" }`: fires when a customer has sent nothing inbound for 90 days.
 */
export const triggerSchema = z.union([
  z
    .object({
      event: z.enum(triggerEventNames),
      /** For `custom`: the name given to `emit`. */
      name: z.string().min(1).max(128).optional(),
      after: z.string().min(1).optional(),
      per: z.enum(['occurrence', 'customer', 'conversation']).optional(),
    })
    .strict(),
  z.object({ inactiveFor: z.string().min(1) }).strict(),
]);

/** A rule trigger. */
export type Trigger = z.infer<typeof triggerSchema>;

/** A value or a reference to a fact. */
const valueOrRef = z.unknown();

/** The actions every Rapport knows. Plugins add more (see `RuleAction`). */
export const builtInActionSchemas = {
  tag: z.object({ type: z.literal('tag'), tag: z.string().min(1).max(128) }).strict(),
  untag: z.object({ type: z.literal('untag'), tag: z.string().min(1).max(128) }).strict(),
  addToSegment: z.object({ type: z.literal('addToSegment'), segment: z.string().min(1).max(128) }).strict(),
  removeFromSegment: z
    .object({ type: z.literal('removeFromSegment'), segment: z.string().min(1).max(128) })
    .strict(),
  setAttribute: z
    .object({
      type: z.literal('setAttribute'),
      name: z.string().min(1).max(128),
      /** A JSON value, or `{ "ref": "path" }` to copy a fact. */
      value: valueOrRef,
    })
    .strict(),
  openCase: z
    .object({
      type: z.literal('openCase'),
      priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
      queue: z.string().min(1).max(128).optional(),
    })
    .strict(),
  assignCase: z.object({ type: z.literal('assignCase'), assignee: z.string().min(1).max(256) }).strict(),
  setPriority: z
    .object({ type: z.literal('setPriority'), priority: z.enum(['low', 'normal', 'high', 'urgent']) })
    .strict(),
  routeToQueue: z.object({ type: z.literal('routeToQueue'), queue: z.string().min(1).max(128) }).strict(),
  reply: z
    .object({
      type: z.literal('reply'),
      /** Text with `{{path}}` placeholders filled from the facts, e.g. `Hi {{customer.displayName}}`. */
      template: z.string().min(1).max(10_000),
      /** Consent purpose that must not be denied or revoked on the channel (default `support`). */
      purpose: z.string().min(1).max(128).optional(),
    })
    .strict(),
  emit: z
    .object({
      type: z.literal('emit'),
      /** Name of the custom event; rules trigger on it with `{ "event": "custom", "name": … }`. */
      event: z.string().min(1).max(128),
      payload: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
  webhook: z
    .object({
      type: z.literal('webhook'),
      url: z.url({ protocol: /^https?$/ }),
      /** When set, the body is signed: `webhook-signature: v1,<base64 HMAC-SHA256>` over `id.timestamp.body`. */
      secret: z.string().min(16).optional(),
      headers: z.record(z.string(), z.string()).optional(),
      timeoutMs: z.number().int().min(100).max(60_000).optional(),
    })
    .strict(),
  awardPoints: z
    .object({
      type: z.literal('awardPoints'),
      points: z.number().int().min(-1_000_000).max(1_000_000),
      reason: z.string().max(256).optional(),
    })
    .strict(),
} as const;

/** Names of the built-in actions. */
export type BuiltInActionType = keyof typeof builtInActionSchemas;

/** A built-in action. */
export type BuiltInAction = z.infer<(typeof builtInActionSchemas)[BuiltInActionType]>;

/** An action: a built-in one, or one registered by a plugin (`type` plus its own options). */
export type RuleAction = BuiltInAction | ({ type: string } & Record<string, unknown>);

/** Shape of every action before its own schema is applied. */
const actionShapeSchema = z.looseObject({ type: z.string().min(1) });

/** Schema of a rule as written. */
export const ruleInputSchema = z
  .object({
    id: ruleIdSchema,
    name: z.string().min(1).max(256),
    description: z.string().max(4096).optional(),
    /** Bumped on every change; firings record it. */
    version: z.number().int().min(1).default(1),
    enabled: z.boolean().default(true),
    /** Higher runs first; conflicting actions resolve in favour of the higher priority (then the id). */
    priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
    /** When this rule fires, rules of lower priority are not evaluated for the same trigger. */
    stopProcessing: z.boolean().default(false),
    trigger: triggerSchema,
    conditions: conditionSchema.default({ all: [] }),
    actions: z.array(actionShapeSchema).min(1).max(64),
  })
  .strict();

/** A rule as written (defaults optional). */
export type RuleInput = z.input<typeof ruleInputSchema>;

/** A rule with its defaults filled in. */
export type Rule = Omit<z.output<typeof ruleInputSchema>, 'actions'> & { actions: RuleAction[] };

/** A rule file: an array of rules, or `{ "rules": [...] }`. */
export const ruleFileSchema = z.union([z.array(z.unknown()), z.looseObject({ rules: z.array(z.unknown()) })]);

/** Hints for rule fields, keyed by dotted path without indexes. */
export const ruleHints = {
  id: 'give the rule a stable id such as `escalate-angry-vip`',
  version: 'use a whole number from 1, and bump it whenever the rule changes',
  trigger:
    'use `{ "event": "interaction.received" }`, `{ "event": "case.opened", "after": "30m" }` or `{ "inactiveFor": "90d" }`',
  conditions:
    'use `{ "all": [...] }`, `{ "any": [...] }`, `{ "not": {...} }`, `{ "path", "operator", "value" }` or `{ "aggregate", "operator", "value" }`',
  actions: 'give at least one action, such as `{ "type": "tag", "tag": "vip" }`',
} as const;
