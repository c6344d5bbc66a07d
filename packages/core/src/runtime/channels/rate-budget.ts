import type { RateLimit } from '../../plugins/channel.js';
import type { Clock } from '../../plugins/plugin.js';

/** Waits `ms` (or until `signal` aborts); the host's only way of passing time, so tests can replace it. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Waits with a real timer that does not keep the process alive. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref?.();
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/**
 * A token bucket per declared limit: `requests` tokens refilled evenly over `perMs`. The host
 * takes one token before every call into the plugin (a batch read, a send), so a plugin never
 * exceeds what it declared even when several loops share it.
 */
export class RateBudget {
  private readonly buckets: Array<{ limit: RateLimit; tokens: number; at: number }>;
  /** Calls wait in line, so a burst is spread out rather than all retried at once. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    limits: readonly RateLimit[],
    private readonly clock: Clock,
    private readonly sleep: Sleep,
  ) {
    const now = clock.now().getTime();
    this.buckets = limits
      .filter((l) => l.requests > 0 && l.perMs > 0)
      .map((limit) => ({ limit, tokens: limit.requests, at: now }));
  }

  /** Resolves when a call may go ahead (at once while tokens are left). */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.takeNow(signal));
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** Spends every token now: the remote side said to slow down, so the budget starts over. */
  drain(): void {
    const now = this.clock.now().getTime();
    for (const b of this.buckets) {
      b.tokens = 0;
      b.at = now;
    }
  }

  private async takeNow(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now().getTime();
      let waitMs = 0;
      for (const b of this.buckets) {
        const rate = b.limit.requests / b.limit.perMs;
        b.tokens = Math.min(b.limit.requests, b.tokens + (now - b.at) * rate);
        b.at = now;
        if (b.tokens < 1) waitMs = Math.max(waitMs, Math.ceil((1 - b.tokens) / rate));
      }
      if (waitMs === 0 || signal?.aborted) {
        for (const b of this.buckets) b.tokens -= 1;
        return;
      }
      await this.sleep(waitMs, signal);
    }
  }
}
