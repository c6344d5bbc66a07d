/**
 * The support desk, end to end, against a real mail server on loopback (Dovecot, installed on
 * first use) and a signed webhook from a shop system:
 *
 *   a customer emails support → a case opens, routed and assigned, on an SLA →
 *   the agent replies → the reply reaches the customer's mailbox, threaded →
 *   the customer answers → the answer joins the same case.
 *
 * `npm run e2e -w examples/support-desk` exits 0 only if the reply and the customer's answer
 * landed in one case. With MASTODON_URL and MASTODON_TOKEN set, a Mastodon account joins the desk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Conversation, newId, type Rapport, webhookHeaders } from '@rapport/core';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { startTestMailServer, type TestMailServer } from '@rapport/testkit/mail-server';
import { ImapFlow } from 'imapflow';
import { createDesk, serveWebhooks } from './desk.js';

/** What the round trip found. */
export interface RoundTripResult {
  ok: boolean;
  /** The email case: its conversation with the case on it. */
  emailCase: Conversation | null;
  /** Interactions of that conversation, oldest first: direction and text. */
  thread: Array<{ direction: string; text: string | null }>;
  /** The case the shop's webhook opened. */
  webhookCase: Conversation | null;
  problems: string[];
}

const SHOP_SECRET = `whsec_${Buffer.from('support-desk-example-secret').toString('base64')}`;

