import {
  CHANNEL_SPEC_VERSION,
  type ChannelBatch,
  type ChannelCapabilities,
  type ChannelConnection,
  type ChannelContext,
  type ChannelPlugin,
  type RateLimit,
  silentLogger,
} from '@rapport/core';
import { version } from '../package.json';
import { MastodonApi } from './api.js';
import { decodeCursor } from './cursor.js';
import { channelError, PLUGIN } from './errors.js';
import {
  MASTODON_SECRETS,
  type MastodonChannelOptions,
  mastodonChannelOptionsSchema,
  parseMastodonChannelOptions,
  type ResolvedMastodonChannelOptions,
} from './options.js';
import { accountPayloadSchema } from './payloads.js';
import { Poller, SeenSet, StatusMapper, sourcesFor } from './reader.js';
import { Sender } from './sender.js';
import { subscribeBatches } from './streaming.js';
import { ThreadResolver } from './threads.js';

/** The channel plugin made by {@link mastodonChannel}. */
export interface MastodonChannelPlugin extends ChannelPlugin {
  readonly id: 'mastodon';
  /** The validated options, defaults filled in. */
  readonly options: Readonly<ResolvedMastodonChannelOptions>;
}

/** Mastodon's default budget: 300 requests per 5 minutes per account (docs.joinmastodon.org/api/rate-limits). */
export const MASTODON_RATE_LIMITS: readonly RateLimit[] = Object.freeze([
  Object.freeze({ scope: 'credential' as const, requests: 300, perMs: 300_000 }),
]);

/**
 * The account name written on interactions when the options give none: `acct@host`, where the
 * host is the instance's (a remote-looking `acct` that already names its server is kept).
 */
export function defaultAccountName(acct: string, instanceUrl: string): string {
  const bare = acct.replace(/^@+/, '');
  return bare.includes('@') ? bare : `${bare}@${new URL(instanceUrl).host}`;
}

/**
 * A Mastodon channel, on the masto client: mentions and private mentions in (polling with
 * `min_id`, and the streaming API in `subscribe`), threaded replies out with Mastodon's own
 * `Idempotency-Key`. The factory only validates and keeps the options; `init` connects.
 *
 * ```ts
 * const mastodon = mastodonChannel({
 *   instanceUrl: 'https://mastodon.social',
 *   accessToken: process.env.MASTODON_TOKEN!,
 * });
 * ```
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` when an option is invalid; its path names it.
 */
export function mastodonChannel(options: MastodonChannelOptions): MastodonChannelPlugin {
  const resolved = Object.freeze(parseMastodonChannelOptions(options));
  const capabilities: ChannelCapabilities = Object.freeze({
    inbound: Object.freeze(resolved.streaming ? (['stream', 'poll'] as const) : (['poll'] as const)),
    backfill: Object.freeze({ supported: true }),
    outbound: Object.freeze(['reply', 'message'] as const),
    nativeIdempotency: true,
    mutableItems: true,
  });
  // The account is known once the token is checked at init when the options name neither it nor
  // `acct`; until then the host sees the best guess.
  const state = {
    account:
      resolved.account ?? (resolved.acct ? defaultAccountName(resolved.acct, resolved.instanceUrl) : null),
  };
  return {
    id: PLUGIN,
    version,
    specVersion: CHANNEL_SPEC_VERSION,
    displayName: 'Mastodon',
    channel: PLUGIN,
    get account() {
      return state.account ?? `@${new URL(resolved.instanceUrl).host}`;
    },
    capabilities,
    optionsSchema: mastodonChannelOptionsSchema,
    secrets: MASTODON_SECRETS,
    rateLimits: MASTODON_RATE_LIMITS,
    options: resolved,
    init: (context) =>
      connect(resolved, context, (account) => {
        state.account = account;
      }),
  } satisfies MastodonChannelPlugin;
}

async function connect(
  options: ResolvedMastodonChannelOptions,
  context: ChannelContext,
  onAccount: (account: string) => void,
): Promise<ChannelConnection> {
  const logger = context.logger ?? silentLogger;
  const closing = new AbortController();
  const signal = AbortSignal.any([context.signal, closing.signal]);
  const api = new MastodonApi(
    {
      instanceUrl: options.instanceUrl,
      accessToken: options.accessToken,
      timeoutMs: options.requestTimeoutMs,
      signal,
    },
    context.clock,
  );

  let selfId = options.accountId;
  let acct = options.acct;
  if (selfId === undefined || acct === undefined) {
    const me = accountPayloadSchema.safeParse(await api.verifyCredentials());
    if (!me.success) {
      throw channelError('config', 'Mastodon did not describe the account of the access token', me.error);
    }
    selfId ??= me.data.id;
    acct ??= me.data.acct;
  }
  const account = options.account ?? defaultAccountName(acct, options.instanceUrl);
  onAccount(account);
  const threads = new ThreadResolver(context.kv, api, options.resolveThreads);
  const mapper = new StatusMapper({ channel: PLUGIN, account, selfId }, threads, logger);
  const poller = new Poller(
    sourcesFor(api, options, selfId, logger),
    mapper,
    context.clock,
    options.pageSize,
  );
  const sender = new Sender(api, threads, options, selfId, context.clock);
  const ownSelfId = selfId;

  return {
    read({ cursor, lookbackMs }): AsyncIterable<ChannelBatch> {
      return (async function* () {
        const state = decodeCursor(cursor);
        yield* poller.poll(state, Math.max(0, lookbackMs), new SeenSet());
      })();
    },
    subscribe({ cursor }): AsyncIterable<ChannelBatch> {
      return stoppable((stop) =>
        subscribeBatches(
          {
            api,
            poller,
            mapper,
            options,
            selfId: ownSelfId,
            logger,
            signal: AbortSignal.any([signal, stop]),
          },
          cursor,
        ),
      );
    },
    send: (message) => sender.send(message),
    reconcile: (message) => sender.reconcile(message),
    close() {
      closing.abort();
    },
  };
}

/**
 * An async iterable whose `return()` also aborts the generator's signal. A subscription spends
 * most of its life awaiting the next event or poll, and a plain generator only sees `return()`
 * at its next `yield`: the abort wakes it at once, so the stream closes when the host stops.
 */
function stoppable<T>(make: (stop: AbortSignal) => AsyncGenerator<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const controller = new AbortController();
      const generator = make(controller.signal);
      return {
        next: () => generator.next(),
        return: (value?: unknown) => {
          controller.abort();
          return generator.return(value as T);
        },
        throw: (error?: unknown) => generator.throw(error),
      };
    },
  };
}
