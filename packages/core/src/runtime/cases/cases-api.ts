import { z } from 'zod';
import { transitionCase } from '../../cases/lifecycle.js';
import { type CaseMetricsGroupBy, type CaseMetricsRow, caseMetrics } from '../../cases/metrics.js';
import { slaOnReopened, slaOnResolved } from '../../cases/sla-policy.js';
import { type CaseState, type CaseStatus, isCaseOpen, newCase } from '../../domain/case.js';
import type { Conversation } from '../../domain/conversation.js';
import type { Interaction } from '../../domain/interaction.js';
import type { OutboxMessage } from '../../domain/outbox.js';
import { RapportError } from '../../errors/rapport-error.js';
import { parseOrThrow } from '../../errors/validation.js';
import { PendingEvents, type RapportEventEmitter } from '../../events/events.js';
import type { Clock } from '../../plugins/plugin.js';
import type { Page, PageRequest, StorageReader, UnitOfWork } from '../../plugins/storage.js';
import { parseTemplate, renderTemplate } from '../../rules/actions.js';
import type { OutboxSender } from '../outbox/outbox-sender.js';
import type { CaseStage } from './case-stage.js';

const statuses = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
const priorities = ['low', 'normal', 'high', 'urgent'] as const;

const caseChangeSchema = z.strictObject({
  status: z.enum(statuses).optional(),
  priority: z.enum(priorities).optional(),
  queue: z.string().min(1).max(128).nullable().optional(),
  assignee: z.string().min(1).max(256).nullable().optional(),
});

/** Changes to a case; absent fields stay as they are, null clears queue or assignee. */
export type CaseChange = z.input<typeof caseChangeSchema>;

const openSchema = z.strictObject({
  priority: z.enum(priorities).optional(),
  queue: z.string().min(1).max(128).optional(),
  assignee: z.string().min(1).max(256).optional(),
  by: z.string().min(1).max(256).optional(),
});

/** How a case is opened by hand. */
export type OpenCaseInput = z.input<typeof openSchema>;

const replySchema = z.union([
  z.strictObject({ text: z.string().min(1).max(100_000), subject: z.string().max(998).optional() }),
  z.strictObject({
    template: z.string().min(1).max(100_000),
    params: z.record(z.string(), z.unknown()).optional(),
    subject: z.string().max(998).optional(),
  }),
]);

/** What a reply says: plain text, or a template with `{{path}}` placeholders and params. */
export type ReplyBody = z.input<typeof replySchema>;

const replyOptionsSchema = z.strictObject({
  /** Who writes: `user:<id>`. */
  author: z.string().min(1).max(256).optional(),
  idempotencyKey: z.string().min(1).max(256).optional(),
});

/** Who replies, and the key that makes a repeated request send once. */
export type ReplyOptions = z.input<typeof replyOptionsSchema>;

/** Filters for listing cases. */
export interface CaseListFilter {
  status?: readonly CaseStatus[];
  queue?: string;
  assignee?: string;
  channel?: string;
  customerId?: string;
}

/** What the cases API needs from the runtime. */
export interface CasesApiDeps {
  read(tenantId: string): StorageReader;
  unitOfWork<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  emitter: RapportEventEmitter;
  clock: Clock;
  assertStarted(): void;
  stage(): CaseStage | null;
  outbox(): OutboxSender | null;
  /** Days after resolution within which a reopen spoils first contact resolution. */
  fcrReopenWindowDays: number;
}

/**
 * Cases of one tenant: a case is the ownership of a conversation that needs an answer
 * (`conversation.case`). Open, assign, move through statuses, reply on the originating channel
 * through the outbox, and measure.
 */
export class CasesApi {
  constructor(
    private readonly tenantId: string,
    private readonly deps: CasesApiDeps,
  ) {}

  /** The conversation of a case (with `case`), or null when there is no such conversation. */
  async get(conversationId: string): Promise<Conversation | null> {
    this.deps.assertStarted();
    return this.deps.read(this.tenantId).getConversation(conversationId);
  }