/** Runs the story; `log` narrates it. */
export async function runRoundTrip(log: (line: string) => void = () => {}): Promise<RoundTripResult> {
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'rapport-desk-'));
  let mail: TestMailServer | null = null;
  let rapport: Rapport | null = null;
  let hooks: { url: string; close(): Promise<void> } | null = null;
  try {
    log('starting a local mail server (Dovecot on loopback)…');
    mail = await startTestMailServer();
    const { support, customer } = mail.users;
    rapport = createDesk({
      storage: sqliteStorage({ filename: join(dir, 'desk.db') }),
      email: {
        address: support.address,
        name: 'Acme Support',
        imap: { host: mail.imap.host, port: mail.imap.port, secure: false, password: support.password },
        smtp: { host: mail.smtp.host, port: mail.smtp.port, secure: false, password: support.password },
      },
      webhook: { channel: 'shop', account: 'acme-shop', secret: SHOP_SECRET },
      ...(process.env.MASTODON_URL && process.env.MASTODON_TOKEN
        ? { mastodon: { instanceUrl: process.env.MASTODON_URL, accessToken: process.env.MASTODON_TOKEN } }
        : {}),
      // The story drives reads and sends itself, so each step is visible; a real desk leaves
      // the default loops on.
      channelHost: { pollMs: 0 },
      outbox: { pollMs: 0 },
    });
    await rapport.start();
    hooks = await serveWebhooks(rapport);

    log(`1. ${customer.address} writes to ${support.address}`);
    const first = await mail.send({
      subject: 'Order 1042 never arrived',
      text: 'Hello, I ordered a kettle two weeks ago (order 1042) and it has not arrived. Can you help?',
    });

    const opened = await waitFor(rapport, 'email', async (r) => {
      const page = await r.cases.list({ channel: 'email' });
      return page.items[0] ?? null;
    });
    if (!opened?.case) throw new Error('no case opened for the customer email');
    log(
      `2. case opened: queue ${opened.case.queue}, priority ${opened.case.priority}, assigned to ${opened.case.assignee}, first response due ${opened.case.sla?.firstResponse?.dueAt.toISOString()}`,
    );

    log(`3. ${opened.case.assignee} replies`);
    await rapport.cases.reply(
      opened.id,
      {
        template:
          'Hello {{customer.displayName}},\n\nsorry about that: order 1042 left our warehouse late. It ships today with express delivery.\n\nAcme Support',
      },
      { author: `user:${opened.case.assignee}` },
    );
    await rapport.outbox.run();
    const [sent] = (await rapport.cases.replies(opened.id)).items;
    if (sent?.state !== 'sent') problems.push(`the reply is ${sent?.state ?? 'missing'}, not sent`);

    log('4. the customer finds the reply in their mailbox, threaded under their message');
    const reply = await findReply(mail, first.messageId);
    if (!reply) throw new Error('the reply did not reach the customer mailbox');
    if (!reply.inReplyTo?.includes(first.messageId.replace(/[<>]/g, '')))
      problems.push(`the reply's In-Reply-To is ${reply.inReplyTo}, not ${first.messageId}`);

    log('5. the customer answers the reply');
    await mail.send({
      subject: `Re: ${reply.subject}`,
      text: 'Thank you, that is great news!',
      inReplyTo: reply.messageId,
      references: [first.messageId, reply.messageId],
    });
    const answered = await waitFor(rapport, 'email', async (r) => {
      const c = await r.cases.get(opened.id);
      return c && c.interactionCount >= 3 ? c : null;
    });

    const thread = (await rapport.conversations.interactions(opened.id, { limit: 50 })).items.map((i) => ({
      direction: i.direction,
      text: i.text,
    }));
    const emailCases = (await rapport.cases.list({ channel: 'email' })).items;
    if (emailCases.length !== 1) problems.push(`expected one email case, found ${emailCases.length}`);
    if (!answered) problems.push('the customer answer did not join the case');
    else {
      log(
        `6. the answer joined case ${answered.id}: ${answered.interactionCount} messages, status ${answered.case?.status}, first response after ${Math.round((answered.case!.firstResponseAt!.getTime() - answered.case!.openedAt.getTime()) / 1000)} s`,
      );
    }
    const directions = thread.map((t) => t.direction).join(',');
    if (directions !== 'inbound,outbound,inbound') problems.push(`the thread reads ${directions}`);

    log('7. the shop system posts a signed webhook about a failed payment');
    const body = JSON.stringify({
      externalId: `shop-${newId()}`,
      kind: 'message',
      text: 'Payment for order 2077 failed twice; the customer is on the business plan.',
      actor: { externalId: 'cust-881', handle: 'Dana Smith', email: 'dana@example.test' },
    });
    const response = await fetch(`${hooks.url}/webhooks/shop`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...webhookHeaders({ id: `msg_${newId()}`, timestamp: new Date(), body }, SHOP_SECRET),
      },
      body,
    });
    if (response.status !== 202) problems.push(`the webhook was answered ${response.status}`);
    await rapport.channels.settle();
    const webhookCase = (await rapport.cases.list({ channel: 'shop' })).items[0] ?? null;
    if (!webhookCase) problems.push('the webhook opened no case');
    else
      log(
        `   case opened in queue ${webhookCase.case?.queue} (${webhookCase.case?.priority}), assigned to ${webhookCase.case?.assignee}`,
      );

    const [metrics] = await rapport.cases.metrics({ groupBy: 'none' });
    log(
      `8. desk: ${metrics?.cases} cases, ${metrics?.open} open, first response median ${Math.round((metrics?.firstResponse?.medianMs ?? 0) / 1000)} s`,
    );
    const ok = problems.length === 0 && answered !== null;
    return { ok, emailCase: answered, thread, webhookCase, problems };
  } finally {
    await hooks?.close();
    await rapport?.stop();
    await mail?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads the channel until `check` finds what it waits for (IMAP delivery takes a moment). */
async function waitFor<T>(
  rapport: Rapport,
  channel: string,
  check: (rapport: Rapport) => Promise<T | null>,
): Promise<T | null> {
  for (let i = 0; i < 100; i++) {
    await rapport.channels.sync(channel);
    await rapport.settle();
    const found = await check(rapport);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

/** The reply in the customer's mailbox answering `messageId`. */
async function findReply(
  mail: TestMailServer,
  messageId: string,
): Promise<{ messageId: string; inReplyTo: string | undefined; subject: string } | null> {
  const { customer } = mail.users;
  const client = new ImapFlow({
    host: mail.imap.host,
    port: mail.imap.port,
    secure: false,
    auth: { user: customer.address, pass: customer.password },
    logger: false,
  });
  await client.connect();
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const lock = await client.getMailboxLock('INBOX');
      try {
        for await (const message of client.fetch('1:*', { envelope: true })) {
          const envelope = message.envelope;
          if (envelope?.inReplyTo?.includes(messageId.replace(/[<>]/g, '')) && envelope.messageId) {
            return {
              messageId: envelope.messageId,
              inReplyTo: envelope.inReplyTo,
              subject: envelope.subject ?? '',
            };
          }
        }
      } finally {
        lock.release();
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return null;
  } finally {
    await client.logout();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runRoundTrip((line) => console.log(line));
  if (result.ok) {
    console.log('\nround trip complete: the reply and the customer answer are in one case.');
  } else {
    console.error(`\nround trip FAILED:\n- ${result.problems.join('\n- ')}`);
    process.exitCode = 1;
  }
}
