/**
 * A FIFO async mutex: units of work on one store run one at a time, and readers of committed data
 * can wait for the current one to finish.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private held = false;

  /** True while someone holds the lock. */
  get locked(): boolean {
    return this.held;
  }

  /** Runs `fn` holding the lock. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.held = true;
    try {
      return await fn();
    } finally {
      this.held = false;
      release();
    }
  }

  /** Resolves once nobody holds the lock (including waiters queued before this call). */
  idle(): Promise<void> {
    return this.tail;
  }
}
