import { ChannelError, interactionInputSchema } from '@rapport/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MastodonChannelOptions, mastodonChannel } from '../src/index.js';
import { FakeMastodon } from './fake-mastodon.js';
import { connect, idsOf, lastCursor, readAll, recordingLogger, rejectionOf, testContext } from './support.js';

let fake: FakeMastodon;

beforeEach(async () => {
  fake = await FakeMastodon.start();
});

afterEach(async () => {
  await fake.close();
});

function optionsFor(overrides: Partial<MastodonChannelOptions> = {}): MastodonChannelOptions {
  return {
    instanceUrl: fake.origin,
    accessToken: fake.token,
    accountId: fake.self.id,
    acct: fake.self.acct,
    streaming: false,
    ...overrides,
  };
}

async function start(overrides: Partial<MastodonChannelOptions> = {}, kv = new Map<string, string>()) {
  const options = optionsFor(overrides);
  return connect(mastodonChannel(options), options, { kv });
}

describe('a mention becomes an inbound interaction', () => {
  it('maps the recorded mention: plain text from the HTML, actor, metadata', async () => {
    const alice = fake.customer('alice');
    const status = fake.mention(alice, 'placeholder');
    // The recorded content of the fixture: an h-card mention, entities, a shortened link, a
    // line break, a hashtag.
    status.content =
      '<p><span class="h-card" translate="no"><a href="https://social.acme.example/@acmesupport" class="u-url mention">@<span>acmesupport</span></a></span> my order #4411 arrived broken &amp; the &quot;replace&quot; button 404s &lt;sigh&gt;</p><p>Photos: <a href="https://pix.example/albums/2024/05/broken-teapot-order-4411" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span><span class="ellipsis">pix.example/albums/2024/05/brok</span><span class="invisible">en-teapot-order-4411</span></a><br />Can you help? <a href="https://fosstodon.example/tags/CustomerService" class="mention hashtag" rel="tag">#<span>CustomerService</span></a></p>';

    const connection = await start({ inbound: { ownStatuses: false, directMessages: false } });
    const [interaction, ...rest] = (await readAll(connection, null)).flatMap((batch) => batch.interactions);

    expect(rest).toEqual([]);
    expect(interactionInputSchema.safeParse(interaction).success).toBe(true);
    expect(interaction).toMatchObject({
      channel: 'mastodon',
      account: fake.accountName,
      externalId: status.id,
      version: 0,
      direction: 'inbound',
      kind: 'mention',
      language: 'en',
      occurredAt: status.created_at,
      actor: { externalId: alice.id, handle: 'alice@fosstodon.example', displayName: 'Alice' },
      thread: status.id,
      metadata: {
        url: status.url,
        uri: status.uri,
        visibility: 'public',
        language: 'en',
        mentions: ['acmesupport'],
      },
    });
    expect(interaction?.text).toBe(
      '@acmesupport my order #4411 arrived broken & the "replace" button 404s <sigh>\n\n' +
        'Photos: https://pix.example/albums/2024/05/broken-teapot-order-4411\n' +
        'Can you help? #CustomerService',
    );
    expect(interaction?.parent).toBeUndefined();
  });

  it('maps a private mention (direct visibility) to a message, once, though it is also a conversation', async () => {
    const bruno = fake.customer('bruno', 'mastodon.example');
    const dm = fake.mention(bruno, 'Can I get a refund privately?', { visibility: 'direct' });

    const interactions = (await readAll(await start(), null)).flatMap((batch) => batch.interactions);

    expect(interactions.map((interaction) => interaction.externalId)).toEqual([dm.id]);
    expect(interactions[0]).toMatchObject({
      kind: 'message',
      direction: 'inbound',
      metadata: { visibility: 'direct' },
    });
  });

  it('leaves private mentions out when directMessages is off, and public ones when mentions is off', async () => {
    const alice = fake.customer('alice');
    const open = fake.mention(alice, 'public question');
    const hidden = fake.mention(alice, 'private question', { visibility: 'direct' });

    const onlyMentions = idsOf(
      await readAll(await start({ inbound: { directMessages: false, ownStatuses: false } }), null),
    );
    const onlyDirect = idsOf(
      await readAll(await start({ inbound: { mentions: false, ownStatuses: false } }), null),
    );

    expect(onlyMentions).toEqual([open.id]);
    expect(onlyDirect).toEqual([hidden.id]);
  });

  it('threads a reply chain on its root and names the parent', async () => {
    const alice = fake.customer('alice');
    const root = fake.mention(alice, 'First question');
    const ours = fake.ownPost('An answer', { inReplyTo: root.id, to: alice });
    const followUp = fake.mention(alice, 'Follow-up', { inReplyTo: ours.id });

    const interactions = (await readAll(await start(), null)).flatMap((batch) => batch.interactions);
    const byId = new Map(interactions.map((interaction) => [interaction.externalId, interaction]));

    expect(byId.get(root.id)).toMatchObject({ thread: root.id });
    expect(byId.get(ours.id)).toMatchObject({ thread: root.id, parent: root.id });
    expect(byId.get(followUp.id)).toMatchObject({ thread: root.id, parent: ours.id });
  });

  it('asks for a thread root once, then remembers it', async () => {
    const alice = fake.customer('alice');
    const root = fake.ownPost('Our announcement');
    const reply = fake.mention(alice, 'A reply to an old post', { inReplyTo: root.id });
    const kv = new Map<string, string>();

    const first = (await readAll(await start({ inbound: { ownStatuses: false } }, kv), null)).flatMap(
      (batch) => batch.interactions,
    );
    const contextCalls = fake.requestsTo('GET', /\/context$/).length;
    const second = fake.mention(alice, 'And another', { inReplyTo: reply.id });
    const later = (await readAll(await start({ inbound: { ownStatuses: false } }, kv), null)).flatMap(
      (batch) => batch.interactions,
    );

    expect(first[0]).toMatchObject({ externalId: reply.id, thread: root.id });
    expect(contextCalls).toBe(1);
    expect(later.find((interaction) => interaction.externalId === second.id)).toMatchObject({
      thread: root.id,
    });
    expect(fake.requestsTo('GET', /\/context$/)).toHaveLength(contextCalls);
  });
});

