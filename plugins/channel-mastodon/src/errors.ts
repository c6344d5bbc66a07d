import { ChannelError, type ChannelErrorKind } from '@rapport/core';
import { MastoHttpError, MastoTimeoutError } from 'masto';

/** The plugin id, as errors name it. */
export const PLUGIN = 'mastodon';

/** Used when a 429 carries neither `Retry-After` nor `X-RateLimit-Reset`. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

/** A plain ChannelError naming this plugin. */
export function channelError(kind: ChannelErrorKind, message: string, cause?: unknown): ChannelError {
  return new ChannelError(kind, message, { cause, plugin: PLUGIN });
}

/**
 * Milliseconds until `X-RateLimit-Reset`. Mastodon sends an ISO 8601 timestamp; other servers of
 * the same API send epoch seconds or seconds to wait, so small numbers count as a delay.
 */
export function parseResetHeader(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    const number = Number(trimmed);
    const ms = number >= 1_000_000_000 ? number * 1000 - now.getTime() : number * 1000;
    return Math.max(0, Math.ceil(ms));
  }
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** Milliseconds asked for by `Retry-After` (seconds, or an HTTP date). */
export function parseRetryAfterHeader(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** How long the server asked us to wait, from `Retry-After` or else `X-RateLimit-Reset`. */
export function waitFromHeaders(headers: Headers | undefined, now: Date): number | undefined {
  if (!headers) return undefined;
  return (
    parseRetryAfterHeader(headers.get('retry-after'), now) ??
    parseResetHeader(headers.get('x-ratelimit-reset'), now)
  );
}

/** What failed, for messages and for the meaning of a 404. */
export interface FailedOperation {
  /** Names the call in the message, such as `post a reply`. */
  what: string;
  /** What a 404 means for this call: a missing reply target is permanent, a wrong account id is config. */
  notFound?: ChannelErrorKind;
}

function responseOf(error: MastoHttpError): Response | undefined {
  return error.cause instanceof Response ? error.cause : undefined;
}

function httpKind(status: number, message: string, operation: FailedOperation): ChannelErrorKind {
  if (status === 429) return 'rate-limited';
  if (status === 401) return 'auth';
  // Mastodon answers 403 both for a token without the needed scope and for an action the account
  // may not take (a suspended or limited account, a reply the author does not allow).
  if (status === 403) return /scope/i.test(message) ? 'auth' : 'policy';
  if (status === 404 || status === 410) return operation.notFound ?? 'permanent';
  if (status === 408 || status === 409 || status === 425) return 'transient';
  if (status >= 500) return 'transient';
  return 'permanent';
}

/**
 * Turns whatever a masto call threw into a ChannelError whose kind tells the host what to do.
 * ChannelErrors pass through unchanged.
 */
export function toChannelError(error: unknown, operation: FailedOperation, now: Date): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof MastoHttpError) {
    const status = error.statusCode;
    const detail = error.description ? `${error.message}: ${error.description}` : error.message;
    const kind = httpKind(status, detail ?? '', operation);
    const retryAfterMs = waitFromHeaders(responseOf(error)?.headers, now);
    return new ChannelError(kind, `Mastodon could not ${operation.what} (HTTP ${status}): ${detail}`, {
      cause: error,
      plugin: PLUGIN,
      retryAfterMs:
        kind === 'rate-limited'
          ? (retryAfterMs ?? DEFAULT_RETRY_AFTER_MS)
          : kind === 'transient'
            ? retryAfterMs
            : undefined,
    });
  }
  if (error instanceof MastoTimeoutError) {
    return channelError('transient', `Mastodon did not answer in time to ${operation.what}`, error);
  }
  // Network failures (fetch's TypeError), bodies masto cannot decode (a proxy's error page) and
  // aborted requests: nothing says the request itself was wrong, so trying again may work.
  const detail = error instanceof Error ? error.message : String(error);
  return channelError('transient', `Could not reach Mastodon to ${operation.what}: ${detail}`, error);
}
