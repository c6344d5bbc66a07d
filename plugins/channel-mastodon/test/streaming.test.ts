import type { ChannelBatch, ChannelConnection } from '@rapport/core';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCursor, type MastodonChannelOptions, mastodonChannel } from '../src/index.js';
import { FakeMastodon } from './fake-mastodon.js';
import { connect, lastCursor, readAll } from './support.js';

// The streaming path runs against a real WebSocket server on loopback (the `ws` package) that
// speaks Mastodon's streaming protocol: masto uses the `ws` package in Node, which msw's
// WebSocket interception (built on a global WebSocket, absent from Node 20) does not reach.

const WAIT_MS = 15_000;

let fake: FakeMastodon;
const stops: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await fake.close();
});

function optionsFor(overrides: Partial<MastodonChannelOptions> = {}): MastodonChannelOptions {
  return {
    instanceUrl: fake.origin,
    accessToken: fake.token,
    accountId: fake.self.id,
    acct: fake.self.acct,
    streamingUrl: fake.streamingUrl ?? undefined,
    // Long enough that only the stream can explain an item arriving in these tests.
    pollIntervalMs: 600_000,
    ...overrides,
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs a subscription in the background, collecting its batches. */
function subscribe(connection: ChannelConnection, cursor: string | null) {
  const batches: ChannelBatch[] = [];
  const iterator = connection.subscribe!({ cursor })[Symbol.asyncIterator]();
  let failure: unknown;
  const running = (async () => {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        batches.push(next.value);
      }
    } catch (error) {
      failure = error;
    }
  })();
  const stop = async () => {
    await iterator.return?.();
    await running;
  };
  stops.push(stop);
  const items = () => batches.flatMap((batch) => batch.interactions);
  return {
    batches,
    items,
    stop,
    async waitFor(externalId: string, version?: number) {
      await until(
        () =>
          failure !== undefined ||
          items().some(
            (item) => item.externalId === externalId && (version === undefined || item.version === version),
          ),
        `status ${externalId}`,
      );
      if (failure) throw failure;
      return batches.find((batch) => batch.interactions.some((item) => item.externalId === externalId))!;
    },
  };
}

async function started(overrides: Partial<MastodonChannelOptions> = {}) {
  fake = await FakeMastodon.start({ streaming: true });
  const options = optionsFor(overrides);
  const connection = await connect(mastodonChannel(options), options);
  const cursor = lastCursor(await readAll(connection, null));
  return { connection, cursor };
}

