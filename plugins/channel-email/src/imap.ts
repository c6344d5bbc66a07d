import type { ChannelBatch, Logger } from '@rapport/core';
import { ImapFlow, type Logger as ImapLogger, type MailboxObject, type SearchObject } from 'imapflow';
import { formatCursor, type MailboxCursor } from './cursor.js';
import { channelError, imapFailure } from './errors.js';
import type { ResolvedEmailChannelOptions } from './options.js';
import { toInteraction } from './parse.js';

const DAY_MS = 86_400_000;

/** ImapFlow's own log lines are details of failures we report anyway: debug level. */
function imapLogger(logger: Logger): ImapLogger {
  const forward = (entry: unknown) => {
    const fields = (entry ?? {}) as Record<string, unknown>;
    const { msg, ...rest } = fields;
    logger.debug(`imap: ${typeof msg === 'string' ? msg : 'event'}`, rest);
  };
  return { debug() {}, info() {}, warn: forward, error: forward };
}

/**
 * One IMAP connection, opened on first use and again after it dropped. `idle` connections enter
 * IMAP IDLE shortly after their last command (for `subscribe`); the others never idle.
 */
export class ImapSession {
  private client: ImapFlow | null = null;
  private connecting: Promise<ImapFlow> | null = null;
  private closed = false;

  constructor(
    private readonly options: ResolvedEmailChannelOptions,
    private readonly logger: Logger,
    private readonly idle: boolean,
  ) {}

  /** A connected, logged-in client. */
  async get(): Promise<ImapFlow> {
    if (this.closed) throw channelError('transient', 'the connection was closed');
    if (this.client?.usable) return this.client;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<ImapFlow> {
    const { imap, idleDelayMs, pollIntervalMs, timeoutMs } = this.options;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: { user: imap.user, pass: imap.password },
      tls: { rejectUnauthorized: imap.rejectUnauthorized },
      logger: imapLogger(this.logger),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      disableAutoIdle: !this.idle,
      autoIdleDelay: idleDelayMs,
      maxIdleTime: pollIntervalMs,
    });
    // Without a listener an 'error' event would crash the process; the failed command (or the next
    // one, on a new connection) reports it.
    client.on('error', (error: Error) =>
      this.logger.debug('imap connection error', { error: error.message }),
    );
    try {
      await client.connect();
    } catch (error) {
      client.close();
      throw imapFailure(`login to ${imap.host}:${imap.port} as ${imap.user}`, error);
    }
    if (this.closed) {
      client.close();
      throw channelError('transient', 'the connection was closed');
    }
    this.client?.close();
    this.client = client;
    return client;
  }

  /** Logs out (briefly waiting for the server) and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    if (!client) return;
    if (client.usable) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.logout().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 2_000);
        }),
      ]);
      clearTimeout(timer);
    }
    client.close();
  }
}

/** The server says the mailbox does not exist (or was deleted while selected). */
export function isMissingMailbox(error: unknown): boolean {
  const shape = (error ?? {}) as {
    mailboxMissing?: unknown;
    serverResponseCode?: unknown;
    responseText?: unknown;
  };
  const code = typeof shape.serverResponseCode === 'string' ? shape.serverResponseCode.toUpperCase() : '';
  return (
    shape.mailboxMissing === true ||
    code === 'NONEXISTENT' ||
    code === 'TRYCREATE' ||
    (typeof shape.responseText === 'string' && /deleted under us/i.test(shape.responseText))
  );
}

/** A compact IMAP sequence set (`1:4,7,9:10`) of ascending UIDs. */
export function uidSet(uids: readonly number[]): string {
  const parts: string[] = [];
  let start = uids[0];
  let previous = start;
  for (const uid of [...uids.slice(1), Number.NaN]) {
    if (uid === previous! + 1) {
      previous = uid;
      continue;
    }
    if (start !== undefined) parts.push(start === previous ? `${start}` : `${start}:${previous}`);
    start = uid;
    previous = uid;
  }
  return parts.join(',');
}

