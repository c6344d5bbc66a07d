import { deriveEffort } from '../domain/effort.js';
import { interactionHints, interactionInputSchema } from '../domain/interaction.js';
import { RapportError } from '../errors/rapport-error.js';
import { validationError } from '../errors/validation.js';
import type { HistoryItem } from './conditions.js';
import type { CustomerFacts, InteractionFacts, RuleFacts } from './facts.js';
import { describeTrigger, type RuleSet } from './rule-set.js';

/** One replayed event: facts as they were, when it happened, and whose history it extends. */
export interface ReplayEvent {
  /** Where it came from, for the report: an interaction id, `line 12`... */
  ref: string;
  /** When it happened (epoch ms): the evaluation's `now`. */
  at: number;
  facts: RuleFacts;
  /** Aggregates read this customer's earlier items; null when unknown. */
  customerKey: string | null;
  /** What aggregates see of this event later (usually the interaction facts). */
  historyItem: HistoryItem | null;
}

/** A source item that could not be replayed. */
export interface ReplayRejection {
  ref: string;
  error: RapportError;
}

/** A replay source yields events, or rejections for items it could not read. */
export type ReplaySource = AsyncIterable<ReplayEvent | ReplayRejection>;

/** What one rule would have done over the replay. */
export interface RuleBacktest {
  id: string;
  version: number;
  name: string;
  trigger: string;
  /** False for rules the replay cannot exercise (timers, events other than `interaction.received`). */
  replayed: boolean;
  fired: number;
  /** Fired / evaluated. */
  rate: number;
  /** The first firings, to look at. */
  samples: Array<{ ref: string; at: string; customerKey: string | null }>;
}

/** Result of a backtest. */
export interface BacktestReport {
  event: string;
  evaluated: number;
  /** Items that could not be replayed, all counted. */
  rejectedCount: number;
  /** The first of them (see `maxRejections`). */
  rejected: ReplayRejection[];
  firstAt: string | null;
  lastAt: string | null;
  rules: RuleBacktest[];
  durationMs: number;
}

/** Options of {@link backtest}. */
export interface BacktestOptions {
  /** Samples kept per rule (default 5). */
  samples?: number;
  /** Rejections kept in the report (default 100; all are counted). */
  maxRejections?: number;
}

const REPLAYED_EVENT = 'interaction.received';

/**
 * Replays events through a rule set as a dry run: nothing is written, no action runs. Each
 * event is evaluated at its own time, with aggregates over the same customer's earlier events
 * in the replay, so "3 negative messages in 24 hours" counts what had happened by then. Events
 * should come oldest first. Rules on other triggers are listed as not replayed.
 */
export async function backtest(
  ruleSet: RuleSet,
  source: ReplaySource,
  options: BacktestOptions = {},
): Promise<BacktestReport> {
  const started = performance.now();
  const sampleCount = options.samples ?? 5;
  const maxRejections = options.maxRejections ?? 100;
  const rules = ruleSet.eventRules(REPLAYED_EVENT);
  const windowMs = ruleSet.historyMs(rules);
  const results = new Map<string, RuleBacktest>();
  for (const rule of ruleSet.rules) {
    const replayed = rule.enabled && rule.trigger.kind === 'event' && rule.trigger.key === REPLAYED_EVENT;
    results.set(rule.id, {
      id: rule.id,
      version: rule.version,
      name: rule.name,
      trigger: describeTrigger(rule.definition.trigger),
      replayed,
      fired: 0,
      rate: 0,
      samples: [],
    });
  }
  const histories = new Map<string, HistoryItem[]>();
  const rejected: ReplayRejection[] = [];
  let rejectedCount = 0;
  let evaluated = 0;
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  for await (const item of source) {
    if ('error' in item) {
      rejectedCount++;
      if (rejected.length < maxRejections) rejected.push(item);
      continue;
    }
    evaluated++;
    firstAt ??= item.at;
    lastAt = item.at;
    let history: HistoryItem[] | undefined;
    if (windowMs >= 0 && item.customerKey !== null) {
      history = histories.get(item.customerKey);
      if (!history) {
        history = [];
        histories.set(item.customerKey, history);
      }
      if (item.historyItem) history.push(item.historyItem);
      // Keep only what a window can still reach (all of it for windowless aggregates).
      if (Number.isFinite(windowMs) && history.length > 64) {
        const cutoff = item.at - windowMs;
        const keep = history.filter((h) => new Date(h.occurredAt).getTime() >= cutoff);
        histories.set(item.customerKey, keep);
        history = keep;
      }
    }
    for (const rule of ruleSet.match(REPLAYED_EVENT, item.facts, item.at, history)) {
      const result = results.get(rule.id)!;
      result.fired++;
      if (result.samples.length < sampleCount) {
        result.samples.push({
          ref: item.ref,
          at: new Date(item.at).toISOString(),
          customerKey: item.customerKey,
        });
      }
    }
  }
  for (const result of results.values()) result.rate = evaluated === 0 ? 0 : result.fired / evaluated;
  return {
    event: REPLAYED_EVENT,
    evaluated,
    rejectedCount,
    rejected,
    firstAt: firstAt === null ? null : new Date(firstAt).toISOString(),
    lastAt: lastAt === null ? null : new Date(lastAt).toISOString(),
    rules: [...results.values()],
    durationMs: performance.now() - started,
  };
}