describe('paging with min_id', () => {
  it('reads every new mention in pages, oldest first, and a replay from the cursor yields nothing', async () => {
    const alice = fake.customer('alice');
    const connection = await start({ pageSize: 3, inbound: { ownStatuses: false, directMessages: false } });
    const start0 = lastCursor(await readAll(connection, null));
    const posted = Array.from({ length: 7 }, (_, i) => fake.mention(alice, `mention ${i}`).id);

    const batches = await readAll(connection, start0);
    const cursor = lastCursor(batches, start0);

    expect(idsOf(batches)).toEqual(posted);
    expect(batches.map((batch) => batch.interactions.length)).toEqual([3, 3, 1]);
    const minIds = fake
      .requestsTo('GET', '/api/v1/notifications')
      .map((request) => request.query.get('min_id'));
    expect(minIds.filter((id) => id !== null)).toHaveLength(3);
    expect(idsOf(await readAll(connection, cursor))).toEqual([]);
    expect(lastCursor(await readAll(connection, cursor), cursor)).toBe(cursor);
  });

  it('resumes from any committed batch cursor without losing or inventing items', async () => {
    const alice = fake.customer('alice');
    const connection = await start({ pageSize: 2, inbound: { ownStatuses: false, directMessages: false } });
    const origin = lastCursor(await readAll(connection, null));
    const posted = Array.from({ length: 5 }, (_, i) => fake.mention(alice, `m${i}`).id);
    const batches = await readAll(connection, origin);

    for (const [index, batch] of batches.entries()) {
      const seenSoFar = idsOf(batches.slice(0, index + 1));
      const replay = idsOf(await readAll(connection, batch.cursor));
      expect([...seenSoFar, ...replay]).toEqual(posted);
    }
  });

  it('reads only the lookback window on a first read, and starts after the newest item', async () => {
    const alice = fake.customer('alice');
    const now = Date.now();
    const old = fake.mention(alice, 'two days ago', { at: new Date(now - 2 * 86_400_000) });
    const recent = fake.mention(alice, 'an hour ago', { at: new Date(now - 3_600_000) });
    const connection = await start({ pageSize: 1, inbound: { ownStatuses: false, directMessages: false } });

    const lookback = await readAll(connection, null, 86_400_000);
    const none = await readAll(connection, null, 0);
    const after = fake.mention(alice, 'just now');
    const next = await readAll(connection, lastCursor(none));

    expect(idsOf(lookback)).toEqual([recent.id]);
    expect(idsOf(lookback)).not.toContain(old.id);
    expect(idsOf(none)).toEqual([]);
    expect(lastCursor(none)).not.toBeNull();
    expect(idsOf(next)).toEqual([after.id]);
  });

  it('starts from the beginning when the account had no notifications at all', async () => {
    const connection = await start({ inbound: { ownStatuses: false, directMessages: false } });
    const empty = await readAll(connection, null, 0);
    const first = fake.mention(fake.customer('alice'), 'hello');

    expect(idsOf(empty)).toEqual([]);
    expect(idsOf(await readAll(connection, lastCursor(empty)))).toEqual([first.id]);
  });

  it('throws cursor-invalid for a cursor it did not write', async () => {
    const connection = await start();
    for (const cursor of ['not json', '{"v":2}', '{"v":1,"notifications":"1 OR 1=1"}']) {
      const error = await rejectionOf(readAll(connection, cursor));
      expect(error).toBeInstanceOf(ChannelError);
      expect((error as ChannelError).kind).toBe('cursor-invalid');
    }
  });
});

