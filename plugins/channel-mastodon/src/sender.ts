import { ChannelError, type Clock, type OutboundMessage, type SendResult } from '@rapport/core';
import { z } from 'zod';
import type { MastodonApi } from './api.js';
import { channelError } from './errors.js';
import { htmlToText } from './html.js';
import { type ResolvedMastodonChannelOptions, type Visibility, visibilitySchema } from './options.js';
import { accountPayloadSchema, type StatusPayload, statusPayloadSchema } from './payloads.js';
import type { ThreadResolver } from './threads.js';

const outboundMessageSchema = z.looseObject({
  idempotencyKey: z.string().min(1),
  account: z.string(),
  to: z.looseObject({ externalId: z.string().min(1), handle: z.string().min(1).optional() }),
  inReplyTo: z.string().min(1).optional(),
  thread: z.string().min(1).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  text: z.string().refine((text) => text.trim().length > 0, 'is empty'),
});

type ValidMessage = z.infer<typeof outboundMessageSchema>;

/** Statuses per page when looking through our own statuses (Mastodon's maximum for statuses). */
const RECONCILE_PAGE = 40;
/** Pages `reconcile` reads at most, whatever the window. */
const RECONCILE_MAX_PAGES = 10;

function validMessage(message: OutboundMessage): ValidMessage {
  const parsed = outboundMessageSchema.safeParse(message);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw channelError(
      'permanent',
      `The outbound message is invalid at ${issue?.path.join('.') || 'its root'}: ${issue?.message ?? 'invalid'}`,
      parsed.error,
    );
  }
  return parsed.data;
}

function parseStatus(data: unknown, what: string): StatusPayload {
  const parsed = statusPayloadSchema.safeParse(data);
  if (!parsed.success) {
    throw channelError(
      'transient',
      `Mastodon answered ${what} with something that is not a status`,
      parsed.error,
    );
  }
  return parsed.data;
}

/** A visibility as Mastodon names it, or `direct` for what only forks know (`limited`, `local`...). */
function postableVisibility(value: string): Visibility {
  const parsed = visibilitySchema.safeParse(value);
  return parsed.success ? parsed.data : 'direct';
}

/** `@acct` without a leading `@`, as Mastodon's `acct` field spells it. */
function bareAcct(handle: string): string {
  return handle.replace(/^@+/, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Prefixes the recipient's mention unless the text already mentions them (Mastodon delivers by mention). */
export function composeStatusText(acct: string, text: string): string {
  const mention = `@${acct}`;
  const already = new RegExp(`(^|\\s)${escapeRegExp(mention)}(?=$|[\\s.,;:!?)])`, 'i');
  return already.test(text) ? text : `${mention} ${text}`;
}

/** Plain text for comparison: mentions in front removed, white space collapsed. */
function comparable(text: string): string {
  let rest = text.normalize('NFC').trim();
  for (;;) {
    const stripped = rest.replace(/^@[\p{L}\p{N}_.-]+(@[\p{L}\p{N}_.-]+)?[\s\u00a0]*/u, '');
    if (stripped === rest) break;
    rest = stripped;
  }
  return rest.replace(/\s+/g, ' ').trim();
}

/** Posts replies and direct messages, and finds them again after an ambiguous failure. */
export class Sender {
  constructor(
    private readonly api: MastodonApi,
    private readonly threads: ThreadResolver,
    private readonly options: ResolvedMastodonChannelOptions,
    private readonly selfId: string,
    private readonly clock: Clock,
  ) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    const valid = validMessage(message);
    let target: StatusPayload | undefined;
    const contextVisibility = valid.context?.visibility;
    let visibility: Visibility;
    if (typeof contextVisibility === 'string') {
      visibility = postableVisibility(contextVisibility);
    } else if (valid.inReplyTo) {
      target = await this.replyTarget(valid.inReplyTo);
      visibility = postableVisibility(target.visibility);
    } else {
      visibility = this.options.defaultVisibility;
    }
    const acct = await this.recipientAcct(valid, target);
    const spoilerText = valid.context?.spoilerText;
    const data = await this.api.createStatus(
      {
        status: composeStatusText(acct, valid.text),
        visibility,
        ...(valid.inReplyTo ? { inReplyToId: valid.inReplyTo } : {}),
        ...(typeof spoilerText === 'string' && spoilerText.length > 0 ? { spoilerText } : {}),
      },
      valid.idempotencyKey,
    );
    const status = parseStatus(data, 'the new status');
    const thread =
      valid.thread ??
      (valid.inReplyTo ? ((await this.threads.known(valid.inReplyTo)) ?? valid.inReplyTo) : status.id);
    await this.threads.remember(status.id, thread);
    return { externalId: status.id, sentAt: new Date(status.createdAt) };
  }

  /**
   * Looks through our recent statuses (within `reconcileWindowMs`) for one that answers the same
   * status with the same text. Mastodon does not show idempotency keys on statuses, so the text
   * and the reply target are what identify the message.
   */
  async reconcile(message: OutboundMessage): Promise<SendResult | null> {
    const valid = validMessage(message);
    const wanted = comparable(valid.text);
    const horizon = this.clock.now().getTime() - this.options.reconcileWindowMs;
    let maxId: string | undefined;
    for (let page = 0; page < RECONCILE_MAX_PAGES; page++) {
      const data = await this.api.accountStatuses(this.selfId, {
        ...(maxId ? { maxId } : {}),
        limit: RECONCILE_PAGE,
      });
      if (!Array.isArray(data)) return null;
      for (const raw of data) {
        const parsed = statusPayloadSchema.safeParse(raw);
        if (!parsed.success) continue;
        const status = parsed.data;
        if (Date.parse(status.createdAt) < horizon) return null;
        const sameTarget = valid.inReplyTo ? status.inReplyToId === valid.inReplyTo : true;
        if (sameTarget && comparable(htmlToText(status.content ?? '')) === wanted) {
          return { externalId: status.id, sentAt: new Date(status.createdAt) };
        }
      }
      const last = data.at(-1) as { id?: unknown } | undefined;
      if (data.length < RECONCILE_PAGE || typeof last?.id !== 'string') return null;
      maxId = last.id;
    }
    return null;
  }

  private async replyTarget(id: string): Promise<StatusPayload> {
    try {
      return parseStatus(await this.api.status(id), `status ${id}`);
    } catch (error) {
      if (error instanceof ChannelError && error.kind === 'permanent') {
        throw channelError(
          'permanent',
          `The status to reply to (${id}) does not exist or is hidden from us`,
          error,
        );
      }
      throw error;
    }
  }

  private async recipientAcct(message: ValidMessage, target: StatusPayload | undefined): Promise<string> {
    if (message.to.handle) return bareAcct(message.to.handle);
    if (target && target.account.id === message.to.externalId) return target.account.acct;
    const parsed = accountPayloadSchema.safeParse(await this.api.account(message.to.externalId));
    if (!parsed.success) {
      throw channelError(
        'transient',
        `Mastodon answered account ${message.to.externalId} with something unreadable`,
      );
    }
    return parsed.data.acct;
  }
}
