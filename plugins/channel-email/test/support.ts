import {
  type ChannelBatch,
  type ChannelContext,
  type Clock,
  type InteractionInput,
  interactionInputSchema,
  type Logger,
  silentLogger,
  systemClock,
} from '@rapport/core';
import type { TestMailServer, TestMailUser } from '@rapport/testkit/mail-server';
import { ImapFlow } from 'imapflow';
import type { EmailChannelOptions } from '../src/index.js';

/** Channel options for the support mailbox of a test server. */
export function supportOptions(server: TestMailServer, extra: Partial<EmailChannelOptions> = {}) {
  return {
    address: server.users.support.address,
    name: 'Acme Support',
    imap: {
      host: server.imap.host,
      port: server.imap.port,
      secure: false,
      password: server.users.support.password,
    },
    smtp: { host: server.smtp.host, port: server.smtp.port, secure: false },
    timeoutMs: 10_000,
    ...extra,
  } satisfies EmailChannelOptions;
}

/** A logger that keeps what it is told, for assertions. */
export function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const record = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return {
    lines,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
}

/** What a host hands to `init`. */
export function channelContext(
  _options: unknown,
  extra: { logger?: Logger; clock?: Clock; signal?: AbortSignal } = {},
): ChannelContext {
  const store = new Map<string, string>();
  return {
    tenantId: 'test',
    logger: extra.logger ?? silentLogger,
    clock: extra.clock ?? systemClock,
    signal: extra.signal ?? new AbortController().signal,
    kv: {
      get: async (key) => store.get(key) ?? null,
      set: async (key, value) => {
        store.set(key, value);
      },
    },
  };
}

/** Every batch of an iterable, each interaction checked against the core's strict schema. */
export async function collect(batches: AsyncIterable<ChannelBatch>): Promise<ChannelBatch[]> {
  const all: ChannelBatch[] = [];
  for await (const batch of batches) {
    for (const interaction of batch.interactions) interactionInputSchema.parse(interaction);
    all.push(batch);
  }
  return all;
}

/** The interactions of a read, flattened, and the cursor of its last batch (or the given one). */
export async function readAll(
  batches: AsyncIterable<ChannelBatch>,
  cursor: string | null = null,
): Promise<{ interactions: InteractionInput[]; cursor: string | null; batches: ChannelBatch[] }> {
  const all = await collect(batches);
  return {
    interactions: all.flatMap((batch) => batch.interactions),
    cursor: all.at(-1)?.cursor ?? cursor,
    batches: all,
  };
}

/** An IMAP client logged in as a user of the test server. Log it out when done. */
export async function imapAs(server: TestMailServer, user: TestMailUser): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.imap.host,
    port: server.imap.port,
    secure: false,
    auth: { user: user.address, pass: user.password },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** The messages of `mailbox` whose Message-ID is exactly `messageId`, with their raw source. */
export async function findMessages(
  client: ImapFlow,
  mailbox: string,
  messageId: string,
): Promise<{ uid: number; source: Buffer }[]> {
  const lock = await client.getMailboxLock(mailbox);
  try {
    const uids = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
    if (uids.length === 0) return [];
    const found: { uid: number; source: Buffer }[] = [];
    for await (const message of client.fetch(
      uids.join(','),
      { uid: true, envelope: true, source: true },
      { uid: true },
    )) {
      if (message.envelope?.messageId === messageId && message.source) {
        found.push({ uid: message.uid, source: message.source });
      }
    }
    return found;
  } finally {
    lock.release();
  }
}

/** A header of a raw message, unfolded, or undefined. */
export function header(raw: Buffer, name: string): string | undefined {
  const head = raw
    .toString('utf8')
    .split(/\r?\n\r?\n/)[0]!
    .replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** A raw RFC 5322 message, for APPENDing straight into a mailbox. */
export function rawMessage(fields: { messageId: string; subject: string; date: Date; text: string }): string {
  return [
    'From: Customer <customer@example.test>',
    'To: support@example.test',
    `Subject: ${fields.subject}`,
    `Message-ID: ${fields.messageId}`,
    `Date: ${fields.date.toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    fields.text,
    '',
  ].join('\r\n');
}
