import { describe, expect, it } from 'vitest';
import {
  ChannelError,
  createRapport,
  createTestRapport,
  INTERACTIONS_STORED_TOPIC,
  inProcessBus,
  isRapportError,
  memoryStorage,
  type StoragePlugin,
  silentLogger,
  type UnitOfWork,
} from '../src/index.js';
import { item } from './helpers.js';

/** A memory store whose units of work fail at the end (after all writes), as a commit failure would. */
function failingCommitStorage(): StoragePlugin {
  const inner = memoryStorage();
  return {
    ...inner,
    id: 'flaky',
    unitOfWork: <T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>) =>
      inner.unitOfWork(tenantId, async (uow) => {
        await work(uow);
        throw new Error('disk full');
      }),
  };
}

describe('events', () => {
  it('are published only after the unit of work commits, and the data is readable from listeners', async () => {
    const storage = memoryStorage();
    const rapport = await createTestRapport({ storage });
    const seen: Array<{ name: string; readable: boolean }> = [];
    rapport.events.on('interaction.received', (e) => {
      seen.push({
        name: 'interaction.received',
        readable: storage.inspect('default').interactions.has(e.interaction.id),
      });
    });
    rapport.events.on('customer.created', (e) => {
      seen.push({
        name: 'customer.created',
        readable: storage.inspect('default').customers.has(e.customer.id),
      });
    });
    await rapport.ingest([item(1)]);
    expect(seen).toEqual([
      { name: 'customer.created', readable: true },
      { name: 'interaction.received', readable: true },
    ]);
  });

  it('are not published when the unit of work fails, and the error names the store', async () => {
    const rapport = createRapport({ storage: failingCommitStorage() });
    await rapport.start();
    const fired: string[] = [];
    rapport.events.on('interaction.received', () => fired.push('interaction'));
    rapport.events.on('customer.created', () => fired.push('customer'));
    const error = await rapport.ingest([item(1)]).catch((e: unknown) => e);
    expect(isRapportError(error, 'RAPPORT_PLUGIN_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/storage plugin "flaky" failed in unitOfWork: disk full/);
    expect(((error as Error).cause as Error).message).toBe('disk full');
    expect(fired).toEqual([]);
  });

  it('a throwing listener does not break ingest; it is reported as an error event', async () => {
    const rapport = await createTestRapport();
    const errors: string[] = [];
    rapport.events.on('error', (e) => errors.push(e.error.message));
    rapport.events.on('interaction.received', () => {
      throw new Error('listener bug');
    });
    const { counts } = await rapport.ingest([item(1)]);
    expect(counts.created).toBe(1);
    expect(errors).toEqual(['A listener of "interaction.received" threw']);
  });

  it('with nobody listening to error, a throwing listener is logged, not lost', async () => {
    const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const logger = {
      ...silentLogger,
      error: (message: string, fields?: Record<string, unknown>) => logged.push({ message, fields }),
    };
    const rapport = await createTestRapport({ logger });
    rapport.events.on('customer.created', () => {
      throw new Error('listener bug');
    });
    expect((await rapport.ingest([item(1)])).counts.created).toBe(1);
    expect(logged.map((l) => l.message)).toEqual(['A listener of "customer.created" threw']);
    expect(logged[0]?.fields?.cause).toMatchObject({ message: 'listener bug' });
  });

  it('hands stored interactions to later stages over the bus, keyed by customer', async () => {
    const rapport = await createTestRapport();
    const received: Array<{ key: string; ids: number }> = [];
    rapport.bus.subscribe<{ interactionIds: string[] }>(INTERACTIONS_STORED_TOPIC, (m) => {
      received.push({ key: m.key, ids: m.payload.interactionIds.length });
    });
    const { results } = await rapport.ingest([
      item(1),
      item(2, { actor: { externalId: 'user-1' } }),
      item(3),
    ]);
    await rapport.settle();
    expect(received).toHaveLength(2);
    expect(received.find((r) => r.key === results[0]!.customerId)?.ids).toBe(2);
  });
});

describe('in-process bus', () => {
  it('keeps order within a partition and runs partitions concurrently', async () => {
    const bus = inProcessBus({ lanes: 4 });
    const log: string[] = [];
    bus.subscribe<number>('t', async (m) => {
      await new Promise((r) => setTimeout(r, m.key === 'slow' ? 5 : 0));
      log.push(`${m.key}:${m.payload}`);
    });
    await bus.publish(
      't',
      [1, 2, 3].map((n) => ({ key: 'slow', payload: n })),
    );
    await bus.publish(
      't',
      [1, 2, 3].map((n) => ({ key: 'fast', payload: n })),
    );
    await bus.drain();
    expect(log.filter((l) => l.startsWith('slow'))).toEqual(['slow:1', 'slow:2', 'slow:3']);
    expect(log.filter((l) => l.startsWith('fast'))).toEqual(['fast:1', 'fast:2', 'fast:3']);
    expect(log.indexOf('fast:3')).toBeLessThan(log.indexOf('slow:3'));
  });

  it('reports a failing handler and goes on with the next message', async () => {
    const failures: unknown[] = [];
    const bus = inProcessBus({ onError: (e) => failures.push(e) });
    const handled: number[] = [];
    bus.subscribe<number>('t', (m) => {
      if (m.payload === 2) throw new Error('bad message');
      handled.push(m.payload);
    });
    await bus.publish(
      't',
      [1, 2, 3].map((payload) => ({ key: 'k', payload })),
    );
    await bus.drain();
    expect(handled).toEqual([1, 3]);
    expect(failures).toHaveLength(1);
  });

  it('never runs handlers on the publisher’s stack', async () => {
    const bus = inProcessBus();
    let ran = false;
    bus.subscribe('t', () => {
      ran = true;
    });
    const publishing = bus.publish('t', [{ key: 'k', payload: null }]);
    expect(ran).toBe(false);
    await publishing;
    await bus.drain();
    expect(ran).toBe(true);
  });
});

describe('plugin contracts', () => {
  it('refuses to start with plugins of another contract version, listing every problem at once', () => {
    const storage = { ...memoryStorage(), specVersion: 'rapport.storage/v0' } as unknown as StoragePlugin;
    const scorer = {
      id: 'x',
      version: '1',
      specVersion: 'rapport.scoring/v1',
      models: [],
      capabilities: { annotate: true, incremental: false, recompute: false },
    };
    let error: unknown;
    try {
      createRapport({ storage, scoring: [scorer as never] });
    } catch (e) {
      error = e;
    }
    expect(isRapportError(error, 'RAPPORT_UNSUPPORTED_SPEC_VERSION')).toBe(true);
    const issues = (error as { issues: Array<{ jsonPath: string }> }).issues.map((i) => i.jsonPath);
    expect(issues).toEqual(['$.storage.specVersion', '$.scoring[0].annotate']);
  });

  it('an operation the store cannot do fails with RAPPORT_MISSING_CAPABILITY before touching it', async () => {
    const inner = memoryStorage();
    const rapport = await createTestRapport({
      storage: { ...inner, capabilities: { ...inner.capabilities, exportCustomer: false } },
    });
    const { results } = await rapport.ingest([item(1)]);
    await expect(rapport.customers.export(results[0]!.customerId!)).rejects.toMatchObject({
      code: 'RAPPORT_MISSING_CAPABILITY',
    });
  });

  it('channel errors say by their kind whether the host may retry', () => {
    expect(new ChannelError('rate-limited', '429', { retryAfterMs: 30_000 })).toMatchObject({
      code: 'RAPPORT_CHANNEL_ERROR',
      retryable: true,
      retryAfterMs: 30_000,
    });
    expect(new ChannelError('transient', 'reset').retryable).toBe(true);
    for (const kind of ['auth', 'config', 'permanent', 'cursor-invalid', 'policy'] as const) {
      expect(new ChannelError(kind, kind).retryable).toBe(false);
    }
  });

  it('channel errors carry a hint and the path of the option to fix', () => {
    const error = new ChannelError('config', 'no such host', {
      hint: 'check imap.host',
      path: ['imap', 'host'],
      plugin: 'email',
    });
    expect(error).toMatchObject({
      kind: 'config',
      hint: 'check imap.host',
      jsonPath: '$.imap.host',
      plugin: 'email',
    });
  });

  it('rejects bad options with a path', () => {
    let error: unknown;
    try {
      createRapport({ storage: memoryStorage(), tenant: 'not a valid tenant!' });
    } catch (e) {
      error = e;
    }
    expect(isRapportError(error, 'RAPPORT_INVALID_OPTIONS')).toBe(true);
    expect((error as { jsonPath: string }).jsonPath).toBe('$.tenant');
  });

  it('a store method failing inside a unit of work is reported with the store and method, and nothing is kept', async () => {
    const inner = memoryStorage();
    const storage: StoragePlugin = {
      ...inner,
      id: 'broken-store',
      unitOfWork: (tenantId, work) =>
        inner.unitOfWork(tenantId, (uow) =>
          work(
            Object.assign(Object.create(uow) as UnitOfWork, {
              insertInteractions: () => {
                throw new Error('constraint failed');
              },
            }),
          ),
        ),
    };
    const rapport = createRapport({ storage });
    await rapport.start();
    const error = await rapport.ingest([item(1)]).catch((e: unknown) => e);
    expect(isRapportError(error, 'RAPPORT_PLUGIN_FAILED')).toBe(true);
    expect((error as { plugin: string }).plugin).toBe('broken-store');
    expect((error as Error).message).toContain('failed in insertInteractions: constraint failed');
    expect(inner.inspect('default').customers.size).toBe(0);
  });

  it('an incremental scorer that fails is reported as an error event naming it; ingest is unaffected', async () => {
    const rapport = await createTestRapport({
      scoring: [
        {
          id: 'flaky-engagement',
          version: '1.0.0',
          specVersion: 'rapport.scoring/v1',
          models: [{ id: 'flaky', version: '1' }],
          capabilities: { annotate: false, incremental: true, recompute: false },
          update: () => {
            throw new Error('model not loaded');
          },
        },
      ],
    });
    const errors: Array<{ plugin: string | undefined; cause: string }> = [];
    rapport.events.on('error', ({ error }) =>
      errors.push({ plugin: error.plugin, cause: (error.cause as Error).message }),
    );
    expect((await rapport.ingest([item(1)])).counts.created).toBe(1);
    await rapport.settle();
    expect(errors).toEqual([{ plugin: 'flaky-engagement', cause: 'model not loaded' }]);
  });

  it('wraps a failing scorer so the error names it and keeps the cause', async () => {
    const rapport = await createTestRapport({
      scoring: [
        {
          id: 'broken-sentiment',
          version: '1.0.0',
          specVersion: 'rapport.scoring/v1',
          models: [{ id: 'broken', version: '1' }],
          capabilities: { annotate: true, incremental: false, recompute: false },
          annotate: () => {
            throw new TypeError('lexicon missing');
          },
        },
      ],
    });
    const error = await rapport.ingest([item(1)]).catch((e: unknown) => e);
    expect(isRapportError(error, 'RAPPORT_PLUGIN_FAILED')).toBe(true);
    expect((error as { plugin: string }).plugin).toBe('broken-sentiment');
    expect(((error as Error).cause as Error).message).toBe('lexicon missing');
    expect((await rapport.stats()).interactions).toBe(0);
  });

  it('runs scoring hooks: annotations stored with the interaction, incremental and recomputed scores with their model', async () => {
    const model = { id: 'count', version: '1.0.0', params: { weight: 1 } };
    const rapport = await createTestRapport({
      scoring: [
        {
          id: 'counter',
          version: '1.0.0',
          specVersion: 'rapport.scoring/v1',
          models: [model],
          capabilities: { annotate: true, incremental: true, recompute: true },
          annotate: (i) => [{ name: 'length', value: i.text?.length ?? 0, model }],
          update: ({ interactions, current }) => [
            { name: 'interactions', value: (current[0]?.value ?? 0) + interactions.length, model },
          ],
          recompute: async ({ interactions }) => {
            let n = 0;
            for await (const _ of interactions) n++;
            return [{ name: 'interactions', value: n, model }];
          },
        },
      ],
    });
    const { results } = await rapport.ingest([
      item(1, { text: 'hello' }),
      item(2, { actor: { externalId: 'user-1' } }),
    ]);
    await rapport.ingest([item(3, { actor: { externalId: 'user-1' } })]);
    await rapport.settle();
    const customerId = results[0]!.customerId!;
    expect((await rapport.customers.timeline(customerId)).items.at(-1)?.scores).toEqual([
      { name: 'length', value: 5, model },
    ]);
    expect((await rapport.scores.latest(customerId)).map((s) => s.value)).toEqual([3]);
    const recomputed = await rapport.scores.recompute(customerId);
    expect(recomputed).toMatchObject([{ name: 'interactions', value: 3, model }]);
  });
});
