import { type ChannelConnection, ChannelError, interactionInputSchema } from '@rapport/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, createMastodonHarness, type MastodonHarness } from './harness.js';
import { idsOf, lastCursor, readAll, rejectionOf, testContext } from './support.js';

let harness: MastodonHarness;
let connection: ChannelConnection;

beforeEach(async () => {
  harness = await createMastodonHarness();
  connection = await harness.plugin.init(testContext(harness.options));
});

afterEach(async () => {
  await connection.close?.();
  await harness.close();
});

describe('the conformance harness', () => {
  it('produces inbound items the plugin reads, on the harness account, and nothing more on replay', async () => {
    const start = lastCursor(await readAll(connection, null, 0));
    const produced = await harness.produceInbound(7);

    const batches = await readAll(connection, start, 0);
    const cursor = lastCursor(batches, start);

    expect(idsOf(batches)).toEqual(produced);
    for (const interaction of batches.flatMap((batch) => batch.interactions)) {
      expect(interactionInputSchema.safeParse(interaction).success).toBe(true);
      expect(interaction).toMatchObject({ account: harness.account, direction: 'inbound' });
    }
    expect(idsOf(await readAll(connection, cursor, 0))).toEqual([]);
  });

  it('gives reply targets send can answer, once per idempotency key', async () => {
    const [id] = await harness.produceInbound(1);
    const target = await harness.replyTarget(id!);

    const first = await connection.send!({
      ...target,
      idempotencyKey: 'conformance-1',
      text: 'Thanks, on it.',
    });
    const again = await connection.send!({
      ...target,
      idempotencyKey: 'conformance-1',
      text: 'Thanks, on it.',
    });

    expect(again.externalId).toBe(first.externalId);
    expect(await harness.deliveredCount('conformance-1')).toBe(1);
    expect(await harness.deliveredCount('never-sent')).toBe(0);
    expect(
      await connection.reconcile!({ ...target, idempotencyKey: 'conformance-1', text: 'Thanks, on it.' }),
    ).toEqual(first);
    expect(
      await connection.reconcile!({ ...target, idempotencyKey: 'conformance-2', text: 'Something else' }),
    ).toBeNull();
  });

  it('makes the next request rate-limited with the wait asked for', async () => {
    await harness.rateLimitNext!(42_000);

    const error = await rejectionOf(readAll(connection, null));

    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).kind).toBe('rate-limited');
    expect((error as ChannelError).retryAfterMs).toBeGreaterThan(30_000);
    expect((error as ChannelError).retryAfterMs).toBeLessThanOrEqual(42_000);
    // Only that one request was refused.
    expect(idsOf(await readAll(connection, null))).toEqual([]);
  });

  it('is what createHarness returns, and its options validate', async () => {
    const plain = await createHarness();
    try {
      expect(plain.plugin.id).toBe('mastodon');
      expect(plain.plugin.optionsSchema.safeParse(plain.options).success).toBe(true);
      expect(plain.account).toMatch(/^acmesupport@/);
    } finally {
      await plain.close();
    }
  });
});
