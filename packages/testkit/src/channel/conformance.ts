import {
  CHANNEL_SPEC_VERSION,
  type ChannelConnection,
  type ChannelContext,
  createRapport,
  type InteractionInput,
  memoryStorage,
  type OutboundMessage,
  type Rapport,
  type RapportOptions,
} from '@rapport/core';
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import type { ChannelHarness } from './harness.js';

/** The named suites of the channel conformance kit. */
export const channelSuites = [
  'manifest',
  'read',
  'send',
  'rate-limit',
  'webhook',
  'loop-prevention',
] as const;

/** Name of a channel suite. */
export type ChannelSuiteName = (typeof channelSuites)[number];

/** Options of {@link describeChannelConformance}. */
export interface ChannelConformanceOptions {
  /** Shown in test names. */
  name: string;
  /** Makes a fresh harness (remote side and plugin) for each test. */
  create: () => Promise<ChannelHarness>;
  /** Suites to turn off, each with the reason (printed as a skipped test). */
  skip?: Partial<Record<ChannelSuiteName, string>>;
  /** Per-test timeout in ms for slow remote sides (a real mail server); default vitest's. */
  timeoutMs?: number;
}

const LOOKBACK_MS = 60 * 60_000;

/**
 * Defines the channel conformance suites with vitest: every first-party channel runs them, and
 * a vendor's channel should too. The suites drive the plugin both directly and through a real
 * Rapport host (memory store), and check the remote side through the harness, never the
 * plugin's internals:
 *
 * - `manifest`: contract version, capabilities and limits as data, options schema, secrets;
 * - `read`: external ids are stable, the host stores each batch before committing its cursor,
 *   and a replay from any cursor yields nothing new beyond the lookback window;
 * - `send`: a reply threads under the customer's message, and one idempotency key sends once,
 *   through the channel's own idempotency or `reconcile`;
 * - `rate-limit`: a 429 makes the host wait at least what the channel asked;
 * - `webhook`: a signed request is taken, a tampered one refused and nothing stored;
 * - `loop-prevention`: our own sent message, read back, is never a customer message.
 *
 * @example
 * ```ts
 * describeChannelConformance({ name: 'email', create: createHarness, timeoutMs: 30_000 });
 * ```
 */
