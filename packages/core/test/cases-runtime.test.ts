import { afterEach, describe, expect, it } from 'vitest';
import {
  ChannelError,
  type Conversation,
  createTestRapport,
  memoryStorage,
  type Rapport,
  type RapportEvents,
  type RapportOptions,
} from '../src/index.js';
import { fakeChannel } from './fake-channel.js';
import { manualClock, T0 } from './helpers.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const running: Rapport[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

const policies = [
  {
    id: 'standard',
    targets: { firstResponse: 'PT2H', nextResponse: 'PT4H', resolution: 'P1D' },
    byPriority: { urgent: { firstResponse: 'PT15M' } },
  },
];

async function start(options: Partial<RapportOptions> = {}, channel = fakeChannel()) {
  const clock = manualClock(T0 + 10 * MINUTE);
  const storage = memoryStorage();
  const rapport = await createTestRapport({
    storage,
    clock,
    channels: [channel.plugin],
    cases: { sla: policies, assignment: { strategy: 'roundRobin', agents: ['ann', 'bob'] } },
    channelHost: { pollMs: 0 },
    outbox: { pollMs: 0, backoff: { baseMs: 1000, maxMs: 8000 } },
    rules: { timerPollMs: 0 },
    ...options,
  });
  running.push(rapport);
  return { rapport, clock, remote: channel.remote, storage };
}

function record<K extends keyof RapportEvents>(rapport: Rapport, name: K): Array<RapportEvents[K]> {
  const seen: Array<RapportEvents[K]> = [];
  rapport.events.on(name, ((payload: RapportEvents[K]) => seen.push(payload)) as never);
  return seen;
}

async function onlyCase(rapport: Rapport): Promise<Conversation> {
  await rapport.settle();
  const page = await rapport.cases.list();
  expect(page.items).toHaveLength(1);
  return page.items[0]!;
}