describe("the account's own statuses", () => {
  it('come back outbound, addressed to the customer they answer', async () => {
    const alice = fake.customer('alice');
    const question = fake.mention(alice, 'Is the shop open on Sunday?');
    const answer = fake.ownPost('Yes, 10 to 4!', { inReplyTo: question.id, to: alice });
    const announcement = fake.ownPost('New opening hours from June.');

    const interactions = (await readAll(await start(), null)).flatMap((batch) => batch.interactions);
    const byId = new Map(interactions.map((interaction) => [interaction.externalId, interaction]));

    expect(byId.get(question.id)).toMatchObject({ direction: 'inbound', kind: 'mention' });
    expect(byId.get(answer.id)).toMatchObject({
      direction: 'outbound',
      kind: 'reply',
      actor: { externalId: fake.self.id, handle: fake.self.acct },
      recipient: { externalId: alice.id, handle: alice.acct },
      text: '@alice Yes, 10 to 4!',
    });
    expect(byId.get(announcement.id)).toMatchObject({ direction: 'outbound', kind: 'post' });
    expect(byId.get(announcement.id)?.recipient).toBeUndefined();
  });

  it('are left out when ownStatuses is off', async () => {
    fake.ownPost('An announcement');
    const ids = idsOf(await readAll(await start({ inbound: { ownStatuses: false } }), null));
    expect(ids).toEqual([]);
    expect(fake.requestsTo('GET', /\/statuses$/)).toHaveLength(0);
  });
});

describe('edited statuses', () => {
  it('carry a higher content version once edited', async () => {
    const alice = fake.customer('alice');
    const status = fake.mention(alice, 'My order is lost', { at: new Date(Date.now() - 60_000) });
    const kv = new Map<string, string>();

    const before = (await readAll(await start({}, kv), null)).flatMap((batch) => batch.interactions);
    fake.edit(status.id, 'My order is lost. Found the tracking number: 1Z999', new Date(Date.now() - 1_000));
    // A fresh first read (as after a lost cursor) within the lookback sees the edited status.
    const after = (await readAll(await start({}, kv), null)).flatMap((batch) => batch.interactions);

    expect(before[0]).toMatchObject({ externalId: status.id, version: 0 });
    expect(after[0]).toMatchObject({
      externalId: status.id,
      version: Date.parse(status.edited_at!),
      text: '@acmesupport My order is lost. Found the tracking number: 1Z999',
      metadata: { editedAt: status.edited_at },
    });
    expect(after[0]!.version!).toBeGreaterThan(before[0]!.version!);
  });
});

describe('the lookback window on later reads', () => {
  it('hands out statuses edited since they were read, with their new version, and nothing else', async () => {
    const alice = fake.customer('alice');
    const connection = await start({ inbound: { ownStatuses: false, directMessages: false } });
    const origin = lastCursor(await readAll(connection, null));
    const edited = fake.mention(alice, 'Wrong order number: 11');
    const untouched = fake.mention(alice, 'Another question');
    const cursor = lastCursor(await readAll(connection, origin));
    fake.edit(edited.id, 'Right order number: 12');

    const withLookback = (await readAll(connection, cursor, 3_600_000)).flatMap(
      (batch) => batch.interactions,
    );
    const without = await readAll(connection, cursor, 0);

    expect(withLookback.map((item) => [item.externalId, item.version])).toEqual([
      [edited.id, Date.parse(fake.status(edited.id)!.edited_at!)],
    ]);
    expect(withLookback[0]?.text).toBe('@acmesupport Right order number: 12');
    expect(withLookback.map((item) => item.externalId)).not.toContain(untouched.id);
    expect(idsOf(without)).toEqual([]);
  });

  it('leaves out edited statuses older than the window', async () => {
    const alice = fake.customer('alice');
    const connection = await start({ inbound: { ownStatuses: false, directMessages: false } });
    const old = fake.mention(alice, 'Old', { at: new Date(Date.now() - 7_200_000) });
    const cursor = lastCursor(await readAll(connection, null, 86_400_000));
    fake.edit(old.id, 'Old, edited');

    expect(idsOf(await readAll(connection, cursor, 3_600_000))).toEqual([]);
  });
});

describe('odd payloads', () => {
  it('skips an entry it cannot read, logs it, and still moves past it', async () => {
    const alice = fake.customer('alice');
    const broken = fake.mention(alice, 'this one is broken');
    (broken as Record<string, unknown>).created_at = undefined;
    const fine = fake.mention(alice, 'this one is fine');
    const logger = recordingLogger();
    const options = optionsFor({ inbound: { ownStatuses: false, directMessages: false } });
    const connection = await mastodonChannel(options).init(testContext(options, { logger }));

    const batches = await readAll(connection, null);

    expect(idsOf(batches)).toEqual([fine.id]);
    expect(logger.entries.some((entry) => entry.level === 'warn')).toBe(true);
    expect(idsOf(await readAll(connection, lastCursor(batches)))).toEqual([]);
  });
});