/**
 * UID SEARCH. ImapFlow answers a server's refusal with `false`; taken for "no messages", it would
 * move the cursor past mail never read, so it is a failure here.
 */
export async function searchUids(client: ImapFlow, query: SearchObject): Promise<number[]> {
  const found = await client.search(query, { uid: true });
  if (found === false || found === undefined) {
    throw channelError('transient', `the server refused UID SEARCH ${JSON.stringify(query)}`);
  }
  return found;
}

/** The selected mailbox, which a held lock guarantees. */
function selected(client: ImapFlow): MailboxObject {
  if (!client.mailbox) throw channelError('transient', 'the mailbox was closed under the lock');
  return client.mailbox;
}

/** What to fetch, decided under one mailbox lock. */
interface Plan {
  uidValidity: string;
  /** UIDs to fetch, ascending. */
  uids: number[];
  /** The cursor position once they are all handed over. */
  end: number;
}

async function plan(
  client: ImapFlow,
  mailbox: string,
  from: MailboxCursor | null,
  windowMs: number,
  now: Date,
  logger: Logger,
  fresh: boolean,
): Promise<Plan> {
  // A mailbox left selected keeps the UIDVALIDITY and UIDNEXT of its SELECT; selecting it again
  // is how a recreated mailbox shows. A subscription stays selected between its polls (it idles
  // there) and learns of new mail from EXISTS.
  if (fresh && client.mailbox) await client.mailboxClose();
  const lock = await client.getMailboxLock(mailbox, { readOnly: true });
  try {
    const box = selected(client);
    const uidValidity = box.uidValidity.toString();
    const highest = fresh ? Math.max(0, (box.uidNext ?? 1) - 1) : 0;
    if (from && from.uidValidity === uidValidity) {
      if (box.exists === 0) return { uidValidity, uids: [], end: Math.max(from.lastUid, highest) };
      // `N:*` always matches the highest UID, even one below N: filter.
      const found = await searchUids(client, { uid: `${from.lastUid + 1}:*` });
      const uids = found.filter((uid) => uid > from.lastUid).sort((a, b) => a - b);
      return { uidValidity, uids, end: Math.max(from.lastUid, highest, uids.at(-1) ?? 0) };
    }
    if (from) {
      logger.warn('email: the mailbox UIDVALIDITY changed; re-reading recent mail', {
        mailbox,
        previous: from.uidValidity,
        current: uidValidity,
        windowMs,
      });
    }
    const since = new Date(now.getTime() - windowMs);
    let uids: number[] = [];
    if (box.exists > 0) {
      // SEARCH SINCE compares dates only, in the server's time zone: ask a day wider, then keep
      // what arrived inside the window by INTERNALDATE.
      const candidates = await searchUids(client, { since: new Date(since.getTime() - DAY_MS) });
      if (candidates.length > 0) {
        const sorted = [...candidates].sort((a, b) => a - b);
        for await (const message of client.fetch(
          uidSet(sorted),
          { uid: true, internalDate: true },
          { uid: true },
        )) {
          const arrived = message.internalDate ? new Date(message.internalDate) : null;
          if (arrived && arrived.getTime() >= since.getTime()) uids.push(message.uid);
        }
        uids = uids.sort((a, b) => a - b);
      }
    }
    return { uidValidity, uids, end: Math.max(highest, uids.at(-1) ?? 0) };
  } finally {
    lock.release();
  }
}

/** How {@link readMailbox} turns messages into interactions. */
export interface ReadContext {
  options: ResolvedEmailChannelOptions;
  logger: Logger;
  now: Date;
  channel: string;
  /** Select the mailbox anew (a read) rather than use the selection in place (a subscription). */
  fresh: boolean;
  signal?: AbortSignal;
}

