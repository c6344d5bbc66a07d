/**
 * Coalesces work: items enqueued while a run is in progress are handed to the next run together,
 * in arrival order. Each `enqueue` resolves when the run that took its item has finished (or
 * rejects with that run's error), so callers keep their back-pressure and `settle()` semantics.
 *
 * The rules and scoring stages use it to handle many bus messages (one per customer) in one unit
 * of work: a commit per ingested batch instead of one per customer.
 */
export class CoalescingQueue<T> {
  private pending: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  private running = false;

  /** @param run - processes a group of items; called with one group at a time. */
  constructor(
    private readonly run: (items: T[]) => Promise<void>,
    private readonly maxGroup = 5000,
  ) {}

  enqueue(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Let the other lanes of the bus enqueue what they have before the group is cut.
    await Promise.resolve();
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, this.maxGroup);
      try {
        await this.run(group.map((g) => g.item));
        for (const g of group) g.resolve();
      } catch (error) {
        for (const g of group) g.reject(error);
      }
    }
    this.running = false;
  }
}
