import {
  CHANNEL_SPEC_VERSION,
  type ChannelBatch,
  type ChannelCapabilities,
  type ChannelConnection,
  type ChannelContext,
  type ChannelPlugin,
  type Clock,
  type Logger,
  type OutboundMessage,
  type SendResult,
} from '@rapport/core';
import { createTransport } from 'nodemailer';
import { z } from 'zod';
import { version } from '../package.json';
import { type MailboxCursor, parseCursor } from './cursor.js';
import { channelError, imapFailure, PLUGIN, smtpFailure } from './errors.js';
import { ImapSession, mailboxEnd, type ReadContext, readMailbox } from './imap.js';
import {
  EMAIL_SECRETS,
  type EmailChannelOptions,
  emailChannelOptionsSchema,
  parseEmailChannelOptions,
  type ResolvedEmailChannelOptions,
} from './options.js';
import { composeMessage, emailMessageId, replySubject, threadRefs } from './reply.js';
import { appendSent, findSent } from './sent.js';

const DAY_MS = 86_400_000;

/** What the email channel can do. */
export const EMAIL_CAPABILITIES: ChannelCapabilities = Object.freeze({
  inbound: Object.freeze(['stream', 'poll'] as const),
  backfill: Object.freeze({ supported: true }),
  outbound: Object.freeze(['reply', 'message'] as const),
  // SMTP has no idempotency of its own: a deterministic Message-ID plus `reconcile` stand in.
  nativeIdempotency: false,
  mutableItems: false,
});

/** The channel plugin made by {@link emailChannel}. */
export interface EmailChannelPlugin extends ChannelPlugin {
  readonly id: 'email';
  /** The validated options, defaults filled in. */
  readonly options: Readonly<ResolvedEmailChannelOptions>;
  init(context: ChannelContext): Promise<EmailConnection>;
}

/** What `send` accepts, checked before anything goes out. */
const outboundSchema = z.object({
  idempotencyKey: z.string().min(1),
  account: z.string().min(1),
  to: z.object({
    externalId: z.string().email('the recipient of an email must be an email address'),
    handle: z.string().optional(),
  }),
  inReplyTo: z.string().min(1).optional(),
  thread: z.string().min(1).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  subject: z.string().optional(),
  text: z.string(),
});

function checkOutbound(message: OutboundMessage, account: string): z.output<typeof outboundSchema> {
  const result = outboundSchema.safeParse(message);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw channelError('permanent', `cannot send: ${issue.path.join('.') || 'message'} ${issue.message}`);
  }
  if (result.data.account !== account) {
    throw channelError(
      'config',
      `cannot send for account "${result.data.account}": this channel is the mailbox "${account}"`,
    );
  }
  return result.data;
}

/** Whole seconds: the precision of a Date header, so `send` and `reconcile` report the same time. */
function toSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/**
 * A started email channel: IMAP for reading (one connection for `read`, one per `subscribe`, one
 * for the Sent mailbox) and SMTP for sending. Made by the plugin's `init`.
 */
export class EmailConnection implements ChannelConnection {
  private readonly reader: ImapSession;
  private readonly outbox: ImapSession;
  private readonly transport: ReturnType<typeof createTransport>;
  private readonly subscriptions = new Set<() => void>();
  /** Reads share one connection and its selected mailbox, so they take turns. */
  private readTurn: Promise<void> = Promise.resolve();
  /** Sends under way, by idempotency key: a concurrent duplicate waits for the first. */
  private readonly sending = new Map<string, Promise<SendResult>>();
  private readonly onAbort = () => this.stopSubscriptions();
  private closed = false;

