/**
 * A FIFO async lock for a store's one writer: units of work run one at a time, and readers of
 * committed data on a single connection wait their turn. Release hands the lock straight to the next
 * waiter, so nothing can slip in between two queued units of work.
 */
export class WriteLock {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  /** True while a unit of work (or anything else queued) holds the lock. */
  get busy(): boolean {
    return this.held;
  }

  /** Resolves once the caller holds the lock; pair with {@link release}. */
  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Gives the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }

  /** Runs `fn` holding the lock. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