export function describeChannelConformance(options: ChannelConformanceOptions): void {
  describe(`channel conformance: ${options.name}`, () => {
    let harness: ChannelHarness;
    const started: Rapport[] = [];
    const connections: ChannelConnection[] = [];

    beforeEach(async () => {
      harness = await options.create();
    }, options.timeoutMs);
    afterEach(async () => {
      for (const r of started.splice(0)) await r.stop();
      for (const c of connections.splice(0)) await c.close?.();
      await harness.close();
    }, options.timeoutMs);

    const suite = (name: ChannelSuiteName, body: () => void) => {
      const reason = options.skip?.[name];
      describe(name, () => {
        if (reason) {
          it.skip(`skipped: ${reason}`, () => {});
          return;
        }
        body();
      });
    };
    const test = (title: string, body: (context: TestContext) => Promise<void>) =>
      it(title, body, options.timeoutMs);

    /** A host around the plugin: memory store, no background loops unless asked. */
    const host = async (extra: Partial<RapportOptions> = {}) => {
      const rapport = createRapport({
        storage: memoryStorage(),
        channels: [harness.plugin],
        cases: {},
        channelHost: { pollMs: 0, lookbackMs: LOOKBACK_MS },
        outbox: { pollMs: 0, backoff: { baseMs: 10, maxMs: 50 } },
        ...extra,
      });
      await rapport.start();
      started.push(rapport);
      return rapport;
    };

    /** The plugin started directly, with an in-memory key-value store. */
    const connect = async (): Promise<ChannelConnection> => {
      const kv = new Map<string, string>();
      const context: ChannelContext = {
        tenantId: 'conformance',
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        clock: { now: () => new Date() },
        signal: new AbortController().signal,
        kv: {
          get: async (key) => kv.get(key) ?? null,
          set: async (key, value) => {
            kv.set(key, value);
          },
        },
      };
      const connection = await harness.plugin.init(context);
      connections.push(connection);
      return connection;
    };

    const readAll = async (connection: ChannelConnection, cursor: string | null) => {
      const batches: Array<{ ids: string[]; cursor: string | null }> = [];
      for await (const batch of connection.read!({ cursor, lookbackMs: LOOKBACK_MS })) {
        batches.push({ ids: batch.interactions.map((i) => i.externalId), cursor: batch.cursor });
        if (batches.length > 1000) throw new Error('the read never ends');
      }
      return batches;
    };

    const requireRead = (context: TestContext) => {
      if (
        !harness.plugin.capabilities.inbound.includes('poll') &&
        !harness.plugin.capabilities.inbound.includes('stream')
      )
        context.skip('the channel has no read');
    };

    suite('manifest', () => {
      test('declares the contract version, what it can do, and its limits as data', async () => {
        const p = harness.plugin;
        expect(p.specVersion).toBe(CHANNEL_SPEC_VERSION);
        expect(p.id).toMatch(/^[a-z0-9][a-z0-9._-]*$/);
        expect(typeof p.version).toBe('string');
        expect(p.channel.length).toBeGreaterThan(0);
        expect(p.account).toBe(harness.account);
        expect(Array.isArray(p.capabilities.inbound)).toBe(true);
        expect(Array.isArray(p.capabilities.outbound)).toBe(true);
        expect(typeof p.capabilities.nativeIdempotency).toBe('boolean');
        expect(typeof p.capabilities.backfill.supported).toBe('boolean');
        for (const limit of p.rateLimits) {
          expect(['credential', 'account', 'global']).toContain(limit.scope);
          expect(limit.requests).toBeGreaterThan(0);
          expect(limit.perMs).toBeGreaterThan(0);
        }
        expect(typeof p.optionsSchema.safeParse).toBe('function');
        expect(p.optionsSchema.safeParse(harness.options).success).toBe(true);
        // Plain data: the manifest survives JSON (no functions or classes hiding in it).
        expect(JSON.parse(JSON.stringify(p.capabilities))).toEqual(p.capabilities);
        for (const secret of p.secrets) expect(typeof secret).toBe('string');
      });
    });

    suite('read', () => {
      test('the host stores what the channel has, commits its cursor, and a second sync finds nothing new', async (context) => {
        requireRead(context);
        const produced = await harness.produceInbound(3);
        const rapport = await host();
        const [first] = await rapport.channels.sync(harness.plugin.id);
        expect(first?.interactions).toBeGreaterThanOrEqual(3);
        for (const externalId of produced) {
          const page = await rapport.conversations.list({}, { limit: 100 });
          expect(page.items.length).toBeGreaterThan(0);
          expect(await findInteraction(rapport, harness.plugin.channel, harness.account, externalId)).toBe(
            true,
          );
        }
        const stored = (await rapport.stats()).interactions;
        const [second] = await rapport.channels.sync(harness.plugin.id);
        expect((await rapport.stats()).interactions).toBe(stored);
        expect(second?.cursor).not.toBeUndefined();
      });

      test('external ids are stable, and a replay from any cursor yields nothing new beyond the lookback', async (context) => {
        requireRead(context);
        await harness.produceInbound(4);
        const connection = await connect();
        const full = await readAll(connection, null);
        const all = full.flatMap((b) => b.ids);
        expect(all.length).toBeGreaterThanOrEqual(4);
        const again = (await readAll(connection, null)).flatMap((b) => b.ids);
        expect(new Set(again)).toEqual(new Set(all));
        for (const { cursor } of full) {
          const replay = (await readAll(connection, cursor)).flatMap((b) => b.ids);
          for (const id of replay) expect(all).toContain(id);
        }
        // New items after the last cursor are found from it.
        const last = full.at(-1)?.cursor ?? null;
        const [fresh] = await harness.produceInbound(1);
        const after = (await readAll(connection, last)).flatMap((b) => b.ids);
        expect(after).toContain(fresh);
      });
    });

    suite('send', () => {
      test('a reply threads under the customer message and one idempotency key is delivered once', async (context) => {
        if (!harness.plugin.capabilities.outbound.includes('reply')) context.skip('the channel cannot reply');
        const [customerItem] = await harness.produceInbound(1);
        const target = await harness.replyTarget(customerItem!);
        const connection = await connect();
        const message: OutboundMessage = {
          ...target,
          idempotencyKey: `conformance-${Date.now()}`,
          text: 'Thanks, on it.',
        };
        const sent = await connection.send!(message);
        expect(typeof sent.externalId).toBe('string');
        expect(sent.sentAt).toBeInstanceOf(Date);
        // The retry after an ambiguous failure: the channel deduplicates, or reconcile finds the message.
        if (harness.plugin.capabilities.nativeIdempotency) await connection.send!(message);
        else {
          expect(
            connection.reconcile,
            'a channel without native idempotency must offer reconcile',
          ).toBeTypeOf('function');
          expect((await connection.reconcile!(message))?.externalId).toBe(sent.externalId);
        }
        expect(await harness.deliveredCount(message.idempotencyKey)).toBe(1);
        if (connection.reconcile) {
          expect(
            // A message never sent is not found (a channel with no place for the key may match on content).
            await connection.reconcile({
              ...message,
              idempotencyKey: `${message.idempotencyKey}-never-sent`,
              text: 'A message that was never sent',
            }),
          ).toBeNull();
        }
      });

      test('through the host, a repeated reply request sends once', async (context) => {
        if (!harness.plugin.capabilities.outbound.includes('reply')) context.skip('the channel cannot reply');
        const [customerItem] = await harness.produceInbound(1);
        const target = await harness.replyTarget(customerItem!);
        const rapport = await host();
        await ingestTarget(rapport, harness, customerItem!, target);
        const [conversation] = (await rapport.conversations.list({}, { limit: 1 })).items;
        const key = `conformance-host-${Date.now()}`;
        await rapport.cases.reply(conversation!.id, { text: 'Looking into it' }, { idempotencyKey: key });
        await rapport.cases.reply(conversation!.id, { text: 'Looking into it' }, { idempotencyKey: key });
        await rapport.outbox.run();
        const [message] = (await rapport.cases.replies(conversation!.id)).items;
        expect(message?.state).toBe('sent');
        expect(await harness.deliveredCount(key)).toBe(1);
      });
    });

    suite('rate-limit', () => {
      test('a 429 on send makes the outbox wait at least what the channel asked', async (context) => {
        if (!harness.rateLimitNext) context.skip('the channel has no rate limiting to simulate');
        if (!harness.plugin.capabilities.outbound.includes('reply')) context.skip('the channel cannot reply');
        const [customerItem] = await harness.produceInbound(1);
        const target = await harness.replyTarget(customerItem!);
        const rapport = await host();
        await ingestTarget(rapport, harness, customerItem!, target);
        const [conversation] = (await rapport.conversations.list({}, { limit: 1 })).items;
        await harness.rateLimitNext!(30_000);
        const before = Date.now();
        await rapport.cases.reply(conversation!.id, { text: 'Soon' }, { idempotencyKey: `rl-${before}` });
        await rapport.outbox.run();
        const [message] = (await rapport.cases.replies(conversation!.id)).items;
        expect(message).toMatchObject({ state: 'pending', attempts: 1 });
        expect(message!.errors[0]?.kind).toBe('rate-limited');
        expect(message!.nextAttemptAt.getTime() - before).toBeGreaterThanOrEqual(29_000);
        expect(await harness.deliveredCount(`rl-${before}`)).toBe(0);
      });

      test('a 429 on read makes the sync loop wait at least what the channel asked', async (context) => {
        if (!harness.rateLimitNext) context.skip('the channel has no rate limiting to simulate');
        requireRead(context);
        const waits: number[] = [];
        await harness.rateLimitNext!(20_000);
        await host({
          channelHost: {
            pollMs: 3_600_000,
            lookbackMs: LOOKBACK_MS,
            sleep: (ms, signal) => {
              waits.push(ms);
              return new Promise((resolve) => {
                if (signal?.aborted) resolve();
                signal?.addEventListener('abort', () => resolve(), { once: true });
              });
            },
          },
        });
        for (let i = 0; i < 400 && waits.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        expect(waits[0]).toBeGreaterThanOrEqual(19_000);
      });
    });

    suite('webhook', () => {
      test('a signed request is taken and stored; tampered ones are refused and store nothing', async (context) => {
        if (!harness.signedWebhook) context.skip('the channel takes no webhooks');
        const rapport = await host();
        const good = await harness.signedWebhook!();
        const tamperedBody = await harness.signedWebhook!();
        const body = Buffer.from(tamperedBody.body);
        body[body.length - 2] = body[body.length - 2] === 0x20 ? 0x21 : 0x20;
        const refused = await rapport.channels.handleWebhook(harness.plugin.id, { ...tamperedBody, body });
        expect(refused.status).toBe(401);
        const forged = await harness.signedWebhook!();
        const headers = Object.fromEntries(
          Object.entries(forged.headers).map(([k, v]) =>
            k.toLowerCase().includes('signature') ? [k, `v1,${Buffer.alloc(32).toString('base64')}`] : [k, v],
          ),
        );
        expect((await rapport.channels.handleWebhook(harness.plugin.id, { ...forged, headers })).status).toBe(
          401,
        );
        await rapport.channels.settle();
        expect((await rapport.stats()).interactions).toBe(0);
        const taken = await rapport.channels.handleWebhook(harness.plugin.id, good);
        expect(taken.status).toBeGreaterThanOrEqual(200);
        expect(taken.status).toBeLessThan(300);
        await rapport.channels.settle();
        expect((await rapport.stats()).interactions).toBeGreaterThan(0);
      });
    });

    suite('loop-prevention', () => {
      test('our own sent message, read back from the channel, is never a customer message', async (context) => {
        requireRead(context);
        if (!harness.plugin.capabilities.outbound.includes('reply')) context.skip('the channel cannot reply');
        const [customerItem] = await harness.produceInbound(1);
        const target = await harness.replyTarget(customerItem!);
        const connection = await connect();
        const sent = await connection.send!({
          ...target,
          idempotencyKey: `loop-${Date.now()}`,
          text: 'Our answer',
        });
        const read = (await collectItems(connection)).filter((i) => i.externalId === sent.externalId);
        for (const item of read) expect(item.direction).toBe('outbound');
      });
    });
  });
}

async function collectItems(connection: ChannelConnection): Promise<InteractionInput[]> {
  const items: InteractionInput[] = [];
  for await (const batch of connection.read!({ cursor: null, lookbackMs: LOOKBACK_MS }))
    items.push(...batch.interactions);
  return items;
}

async function findInteraction(rapport: Rapport, channel: string, account: string, externalId: string) {
  const conversations = await rapport.conversations.list({ channel, account }, { limit: 1000 });
  for (const c of conversations.items) {
    const page = await rapport.conversations.interactions(c.id, { limit: 1000 });
    if (page.items.some((i) => i.externalId === externalId)) return true;
  }
  return false;
}

/**
 * Makes the host know the customer's message, so a reply has something to answer: read from the
 * channel when it can, else taken from the reply target (webhook-only channels).
 */
async function ingestTarget(
  rapport: Rapport,
  harness: ChannelHarness,
  externalId: string,
  target: Omit<OutboundMessage, 'idempotencyKey' | 'text'>,
): Promise<void> {
  const caps = harness.plugin.capabilities.inbound;
  if (caps.includes('poll') || caps.includes('stream')) {
    await rapport.channels.sync(harness.plugin.id);
    return;
  }
  if (harness.signedWebhook) {
    await rapport.channels.handleWebhook(harness.plugin.id, await harness.signedWebhook());
    await rapport.channels.settle();
    if ((await rapport.stats()).interactions > 0) return;
  }
  await rapport.ingest([
    {
      channel: harness.plugin.channel,
      account: harness.account,
      externalId,
      direction: 'inbound',
      kind: 'message',
      text: 'Customer message',
      occurredAt: new Date(),
      actor: { externalId: target.to.externalId },
      ...(target.thread ? { thread: target.thread } : {}),
    },
  ]);
}