describe('cases from channel traffic', () => {
  it('a customer message opens a case with its SLA and assignee; the reply goes out threaded and records the first response', async () => {
    const { rapport, remote } = await start();
    const opened = record(rapport, 'case.opened');
    remote.customerWrites(1);
    const [report] = await rapport.channels.sync();
    expect(report).toMatchObject({ channel: 'chat', account: 'acme', interactions: 1, cursor: '1' });
    const conversation = await onlyCase(rapport);
    expect(opened).toHaveLength(1);
    const state = conversation.case!;
    expect(state).toMatchObject({
      status: 'new',
      assignee: 'ann',
      openedBy: 'rule:open-case-for-customer-messages',
    });
    expect(state.openedAt).toEqual(new Date(T0 + MINUTE));
    expect(state.sla?.firstResponse?.dueAt).toEqual(new Date(T0 + MINUTE + 2 * HOUR));
    expect(state.sla?.resolution?.dueAt).toEqual(new Date(T0 + MINUTE + 24 * HOUR));

    const queued = await rapport.cases.reply(
      conversation.id,
      { template: 'Hi {{customer.displayName}}, order {{params.order}} ships today.', params: { order: 42 } },
      { author: 'user:ann' },
    );
    expect(queued.state).toBe('pending');
    expect(remote.sendCalls).toBe(0);
    expect(await rapport.outbox.run()).toBe(1);
    expect(remote.delivered).toHaveLength(1);
    const sent = remote.delivered[0]!.message;
    expect(sent).toMatchObject({
      inReplyTo: 'c-1',
      thread: 'c-1',
      to: { externalId: 'cust-1', handle: 'Casey' },
    });
    expect(sent.text).toBe('Hi Casey, order 42 ships today.');
    expect(sent.context).toEqual({ topic: 'order' });
    const [stored] = (await rapport.cases.replies(conversation.id)).items;
    expect(stored).toMatchObject({ state: 'sent', externalId: 'out-1', attempts: 1, author: 'user:ann' });

    const after = await onlyCase(rapport);
    expect(after.case).toMatchObject({ status: 'open', agentReplies: 1, awaitingSince: null });
    expect(after.case!.firstResponseAt).toEqual(new Date(T0 + HOUR));
    expect(after.case!.sla!.firstResponse!.metAt).toEqual(new Date(T0 + HOUR));
    expect(after.interactionCount).toBe(2);

    // The channel shows our reply in its feed: read back, it is ours, not a customer's.
    await rapport.channels.sync();
    const again = await onlyCase(rapport);
    expect(again.interactionCount).toBe(2);
    expect(again.case!.agentReplies).toBe(1);
    // Replaying from the committed cursor finds nothing new.
    const [replay] = await rapport.channels.sync();
    expect(replay?.interactions).toBe(0);
  });

  it('moves through pending and resolved, and a customer reply reopens the case', async () => {
    const { rapport, remote } = await start();
    const changes = record(rapport, 'case.status.changed');
    remote.customerWrites(1);
    await rapport.channels.sync();
    const { id } = await onlyCase(rapport);
    await rapport.cases.setStatus(id, 'pending');
    remote.customerWrites(2);
    await rapport.channels.sync();
    expect((await onlyCase(rapport)).case?.status).toBe('open');
    await rapport.cases.setStatus(id, 'resolved');
    const resolved = (await onlyCase(rapport)).case!;
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.sla?.resolution?.metAt).not.toBeNull();
    remote.customerWrites(30);
    await rapport.channels.sync();
    const reopened = (await onlyCase(rapport)).case!;
    expect(reopened).toMatchObject({ status: 'open', reopenCount: 1 });
    expect(reopened.reopenedAt).toEqual(new Date(T0 + 30 * MINUTE));
    await rapport.settle();
    expect(changes.map((c) => `${c.from}>${c.to}${c.reopened ? '!' : ''}`)).toEqual([
      'new>pending',
      'pending>open',
      'open>resolved',
      'resolved>open!',
    ]);
    await expect(rapport.cases.setStatus(id, 'new')).rejects.toMatchObject({
      code: 'RAPPORT_INVALID_CASE_TRANSITION',
    });
  });

  it('fires an SLA breach from its timer when the target passes unmet, and not once it is met', async () => {
    const { rapport, remote, clock } = await start();
    const breaches = record(rapport, 'case.sla.breached');
    remote.customerWrites(1, { thread: 'a', externalId: 'a-1' });
    remote.customerWrites(2, { thread: 'b', externalId: 'b-1', actor: { externalId: 'cust-2' } });
    await rapport.channels.sync();
    await rapport.settle();
    const cases = (await rapport.cases.list()).items;
    const b = cases.find((c) => c.externalId === 'b')!;
    await rapport.cases.reply(b.id, { text: 'On it' });
    await rapport.outbox.run();
    await rapport.settle();
    // Not yet due: nothing fires.
    expect(await rapport.rules.runTimers()).toBe(0);
    clock.advance(2 * HOUR);
    await rapport.rules.runTimers();
    expect(breaches.map((e) => [e.conversation.externalId, e.target])).toEqual([['a', 'firstResponse']]);
    const a = await rapport.cases.get(cases.find((c) => c.externalId === 'a')!.id);
    expect(a?.case?.sla?.firstResponse?.breachedAt).toEqual(new Date(T0 + MINUTE + 2 * HOUR));
    // Fired once: running the timers again finds nothing.
    await rapport.rules.runTimers();
    expect(breaches).toHaveLength(1);
  });

  it('assigns round robin across agents, and by capacity within a limit', async () => {
    const channel = fakeChannel();
    const { rapport, remote } = await start(
      {
        cases: {
          assignment: {
            vip: { strategy: 'capacity', agents: ['cat', 'dan'], maxOpen: 1 },
            '*': { strategy: 'roundRobin', agents: ['ann', 'bob'] },
          },
          open: [
            {
              id: 'vip',
              name: 'VIP',
              priority: 10,
              trigger: { event: 'interaction.received' },
              conditions: { path: 'interaction.text', operator: 'contains', value: 'VIP' },
              actions: [{ type: 'openCase', queue: 'vip', priority: 'high' }],
            },
            {
              id: 'any',
              name: 'Any',
              trigger: { event: 'interaction.received' },
              conditions: { path: 'interaction.direction', operator: 'equal', value: 'inbound' },
              actions: [{ type: 'openCase' }],
            },
          ],
        },
      },
      channel,
    );
    for (let n = 1; n <= 3; n++) remote.customerWrites(n, { thread: `t${n}`, externalId: `t${n}` });
    for (let n = 4; n <= 6; n++)
      remote.customerWrites(n, { thread: `v${n}`, externalId: `v${n}`, text: 'VIP here' });
    await rapport.channels.sync();
    await rapport.settle();
    const byThread = Object.fromEntries(
      (await rapport.cases.list()).items.map((c) => [
        c.externalId,
        [c.case!.queue, c.case!.assignee, c.case!.priority],
      ]),
    );
    expect(byThread).toEqual({
      t1: [null, 'ann', 'normal'],
      t2: [null, 'bob', 'normal'],
      t3: [null, 'ann', 'normal'],
      v4: ['vip', 'cat', 'high'],
      v5: ['vip', 'dan', 'high'],
      v6: ['vip', null, 'high'],
    });
  });

  it('reconciles an ambiguous send before any retry, so the reply goes out once', async () => {
    const { rapport, remote, clock } = await start();
    remote.customerWrites(1);
    await rapport.channels.sync();
    const { id } = await onlyCase(rapport);
    remote.nextSendFailure = 'ambiguous';
    const queued = await rapport.cases.reply(id, { text: 'Sorry for the wait' });
    await rapport.outbox.run();
    let [message] = (await rapport.cases.replies(id)).items;
    expect(message).toMatchObject({ state: 'unknown', attempts: 1 });
    expect(message!.errors[0]).toMatchObject({ kind: 'unknown' });
    expect(remote.delivered).toHaveLength(1);
    clock.advance(10_000);
    await rapport.outbox.run();
    [message] = (await rapport.cases.replies(id)).items;
    expect(message).toMatchObject({ state: 'sent', attempts: 2, externalId: 'out-1', id: queued.id });
    expect(remote.reconcileCalls).toBe(1);
    expect(remote.sendCalls).toBe(1);
    expect(remote.delivered).toHaveLength(1);
    expect((await onlyCase(rapport)).case?.agentReplies).toBe(1);
  });

  it('a sender that died mid-attempt is taken over after its lease, reconciled, and not resent', async () => {
    const { rapport, remote, clock, storage } = await start({ outbox: { pollMs: 0, leaseMs: 30_000 } });
    remote.customerWrites(1);
    await rapport.channels.sync();
    const { id } = await onlyCase(rapport);
    await rapport.cases.reply(id, { text: 'Reply' });
    // The first sender claimed the message and reached the channel, then died before recording it.
    const [message] = (await rapport.cases.replies(id)).items;
    const t = T0 + 10 * MINUTE;
    await storage.unitOfWork(rapport.tenantId, async (uow) => {
      expect(await uow.claimOutbox([message!.id], new Date(t), new Date(t + 30_000))).toEqual([message!.id]);
    });
    remote.delivered.push({ key: message!.idempotencyKey, externalId: 'out-crashed', message: {} as never });
    expect(await rapport.outbox.run()).toBe(0);
    clock.advance(31_000);
    expect(await rapport.outbox.run()).toBe(1);
    const [done] = (await rapport.cases.replies(id)).items;
    expect(done).toMatchObject({ state: 'sent', externalId: 'out-crashed', attempts: 2 });
    expect(remote.sendCalls).toBe(0);
  });

  it('waits as long as a rate-limited channel asks, and fails for good on a permanent error, recording both', async () => {
    const { rapport, remote, clock } = await start();
    const failed = record(rapport, 'reply.failed');
    remote.customerWrites(1);
    await rapport.channels.sync();
    const { id } = await onlyCase(rapport);
    remote.nextSendFailure = new ChannelError('rate-limited', 'slow down', { retryAfterMs: 120_000 });
    await rapport.cases.reply(id, { text: 'first' });
    await rapport.outbox.run();
    let [m] = (await rapport.cases.replies(id)).items;
    expect(m).toMatchObject({ state: 'pending', attempts: 1 });
    expect(m!.nextAttemptAt.getTime() - clock.now().getTime()).toBe(120_000);
    clock.advance(60_000);
    await rapport.outbox.run();
    expect(remote.sendCalls).toBe(1);
    clock.advance(60_000);
    remote.nextSendFailure = new ChannelError('permanent', 'recipient blocked us');
    await rapport.outbox.run();
    [m] = (await rapport.cases.replies(id)).items;
    expect(m).toMatchObject({ state: 'failed', attempts: 2 });
    expect(m!.errors.map((e) => e.kind)).toEqual(['rate-limited', 'permanent']);
    expect(failed).toHaveLength(1);
    expect(remote.delivered).toHaveLength(0);
  });

  it('a repeated idempotency key queues and sends one reply', async () => {
    const { rapport, remote } = await start();
    remote.customerWrites(1);
    await rapport.channels.sync();
    const { id } = await onlyCase(rapport);
    const a = await rapport.cases.reply(id, { text: 'once' }, { idempotencyKey: 'k-1' });
    const b = await rapport.cases.reply(id, { text: 'once' }, { idempotencyKey: 'k-1' });
    expect(b.id).toBe(a.id);
    await rapport.outbox.run();
    expect(remote.delivered).toHaveLength(1);
  });

  it('rejects bad replies and case changes with codes and paths', async () => {
    const { rapport, remote } = await start();
    remote.customerWrites(1);
    await rapport.channels.sync();
    const { id } = await onlyCase(rapport);
    await expect(rapport.cases.reply(id, { text: '' })).rejects.toMatchObject({
      code: 'RAPPORT_INVALID_INPUT',
    });
    await expect(rapport.cases.reply(id, { template: 'Hi {{customer.__proto__}}' })).rejects.toMatchObject({
      code: 'RAPPORT_INVALID_INPUT',
    });
    await expect(rapport.cases.update(id, { priority: 'asap' } as never)).rejects.toMatchObject({
      code: 'RAPPORT_INVALID_INPUT',
      path: ['priority'],
    });
    await expect(rapport.cases.reply('nope', { text: 'x' })).rejects.toMatchObject({
      code: 'RAPPORT_NOT_FOUND',
    });
  });
});

