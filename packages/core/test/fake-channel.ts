import {
  CHANNEL_SPEC_VERSION,
  ChannelError,
  type ChannelPlugin,
  type InteractionInput,
  type OutboundMessage,
} from '../src/index.js';
import { T0 } from './helpers.js';

/** What the fake channel's remote side holds, and levers to make it misbehave. */
export interface FakeRemote {
  /** Customer items in arrival order; the cursor is the count read. */
  inbox: InteractionInput[];
  /** Messages the channel accepted, by idempotency key (a resend with the same key is another copy). */
  delivered: Array<{ key: string; externalId: string; message: OutboundMessage }>;
  /** Make the next send fail like this; 'ambiguous' delivers, then throws as if the answer was lost. */
  nextSendFailure: ChannelError | 'ambiguous' | null;
  /** Make the next read fail like this. */
  nextReadFailure: ChannelError | null;
  sendCalls: number;
  readCalls: number;
  reconcileCalls: number;
  /** Customer writes a message in a thread (a new thread when omitted). */
  customerWrites(n: number, overrides?: Partial<InteractionInput>): InteractionInput;
}

/** A two-way channel whose remote side lives in memory: enough to drive the host and the outbox. */
export function fakeChannel(
  options: { channel?: string; account?: string; batchSize?: number; withReconcile?: boolean } = {},
): { plugin: ChannelPlugin; remote: FakeRemote } {
  const channel = options.channel ?? 'chat';
  const account = options.account ?? 'acme';
  const batchSize = options.batchSize ?? 2;
  const remote: FakeRemote = {
    inbox: [],
    delivered: [],
    nextSendFailure: null,
    nextReadFailure: null,
    sendCalls: 0,
    readCalls: 0,
    reconcileCalls: 0,
    customerWrites(n, overrides = {}) {
      const item: InteractionInput = {
        channel,
        account,
        externalId: `c-${n}`,
        direction: 'inbound',
        kind: 'message',
        text: `customer message ${n}`,
        occurredAt: new Date(T0 + n * 60_000),
        actor: { externalId: 'cust-1', handle: 'Casey' },
        thread: 'c-1',
        metadata: { topic: 'order' },
        ...overrides,
      };
      remote.inbox.push(item);
      return item;
    },
  };
  const deliver = (message: OutboundMessage) => {
    const externalId = `out-${remote.delivered.length + 1}`;
    remote.delivered.push({ key: message.idempotencyKey, externalId, message });
    // The channel shows our own message in its feed, as most do: it must not come back as a customer's.
    remote.inbox.push({
      channel,
      account,
      externalId,
      direction: 'outbound',
      kind: 'reply',
      text: message.text,
      occurredAt: new Date(T0 + 3_600_000),
      actor: { externalId: account },
      recipient: message.to,
      ...(message.thread ? { thread: message.thread } : {}),
    });
    return { externalId, sentAt: new Date(T0 + 3_600_000) };
  };
  const plugin: ChannelPlugin = {
    id: `fake-${channel}`,
    version: '1.0.0',
    specVersion: CHANNEL_SPEC_VERSION,
    displayName: 'Fake channel',
    channel,
    account,
    capabilities: {
      inbound: ['poll'],
      backfill: { supported: true },
      outbound: ['reply'],
      nativeIdempotency: false,
      mutableItems: false,
    },
    optionsSchema: { parse: (v: unknown) => v } as never,
    secrets: [],
    rateLimits: [],
    init: () => ({
      async *read({ cursor }) {
        remote.readCalls++;
        if (remote.nextReadFailure) {
          const failure = remote.nextReadFailure;
          remote.nextReadFailure = null;
          throw failure;
        }
        let at = cursor === null ? 0 : Number(cursor);
        if (!Number.isInteger(at) || at > remote.inbox.length)
          throw new ChannelError('cursor-invalid', `unknown cursor ${cursor}`);
        while (at < remote.inbox.length) {
          const batch = remote.inbox.slice(at, at + batchSize);
          at += batch.length;
          yield { interactions: batch, cursor: String(at) };
        }
      },
      async send(message) {
        remote.sendCalls++;
        const failure = remote.nextSendFailure;
        remote.nextSendFailure = null;
        if (failure === 'ambiguous') {
          deliver(message);
          throw new Error('socket hang up');
        }
        if (failure) throw failure;
        return deliver(message);
      },
      ...(options.withReconcile === false
        ? {}
        : {
            async reconcile(message: OutboundMessage) {
              remote.reconcileCalls++;
              const found = remote.delivered.find((d) => d.key === message.idempotencyKey);
              return found ? { externalId: found.externalId, sentAt: new Date(T0 + 3_600_000) } : null;
            },
          }),
    }),
  };
  return { plugin, remote };
}
