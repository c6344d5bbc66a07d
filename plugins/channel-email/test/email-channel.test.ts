import { randomBytes } from 'node:crypto';
import { type ChannelBatch, ChannelError, type InteractionInput } from '@rapport/core';
import { startTestMailServer, type TestMailServer } from '@rapport/testkit/mail-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmailConnection, emailChannel, emailMessageId } from '../src/index.js';
import {
  channelContext,
  findMessages,
  header,
  imapAs,
  rawMessage,
  readAll,
  recordingLogger,
  supportOptions,
} from './support.js';

let server: TestMailServer;
let channel: EmailConnection;

beforeAll(async () => {
  server = await startTestMailServer();
  const options = supportOptions(server);
  channel = await emailChannel(options).init(channelContext(options));
});

afterAll(async () => {
  await channel?.close();
  await server?.stop();
});

const DAY = 86_400_000;

function unique(prefix: string): string {
  return `${prefix} ${randomBytes(3).toString('hex')}`;
}

/** The cursor at the current end of the support INBOX. */
async function endCursor(): Promise<string> {
  const { cursor } = await readAll(channel.read({ cursor: null, lookbackMs: 0 }));
  expect(cursor).not.toBeNull();
  return cursor!;
}

async function expectChannelError(
  promise: Promise<unknown>,
  kind: ChannelError['kind'],
): Promise<ChannelError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ChannelError of kind ${kind}, but it succeeded`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ChannelError);
  expect((error as ChannelError).kind).toBe(kind);
  expect((error as ChannelError).plugin).toBe('email');
  return error as ChannelError;
}

describe('reading customer mail', () => {
  it('reads a customer email with its sender, text and threading, then nothing more from its cursor', async () => {
    const start = await endCursor();
    const subject = unique('Where is my order?');
    const { messageId } = await server.send({
      from: { name: 'Casey Customer', address: 'Customer@Example.test' },
      subject,
      text: 'It was due on Monday.\nOrder 1234.',
    });

    const first = await readAll(channel.read({ cursor: start, lookbackMs: DAY }));
    expect(first.interactions).toHaveLength(1);
    const item = first.interactions[0]!;
    expect(item).toMatchObject({
      channel: 'email',
      account: server.users.support.address,
      externalId: messageId,
      direction: 'inbound',
      kind: 'message',
      text: 'It was due on Monday.\nOrder 1234.',
      actor: {
        externalId: 'customer@example.test',
        handle: 'Casey Customer',
        email: 'customer@example.test',
      },
      thread: messageId,
      metadata: { subject, messageId, references: [], attachments: [] },
    });
    expect(item.parent).toBeUndefined();
    expect(first.cursor).not.toBe(start);

    const replay = await readAll(channel.read({ cursor: first.cursor, lookbackMs: DAY }));
    expect(replay.interactions).toEqual([]);
    // Reading again from the older cursor gives the same item with the same external id.
    const again = await readAll(channel.read({ cursor: start, lookbackMs: DAY }));
    expect(again.interactions.map((i) => i.externalId)).toEqual([messageId]);
  });

  it('threads a message by the root of its References and its In-Reply-To', async () => {
    const start = await endCursor();
    const { messageId } = await server.send({
      subject: 'Re: Re: Refund',
      text: 'Any news?',
      inReplyTo: '<second@example.test>',
      references: ['<root@example.test>', '<second@example.test>'],
    });
    const { interactions } = await readAll(channel.read({ cursor: start, lookbackMs: 0 }));
    expect(interactions).toHaveLength(1);
    expect(interactions[0]).toMatchObject({
      externalId: messageId,
      thread: '<root@example.test>',
      parent: '<second@example.test>',
      metadata: {
        references: ['<root@example.test>', '<second@example.test>'],
        inReplyTo: '<second@example.test>',
      },
    });
  });

  it('hands mail over in batches whose cursors resume where each batch ended', async () => {
    const options = supportOptions(server, { batchSize: 2 });
    const small = await emailChannel(options).init(channelContext(options));
    try {
      const start = await endCursor();
      const sent: string[] = [];
      for (let i = 0; i < 5; i++)
        sent.push((await server.send({ subject: unique(`Batch ${i}`), text: 'x' })).messageId);
      const all = await readAll(small.read({ cursor: start, lookbackMs: 0 }));
      expect(all.batches.map((b) => b.interactions.length)).toEqual([2, 2, 1]);
      expect(all.interactions.map((i) => i.externalId)).toEqual(sent);
      // The host committed only the first batch's cursor, then crashed: the rest comes again.
      const resumed = await readAll(small.read({ cursor: all.batches[0]!.cursor, lookbackMs: 0 }));
      expect(resumed.interactions.map((i) => i.externalId)).toEqual(sent.slice(2));
    } finally {
      await small.close();
    }
  });

  it('turns an HTML-only email into plain text', async () => {
    const start = await endCursor();
    await server.send({
      subject: 'Formatted',
      html: '<html><body><p>Hello <b>team</b>,</p><ul><li>first item</li></ul><script>alert(1)</script></body></html>',
    });
    const { interactions } = await readAll(channel.read({ cursor: start, lookbackMs: 0 }));
    const text = interactions[0]!.text!;
    expect(text).toContain('Hello team');
    expect(text).toContain('first item');
    expect(text).not.toMatch(/<\/?[a-z]+>/);
    expect(text).not.toContain('alert(1)');
  });

  it('lists attachments in metadata without their content', async () => {
    const start = await endCursor();
    const pdf = Buffer.alloc(4_321, 7);
    await server.send({
      subject: 'Invoice attached',
      text: 'See the attachments.',
      attachments: [
        { filename: 'invoice.pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'notes.txt', content: 'secret attachment words', contentType: 'text/plain' },
      ],
    });
    const { interactions } = await readAll(channel.read({ cursor: start, lookbackMs: 0 }));
    const item = interactions[0]!;
    expect(item.text).toBe('See the attachments.');
    expect(item.metadata?.attachments).toEqual([
      { filename: 'invoice.pdf', contentType: 'application/pdf', size: 4_321, inline: false },
      { filename: 'notes.txt', contentType: 'text/plain', size: 23, inline: false },
    ]);
    expect(JSON.stringify(item)).not.toContain('secret attachment words');
  });

  it('marks mail from the support address itself as outbound, addressed to the customer', async () => {
    const start = await endCursor();
    await server.send({
      from: { name: 'Acme Support', address: server.users.support.address },
      to: [server.users.customer.address, server.users.support.address],
      subject: 'We sent this from another mail client',
      text: 'Hello from support.',
    });
    const { interactions } = await readAll(channel.read({ cursor: start, lookbackMs: 0 }));
    expect(interactions).toHaveLength(1);
    expect(interactions[0]).toMatchObject({
      direction: 'outbound',
      actor: { externalId: server.users.support.address },
      recipient: { externalId: server.users.customer.address },
    });
  });

  it('serves two reads at once from one connection, each complete', async () => {
    const start = await endCursor();
    const ids = [
      (await server.send({ subject: unique('Parallel'), text: 'a' })).messageId,
      (await server.send({ subject: unique('Parallel'), text: 'b' })).messageId,
    ];
    const [one, two] = await Promise.all([
      readAll(channel.read({ cursor: start, lookbackMs: 0 })),
      readAll(channel.read({ cursor: start, lookbackMs: 0 })),
    ]);
    expect(one.interactions.map((i) => i.externalId)).toEqual(ids);
    expect(two.interactions.map((i) => i.externalId)).toEqual(ids);
    expect(two.cursor).toBe(one.cursor);
  });

  it('rejects a cursor it did not write as cursor-invalid', async () => {
    await expectChannelError(readAll(channel.read({ cursor: 'page=2', lookbackMs: 0 })), 'cursor-invalid');
  });
});

describe('a mailbox whose UIDVALIDITY changed', () => {
  it('re-reads only the lookback window, then goes on from the new UIDVALIDITY', async () => {
    const admin = await imapAs(server, server.users.support);
    const mailbox = 'Restored';
    const now = Date.now();
    const append = (subject: string, ageMs: number) => {
      const messageId = `<${randomBytes(6).toString('hex')}@example.test>`;
      const date = new Date(now - ageMs);
      return admin
        .append(mailbox, rawMessage({ messageId, subject, date, text: subject }), [], date)
        .then(() => messageId);
    };
    const logger = recordingLogger();
    const options = supportOptions(server, { mailbox, minResyncWindowMs: 60_000 });
    await admin.mailboxCreate(mailbox);
    const restored = await emailChannel(options).init(channelContext(options, { logger }));
    try {
      await append('before the restore', 60_000);
      const before = await readAll(restored.read({ cursor: null, lookbackMs: 0 }));
      expect(before.interactions).toHaveLength(1);

      // The server is restored from a backup: the mailbox is recreated and every UID renumbered.
      await admin.mailboxDelete(mailbox);
      await admin.mailboxCreate(mailbox);
      await append('forty days old', 40 * DAY);
      await append('three days old', 3 * DAY);
      const recent = [await append('an hour old', 3_600_000), await append('a minute old', 60_000)];

      const resync = await readAll(restored.read({ cursor: before.cursor, lookbackMs: 2 * DAY }));
      expect(resync.interactions.map((i) => i.externalId)).toEqual(recent);
      expect(resync.cursor!.split(':')[0]).not.toBe(before.cursor!.split(':')[0]);
      expect(logger.lines.some((l) => l.level === 'warn' && /UIDVALIDITY/.test(l.message))).toBe(true);

      expect(
        (await readAll(restored.read({ cursor: resync.cursor, lookbackMs: 2 * DAY }))).interactions,
      ).toEqual([]);
      const next = await append('after the restore', 0);
      const after = await readAll(restored.read({ cursor: resync.cursor, lookbackMs: 2 * DAY }));
      expect(after.interactions.map((i) => i.externalId)).toEqual([next]);
    } finally {
      await restored.close();
      await admin.logout();
    }
  });

  it('commits the new UIDVALIDITY with an empty batch when nothing recent is left', async () => {
    const admin = await imapAs(server, server.users.support);
    const mailbox = 'Emptied';
    const options = supportOptions(server, { mailbox, minResyncWindowMs: 60_000 });
    await admin.mailboxCreate(mailbox);
    const emptied = await emailChannel(options).init(channelContext(options));
    try {
      const { cursor } = await readAll(emptied.read({ cursor: null, lookbackMs: 0 }));
      await admin.mailboxDelete(mailbox);
      await admin.mailboxCreate(mailbox);
      const resync = await readAll(emptied.read({ cursor, lookbackMs: 0 }));
      expect(resync.batches).toHaveLength(1);
      expect(resync.interactions).toEqual([]);
      expect(resync.cursor).not.toBe(cursor);
      expect(resync.cursor).toMatch(/^\d+:0$/);
    } finally {
      await emptied.close();
      await admin.logout();
    }
  });
});

describe('a mailbox that disappears', () => {
  it('is transient once it was read (it may be being restored), config when never seen', async () => {
    const admin = await imapAs(server, server.users.support);
    const mailbox = 'Vanishing';
    await admin.mailboxCreate(mailbox);
    const options = supportOptions(server, { mailbox });
    const vanishing = await emailChannel(options).init(channelContext(options));
    try {
      const { cursor } = await readAll(vanishing.read({ cursor: null, lookbackMs: 0 }));
      await admin.mailboxDelete(mailbox);
      const gone = await expectChannelError(readAll(vanishing.read({ cursor, lookbackMs: 0 })), 'transient');
      expect(gone.hint).toContain('`mailbox`');
      await expectChannelError(readAll(vanishing.read({ cursor: null, lookbackMs: 0 })), 'config');
    } finally {
      await vanishing.close();
      await admin.logout();
    }
  });
});

describe('a subscription whose mailbox is recreated', () => {
  it('re-syncs at its next poll, or ends transient and the next subscription re-syncs', async () => {
    const admin = await imapAs(server, server.users.support);
    const mailbox = 'Recreated live';
    await admin.mailboxCreate(mailbox);
    const options = supportOptions(server, { mailbox, pollIntervalMs: 1_000, minResyncWindowMs: 3_600_000 });
    const live = await emailChannel(options).init(channelContext(options));
    try {
      const { cursor } = await readAll(live.read({ cursor: null, lookbackMs: 0 }));
      // Settled at once, so a failure while the test is busy elsewhere is not an unhandled rejection.
      const settle = (next: Promise<IteratorResult<ChannelBatch>>) =>
        next.then(
          (result) => ({ result, error: undefined as unknown }),
          (error: unknown) => ({ result: undefined, error }),
        );
      let stream = live.subscribe({ cursor })[Symbol.asyncIterator]();
      let pending = settle(stream.next());
      await admin.mailboxDelete(mailbox);
      await admin.mailboxCreate(mailbox);
      const messageId = `<${randomBytes(6).toString('hex')}@example.test>`;
      const now = new Date();
      await admin.append(
        mailbox,
        rawMessage({ messageId, subject: 'restored', date: now, text: 'x' }),
        [],
        now,
      );

      const seen: string[] = [];
      let last = cursor;
      let resubscribed = false;
      while (!seen.includes(messageId)) {
        const { result, error } = await pending;
        if (result) {
          if (result.done) throw new Error('the subscription ended');
          seen.push(...result.value.interactions.map((i) => i.externalId));
          last = result.value.cursor;
        } else {
          // The server may drop the session under the deleted mailbox, or the mailbox may be
          // missing at the moment of a poll: either way the host subscribes again.
          if (resubscribed) throw error;
          expect(error).toMatchObject({ kind: 'transient' });
          resubscribed = true;
          stream = live.subscribe({ cursor: last })[Symbol.asyncIterator]();
        }
        if (!seen.includes(messageId)) pending = settle(stream.next());
      }
      await stream.return?.(undefined);
      expect(seen).toEqual([messageId]);
      expect(last?.split(':')[0]).not.toBe(cursor?.split(':')[0]);
    } finally {
      await live.close();
      await admin.logout();
    }
  });
});

describe('subscribe', () => {
  it('sees new mail within seconds through IMAP IDLE', async () => {
    const options = supportOptions(server, { pollIntervalMs: 120_000 });
    const live = await emailChannel(options).init(channelContext(options));
    const cursor = await endCursor();
    const stream = live.subscribe({ cursor })[Symbol.asyncIterator]();
    try {
      const firstBatch = stream.next();
      const { messageId: first } = await server.send({ subject: unique('Live 1'), text: 'one' });
      const batch1 = await firstBatch;
      expect(batch1.done).toBe(false);
      expect(batch1.value.interactions.map((i: InteractionInput) => i.externalId)).toEqual([first]);

      // Now the subscription waits in IDLE; polling alone would take two minutes.
      const started = Date.now();
      const secondBatch = stream.next();
      const { messageId: second } = await server.send({ subject: unique('Live 2'), text: 'two' });
      const batch2 = await secondBatch;
      expect(batch2.value.interactions.map((i: InteractionInput) => i.externalId)).toEqual([second]);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(batch2.value.cursor).not.toBe(batch1.value.cursor);
    } finally {
      await stream.return?.(undefined);
      await live.close();
    }
  });

  it('ends when the channel is closed', async () => {
    const options = supportOptions(server, { pollIntervalMs: 120_000 });
    const live = await emailChannel(options).init(channelContext(options));
    const stream = live.subscribe({ cursor: null })[Symbol.asyncIterator]();
    const pending = stream.next();
    // Let it connect and settle into waiting before closing under it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await live.close();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });
});

describe('sending replies', () => {
  it('threads a reply into the customer’s mailbox and reads the answer back in the same thread', async () => {
    const start = await endCursor();
    const subject = unique('Broken zipper');
    await server.send({ subject, text: 'The zipper broke on day one.' });
    const [question] = (await readAll(channel.read({ cursor: start, lookbackMs: 0 }))).interactions;
    expect(question).toBeDefined();

    const result = await channel.send({
      idempotencyKey: `reply-${randomBytes(4).toString('hex')}`,
      account: question!.account,
      to: { externalId: question!.actor.externalId, handle: question!.actor.handle },
      inReplyTo: question!.externalId,
      thread: question!.thread,
      context: question!.metadata,
      text: 'Sorry about that! A new one is on its way.',
    });
    expect(result.externalId).toMatch(/^<rapport\.[0-9a-f]{40}@example\.test>$/);
    expect(result.sentAt).toBeInstanceOf(Date);

    const customer = await imapAs(server, server.users.customer);
    try {
      const [reply] = await findMessages(customer, 'INBOX', result.externalId);
      expect(reply).toBeDefined();
      expect(header(reply!.source, 'In-Reply-To')).toBe(question!.externalId);
      expect(header(reply!.source, 'References')).toBe(question!.externalId);
      expect(header(reply!.source, 'Subject')).toBe(`Re: ${subject}`);
      expect(header(reply!.source, 'From')).toBe(`Acme Support <${server.users.support.address}>`);
      expect(reply!.source.toString()).toContain('A new one is on its way.');
    } finally {
      await customer.logout();
    }
    // A copy went to Sent, not to the INBOX the channel reads.
    const support = await imapAs(server, server.users.support);
    try {
      expect(await findMessages(support, 'Sent', result.externalId)).toHaveLength(1);
    } finally {
      await support.logout();
    }

    // The customer answers from their mail client, which quotes the whole chain.
    const { messageId: answerId } = await server.send({
      subject: `Re: ${subject}`,
      text: 'Thanks, got it!',
      inReplyTo: result.externalId,
      references: [question!.externalId, result.externalId],
    });
    const { interactions } = await readAll(channel.read({ cursor: start, lookbackMs: 0 }));
    const answer = interactions.find((i) => i.externalId === answerId);
    expect(answer).toMatchObject({
      direction: 'inbound',
      thread: question!.thread,
      parent: result.externalId,
    });
  });

  it('sends once per idempotency key: reconcile finds the sent message and a second send reuses it', async () => {
    const start = await endCursor();
    await server.send({ subject: 'Question', text: 'Are you open on Sunday?' });
    const [question] = (await readAll(channel.read({ cursor: start, lookbackMs: 0 }))).interactions;
    const message = {
      idempotencyKey: `once-${randomBytes(4).toString('hex')}`,
      account: question!.account,
      to: { externalId: question!.actor.externalId },
      inReplyTo: question!.externalId,
      context: question!.metadata,
      text: 'Yes, from 10 to 4.',
    };
    expect(await channel.reconcile(message)).toBeNull();
    const sent = await channel.send(message);
    expect(await channel.reconcile(message)).toEqual(sent);
    expect(await channel.send(message)).toEqual(sent);

    const messageId = emailMessageId(message.idempotencyKey, 'example.test');
    expect(sent.externalId).toBe(messageId);
    expect(server.deliveries.filter((d) => d.messageId === messageId)).toHaveLength(1);
    const customer = await imapAs(server, server.users.customer);
    try {
      expect(await findMessages(customer, 'INBOX', messageId)).toHaveLength(1);
    } finally {
      await customer.logout();
    }
  });

  it('delivers once when two sends with one key run at the same time', async () => {
    const message = {
      idempotencyKey: `race-${randomBytes(4).toString('hex')}`,
      account: server.users.support.address,
      to: { externalId: server.users.customer.address },
      subject: 'Raced',
      text: 'Only once, please.',
    };
    const [a, b] = await Promise.all([channel.send(message), channel.send(message)]);
    expect(a).toEqual(b);
    expect(server.deliveries.filter((d) => d.messageId === a.externalId)).toHaveLength(1);
  });

  it('sends a new message (not a reply) with the subject given', async () => {
    const result = await channel.send({
      idempotencyKey: `new-${randomBytes(4).toString('hex')}`,
      account: server.users.support.address,
      to: { externalId: server.users.customer.address },
      subject: 'Your warranty is expiring',
      text: 'Renew it any time.',
    });
    const customer = await imapAs(server, server.users.customer);
    try {
      const [message] = await findMessages(customer, 'INBOX', result.externalId);
      expect(header(message!.source, 'Subject')).toBe('Your warranty is expiring');
      expect(header(message!.source, 'In-Reply-To')).toBeUndefined();
    } finally {
      await customer.logout();
    }
  });

  it('reports a 4xx SMTP reply as transient, and the retry delivers once', async () => {
    const message = {
      idempotencyKey: `retry-${randomBytes(4).toString('hex')}`,
      account: server.users.support.address,
      to: { externalId: server.users.customer.address },
      subject: 'Retry me',
      text: 'Second time lucky.',
    };
    server.rejectNext(451, '4.3.0 try again later');
    const error = await expectChannelError(channel.send(message), 'transient');
    expect(error.retryable).toBe(true);
    expect(await channel.reconcile(message)).toBeNull();
    const sent = await channel.send(message);
    expect(server.deliveries.filter((d) => d.messageId === sent.externalId)).toHaveLength(1);
  });

  it('reports a 5xx SMTP reply and an unknown recipient as permanent', async () => {
    const base = { account: server.users.support.address, subject: 'Nope', text: 'x' };
    server.rejectNext(554, '5.7.1 message refused');
    const refused = await expectChannelError(
      channel.send({ ...base, idempotencyKey: 'refused', to: { externalId: server.users.customer.address } }),
      'permanent',
    );
    expect(refused.retryable).toBe(false);
    await expectChannelError(
      channel.send({ ...base, idempotencyKey: 'nobody', to: { externalId: 'nobody@example.test' } }),
      'permanent',
    );
  });

  it('refuses a recipient that is not an email address, and another account, before sending', async () => {
    const before = server.deliveries.length;
    await expectChannelError(
      channel.send({
        idempotencyKey: 'bad-to',
        account: server.users.support.address,
        to: { externalId: '@casey' },
        text: 'x',
      }),
      'permanent',
    );
    await expectChannelError(
      channel.send({
        idempotencyKey: 'other-account',
        account: 'sales@example.test',
        to: { externalId: server.users.customer.address },
        text: 'x',
      }),
      'config',
    );
    expect(server.deliveries.length).toBe(before);
  });
});

describe('failures at start-up', () => {
  it('fails with auth on a wrong IMAP password', async () => {
    const options = supportOptions(server);
    options.imap.password = 'wrong';
    const error = await expectChannelError(emailChannel(options).init(channelContext(options)), 'auth');
    expect(error.message).toContain('IMAP');
    expect(error.hint).toContain('imap.password');
    expect(error.message).not.toContain(server.users.support.password);
  });

  it('fails with auth on a wrong SMTP password, or at the first send without verification', async () => {
    const options = {
      ...supportOptions(server),
      smtp: { ...supportOptions(server).smtp, password: 'wrong' },
    };
    const error = await expectChannelError(emailChannel(options).init(channelContext(options)), 'auth');
    expect(error.message).toContain('SMTP');

    const lazy = { ...options, verifyOnInit: false };
    const connection = await emailChannel(lazy).init(channelContext(lazy));
    try {
      await expectChannelError(
        connection.send({
          idempotencyKey: `lazy-${randomBytes(4).toString('hex')}`,
          account: server.users.support.address,
          to: { externalId: server.users.customer.address },
          text: 'x',
        }),
        'auth',
      );
    } finally {
      await connection.close();
    }
  });

  it('fails with config when the mailbox does not exist', async () => {
    const options = supportOptions(server, { mailbox: 'No such mailbox' });
    await expectChannelError(emailChannel(options).init(channelContext(options)), 'config');
  });

  it('fails with transient when nothing listens', async () => {
    const { createServer } = await import('node:net');
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const options = supportOptions(server);
    options.imap.port = closedPort;
    await expectChannelError(emailChannel(options).init(channelContext(options)), 'transient');

    const smtpDown = {
      ...supportOptions(server),
      smtp: { ...supportOptions(server).smtp, port: closedPort },
    };
    await expectChannelError(emailChannel(smtpDown).init(channelContext(smtpDown)), 'transient');
  });
});
