import { type ChannelConnection, ChannelError, type OutboundMessage } from '@rapport/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeStatusText, type MastodonChannelOptions, mastodonChannel } from '../src/index.js';
import { FakeMastodon } from './fake-mastodon.js';
import { connect, readAll, rejectionOf } from './support.js';

let fake: FakeMastodon;
let connection: ChannelConnection;
let kv: Map<string, string>;

beforeEach(async () => {
  fake = await FakeMastodon.start();
  kv = new Map();
  const options: MastodonChannelOptions = {
    instanceUrl: fake.origin,
    accessToken: fake.token,
    accountId: fake.self.id,
    acct: fake.self.acct,
    streaming: false,
  };
  connection = await connect(mastodonChannel(options), options, { kv });
});

afterEach(async () => {
  await fake.close();
});

function replyTo(statusId: string, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  const status = fake.status(statusId)!;
  return {
    idempotencyKey: `outbox-${statusId}`,
    account: fake.accountName,
    to: { externalId: status.account.id, handle: status.account.acct },
    inReplyTo: statusId,
    thread: statusId,
    context: { visibility: status.visibility, url: status.url },
    text: 'Sorry about that! A replacement is on its way.',
    ...overrides,
  };
}

describe('send', () => {
  it('posts a reply with the Idempotency-Key, the reply target and the mention of the customer', async () => {
    const alice = fake.customer('alice');
    const question = fake.mention(alice, 'My teapot arrived broken');

    const result = await connection.send!(replyTo(question.id));

    const [post] = fake.requestsTo('POST', '/api/v1/statuses');
    expect(post?.headers.get('idempotency-key')).toBe(`outbox-${question.id}`);
    expect(post?.body).toMatchObject({
      status: '@alice@fosstodon.example Sorry about that! A replacement is on its way.',
      in_reply_to_id: question.id,
      visibility: 'public',
    });
    const created = fake.status(result.externalId);
    expect(created?.in_reply_to_id).toBe(question.id);
    expect(created?.mentions.map((mention) => mention.id)).toEqual([alice.id]);
    expect(result.sentAt).toEqual(new Date(created!.created_at));
  });

  it('keeps a private mention private: direct stays direct, from the context', async () => {
    const bruno = fake.customer('bruno', 'mastodon.example');
    const dm = fake.mention(bruno, 'My account number is 12345, please check', { visibility: 'direct' });

    const result = await connection.send!(replyTo(dm.id));

    expect(fake.requestsTo('POST', '/api/v1/statuses')[0]?.body).toMatchObject({ visibility: 'direct' });
    expect(fake.status(result.externalId)?.visibility).toBe('direct');
    // The context was enough: the status replied to was not fetched.
    expect(fake.requestsTo('GET', `/api/v1/statuses/${dm.id}`)).toHaveLength(0);
  });

  it("looks the original's visibility up when the context does not carry it", async () => {
    const alice = fake.customer('alice');
    const followersOnly = fake.mention(alice, 'For followers only', { visibility: 'private' });

    await connection.send!(replyTo(followersOnly.id, { context: undefined }));

    expect(fake.requestsTo('GET', `/api/v1/statuses/${followersOnly.id}`)).toHaveLength(1);
    expect(fake.requestsTo('POST', '/api/v1/statuses')[0]?.body).toMatchObject({ visibility: 'private' });
  });

  it('carries the content warning of the status replied to', async () => {
    const alice = fake.customer('alice');
    const spoiler = fake.mention(alice, 'Details of a bad experience', {
      spoilerText: 'customer service rant',
    });

    await connection.send!(
      replyTo(spoiler.id, { context: { visibility: 'public', spoilerText: 'customer service rant' } }),
    );

    expect(fake.requestsTo('POST', '/api/v1/statuses')[0]?.body).toMatchObject({
      spoiler_text: 'customer service rant',
    });
  });

  it('sends once for two sends with one idempotency key (the server deduplicates)', async () => {
    const alice = fake.customer('alice');
    const question = fake.mention(alice, 'Hello?');
    const message = replyTo(question.id, { idempotencyKey: 'one-key' });

    const first = await connection.send!(message);
    const second = await connection.send!(message);

    expect(fake.requestsTo('POST', '/api/v1/statuses')).toHaveLength(2);
    expect(fake.createdFor('one-key')).toBe(1);
    expect(fake.ownStatuses()).toHaveLength(1);
    expect(second).toEqual(first);
  });

  it('does not mention the customer twice when the text already does', async () => {
    expect(composeStatusText('alice@fosstodon.example', 'Hi @alice@fosstodon.example, done.')).toBe(
      'Hi @alice@fosstodon.example, done.',
    );
    expect(composeStatusText('alice', 'Hi @alice2')).toBe('@alice Hi @alice2');
  });

  it('finds the handle of a recipient given by id only', async () => {
    const alice = fake.customer('alice');
    const question = fake.mention(alice, 'Hello?');

    await connection.send!(replyTo(question.id, { to: { externalId: alice.id } }));

    expect(fake.requestsTo('POST', '/api/v1/statuses')[0]?.body).toMatchObject({
      status: expect.stringMatching(/^@alice@fosstodon\.example /),
    });
  });

  it('starts a private conversation when there is nothing to reply to', async () => {
    const alice = fake.customer('alice');

    const result = await connection.send!({
      idempotencyKey: 'new-dm',
      account: fake.accountName,
      to: { externalId: alice.id, handle: `@${alice.acct}` },
      text: 'Your replacement shipped today.',
    });

    expect(fake.status(result.externalId)).toMatchObject({ visibility: 'direct', in_reply_to_id: null });
  });

  it('sends replies that come back outbound in the same thread, with the id send returned', async () => {
    const alice = fake.customer('alice');
    const root = fake.mention(alice, 'Question');
    const followUp = fake.mention(alice, 'Any news?', { inReplyTo: root.id });
    await readAll(connection, null);

    const result = await connection.send!(replyTo(followUp.id, { thread: root.id }));
    const items = (await readAll(connection, null)).flatMap((batch) => batch.interactions);

    expect(items.find((item) => item.externalId === result.externalId)).toMatchObject({
      direction: 'outbound',
      kind: 'reply',
      thread: root.id,
      parent: followUp.id,
    });
  });

  it('fails permanently when the status to reply to is gone', async () => {
    const alice = fake.customer('alice');
    const message: OutboundMessage = {
      idempotencyKey: 'gone',
      account: fake.accountName,
      to: { externalId: alice.id, handle: alice.acct },
      inReplyTo: '999999999999999999',
      context: { visibility: 'public' },
      text: 'Hello',
    };

    const error = await rejectionOf(connection.send!(message));

    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).kind).toBe('permanent');
    expect((error as ChannelError).retryable).toBe(false);
    expect(fake.createdFor('gone')).toBe(0);
  });

  it('fails permanently on a 422 (a status too long)', async () => {
    const alice = fake.customer('alice');
    const question = fake.mention(alice, 'Tell me everything');

    const error = await rejectionOf(connection.send!(replyTo(question.id, { text: 'x'.repeat(600) })));

    expect((error as ChannelError).kind).toBe('permanent');
    expect((error as ChannelError).message).toMatch(/HTTP 422/);
  });

  it('rejects an empty message without calling the server', async () => {
    const alice = fake.customer('alice');
    const question = fake.mention(alice, 'Hello');

    const error = await rejectionOf(connection.send!(replyTo(question.id, { text: '   ' })));

    expect((error as ChannelError).kind).toBe('permanent');
    expect(fake.requestsTo('POST', '/api/v1/statuses')).toHaveLength(0);
  });
});