  constructor(
    /** The options in effect. */
    readonly options: Readonly<ResolvedEmailChannelOptions>,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.reader = new ImapSession(options, logger, false);
    this.outbox = new ImapSession(options, logger, false);
    const { smtp, timeoutMs } = options;
    this.transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: { user: smtp.user, pass: smtp.password },
      tls: { rejectUnauthorized: smtp.rejectUnauthorized },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: Math.max(timeoutMs, 60_000),
    });
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Logs in to IMAP and SMTP and opens the mailbox, so wrong credentials or a missing mailbox fail
   * now rather than at the first read.
   */
  async verify(): Promise<void> {
    const client = await this.reader.get();
    await mailboxEnd(client, this.options.mailbox);
    try {
      await this.transport.verify();
    } catch (error) {
      throw smtpFailure(`login to ${this.options.smtp.host}:${this.options.smtp.port}`, error);
    }
  }

  /**
   * Reads the mailbox from `cursor` (`"<uidvalidity>:<lastUid>"`, or null for the first read, which
   * goes back `backfillDays`). UIDs only grow, so a cursor of the current UIDVALIDITY needs no
   * lookback; after the UIDVALIDITY changed, mail from the last `lookbackMs` (at least
   * `minResyncWindowMs`) is read again.
   */
  async *read(request: { cursor: string | null; lookbackMs: number }): AsyncGenerator<ChannelBatch> {
    this.assertOpen();
    const from = request.cursor === null ? null : parseCursor(request.cursor);
    const lookbackMs = Number.isFinite(request.lookbackMs) ? Math.max(0, request.lookbackMs) : 0;
    const windowMs =
      from === null
        ? Math.max(lookbackMs, this.options.backfillDays * DAY_MS)
        : Math.max(lookbackMs, this.options.minResyncWindowMs);
    let done!: () => void;
    const previous = this.readTurn;
    this.readTurn = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      await previous;
      const client = await this.reader.get();
      try {
        yield* readMailbox(client, this.options.mailbox, from, windowMs, this.readContext(true));
      } finally {
        // Between reads nothing needs the mailbox selected, and a session holding a mailbox that
        // someone recreates can trip over its stale index (Dovecot reports a corrupted log).
        if (client.usable && client.mailbox) await client.mailboxClose().catch(() => {});
      }
    } finally {
      done();
    }
  }

  /**
   * Streams new mail as it arrives, on a connection of its own in IMAP IDLE (checking every
   * `pollIntervalMs` as well). Without a cursor it starts at the current end of the mailbox. It
   * ends when the consumer stops, the connection closes (a `transient` error: subscribe again
   * from the last committed cursor), or the channel is closed or aborted.
   */
  async *subscribe(request: { cursor: string | null }): AsyncGenerator<ChannelBatch> {
    this.assertOpen();
    let position: MailboxCursor | null = request.cursor === null ? null : parseCursor(request.cursor);
    const session = new ImapSession(this.options, this.logger, true);
    let wake: (() => void) | null = null;
    let pending = true;
    let stopped = false;
    const notify = () => {
      pending = true;
      wake?.();
    };
    const stop = () => {
      stopped = true;
      notify();
    };
    this.subscriptions.add(stop);
    try {
      const client = await session.get();
      client.on('exists', notify);
      client.on('close', notify);
      position ??= await mailboxEnd(client, this.options.mailbox);
      // EXISTS says mail arrived in the selected mailbox; only selecting it again shows that it was
      // recreated (new UIDVALIDITY), so each poll does.
      let reselect = false;
      while (!stopped && !this.closed && !this.signal?.aborted) {
        if (!client.usable) {
          throw channelError('transient', 'the IMAP connection closed during subscribe; subscribe again');
        }
        pending = false;
        for await (const batch of readMailbox(
          client,
          this.options.mailbox,
          position,
          this.options.minResyncWindowMs,
          this.readContext(reselect),
        )) {
          if (batch.cursor !== null) position = parseCursor(batch.cursor);
          yield batch;
          if (stopped) return;
        }
        reselect = false;
        if (pending) continue;
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(() => {
            reselect = true;
            resolve();
          }, this.options.pollIntervalMs);
        });
        clearTimeout(timer);
        wake = null;
      }
    } finally {
      this.subscriptions.delete(stop);
      await session.close();
    }
  }

  /**
   * Sends a plain-text message by SMTP and stores a copy in the Sent mailbox. Its Message-ID comes
   * from the idempotency key; when that Message-ID is already in Sent, nothing is sent again and
   * the earlier result is returned. Threads under `inReplyTo` (or the context's `messageId`) with
   * References continuing the context's.
   */
  async send(message: OutboundMessage): Promise<SendResult> {
    this.assertOpen();
    const outbound = checkOutbound(message, this.options.account);
    const under = this.sending.get(outbound.idempotencyKey);
    if (under) return under;
    const sending = this.sendOnce(outbound).finally(() => this.sending.delete(outbound.idempotencyKey));
    this.sending.set(outbound.idempotencyKey, sending);
    return sending;
  }

  private async sendOnce(outbound: z.output<typeof outboundSchema>): Promise<SendResult> {
    const messageId = emailMessageId(outbound.idempotencyKey, this.options.messageIdDomain);
    const earlier = await findSent(await this.outbox.get(), this.options.sentMailbox, messageId);
    if (earlier) return earlier;

    const refs = threadRefs(outbound);
    const sentAt = toSeconds(this.clock.now());
    const to = outbound.to.externalId.toLowerCase();
    const raw = await composeMessage({
      from: { address: this.options.address, ...(this.options.name ? { name: this.options.name } : {}) },
      to: { address: to, ...(outbound.to.handle ? { name: outbound.to.handle } : {}) },
      subject: replySubject(outbound.subject, outbound.context, refs.inReplyTo !== undefined),
      text: outbound.text,
      messageId,
      refs,
      date: sentAt,
    });
    try {
      await this.transport.sendMail({ envelope: { from: this.options.address, to: [to] }, raw });
    } catch (error) {
      throw smtpFailure(`sending ${messageId} to ${to}`, error);
    }
    try {
      await appendSent(await this.outbox.get(), this.options.sentMailbox, raw, sentAt);
    } catch (error) {
      // The message is out; failing now would make the host send it again. Without the copy,
      // `reconcile` cannot find it, so say so.
      this.logger.warn('email: sent, but storing the copy in the Sent mailbox failed', {
        messageId,
        mailbox: this.options.sentMailbox,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return { externalId: messageId, sentAt };
  }

  /** Finds the message sent for this idempotency key in the Sent mailbox, or null. */
  async reconcile(message: OutboundMessage): Promise<SendResult | null> {
    this.assertOpen();
    const outbound = checkOutbound(message, this.options.account);
    const messageId = emailMessageId(outbound.idempotencyKey, this.options.messageIdDomain);
    return findSent(await this.outbox.get(), this.options.sentMailbox, messageId);
  }

  /** Ends subscriptions and closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.stopSubscriptions();
    await Promise.all([this.reader.close(), this.outbox.close()]);
    this.transport.close();
  }

  private stopSubscriptions(): void {
    for (const stop of this.subscriptions) stop();
  }

  private assertOpen(): void {
    if (this.closed) throw channelError('config', 'the channel was closed; call init again');
  }

  private readContext(fresh: boolean): ReadContext {
    return {
      fresh,
      options: this.options,
      logger: this.logger,
      now: this.clock.now(),
      channel: PLUGIN,
      ...(this.signal ? { signal: this.signal } : {}),
    };
  }
}

/**
 * The email channel: customer mail comes in over IMAP (UID cursors, IDLE for `subscribe`), replies
 * go out over SMTP threaded by Message-ID, with a copy in the Sent mailbox. The factory only
 * validates and keeps the options; `init` connects.
 *
 * ```ts
 * const email = emailChannel({
 *   address: 'support@acme.example',
 *   imap: { host: 'imap.acme.example', password: process.env.MAIL_PASSWORD! },
 *   smtp: { host: 'smtp.acme.example' },
 * });
 * const rapport = createRapport({ storage, channels: [email] });
 * ```
 *
 * @throws ChannelError of kind `config` when an option is invalid; its message names the option.
 */
export function emailChannel(options: EmailChannelOptions): EmailChannelPlugin {
  const resolved = Object.freeze(parseEmailChannelOptions(options));
  return {
    id: 'email',
    version,
    specVersion: CHANNEL_SPEC_VERSION,
    displayName: 'Email',
    channel: 'email',
    account: resolved.account ?? resolved.address,
    capabilities: EMAIL_CAPABILITIES,
    optionsSchema: emailChannelOptionsSchema,
    secrets: EMAIL_SECRETS,
    rateLimits: [],
    options: resolved,
    async init(context: ChannelContext): Promise<EmailConnection> {
      const effective = resolved;
      const connection = new EmailConnection(effective, context.logger, context.clock, context.signal);
      if (effective.verifyOnInit) {
        try {
          await connection.verify();
        } catch (error) {
          await connection.close();
          throw imapFailure('start-up', error);
        }
      }
      return connection;
    },
  } satisfies EmailChannelPlugin;
}
