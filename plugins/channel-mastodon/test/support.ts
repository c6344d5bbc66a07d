import type {
  ChannelBatch,
  ChannelConnection,
  ChannelContext,
  ChannelPlugin,
  Clock,
  Logger,
} from '@rapport/core';

/** A logger that keeps what it was told, so tests can check warnings. */
export function recordingLogger(): Logger & { entries: Array<{ level: string; message: string }> } {
  const entries: Array<{ level: string; message: string }> = [];
  const log = (level: string) => (message: string) => {
    entries.push({ level, message });
  };
  return { entries, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A channel context with an in-memory key-value store. */
export function testContext(
  _options: unknown,
  overrides: { clock?: Clock; signal?: AbortSignal; logger?: Logger; kv?: Map<string, string> } = {},
): ChannelContext & { store: Map<string, string> } {
  const store = overrides.kv ?? new Map<string, string>();
  return {
    tenantId: 'test',
    logger: overrides.logger ?? recordingLogger(),
    clock: overrides.clock ?? { now: () => new Date() },
    signal: overrides.signal ?? new AbortController().signal,
    kv: {
      get: async (key) => store.get(key) ?? null,
      set: async (key, value) => {
        store.set(key, value);
      },
    },
    store,
  };
}

/** Starts a plugin with a test context. */
export async function connect(
  plugin: ChannelPlugin,
  options: unknown,
  overrides: Parameters<typeof testContext>[1] = {},
): Promise<ChannelConnection> {
  return plugin.init(testContext(options, overrides));
}

/** Every batch of a read, as the host would store them. */
export async function readAll(
  connection: ChannelConnection,
  cursor: string | null,
  lookbackMs = 3_600_000,
): Promise<ChannelBatch[]> {
  const batches: ChannelBatch[] = [];
  for await (const batch of connection.read!({ cursor, lookbackMs })) batches.push(batch);
  return batches;
}

/** The external ids of batches, in order. */
export function idsOf(batches: ChannelBatch[]): string[] {
  return batches.flatMap((batch) => batch.interactions.map((interaction) => interaction.externalId));
}

/** The cursor the host commits after the last batch. */
export function lastCursor(batches: ChannelBatch[], before: string | null = null): string | null {
  return batches.at(-1)?.cursor ?? before;
}

/** Whatever a promise rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
