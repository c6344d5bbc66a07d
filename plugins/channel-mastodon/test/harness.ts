import type { OutboundMessage } from '@rapport/core';
import type { ChannelHarness } from '@rapport/testkit/conformance';
import { type MastodonChannelOptions, mastodonChannel } from '../src/index.js';
import { FakeMastodon } from './fake-mastodon.js';

/** The harness with the fake server behind it, for this package's own tests. */
export interface MastodonHarness extends ChannelHarness {
  fake: FakeMastodon;
  options: MastodonChannelOptions;
}

/**
 * The Mastodon channel wired to an in-memory Mastodon server (msw for REST, a loopback
 * WebSocket server for streaming), for the channel conformance suite.
 */
export async function createHarness(): Promise<ChannelHarness> {
  return createMastodonHarness();
}

export async function createMastodonHarness(
  overrides: Partial<MastodonChannelOptions> = {},
): Promise<MastodonHarness> {
  const fake = await FakeMastodon.start({ streaming: true });
  const customers = [
    fake.customer('alice'),
    fake.customer('bruno', 'mastodon.example'),
    fake.customer('chen', fake.host),
  ];
  const options: MastodonChannelOptions = {
    instanceUrl: fake.origin,
    accessToken: fake.token,
    accountId: fake.self.id,
    acct: fake.self.acct,
    streamingUrl: fake.streamingUrl ?? undefined,
    pollIntervalMs: 200,
    pageSize: 5,
    ...overrides,
  };
  let produced = 0;
  return {
    fake,
    plugin: mastodonChannel(options),
    options,
    account: fake.accountName,
    async produceInbound(count) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const customer = customers[produced % customers.length]!;
        produced += 1;
        ids.push(
          fake.mention(customer, `Question ${produced}: where is my order? It's been a week & no news.`).id,
        );
      }
      return ids;
    },
    async replyTarget(externalId): Promise<Omit<OutboundMessage, 'idempotencyKey' | 'text'>> {
      const status = fake.status(externalId);
      if (!status) throw new Error(`the fake server has no status ${externalId}`);
      let root = status;
      while (root.in_reply_to_id) {
        const parent = fake.status(root.in_reply_to_id);
        if (!parent) break;
        root = parent;
      }
      return {
        account: fake.accountName,
        to: { externalId: status.account.id, handle: status.account.acct },
        inReplyTo: status.id,
        thread: root.id,
        context: { visibility: status.visibility, url: status.url },
      };
    },
    async deliveredCount(idempotencyKey) {
      return fake.createdFor(idempotencyKey);
    },
    async rateLimitNext(retryAfterMs) {
      fake.rateLimitNext(retryAfterMs);
    },
    async close() {
      await fake.close();
    },
  };
}
