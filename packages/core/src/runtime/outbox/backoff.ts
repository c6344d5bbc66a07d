/** How retries back off. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms (default 1000). */
  baseMs?: number;
  /** The longest delay, in ms (default 5 minutes). */
  maxMs?: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): exponential, capped, with
 * "equal jitter" — half fixed, half random — so many senders failing together do not retry in
 * lockstep, yet none retries much sooner than the schedule. A channel's Retry-After wins when
 * it asks for longer.
 */
export function retryDelayMs(
  attempt: number,
  options: BackoffOptions = {},
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 300_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  const delay = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return retryAfterMs !== undefined && retryAfterMs > delay ? retryAfterMs : delay;
}
