import { createTestRapport, type InteractionInput } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEVELS, engagementScoring, levelOf, orbitPreset } from '../src/index.js';
import { DAY, T0 } from './helpers.js';

function item(n: number, days: number, fields: Partial<InteractionInput> = {}): InteractionInput {
  return {
    channel: 'forum',
    account: 'community',
    externalId: `post-${n}`,
    direction: 'inbound',
    kind: 'reply',
    text: 'thanks, that worked',
    occurredAt: new Date(T0 + days * DAY).toISOString(),
    actor: { externalId: 'ada' },
    ...fields,
  };
}

describe('engagementScoring in a running Rapport', () => {
  it('keeps incremental scores equal to a recompute as interactions arrive over time', async () => {
    let now = new Date(T0);
    const rapport = await createTestRapport({
      scoring: [engagementScoring(), engagementScoring(orbitPreset())],
      clock: { now: () => now },
    });
    const first = await rapport.ingest([item(1, 0), item(2, 0, { kind: 'reaction', text: undefined })]);
    const customerId = first.results[0]!.customerId!;
    await rapport.settle();

    now = new Date(T0 + 30 * DAY);
    await rapport.ingest([
      item(3, 29, { kind: 'review', text: 'five stars' }),
      // The team's answer: outbound, it does not count.
      item(4, 29, {
        direction: 'outbound',
        actor: { externalId: 'agent' },
        recipient: { externalId: 'ada' },
      }),
    ]);
    await rapport.settle();

    now = new Date(T0 + 95 * DAY);
    await rapport.ingest([
      item(5, 94, { kind: 'message', text: 'question' }),
      item(6, 10, { kind: 'mention' }),
    ]);
    await rapport.settle();

    const latest = Object.fromEntries((await rapport.scores.latest(customerId)).map((s) => [s.name, s]));
    const recomputed = Object.fromEntries(
      (await rapport.scores.recompute(customerId)).map((s) => [s.name, s.value]),
    );
    const h = 90;
    const decay = (days: number) => 2 ** -(days / h);
    const expected = 6 * decay(95) + 1 * decay(95) + 8 * decay(66) + 4 * decay(1) + 3 * decay(85);
    expect(recomputed.engagement).toBeCloseTo(expected, 10);
    expect(latest.engagement!.value).toBeCloseTo(recomputed.engagement!, 9);
    // The level the host recorded is the level of the recomputed score; recomputing changed nothing.
    expect(latest['engagement.level']!.value).toBe(levelOf(recomputed.engagement!, DEFAULT_LEVELS));
    expect(recomputed['engagement.level']).toBeUndefined();
    expect(latest['orbit.love']!.value).toBeCloseTo(recomputed['orbit.love']!, 9);
    await rapport.stop();
  });

  it('records level changes in the score log, fires level.changed and explains the last one', async () => {
    let now = new Date(T0);
    const rapport = await createTestRapport({ scoring: [engagementScoring()], clock: { now: () => now } });
    const changes: Array<{ from: string | null; to: string; value: number; previousValue: number | null }> =
      [];
    rapport.events.on('level.changed', (e) => {
      expect(e.score).toBe('engagement');
      changes.push({
        from: e.from?.name ?? null,
        to: e.to.name,
        value: e.value,
        previousValue: e.previousValue,
      });
    });
    // A reaction (1) makes an observer, two replies (6 each) a participant; a message (4) changes no level.
    const first = await rapport.ingest([item(1, 0, { kind: 'reaction', text: undefined })]);
    const customerId = first.results[0]!.customerId!;
    await rapport.settle();
    await rapport.ingest([item(2, 0), item(3, 0)]);
    await rapport.settle();
    await rapport.ingest([item(4, 0, { kind: 'message' })]);
    await rapport.settle();
    expect(changes).toEqual([
      { from: null, to: 'observer', value: 1, previousValue: null },
      { from: 'observer', to: 'participant', value: 13, previousValue: 1 },
    ]);

    // Why is the customer a participant? The two replies moved the score from 1 to 13.
    const why = await rapport.scores.explainLevel(customerId, 'engagement');
    expect(why).toMatchObject({
      score: 'engagement',
      level: { name: 'participant', index: 2 },
      previous: { name: 'observer', index: 1 },
      value: 13,
      previousValue: 1,
      cause: { kind: 'interactions' },
    });
    expect(why!.interactions.map((i) => i.externalId)).toEqual(['post-2', 'post-3']);
    expect(why!.levels.map((l) => l.name)).toEqual(DEFAULT_LEVELS.map((l) => l.name));

    // The score log keeps every value with its model and cause, newest first.
    const log = await rapport.scores.history(customerId, { name: 'engagement' });
    expect(log.items.map((s) => s.value)).toEqual([13 + 4, 13, 1]);
    expect(log.items[0]!.model).toMatchObject({ id: 'engagement-effort-decay', version: '1' });
    expect(log.items.every((s) => s.cause?.kind === 'interactions')).toBe(true);
    const levels = await rapport.scores.levelChanges(customerId, 'engagement');
    expect(levels.items.map((c) => c.level.name)).toEqual(['participant', 'observer']);

    // Time passes: a recompute decays the score below 5 and records the fall, caused by the recompute.
    now = new Date(T0 + 200 * DAY);
    await rapport.scores.recompute(customerId);
    expect(changes.at(-1)).toMatchObject({ from: 'participant', to: 'observer' });
    expect(await rapport.scores.level(customerId, 'engagement')).toMatchObject({
      level: { name: 'observer' },
      cause: { kind: 'recompute' },
    });
    await rapport.stop();
  });

  it('lets the Rapport override a plugin’s levels per score', async () => {
    const rapport = await createTestRapport({
      scoring: [engagementScoring()],
      levels: [
        {
          score: 'engagement',
          levels: [
            { name: 'cold', min: 0 },
            { name: 'warm', min: 10 },
          ],
        },
      ],
      clock: { now: () => new Date(T0) },
    });
    const first = await rapport.ingest([item(1, 0), item(2, 0)]);
    await rapport.settle();
    expect(await rapport.scores.level(first.results[0]!.customerId!, 'engagement')).toMatchObject({
      level: { name: 'warm', index: 1 },
    });
    await rapport.stop();
  });
});
