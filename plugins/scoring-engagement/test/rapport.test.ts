import { createTestRapport, type InteractionInput } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { engagementScoring, orbitPreset } from '../src/index.js';
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
    expect(latest['engagement.level']!.value).toBe(recomputed['engagement.level']);
    expect(latest['orbit.love']!.value).toBeCloseTo(recomputed['orbit.love']!, 9);
    await rapport.stop();
  });
});
