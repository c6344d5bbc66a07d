import {
  currencySchema,
  directionSchema,
  type ErrorPath,
  externalIdSchema,
  type InteractionInput,
  identityInputSchema,
  interactionHints,
  interactionInputSchema,
  interactionKindSchema,
  itemRefSchema,
  metadataSchema,
  RapportError,
  timestampSchema,
  toJsonPath,
  toValidationIssues,
  type ValidationIssue,
} from '@rapport/core';
import { z } from 'zod';

/** The most items one delivery may carry; larger batches are split by the sender. */
export const MAX_ITEMS_PER_DELIVERY = 1000;

/**
 * One item in an inbound delivery: an interaction as Rapport ingests it, without `channel` (the
 * channel's own id is used) and with defaults for what a simple sender leaves out. Strict, so a
 * misspelt field is reported instead of lost; anything of your own goes under `metadata`.
 *
 * ```json
 * { "externalId": "order-1042", "kind": "purchase", "amount": 59.9, "currency": "EUR",
 *   "occurredAt": "2024-05-01T12:00:00Z", "actor": { "externalId": "cust-7", "email": "ana@example.com" } }
 * ```
 */
export const webhookItemSchema = z
  .object({
    /** The sender's id for the item: resending it changes nothing. */
    externalId: externalIdSchema,
    /** Defaults to the channel's `account` option. */
    account: z.string().min(1).max(256).optional(),
    /** Content version for editable items; a higher version replaces the stored one. */
    version: z.number().int().nonnegative().optional(),
    /** `inbound` (from the customer, the default) or `outbound` (from the organization). */
    direction: directionSchema.default('inbound'),
    /** `message` by default; any built-in or lower-case custom kind. */
    kind: interactionKindSchema.default('message'),
    effort: z.enum(['signal', 'contribution', 'transaction']).optional(),
    text: z.string().max(1_000_000).optional(),
    language: z.string().min(2).max(35).optional(),
    /** ISO 8601 or epoch milliseconds; defaults to the delivery's `webhook-timestamp`. */
    occurredAt: timestampSchema.optional(),
    /** Who did it: the customer for inbound items. */
    actor: identityInputSchema,
    recipient: identityInputSchema.optional(),
    thread: itemRefSchema.optional(),
    parent: itemRefSchema.optional(),
    amount: z.number().finite().optional(),
    currency: currencySchema.optional(),
    referred: identityInputSchema.optional(),
    metadata: metadataSchema.optional(),
  })
  .strict();

/** One item of an inbound delivery, as the sender writes it. */
export type WebhookItem = z.input<typeof webhookItemSchema>;

/**
 * The body of an inbound delivery: one item, or `{ "items": [...] }` with 1 to
 * {@link MAX_ITEMS_PER_DELIVERY} items.
 */
export type WebhookPayload = WebhookItem | { items: WebhookItem[] };

/** What the item conversion needs to know about the delivery and the channel. */
export interface ItemDefaults {
  channel: string;
  account: string;
  /** Used when an item has no `occurredAt`. */
  occurredAt: Date;
  plugin: string;
}

/**
 * Turns a decoded JSON body into interaction inputs, checking every item against
 * {@link webhookItemSchema} and then against the core interaction schema (a purchase needs an
 * amount...). Every problem of every item is reported at once, with paths such as
 * `$.items[3].actor.externalId`.
 *
 * @throws RapportError `RAPPORT_INVALID_INTERACTION` listing every issue.
 */
export function itemsFromPayload(payload: unknown, defaults: ItemDefaults): InteractionInput[] {
  const batch = isObject(payload) && 'items' in payload;
  if (batch) {
    const extra = Object.keys(payload).filter((key) => key !== 'items');
    if (extra.length > 0) {
      throw invalid(
        defaults.plugin,
        [
          {
            path: [extra[0]!],
            message: `unknown key \`${extra[0]}\` next to items`,
            hint: 'a batch is `{ "items": [...] }` and nothing else',
          },
        ],
        'Invalid webhook batch',
      );
    }
  }
  const raw = batch ? (payload as { items: unknown }).items : payload;
  if (batch) {
    if (!Array.isArray(raw)) {
      throw invalid(
        defaults.plugin,
        [{ path: ['items'], message: 'items is not an array', hint: 'give `items` as an array of items' }],
        'Invalid webhook batch',
      );
    }
    if (raw.length === 0 || raw.length > MAX_ITEMS_PER_DELIVERY) {
      throw invalid(
        defaults.plugin,
        [
          {
            path: ['items'],
            message: `items holds ${raw.length} items`,
            hint: `send between 1 and ${MAX_ITEMS_PER_DELIVERY} items per delivery`,
          },
        ],
        'Invalid webhook batch',
      );
    }
  }
  const entries: Array<{ value: unknown; prefix: ErrorPath }> = batch
    ? (raw as unknown[]).map((value, index) => ({ value, prefix: ['items', index] }))
    : [{ value: raw, prefix: [] }];

  const issues: ValidationIssue[] = [];
  const items: InteractionInput[] = [];
  for (const { value, prefix } of entries) {
    const item = webhookItemSchema.safeParse(value);
    if (!item.success) {
      issues.push(...toValidationIssues(item.error, interactionHints, prefix));
      continue;
    }
    const { account, occurredAt, ...rest } = item.data;
    const input: InteractionInput = {
      ...rest,
      channel: defaults.channel,
      account: account ?? defaults.account,
      occurredAt: occurredAt ?? defaults.occurredAt,
    };
    // The core schema also checks what spans fields (a purchase's amount, a referral's person).
    const checked = interactionInputSchema.safeParse(input);
    if (!checked.success) {
      issues.push(...toValidationIssues(checked.error, interactionHints, prefix));
      continue;
    }
    items.push(input);
  }
  if (issues.length > 0) {
    throw invalid(defaults.plugin, issues, batch ? 'Invalid webhook items' : 'Invalid webhook item');
  }
  return items;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `RAPPORT_INVALID_INTERACTION` listing every issue, the first one in the message. */
export function invalid(
  plugin: string,
  issues: Array<Omit<ValidationIssue, 'jsonPath'> & { jsonPath?: string }>,
  what: string,
  cause?: unknown,
): RapportError {
  const full: ValidationIssue[] = issues.map((issue) => ({
    ...issue,
    jsonPath: issue.jsonPath ?? toJsonPath(issue.path),
  }));
  const first = full[0]!;
  const more = full.length > 1 ? ` (and ${full.length - 1} more)` : '';
  return new RapportError(
    'RAPPORT_INVALID_INTERACTION',
    `${what} at ${first.jsonPath}: ${first.message}${more}`,
    {
      path: first.path,
      hint: first.hint,
      issues: full,
      plugin,
      cause,
    },
  );
}
