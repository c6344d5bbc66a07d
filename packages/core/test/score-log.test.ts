import { describe, expect, it } from 'vitest';
import {
  createRapport,
  createTestRapport,
  isRapportError,
  memoryStorage,
  type RapportEvents,
  type ScoringPlugin,
} from '../src/index.js';
import { item } from './helpers.js';

/** One customer's messages. */
const mine = (n: number) => item(n, { actor: { externalId: 'ann' } });

const model = { id: 'count', version: '2', params: { per: 'interaction' } };

/** Counts a customer's interactions: incremental and recomputable, with a ladder of levels. */
function counter(
  levels = [
    { name: 'new', min: 0 },
    { name: 'regular', min: 2 },
    { name: 'fan', min: 4 },
  ],
): ScoringPlugin {
  return {
    id: 'counter',
    version: '1.0.0',
    specVersion: 'rapport.scoring/v1',
    models: [model],
    levels: [{ score: 'interactions', levels }],
    capabilities: { annotate: false, incremental: true, recompute: true },
    update: ({ interactions, current }) => [
      {
        name: 'interactions',
        value: (current.find((s) => s.name === 'interactions')?.value ?? 0) + interactions.length,
        model,
      },
    ],
    recompute: async ({ interactions }) => {
      let n = 0;
      for await (const _ of interactions) n++;
      return [{ name: 'interactions', value: n, model }];
    },
  };
}

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('score log and levels', () => {
  it('keeps every score with model and cause, records a level only when it changes, and explains it', async () => {
    const rapport = await createTestRapport({ scoring: [counter()] });
    const changes: Array<RapportEvents['level.changed']> = [];
    rapport.events.on('level.changed', (e) => changes.push(e));
    const first = await rapport.ingest([mine(1)]);
    const customerId = first.results[0]!.customerId!;
    await rapport.settle();
    await rapport.ingest([mine(2)]);
    await rapport.settle();
    await rapport.ingest([mine(3)]);
    await rapport.settle();
    const fourth = await rapport.ingest([mine(4), mine(5)]);
    await rapport.settle();

    expect(changes.map((c) => [c.from?.name ?? null, c.to.name, c.previousValue, c.value])).toEqual([
      [null, 'new', null, 1],
      ['new', 'regular', 1, 2],
      ['regular', 'fan', 3, 5],
    ]);
    expect(changes[2]!.cause).toEqual({
      kind: 'interactions',
      interactionIds: fourth.results.map((r) => r.interactionId),
    });

    const log = await rapport.scores.history(customerId, { name: 'interactions', limit: 2 });
    expect(log.items.map((s) => s.value)).toEqual([5, 3]);
    const rest = await rapport.scores.history(customerId, { name: 'interactions', cursor: log.nextCursor });
    expect(rest.items.map((s) => s.value)).toEqual([2, 1]);
    expect(rest.nextCursor).toBeNull();
    expect(log.items[0]).toMatchObject({ model, cause: { kind: 'interactions' } });

    const levels = await rapport.scores.levelChanges(customerId, 'interactions');
    expect(levels.items.map((c) => c.level.name)).toEqual(['fan', 'regular', 'new']);
    expect(levels.items[0]!.levels.map((l) => l.min)).toEqual([0, 2, 4]);

    const why = await rapport.scores.explainLevel(customerId, 'interactions');
    expect(why).toMatchObject({
      level: { index: 2, name: 'fan' },
      previous: { index: 1, name: 'regular' },
      value: 5,
      previousValue: 3,
    });
    expect(why!.interactions.map((i) => i.externalId)).toEqual(['s-4', 's-5']);

    // A recompute that lands on the same level records the score but no level change.
    const recorded = await rapport.scores.recompute(customerId);
    expect(recorded.map((s) => s.name)).toEqual(['interactions']);
    expect(recorded[0]!.cause).toEqual({ kind: 'recompute' });
    expect(changes).toHaveLength(3);
    expect(await rapport.scores.explainLevel(customerId, 'nobody-has-this')).toBeNull();
    await rapport.stop();
  });

  it('recomputes every active customer in a batch job, recording the levels that changed', async () => {
    const rapport = await createTestRapport({ scoring: [counter()] });
    await rapport.ingest([item(1), item(2), mine(3), mine(4), mine(5), mine(6)]);
    await rapport.settle();
    // Merged customers are not recomputed on their own: their timeline is the survivor's.
    const [first, second] = (await rapport.ingest([item(7), item(8)])).results.map((r) => r.customerId!);
    await rapport.settle();
    await rapport.customers.merge(first!, second!, { reason: 'same person', actor: 'test' });
    const progress: number[] = [];
    const totals = await rapport.scores.recomputeAll({ pageSize: 2, onProgress: (n) => progress.push(n) });
    // Customers: user-1, user-2, ann, and user-7 holding user-8's interaction too.
    expect(totals).toEqual({ customers: 4, scores: 4, levelChanges: 1 });
    expect(progress).toEqual([2, 4]);
    expect((await rapport.scores.level(first!, 'interactions'))?.level).toEqual({
      index: 1,
      name: 'regular',
    });
    await rapport.stop();
  });

  it('lets rules act on level changes', async () => {
    const rapport = await createTestRapport({
      scoring: [counter()],
      rules: [
        {
          id: 'fans',
          name: 'Tag new fans',
          trigger: { event: 'level.changed' },
          conditions: {
            all: [
              { path: 'event.level.score', operator: 'equal', value: 'interactions' },
              { path: 'event.level.to', operator: 'equal', value: 'fan' },
            ],
          },
          actions: [{ type: 'tag', tag: 'fan' }],
        },
      ],
    });
    const first = await rapport.ingest([mine(1), mine(2), mine(3)]);
    await rapport.settle();
    const customerId = first.results[0]!.customerId!;
    expect((await rapport.customers.get(customerId))!.tags).not.toContain('fan');
    await rapport.ingest([mine(4)]);
    await rapport.settle();
    expect((await rapport.customers.get(customerId))!.tags).toContain('fan');
    await rapport.stop();
  });

  it('validates levels given as options and declared by plugins, naming the offending path', () => {
    const bad = errorOf(() =>
      createRapport({
        storage: memoryStorage(),
        levels: [
          {
            score: 'x',
            levels: [
              { name: 'a', min: 5 },
              { name: 'b', min: 1 },
            ],
          },
        ],
      }),
    );
    expect(isRapportError(bad, 'RAPPORT_INVALID_OPTIONS')).toBe(true);
    expect((bad as { path?: unknown }).path).toEqual(['levels', 0, 'levels', 1, 'min']);

    const plugin = errorOf(() =>
      createRapport({
        storage: memoryStorage(),
        scoring: [
          counter([
            { name: 'a', min: 0 },
            { name: 'a', min: 1 },
          ]),
        ],
      }),
    );
    expect(isRapportError(plugin)).toBe(true);
    const issues = (plugin as { issues: Array<{ jsonPath: string }> }).issues.map((i) => i.jsonPath);
    expect(issues).toEqual(['$.scoring[0].levels[0].levels[1].name']);
  });
});
