import { describe, expect, it } from 'vitest';
import { CoalescingQueue } from '../src/runtime/coalescing-queue.js';

describe('CoalescingQueue', () => {
  it('hands items enqueued together to one run, in order, and the rest to the next', async () => {
    const runs: number[][] = [];
    let release: () => void = () => {};
    const queue = new CoalescingQueue<number>(async (items) => {
      runs.push(items);
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = [1, 2, 3].map((n) => queue.enqueue(n));
    await Promise.resolve();
    await Promise.resolve();
    // The first run is busy: these wait and go together.
    const second = [4, 5].map((n) => queue.enqueue(n));
    release();
    await Promise.all([...first, ...second]);
    expect(runs).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('rejects the items of a failed run only, and goes on', async () => {
    const queue = new CoalescingQueue<number>(async (items) => {
      if (items.includes(2)) throw new Error('boom');
    }, 2);
    const results = await Promise.allSettled([1, 2, 3].map((n) => queue.enqueue(n)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });
});
