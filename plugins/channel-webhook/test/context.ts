import type { ChannelContext, Clock, Logger } from '@rapport/core';

/** A log line a test can look at. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown> | undefined;
}

/** A channel context as a host would give it: an in-memory key-value store and a recording logger. */
export interface TestChannelContext extends ChannelContext {
  store: Map<string, string>;
  logs: LogLine[];
  abort: AbortController;
}

/** Builds a {@link TestChannelContext}; the clock is the real one unless given. */
export function channelContext(
  _options: unknown,
  clock: Clock = { now: () => new Date() },
): TestChannelContext {
  const store = new Map<string, string>();
  const logs: LogLine[] = [];
  const log =
    (level: LogLine['level']) =>
    (message: string, fields?: Record<string, unknown>): void => {
      logs.push({ level, message, fields });
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const abort = new AbortController();
  return {
    tenantId: 'test',
    logger,
    clock,
    signal: abort.signal,
    abort,
    store,
    logs,
    kv: {
      get: async (key) => store.get(key) ?? null,
      set: async (key, value) => {
        store.set(key, value);
      },
    },
  };
}

/** A clock that stands still at `at` until moved. */
export function fixedClock(at: Date | number): Clock & { set(to: Date | number): void } {
  let now = new Date(at);
  return {
    now: () => new Date(now),
    set: (to) => {
      now = new Date(to);
    },
  };
}