/** Customer facts for a replayed item known only by its actor. */
function actorCustomer(key: string, handle: string | null, at: Date): CustomerFacts {
  return {
    id: key,
    tenantId: '',
    displayName: handle,
    primaryEmail: null,
    attributes: {},
    tags: [],
    status: 'active',
    mergedInto: null,
    createdAt: at,
    updatedAt: at,
    segments: [],
    scores: {},
    consent: {},
  };
}

/**
 * Reads JSON lines for a backtest. A line is either an interaction as ingested (the
 * `InteractionInput` format; its customer is known only by its identity, the actor of an
 * inbound item or the recipient of an outbound one, with no tags or attributes) or a facts object with an `interaction` key (and `customer`, `conversation`…),
 * replayed as given. Bad lines come back as rejections with their line number, code and path.
 */
export async function* jsonlReplay(lines: AsyncIterable<string> | Iterable<string>): ReplaySource {
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    const ref = `line ${number}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      yield {
        ref,
        error: validationErrorFromText(`Line ${number} is not JSON: ${(cause as Error).message}`),
      };
      continue;
    }
    if (typeof value === 'object' && value !== null && 'interaction' in value) {
      const facts = value as RuleFacts & { interaction: Record<string, unknown> };
      const at = Date.parse(String(facts.interaction.occurredAt));
      if (Number.isNaN(at)) {
        yield {
          ref,
          error: validationErrorFromText(`Line ${number}: interaction.occurredAt is not a date`, [
            'interaction',
            'occurredAt',
          ]),
        };
        continue;
      }
      const customer = facts.customer as { id?: unknown } | null | undefined;
      yield {
        ref,
        at,
        facts,
        customerKey: typeof customer?.id === 'string' ? customer.id : null,
        historyItem: facts.interaction as unknown as HistoryItem,
      };
      continue;
    }
    const parsed = interactionInputSchema.safeParse(value);
    if (!parsed.success) {
      yield {
        ref,
        error: validationError(
          'RAPPORT_INVALID_INTERACTION',
          `interaction on line ${number}`,
          parsed.error,
          interactionHints,
        ),
      };
      continue;
    }
    const input = parsed.data;
    // As ingestion does: the customer of an outbound item is its recipient (none when it has none).
    const side = input.direction === 'inbound' ? input.actor : input.recipient;
    const customerKey = side ? `${input.channel}:${side.externalId}` : null;
    const interaction: InteractionFacts = {
      id: `${input.channel}:${input.account}:${input.externalId}`,
      tenantId: input.tenant ?? '',
      channel: input.channel,
      account: input.account,
      externalId: input.externalId,
      version: input.version ?? 0,
      direction: input.direction,
      kind: input.kind,
      effort: input.effort ?? deriveEffort(input.kind, input.text),
      text: input.text ?? null,
      language: input.language ?? null,
      occurredAt: input.occurredAt,
      receivedAt: input.receivedAt ?? input.occurredAt,
      customerId: customerKey,
      identityId: null,
      actorExternalId: input.actor.externalId,
      actorHandle: input.actor.handle ?? null,
      conversationId: null,
      thread: input.thread ?? null,
      parent: input.parent ?? null,
      amount: input.amount ?? null,
      currency: input.currency ?? null,
      referredIdentityId: null,
      referredCustomerId: null,
      scores: [],
      metadata: input.metadata ?? {},
      score: {},
    };
    yield {
      ref,
      at: input.occurredAt.getTime(),
      facts: {
        event: { name: REPLAYED_EVENT, at: input.occurredAt },
        interaction,
        customer:
          side && customerKey ? actorCustomer(customerKey, side.handle ?? null, input.occurredAt) : null,
        conversation: null,
      },
      customerKey,
      historyItem: interaction,
    };
  }
}

function validationErrorFromText(message: string, path: Array<string | number> = []): RapportError {
  return new RapportError('RAPPORT_INVALID_INPUT', message, {
    path,
    hint: 'write one JSON object per line: an interaction, or facts with an `interaction` key',
  });
}