describe('subscribe with the streaming API', () => {
  it('delivers a mention from the user stream at once, keeping the cursor where polling left it', async () => {
    const { connection, cursor } = await started();
    const live = subscribe(connection, cursor);
    await until(() => fake.subscribers('user') === 1, 'the user stream subscription');

    const mention = fake.mention(fake.customer('alice'), 'Are you there?');
    const batch = await live.waitFor(mention.id);

    expect(batch.interactions[0]).toMatchObject({
      externalId: mention.id,
      direction: 'inbound',
      kind: 'mention',
    });
    expect(decodeCursor(batch.cursor)).toEqual(decodeCursor(cursor));
  });

  it('catches up from the cursor before going live', async () => {
    const { connection, cursor } = await started();
    const missed = fake.mention(fake.customer('alice'), 'Said while nobody listened');

    const live = subscribe(connection, cursor);
    const batch = await live.waitFor(missed.id);
    await until(() => fake.subscribers('user') === 1, 'the user stream subscription');

    expect(decodeCursor(batch.cursor).notifications).toBeDefined();
    expect(decodeCursor(batch.cursor)).not.toEqual(decodeCursor(cursor));
  });

  it('delivers an edit as a new version (status.update)', async () => {
    const { connection, cursor } = await started();
    const live = subscribe(connection, cursor);
    await until(() => fake.subscribers('user') === 1, 'the user stream subscription');
    const mention = fake.mention(fake.customer('alice'), 'Order 12');
    await live.waitFor(mention.id);

    const edited = fake.edit(mention.id, 'Order 12, sorry: order 21', new Date(Date.now() + 1_000));
    await live.waitFor(mention.id, Date.parse(edited.edited_at!));

    const versions = live.items().filter((item) => item.externalId === mention.id);
    expect(versions.map((item) => item.version)).toEqual([0, Date.parse(edited.edited_at!)]);
    expect(versions[1]?.text).toBe('@acmesupport Order 12, sorry: order 21');
  });

  it('delivers a private mention once, though it comes on both the user and the direct stream', async () => {
    const { connection, cursor } = await started();
    const live = subscribe(connection, cursor);
    await until(
      () => fake.subscribers('user') === 1 && fake.subscribers('direct') === 1,
      'the user and direct subscriptions',
    );

    const dm = fake.mention(fake.customer('bruno'), 'Private question', { visibility: 'direct' });
    await live.waitFor(dm.id);
    const marker = fake.mention(fake.customer('chen'), 'after the private one');
    await live.waitFor(marker.id);

    expect(live.items().filter((item) => item.externalId === dm.id)).toHaveLength(1);
    expect(live.items().find((item) => item.externalId === dm.id)).toMatchObject({ kind: 'message' });
  });

  it('delivers what we send outbound, and nothing from the rest of the home timeline', async () => {
    const { connection, cursor } = await started();
    const live = subscribe(connection, cursor);
    await until(() => fake.subscribers('user') === 1, 'the user stream subscription');
    const alice = fake.customer('alice');
    const question = fake.mention(alice, 'Hello?');
    await live.waitFor(question.id);

    const sent = await connection.send!({
      idempotencyKey: 'k1',
      account: fake.accountName,
      to: { externalId: alice.id, handle: alice.acct },
      inReplyTo: question.id,
      context: { visibility: 'public' },
      text: 'Hi Alice!',
    });
    await live.waitFor(sent.externalId);

    expect(live.items().find((item) => item.externalId === sent.externalId)).toMatchObject({
      direction: 'outbound',
      kind: 'reply',
      parent: question.id,
      thread: question.id,
    });
    expect(
      live.items().every((item) => item.externalId === question.id || item.externalId === sent.externalId),
    ).toBe(true);
  });

  it('finds the streaming URL the server announces when none is configured', async () => {
    const { connection, cursor } = await started({ streamingUrl: undefined });
    subscribe(connection, cursor);

    await until(() => fake.subscribers('user') === 1, 'the user stream subscription');

    expect(fake.requestsTo('GET', '/api/v2/instance')).toHaveLength(1);
  });

  it('closes the stream when the subscription is stopped', async () => {
    const { connection, cursor } = await started();
    const live = subscribe(connection, cursor);
    await until(() => fake.subscribers('user') === 1, 'the user stream subscription');

    await live.stop();

    await until(() => fake.subscribers('user') === 0, 'the stream to close');
  });

  it('never connects when stopped before its stream connected', async () => {
    const { connection, cursor } = await started();
    const live = subscribe(connection, cursor);
    await until(() => fake.requestsTo('GET', '/api/v1/notifications').length > 0, 'the catch-up poll');

    await live.stop();
    // masto's first connection attempt comes a second after the subscription starts.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    expect(fake.streamConnections).toBe(0);
  });
});

describe('subscribe keeps polling', () => {
  it('picks up, and moves the cursor past, what was said while the stream was down', async () => {
    const { connection, cursor } = await started({ pollIntervalMs: 250 });
    const live = subscribe(connection, cursor);
    await until(() => fake.subscribers('user') === 1, 'the user stream subscription');

    fake.dropStreams();
    // Nobody is subscribed now: this mention is never pushed on a stream.
    const missed = fake.mention(fake.customer('alice'), 'Said during the outage');
    const batch = await live.waitFor(missed.id);

    expect(decodeCursor(batch.cursor)).not.toEqual(decodeCursor(cursor));
    const replay = await readAll(connection, batch.cursor, 0);
    expect(replay.flatMap((b) => b.interactions.map((item) => item.externalId))).not.toContain(missed.id);
  });

  it('polls alone when streaming is off', async () => {
    const { connection, cursor } = await started({ streaming: false, pollIntervalMs: 100 });
    const live = subscribe(connection, cursor);

    const mention = fake.mention(fake.customer('alice'), 'Polling only');
    await live.waitFor(mention.id);

    expect(fake.subscribers('user')).toBe(0);
  });
});
