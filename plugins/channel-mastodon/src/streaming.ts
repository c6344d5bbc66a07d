import type { ChannelBatch, Logger } from '@rapport/core';
import { createStreamingAPIClient } from 'masto';
import WebSocket from 'ws';
import type { MastodonApi } from './api.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { toChannelError } from './errors.js';
import type { ResolvedMastodonChannelOptions } from './options.js';
import {
  conversationPayloadSchema,
  instancePayloadSchema,
  notificationPayloadSchema,
  type StatusPayload,
  statusPayloadSchema,
} from './payloads.js';
import { isWanted, type Poller, SeenSet, type StatusMapper } from './reader.js';

/** An event as masto hands it over: the payload already decoded. */
export interface StreamEvent {
  stream?: string[];
  event: string;
  payload?: unknown;
}

/** Statuses a streaming event brings that belong in the CRM. */
export function statusesOfEvent(
  event: StreamEvent,
  selfId: string,
  inbound: ResolvedMastodonChannelOptions['inbound'],
): StatusPayload[] {
  const keep = (status: StatusPayload | null | undefined, addressedToUs: boolean) =>
    status && isWanted(status, selfId, inbound, addressedToUs) ? [status] : [];
  switch (event.event) {
    case 'notification': {
      const parsed = notificationPayloadSchema.safeParse(event.payload);
      return parsed.success && parsed.data.type === 'mention' ? keep(parsed.data.status, true) : [];
    }
    case 'update':
    case 'status.update': {
      // The user stream carries the whole home timeline: only our statuses and statuses that
      // mention us pass `isWanted`. An edit (`status.update`) comes back with a new version.
      const parsed = statusPayloadSchema.safeParse(event.payload);
      return parsed.success ? keep(parsed.data, false) : [];
    }
    case 'conversation': {
      const parsed = conversationPayloadSchema.safeParse(event.payload);
      return parsed.success ? keep(parsed.data.lastStatus, true) : [];
    }
    default:
      return [];
  }
}

/** Streaming events waiting to be handed out, and a way to wait for them. */
class EventQueue {
  private items: StreamEvent[] = [];
  private wake: (() => void) | null = null;

  push(event: StreamEvent): void {
    this.items.push(event);
    this.wake?.();
  }

  drain(): StreamEvent[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  /** Resolves when an event is queued, after `ms`, or when `signal` aborts, whichever is first. */
  wait(ms: number, signal: AbortSignal): Promise<'event' | 'timeout' | 'aborted'> {
    if (signal.aborted) return Promise.resolve('aborted');
    if (this.items.length > 0) return Promise.resolve('event');
    return new Promise((resolve) => {
      const finish = (outcome: 'event' | 'timeout' | 'aborted') => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = null;
        resolve(outcome);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), Math.max(0, ms));
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => finish('event');
    });
  }
}

/** `https://` becomes `wss://`, as WebSocket clients want. */
function webSocketUrl(url: string): string {
  return url.replace(/^http(s?):\/\//i, 'ws$1://');
}

/** The streaming base URL: the option, else what the server announces, else the instance itself. */
export async function resolveStreamingUrl(
  api: MastodonApi,
  options: ResolvedMastodonChannelOptions,
  logger: Logger,
): Promise<string> {
  if (options.streamingUrl) return webSocketUrl(options.streamingUrl);
  try {
    const parsed = instancePayloadSchema.safeParse(await api.instance());
    const announced = parsed.success ? parsed.data.configuration?.urls?.streaming : undefined;
    if (announced) return webSocketUrl(announced);
  } catch (error) {
    const failure = toChannelError(error, { what: 'fetch the instance description' }, new Date());
    if (failure.kind === 'auth' || failure.kind === 'rate-limited') throw failure;
    logger.debug('mastodon: the server does not announce a streaming URL; using the instance URL', {
      reason: failure.message,
    });
  }
  return webSocketUrl(options.instanceUrl);
}

/** What `subscribe` needs. */
export interface SubscribeDeps {
  api: MastodonApi;
  poller: Poller;
  mapper: StatusMapper;
  options: ResolvedMastodonChannelOptions;
  selfId: string;
  logger: Logger;
  /** Aborts when the host stops the channel or the connection closes. */
  signal: AbortSignal;
}

/**
 * Live batches: the streaming API (user stream, and the direct stream for private mentions) for
 * speed, and polling every `pollIntervalMs` for completeness, because masto reconnects a dropped
 * stream silently and what was said meanwhile is never replayed.
 *
 * The stream opens before the first (catch-up) poll, so nothing falls between the two. Streamed
 * batches keep the cursor where polling left it; only polls move it, since a stream has no
 * position to resume from. An item seen on the stream is not handed out again by the next poll.
 */
export async function* subscribeBatches(
  deps: SubscribeDeps,
  cursor: string | null,
): AsyncGenerator<ChannelBatch> {
  const { api, poller, mapper, options, selfId, logger, signal } = deps;
  const state = decodeCursor(cursor);
  const seen = new SeenSet();
  const queue = new EventQueue();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let closeStream: (() => void) | undefined;
  try {
    if (options.streaming) {
      const url = await resolveStreamingUrl(api, options, logger);
      closeStream = openStream(url, options, logger, (event) => queue.push(event), stop.signal);
    }
    yield* poller.poll(state, 0, seen);
    let nextPollAt = Date.now() + options.pollIntervalMs;
    for (;;) {
      const outcome = await queue.wait(nextPollAt - Date.now(), stop.signal);
      if (outcome === 'aborted') return;
      if (outcome === 'timeout') {
        yield* poller.poll(state, 0, seen);
        nextPollAt = Date.now() + options.pollIntervalMs;
        continue;
      }
      const statuses = queue.drain().flatMap((event) => statusesOfEvent(event, selfId, options.inbound));
      const interactions = await mapper.map(statuses, seen);
      if (interactions.length > 0) yield { interactions, cursor: encodeCursor(state) };
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
    closeStream?.();
  }
}

function openStream(
  url: string,
  options: ResolvedMastodonChannelOptions,
  logger: Logger,
  onEvent: (event: StreamEvent) => void,
  signal: AbortSignal,
): () => void {
  let closed = false;
  // masto waits a moment before its first connection and does not look again whether it was
  // closed meanwhile, so a socket opened then would stay open. After close it gets a socket that
  // never opens nor fails instead: masto's connection loop waits on it forever, holding nothing
  // (no timer, no connection) until it is collected.
  function guardedWebSocket(address: string | URL, protocols?: string | string[]): unknown {
    if (closed) return { readyState: WebSocket.CONNECTING, addEventListener() {}, removeEventListener() {} };
    return new WebSocket(address, protocols);
  }
  const client = createStreamingAPIClient({
    streamingApiUrl: url,
    accessToken: options.accessToken,
    retry: true,
    implementation: guardedWebSocket,
  });
  const subscriptions = [client.user.subscribe()];
  if (options.inbound.directMessages) subscriptions.push(client.direct.subscribe());
  for (const subscription of subscriptions) {
    void (async () => {
      try {
        for await (const event of subscription) onEvent(event as StreamEvent);
      } catch (error) {
        // Polling still runs; the stream only made things arrive sooner.
        if (!signal.aborted) {
          logger.warn('mastodon: the streaming subscription stopped; relying on polling', {
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    })();
  }
  return () => {
    closed = true;
    client.close();
  };
}