/**
 * Reads what is new in `mailbox` since `from`, in batches with the cursor after each. With a cursor
 * of the current UIDVALIDITY: every UID above it. Without one, or after the UIDVALIDITY changed
 * (the UIDs were renumbered, so the cursor means nothing): mail that arrived within `windowMs`,
 * which the host deduplicates by Message-ID. A batch is yielded even when empty if the cursor
 * moved, so the host commits the new UIDVALIDITY.
 */
export async function* readMailbox(
  client: ImapFlow,
  mailbox: string,
  from: MailboxCursor | null,
  windowMs: number,
  context: ReadContext,
): AsyncGenerator<ChannelBatch> {
  const { options, logger } = context;
  let work: Plan;
  try {
    work = await plan(client, mailbox, from, windowMs, context.now, logger, context.fresh);
  } catch (error) {
    const failure = imapFailure(`reading ${mailbox}`, error);
    // A mailbox read before and missing now is more likely being recreated (a restore, a
    // migration) than misconfigured: worth retrying, unlike a name that never existed.
    if (from !== null && failure.kind === 'config' && isMissingMailbox(error)) {
      throw channelError('transient', `the mailbox "${mailbox}" is gone; it may be being recreated`, error, {
        hint: 'If it was renamed for good, set the `mailbox` option to its new name.',
      });
    }
    throw failure;
  }
  const start = from?.uidValidity === work.uidValidity ? from.lastUid : -1;
  if (work.uids.length === 0) {
    if (work.end !== start) {
      yield { interactions: [], cursor: formatCursor({ uidValidity: work.uidValidity, lastUid: work.end }) };
    }
    return;
  }
  for (let index = 0; index < work.uids.length; index += options.batchSize) {
    if (context.signal?.aborted) return;
    const chunk = work.uids.slice(index, index + options.batchSize);
    const last = index + options.batchSize >= work.uids.length;
    const messages: { uid: number; source: Buffer; internalDate?: Date }[] = [];
    try {
      const lock = await client.getMailboxLock(mailbox, { readOnly: true });
      try {
        // Renumbered since the plan: these UIDs name other messages now. The next read re-syncs.
        if (selected(client).uidValidity.toString() !== work.uidValidity) return;
        for await (const message of client.fetch(
          uidSet(chunk),
          { uid: true, source: true, internalDate: true },
          { uid: true },
        )) {
          if (!message.source) continue;
          const internalDate = message.internalDate ? new Date(message.internalDate) : undefined;
          messages.push({
            uid: message.uid,
            source: message.source,
            ...(internalDate ? { internalDate } : {}),
          });
        }
      } finally {
        lock.release();
      }
    } catch (error) {
      throw imapFailure(`fetching from ${mailbox}`, error);
    }
    messages.sort((a, b) => a.uid - b.uid);
    const interactions = [];
    for (const message of messages) {
      try {
        interactions.push(
          await toInteraction(message.source, {
            channel: context.channel,
            account: options.account,
            address: options.address,
            ...(message.internalDate ? { internalDate: message.internalDate } : {}),
          }),
        );
      } catch (error) {
        // One unreadable message must not stop the mailbox; it is skipped, loudly.
        logger.error('email: could not parse a message; skipped', {
          mailbox,
          uid: message.uid,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const lastUid = last ? work.end : chunk[chunk.length - 1]!;
    yield { interactions, cursor: formatCursor({ uidValidity: work.uidValidity, lastUid }) };
  }
}

/** The current end of `mailbox`: where a subscription without a cursor starts. */
export async function mailboxEnd(client: ImapFlow, mailbox: string): Promise<MailboxCursor> {
  try {
    const lock = await client.getMailboxLock(mailbox, { readOnly: true });
    try {
      const box = selected(client);
      return { uidValidity: box.uidValidity.toString(), lastUid: Math.max(0, (box.uidNext ?? 1) - 1) };
    } finally {
      lock.release();
    }
  } catch (error) {
    throw imapFailure(`opening ${mailbox}`, error);
  }
}