describe('reconcile', () => {
  it('finds a reply that was sent although the answer was lost', async () => {
    const alice = fake.customer('alice');
    const question = fake.mention(alice, 'Where is my parcel?');
    const message = replyTo(question.id, {
      text: 'It left our warehouse today.\n\nTracking: https://track.example/1Z999',
    });
    // The POST went through but the response never arrived.
    const sent = await connection.send!(message);

    const found = await connection.reconcile!(message);

    expect(found).toEqual(sent);
  });

  it('returns null when nothing was sent', async () => {
    const alice = fake.customer('alice');
    const question = fake.mention(alice, 'Where is my parcel?');
    fake.ownPost('It left our warehouse yesterday.', { inReplyTo: question.id, to: alice });
    fake.ownPost('It left our warehouse today.', { to: alice });

    const found = await connection.reconcile!(replyTo(question.id, { text: 'It left our warehouse today.' }));

    expect(found).toBeNull();
  });

  it('does not look further back than the reconcile window', async () => {
    const alice = fake.customer('alice');
    const question = fake.mention(alice, 'Old question', { at: new Date(Date.now() - 3 * 86_400_000) });
    fake.ownPost('Old answer', {
      inReplyTo: question.id,
      to: alice,
      at: new Date(Date.now() - 2 * 86_400_000),
    });

    const found = await connection.reconcile!(replyTo(question.id, { text: 'Old answer' }));

    expect(found).toBeNull();
  });
});
