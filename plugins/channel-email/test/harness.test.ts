import { CHANNEL_SPEC_VERSION, ChannelError } from '@rapport/core';
import type { ChannelHarness } from '@rapport/testkit/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmailConnection } from '../src/index.js';
import { createHarness } from './harness.js';
import { channelContext, readAll } from './support.js';

let harness: ChannelHarness;
let connection: EmailConnection;

beforeAll(async () => {
  harness = await createHarness();
  connection = (await harness.plugin.init(channelContext(harness.options))) as EmailConnection;
});

afterAll(async () => {
  await connection?.close();
  await harness?.close();
});

describe('the conformance harness', () => {
  it('offers a plugin whose manifest the host accepts', () => {
    const { plugin } = harness;
    expect(plugin.id).toBe('email');
    expect(plugin.specVersion).toBe(CHANNEL_SPEC_VERSION);
    expect(plugin.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(plugin.capabilities.inbound).toContain('stream');
    expect(plugin.secrets).toEqual(['imap.password', 'smtp.password']);
    expect(plugin.optionsSchema.safeParse(harness.options).success).toBe(true);
    expect(harness.rateLimitNext).toBeUndefined();
  });

  it('produces inbound items the plugin reads, once, with the ids it returned', async () => {
    const start = (await readAll(connection.read({ cursor: null, lookbackMs: 0 }))).cursor;
    const ids = await harness.produceInbound(3);
    expect(new Set(ids).size).toBe(3);
    const first = await readAll(connection.read({ cursor: start, lookbackMs: 0 }));
    expect(first.interactions.map((i) => i.externalId)).toEqual(ids);
    expect(first.interactions.every((i) => i.direction === 'inbound' && i.account === harness.account)).toBe(
      true,
    );
    expect((await readAll(connection.read({ cursor: first.cursor, lookbackMs: 0 }))).interactions).toEqual(
      [],
    );
  });

  it('counts a reply sent twice with one idempotency key as delivered once', async () => {
    const [id] = await harness.produceInbound(1);
    const target = await harness.replyTarget(id!);
    const message = { ...target, idempotencyKey: 'harness-reply-1', text: 'We are on it.' };
    expect(await harness.deliveredCount(message.idempotencyKey)).toBe(0);
    const sent = await connection.send(message);
    expect(await connection.send(message)).toEqual(sent);
    expect(await harness.deliveredCount(message.idempotencyKey)).toBe(1);
    expect(await connection.reconcile(message)).toEqual(sent);
    expect(await connection.reconcile({ ...message, idempotencyKey: 'never-sent' })).toBeNull();
  });

  it('refuses to give a reply target for an item it did not produce', async () => {
    await expect(harness.replyTarget('<unknown@example.test>')).rejects.toThrow(/did not produce/);
  });

  it('reports a closed connection as a channel error, not a crash', async () => {
    const extra = (await harness.plugin.init(channelContext(harness.options))) as EmailConnection;
    await extra.close();
    await expect(readAll(extra.read({ cursor: null, lookbackMs: 0 }))).rejects.toBeInstanceOf(ChannelError);
  });
});
