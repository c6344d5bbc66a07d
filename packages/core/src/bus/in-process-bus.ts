import type { Bus, BusHandler, BusMessage } from './bus.js';

/** Options of {@link inProcessBus}. */
export interface InProcessBusOptions {
  /** Number of lanes; a partition key always maps to the same lane, lanes run concurrently. */
  lanes?: number;
  /** Called when a handler throws. */
  onError?: (error: unknown, topic: string, message: BusMessage) => void;
}

interface Lane {
  queue: Array<{ handlers: BusHandler[]; message: BusMessage; topic: string }>;
  running: Promise<void> | null;
}

function laneOf(key: string, lanes: number): number {
  // FNV-1a: cheap and stable, so one key always lands on one lane.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

/**
 * The default bus: delivers asynchronously in this process, in order per partition key, with
 * partitions spread over concurrent lanes.
 */
export function inProcessBus(options: InProcessBusOptions = {}): Bus {
  const laneCount = Math.max(1, options.lanes ?? 8);
  const handlers = new Map<string, BusHandler[]>();
  const lanes: Lane[] = Array.from({ length: laneCount }, () => ({ queue: [], running: null }));
  let closed = false;

  async function run(lane: Lane): Promise<void> {
    while (lane.queue.length > 0) {
      const item = lane.queue.shift()!;
      for (const handler of item.handlers) {
        try {
          await handler(item.message);
        } catch (error) {
          options.onError?.(error, item.topic, item.message);
        }
      }
    }
    lane.running = null;
  }

  return {
    id: 'in-process',
    async publish<T>(topic: string, messages: ReadonlyArray<BusMessage<T>>) {
      if (closed) throw new Error('bus is closed');
      const subscribed = handlers.get(topic);
      if (!subscribed || subscribed.length === 0) return;
      const snapshot = subscribed.slice() as BusHandler[];
      for (const message of messages) {
        const lane = lanes[laneOf(message.key, laneCount)]!;
        lane.queue.push({ handlers: snapshot, message, topic });
        // Start on a later tick: publishers never run handlers on their own stack.
        lane.running ??= Promise.resolve().then(() => run(lane));
      }
    },
    subscribe<T>(topic: string, handler: BusHandler<T>) {
      const list = handlers.get(topic) ?? [];
      list.push(handler as BusHandler);
      handlers.set(topic, list);
      return () => {
        const current = handlers.get(topic) ?? [];
        handlers.set(
          topic,
          current.filter((h) => h !== handler),
        );
      };
    },
    async drain() {
      for (;;) {
        const running = lanes.map((lane) => lane.running).filter((p): p is Promise<void> => p !== null);
        if (running.length === 0) return;
        await Promise.all(running);
      }
    },
    async close() {
      closed = true;
      await this.drain();
      handlers.clear();
    },
  };
}