describe('channel host', () => {
  it('commits the cursor only after a batch is stored, and resumes from it', async () => {
    const channel = fakeChannel({ batchSize: 2 });
    const { rapport, remote } = await start({}, channel);
    for (let n = 1; n <= 5; n++) remote.customerWrites(n, { externalId: `m${n}`, thread: `m${n}` });
    const [first] = await rapport.channels.sync();
    expect(first).toMatchObject({ batches: 3, interactions: 5, cursor: '5' });
    remote.customerWrites(6, { externalId: 'm6', thread: 'm6' });
    const [second] = await rapport.channels.sync();
    expect(second).toMatchObject({ batches: 1, interactions: 1, cursor: '6' });
    expect((await rapport.stats()).interactions).toBe(6);
  });

  it('an invalid cursor re-reads from the start, and the store dedupes what it already has', async () => {
    const channel = fakeChannel();
    const { rapport, remote } = await start({}, channel);
    remote.customerWrites(1);
    await rapport.channels.sync();
    remote.inbox.splice(0, remote.inbox.length);
    remote.customerWrites(1);
    remote.customerWrites(2);
    // The remote lost its history length: cursor "1" still works; make it invalid instead.
    remote.nextReadFailure = new ChannelError('cursor-invalid', 'cursor expired');
    const [report] = await rapport.channels.sync();
    expect(report?.cursor).toBe('2');
    expect((await rapport.stats()).interactions).toBe(2);
  });

  it('a rate-limited read makes the loop wait what the channel asked before reading again', async () => {
    const waits: number[] = [];
    let release: () => void = () => {};
    const sleep = (ms: number, signal?: AbortSignal) => {
      waits.push(ms);
      return new Promise<void>((resolve) => {
        release = resolve;
        if (signal?.aborted) resolve();
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    };
    const channel = fakeChannel();
    channel.remote.nextReadFailure = new ChannelError('rate-limited', 'too many', { retryAfterMs: 45_000 });
    const { rapport, remote } = await start({ channelHost: { pollMs: 60_000, sleep } }, channel);
    await waitFor(() => waits.length === 1);
    expect(waits).toEqual([45_000]);
    expect(remote.readCalls).toBe(1);
    expect(rapport.channels.status()[0]).toMatchObject({
      state: 'waiting',
      lastError: { kind: 'rate-limited' },
    });
    release();
    await waitFor(() => waits.length === 2);
    expect(remote.readCalls).toBe(2);
    expect(waits[1]).toBe(60_000);
    release();
  });

  it('stops a channel whose credentials are refused and says so', async () => {
    const channel = fakeChannel();
    channel.remote.nextReadFailure = new ChannelError('auth', 'token revoked');
    const failed: unknown[] = [];
    const clock = manualClock(T0);
    const rapport = await createTestRapport({
      clock,
      channels: [channel.plugin],
      channelHost: { pollMs: 60_000, sleep: () => new Promise(() => {}) },
    });
    running.push(rapport);
    rapport.events.on('channel.failed', (e) => failed.push(e));
    rapport.events.on('error', () => {});
    await waitFor(() => rapport.channels.status()[0]?.state === 'failed');
    expect(channel.remote.readCalls).toBe(1);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}
