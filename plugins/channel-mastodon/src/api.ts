import { ChannelError, type Clock } from '@rapport/core';
import { createRestAPIClient, type mastodon } from 'masto';
import { type FailedOperation, PLUGIN, parseResetHeader, toChannelError } from './errors.js';
import type { Visibility } from './options.js';

/** Bounds of one page of a list, by id. */
export interface PageParams {
  /** Items just above this id (paging forward). */
  minId?: string;
  /** Items below this id (paging backward). */
  maxId?: string;
  limit: number;
}

/** A status to post. */
export interface NewStatus {
  status: string;
  inReplyToId?: string;
  visibility: Visibility;
  spoilerText?: string;
  sensitive?: boolean;
}

interface RawResponse {
  headers: Headers;
  data: unknown;
}

/**
 * The REST calls the channel makes, on masto. Every call turns failures into ChannelErrors and
 * watches the rate-limit headers: once the server says no request is left before the reset, the
 * next calls fail fast with `rate-limited` instead of spending a request on a 429.
 *
 * Answers are returned as masto decoded them (camelCase keys, not yet validated); the callers
 * validate what they use.
 */
export class MastodonApi {
  private readonly rest: mastodon.rest.Client;
  /** Epoch ms before which the server said the budget is spent. */
  private exhaustedUntil = 0;

  constructor(
    options: { instanceUrl: string; accessToken: string; timeoutMs: number; signal?: AbortSignal },
    private readonly clock: Clock,
  ) {
    this.rest = createRestAPIClient({
      url: options.instanceUrl,
      accessToken: options.accessToken,
      timeout: options.timeoutMs,
      requestInit: options.signal ? { signal: options.signal } : undefined,
    });
  }

  verifyCredentials(): Promise<unknown> {
    return this.call({ what: 'verify the access token', notFound: 'config' }, () =>
      this.rest.v1.accounts.verifyCredentials.$raw(),
    );
  }

  /** Mention notifications (private mentions included). */
  mentionNotifications(page: PageParams): Promise<unknown> {
    return this.call({ what: 'list notifications', notFound: 'config' }, () =>
      this.rest.v1.notifications.list.$raw({ types: ['mention'], ...page }),
    );
  }

  /** An account's statuses, boosts left out. */
  accountStatuses(accountId: string, page: PageParams): Promise<unknown> {
    return this.call({ what: `list the statuses of account ${accountId}`, notFound: 'config' }, () =>
      this.rest.v1.accounts.$select(accountId).statuses.list.$raw({ excludeReblogs: true, ...page }),
    );
  }

  /** Direct conversations; they page by the id of their newest status. */
  conversations(page: PageParams): Promise<unknown> {
    return this.call({ what: 'list direct conversations', notFound: 'config' }, () =>
      this.rest.v1.conversations.list.$raw(page),
    );
  }

  status(id: string): Promise<unknown> {
    return this.call({ what: `fetch status ${id}` }, () => this.rest.v1.statuses.$select(id).fetch.$raw());
  }

  statusContext(id: string): Promise<unknown> {
    return this.call({ what: `fetch the context of status ${id}` }, () =>
      this.rest.v1.statuses.$select(id).context.fetch.$raw(),
    );
  }

  account(id: string): Promise<unknown> {
    return this.call({ what: `fetch account ${id}` }, () => this.rest.v1.accounts.$select(id).fetch.$raw());
  }

  instance(): Promise<unknown> {
    return this.call({ what: 'fetch the instance description', notFound: 'config' }, () =>
      this.rest.v2.instance.fetch.$raw(),
    );
  }

  /** Posts a status; Mastodon keeps `idempotencyKey` for an hour and answers a repeat with the first status. */
  createStatus(status: NewStatus, idempotencyKey: string): Promise<unknown> {
    return this.call({ what: 'post a status', notFound: 'permanent' }, () =>
      this.rest.v1.statuses.create.$raw(status, {
        requestInit: { headers: { 'Idempotency-Key': idempotencyKey } },
      }),
    );
  }

  private async call(operation: FailedOperation, run: () => PromiseLike<RawResponse>): Promise<unknown> {
    const now = this.clock.now().getTime();
    if (this.exhaustedUntil > now) {
      throw new ChannelError(
        'rate-limited',
        `Mastodon's rate limit is spent until ${new Date(this.exhaustedUntil).toISOString()}; not trying to ${operation.what}`,
        { retryAfterMs: this.exhaustedUntil - now, plugin: PLUGIN },
      );
    }
    let response: RawResponse;
    try {
      response = await run();
    } catch (error) {
      throw toChannelError(error, operation, this.clock.now());
    }
    this.watch(response.headers);
    return response.data;
  }

  private watch(headers: Headers): void {
    const remaining = headers.get('x-ratelimit-remaining');
    if (remaining === null || Number(remaining) > 0) return;
    const now = this.clock.now();
    const wait = parseResetHeader(headers.get('x-ratelimit-reset'), now);
    if (wait !== undefined && wait > 0) this.exhaustedUntil = now.getTime() + wait;
  }
}