  /** Conversations with a case, most recently active first, keyset paged. */
  async list(filter: CaseListFilter = {}, page: Partial<PageRequest> = {}): Promise<Page<Conversation>> {
    this.deps.assertStarted();
    return this.deps.read(this.tenantId).listConversations(
      {
        hasCase: true,
        ...(filter.status ? { caseStatus: filter.status } : {}),
        ...(filter.queue !== undefined ? { queue: filter.queue } : {}),
        ...(filter.assignee !== undefined ? { assignee: filter.assignee } : {}),
        ...(filter.channel !== undefined ? { channel: filter.channel } : {}),
        ...(filter.customerId !== undefined ? { customerId: filter.customerId } : {}),
      },
      { limit: page.limit ?? 50, cursor: page.cursor ?? null },
    );
  }

  /** Opens a case on a conversation by hand (its SLA and assignment apply as for any new case). */
  async open(conversationId: string, input: OpenCaseInput = {}): Promise<Conversation> {
    const options = parseOrThrow(openSchema, input, 'RAPPORT_INVALID_INPUT', 'case');
    return this.change(conversationId, async (uow, conversation) => {
      if (isCaseOpen(conversation.case)) {
        throw new RapportError(
          'RAPPORT_INVALID_INPUT',
          `Conversation ${conversationId} already has an open case`,
          {
            path: ['conversationId'],
            hint: 'update the open case instead, or resolve it first',
          },
        );
      }
      const opened = newCase(this.deps.clock.now(), {
        priority: options.priority,
        queue: options.queue ?? null,
        assignee: options.assignee ?? null,
        openedBy: options.by ?? null,
      });
      return {
        next: (await this.deps.stage()?.prepare(uow, conversation, opened)) ?? opened,
        opened: true,
      };
    });
  }

  /** Changes a case's status, priority, queue or assignee; a status must be reachable from the current one. */
  async update(conversationId: string, input: CaseChange): Promise<Conversation> {
    const change = parseOrThrow(caseChangeSchema, input, 'RAPPORT_INVALID_INPUT', 'case change');
    return this.change(conversationId, async (_uow, conversation) => {
      const current = conversation.case;
      if (!current) {
        throw new RapportError('RAPPORT_NOT_FOUND', `Conversation ${conversationId} has no case`, {
          path: ['conversationId'],
          hint: 'open one first with cases.open()',
        });
      }
      const now = this.deps.clock.now();
      let next: CaseState = { ...current };
      if (change.status !== undefined && change.status !== current.status) {
        next = transitionCase(next, change.status, now);
        if (next.sla && (change.status === 'resolved' || change.status === 'closed') && !current.resolvedAt)
          next = slaOnResolved(next, now);
        if (current.status === 'resolved' && change.status === 'open') {
          const policy = this.deps.stage()?.policyOf(next);
          if (policy) next = slaOnReopened(next, policy, now);
        }
      }
      if (change.priority !== undefined) next.priority = change.priority;
      if (change.queue !== undefined) next.queue = change.queue;
      if (change.assignee !== undefined) next.assignee = change.assignee;
      next.updatedAt = now;
      return { next, opened: false, from: current.status };
    });
  }

  /** Assigns the case to an agent (null unassigns). */
  assign(conversationId: string, assignee: string | null): Promise<Conversation> {
    return this.update(conversationId, { assignee });
  }

  /** Moves the case to a status (new → open → pending → resolved → closed; resolved → open reopens). */
  setStatus(conversationId: string, status: CaseStatus): Promise<Conversation> {
    return this.update(conversationId, { status });
  }

  /**
   * Replies on the conversation's channel, threaded under the customer's latest message: the
   * reply is queued in the durable outbox (sent at most once, retried with back-off) and, once
   * sent, stored as an outbound interaction, which records the response on the case.
   */
  async reply(conversationId: string, body: ReplyBody, options: ReplyOptions = {}): Promise<OutboxMessage> {
    const parsedBody = parseOrThrow(replySchema, body, 'RAPPORT_INVALID_INPUT', 'reply');
    const parsedOptions = parseOrThrow(replyOptionsSchema, options, 'RAPPORT_INVALID_INPUT', 'reply options');
    this.deps.assertStarted();
    const outbox = this.deps.outbox();
    if (!outbox) throw new RapportError('RAPPORT_NOT_STARTED', 'The outbox is not running');
    const reader = this.deps.read(this.tenantId);
    const conversation = await reader.getConversation(conversationId);
    if (!conversation) throw notFound(conversationId);
    const last = await lastCustomerMessage(reader, conversationId);
    if (!last) {
      throw new RapportError(
        'RAPPORT_INVALID_INPUT',
        `Conversation ${conversationId} has no customer message to reply to`,
        {
          path: ['conversationId'],
          hint: 'a reply goes to the customer who wrote in the conversation',
        },
      );
    }
    const customer = last.customerId ? ((await reader.getCustomers([last.customerId]))[0] ?? null) : null;
    const text =
      'text' in parsedBody
        ? parsedBody.text
        : renderTemplate(parseTemplate(parsedBody.template), {
            customer,
            conversation,
            case: conversation.case,
            interaction: last,
            params: parsedBody.params ?? {},
          });
    return outbox.enqueue({
      tenantId: this.tenantId,
      channel: conversation.channel,
      account: conversation.account,
      conversationId,
      customerId: last.customerId,
      author: parsedOptions.author ?? null,
      ...(parsedOptions.idempotencyKey ? { idempotencyKey: parsedOptions.idempotencyKey } : {}),
      payload: {
        to: { externalId: last.actorExternalId, ...(last.actorHandle ? { handle: last.actorHandle } : {}) },
        inReplyTo: last.externalId,
        thread: conversation.externalId,
        context: last.metadata,
        ...(parsedBody.subject ? { subject: parsedBody.subject } : {}),
        text,
      },
    });
  }

