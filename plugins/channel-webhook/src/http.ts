import { ChannelError } from '@rapport/core';

/**
 * How long the receiver asks us to wait, in milliseconds, from the first of these headers it sent:
 * `retry-after-ms` (milliseconds, as some APIs send it), `retry-after` (seconds, or an HTTP date),
 * `ratelimit-reset` (seconds to wait, IETF draft) and `x-ratelimit-reset` (seconds to wait, or a
 * Unix time in seconds when it is that large). Undefined when none can be read.
 */
export function retryAfterMs(headers: Headers, now: Date): number | undefined {
  const ms = decimal(headers.get('retry-after-ms'));
  if (ms !== undefined) return Math.ceil(ms);
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    const seconds = decimal(retryAfter);
    if (seconds !== undefined) return Math.ceil(seconds * 1000);
    // An HTTP date names its day and month; Date.parse alone would take `-5` for a year.
    const date = /[A-Za-z]/.test(retryAfter) ? Date.parse(retryAfter) : Number.NaN;
    if (!Number.isNaN(date)) return Math.max(0, date - now.getTime());
  }
  const reset = decimal(headers.get('ratelimit-reset'));
  if (reset !== undefined) return Math.ceil(reset * 1000);
  const legacy = decimal(headers.get('x-ratelimit-reset'));
  if (legacy !== undefined) {
    // Far beyond any sensible wait in seconds, so it is a point in time.
    if (legacy > 1_000_000_000) return Math.max(0, Math.ceil(legacy * 1000 - now.getTime()));
    return Math.ceil(legacy * 1000);
  }
  return undefined;
}

function decimal(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

/** At most this much of an error body goes into the error message. */
const DETAIL_CHARS = 200;

/**
 * The ChannelError for a receiver's non-2xx answer: 429 is `rate-limited` (with the wait the
 * receiver asked for), 408 and 5xx are `transient` (a 503's `Retry-After` is kept), 401 and 403
 * are `auth`, a redirect is `config` (signed deliveries are not followed elsewhere), any other 4xx
 * is `permanent`.
 */
export function responseError(
  response: Response,
  bodyText: string,
  context: { url: string; now: Date; plugin: string },
): ChannelError {
  const status = response.status;
  const detail = bodyText.trim().slice(0, DETAIL_CHARS);
  const message = `webhook receiver ${context.url} answered ${status}${detail ? `: ${detail}` : ''}`;
  const plugin = context.plugin;
  if (status === 429) {
    return new ChannelError('rate-limited', message, {
      plugin,
      retryAfterMs: retryAfterMs(response.headers, context.now),
    });
  }
  if (status === 408 || status >= 500) {
    return new ChannelError('transient', message, {
      plugin,
      retryAfterMs: retryAfterMs(response.headers, context.now),
    });
  }
  if (status === 401 || status === 403) return new ChannelError('auth', message, { plugin });
  if (status >= 300 && status < 400) {
    return new ChannelError(
      'config',
      `${message} (a redirect to ${response.headers.get('location') ?? 'somewhere else'}; set \`url\` to the final address)`,
      { plugin },
    );
  }
  return new ChannelError('permanent', message, { plugin });
}

/**
 * The ChannelError for a send that got no answer: a timeout or a dropped connection. Both are
 * `transient`, and both are ambiguous: the receiver may have taken the message, which is why every
 * retry carries the same `webhook-id`.
 */
export function networkError(
  error: unknown,
  context: { url: string; timeoutMs: number; plugin: string },
): ChannelError {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') {
    return new ChannelError(
      'transient',
      `webhook receiver ${context.url} did not answer within ${context.timeoutMs} ms; it may still have taken the message`,
      { cause: error, plugin: context.plugin },
    );
  }
  if (name === 'AbortError') {
    return new ChannelError('transient', `send to ${context.url} was aborted (the channel is stopping)`, {
      cause: error,
      plugin: context.plugin,
    });
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  const detail = error instanceof Error ? error.message : String(error);
  return new ChannelError('transient', `could not reach webhook receiver ${context.url}: ${detail}${code}`, {
    cause: error,
    plugin: context.plugin,
  });
}