  /** The outbox messages of a conversation, newest first. */
  async replies(conversationId: string, page: Partial<PageRequest> = {}): Promise<Page<OutboxMessage>> {
    this.deps.assertStarted();
    return this.deps
      .read(this.tenantId)
      .listOutbox({ conversationId }, { limit: page.limit ?? 50, cursor: page.cursor ?? null });
  }

  /**
   * Case metrics per channel, queue or agent (see docs/cases.md for the definitions): first
   * response time, resolution time, SLA achievement, reopen rate, first contact resolution.
   */
  async metrics(
    options: { groupBy?: CaseMetricsGroupBy; filter?: CaseListFilter } = {},
  ): Promise<CaseMetricsRow[]> {
    const cases: Array<{ conversation: Conversation }> = [];
    let cursor: string | null = null;
    do {
      const page: Page<Conversation> = await this.list(options.filter ?? {}, { limit: 1000, cursor });
      for (const conversation of page.items) cases.push({ conversation });
      cursor = page.nextCursor;
    } while (cursor);
    return caseMetrics(cases, {
      groupBy: options.groupBy ?? 'none',
      fcrReopenWindowDays: this.deps.fcrReopenWindowDays,
      now: this.deps.clock.now(),
    });
  }

  private async change(
    conversationId: string,
    decide: (
      uow: UnitOfWork,
      conversation: Conversation,
    ) => Promise<{ next: CaseState; opened: boolean; from?: CaseStatus }>,
  ): Promise<Conversation> {
    this.deps.assertStarted();
    const events = new PendingEvents(this.deps.emitter);
    const result = await this.deps.unitOfWork(this.tenantId, async (uow) => {
      const conversation = await uow.getConversation(conversationId);
      if (!conversation) throw notFound(conversationId);
      const { next, opened, from } = await decide(uow, conversation);
      const updated = { ...conversation, case: next };
      await uow.updateConversationCases([{ id: conversationId, case: next }]);
      await this.deps.stage()?.scheduleSla(uow, this.tenantId, updated);
      const tenantId = this.tenantId;
      if (opened) events.add('case.opened', () => ({ tenantId, conversation: updated }));
      else events.add('case.updated', () => ({ tenantId, conversation: updated }));
      if (from !== undefined && from !== next.status) {
        events.add('case.status.changed', () => ({
          tenantId,
          conversation: updated,
          from,
          to: next.status,
          reopened: from === 'resolved' && next.status === 'open',
        }));
      }
      return updated;
    });
    events.flush();
    return result;
  }
}

function notFound(conversationId: string): RapportError {
  return new RapportError('RAPPORT_NOT_FOUND', `No conversation ${conversationId}`, {
    path: ['conversationId'],
    hint: 'use the id of a conversation of this tenant',
  });
}

/** The latest inbound interaction of a conversation (conversations are short: read them through). */
async function lastCustomerMessage(
  reader: StorageReader,
  conversationId: string,
): Promise<Interaction | null> {
  let last: Interaction | null = null;
  let cursor: string | null = null;
  do {
    const page: Page<Interaction> = await reader.conversationInteractions(conversationId, {
      limit: 500,
      cursor,
    });
    for (const i of page.items) if (i.direction === 'inbound') last = i;
    cursor = page.nextCursor;
  } while (cursor);
  return last;
}
