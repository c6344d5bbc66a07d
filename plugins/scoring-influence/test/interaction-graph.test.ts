import { createTestRapport, type Interaction, memoryStorage } from '@rapport/core';
import { storedInteraction } from '@rapport/testkit';
import { describe, expect, it } from 'vitest';
import {
  buildInteractionGraph,
  InteractionGraphBuilder,
  influenceScores,
  influenceScoring,
  storedInteractions,
  type WeightedDigraph,
} from '../src/index.js';

/** A stored interaction with defaults: an inbound reply by `customerId` on one forum. */
function stored(fields: Partial<Interaction> & { customerId: string | null }): Interaction {
  return storedInteraction({
    channel: 'forum',
    kind: 'reply',
    occurredAt: new Date('2025-01-01T00:00:00Z'),
    actorExternalId: fields.customerId ?? 'brand',
    ...fields,
  });
}

function edges(graph: WeightedDigraph): string[] {
  return [...graph.edges()].map((e) => `${e.source}>${e.target}:${e.weight}`).sort();
}

describe('buildInteractionGraph', () => {
  it('points a reply from its author to the parent’s author, and sums repeats', () => {
    const post = stored({ customerId: 'ann', kind: 'post', externalId: 'p1' });
    const items = [
      post,
      stored({ customerId: 'bob', parent: 'p1' }),
      stored({ customerId: 'bob', parent: 'p1', kind: 'mention' }),
      stored({ customerId: 'cid', parent: 'p1' }),
    ];
    const { graph, stats } = buildInteractionGraph(items);
    expect(edges(graph)).toEqual(['bob>ann:2', 'cid>ann:1']);
    expect(stats).toMatchObject({ interactions: 4, counted: 3, skipped: { kind: 1 } });
  });

  it('resolves a parent that comes after the reply', () => {
    const reply = stored({ customerId: 'bob', parent: 'later' });
    const { graph } = buildInteractionGraph([
      reply,
      stored({ customerId: 'ann', kind: 'post', externalId: 'later' }),
    ]);
    expect(edges(graph)).toEqual(['bob>ann:1']);
  });

  it('points a referral from the referred customer to the referrer', () => {
    const { graph } = buildInteractionGraph([
      stored({ customerId: 'ann', kind: 'referral', referredCustomerId: 'new1' }),
      stored({ customerId: 'ann', kind: 'referral', referredCustomerId: 'new2' }),
    ]);
    expect(edges(graph)).toEqual(['new1>ann:1', 'new2>ann:1']);
    const flipped = buildInteractionGraph(
      [stored({ customerId: 'ann', kind: 'referral', referredCustomerId: 'new1' })],
      { kinds: { referral: { direction: 'actor-to-target', weight: 3 } } },
    );
    expect(edges(flipped.graph)).toEqual(['ann>new1:3']);
  });

  it('makes no edge for the organization, unknown parents, self-replies or missing customers', () => {
    const brandPost = stored({ customerId: 'ann', direction: 'outbound', kind: 'post', externalId: 'b1' });
    const { graph, stats } = buildInteractionGraph([
      brandPost,
      stored({ customerId: 'ann', kind: 'post', externalId: 'a1' }),
      stored({ customerId: 'bob', parent: 'b1' }),
      stored({ customerId: 'bob', parent: 'nowhere' }),
      stored({ customerId: 'ann', parent: 'a1' }),
      stored({ customerId: null, parent: 'a1' }),
      stored({ customerId: 'bob' }),
      stored({ customerId: 'ann', direction: 'outbound', kind: 'reply', parent: 'a1' }),
      stored({ customerId: 'bob', parent: 'a1', channel: 'other' }),
    ]);
    expect(graph.size).toBe(0);
    expect(stats.counted).toBe(0);
    expect(stats.skipped).toEqual({
      kind: 2,
      outbound: 1,
      noCustomer: 1,
      noTarget: 1,
      unresolvedParent: 2,
      organization: 1,
      selfLoop: 1,
    });
  });

  it('counts custom kinds through their parent, and asks `targetOf` first', () => {
    const question = stored({ customerId: 'ann', kind: 'post', externalId: 'q' });
    const answer = stored({ customerId: 'bob', kind: 'answer', parent: 'q' });
    const shoutOut = stored({ customerId: 'cid', kind: 'mention', metadata: { mentions: ['bob'] } });
    const { graph } = buildInteractionGraph([question, answer, shoutOut], {
      kinds: { answer: { weight: 2 }, mention: {} },
      targetOf: (i) => (Array.isArray(i.metadata.mentions) ? String(i.metadata.mentions[0]) : undefined),
    });
    expect(edges(graph)).toEqual(['bob>ann:2', 'cid>bob:1']);
  });

  it('decays old interactions by their half-life', () => {
    const asOf = new Date('2025-03-02T00:00:00Z');
    const post = stored({ customerId: 'ann', kind: 'post', externalId: 'p' });
    const { graph } = buildInteractionGraph(
      [
        post,
        stored({ customerId: 'bob', parent: 'p', occurredAt: new Date('2025-01-01T00:00:00Z') }),
        stored({ customerId: 'cid', parent: 'p', occurredAt: asOf }),
      ],
      { decay: { halfLifeDays: 30, asOf } },
    );
    expect(graph.weight('bob', 'ann')).toBeCloseTo(0.5 ** (60 / 30), 15);
    expect(graph.weight('cid', 'ann')).toBe(1);
  });

  it('keeps customers without edges as nodes only when asked', () => {
    const items = [
      stored({ customerId: 'ann', kind: 'post', externalId: 'p' }),
      stored({ customerId: 'bob' }),
    ];
    expect(buildInteractionGraph(items).graph.order).toBe(0);
    const { graph } = buildInteractionGraph(items, { includeIsolated: true, kinds: { reply: {}, post: {} } });
    expect(graph.nodes).toEqual(['ann', 'bob']);
  });

  it('reads async iterables, and the builder adds one at a time', async () => {
    async function* source() {
      yield stored({ customerId: 'ann', kind: 'post', externalId: 'p' });
      yield stored({ customerId: 'bob', parent: 'p' });
    }
    expect(edges((await buildInteractionGraph(source())).graph)).toEqual(['bob>ann:1']);
    const builder = new InteractionGraphBuilder();
    builder.add(stored({ customerId: 'ann', kind: 'referral', referredCustomerId: 'bob' }));
    expect(edges(builder.build().graph)).toEqual(['bob>ann:1']);
  });

  it('rejects bad options and inputs', () => {
    expect(() => buildInteractionGraph([], { kinds: { reply: { weight: -1 } } })).toThrow(/weight/);
    expect(() => buildInteractionGraph([], { decay: { halfLifeDays: 30 } } as never)).toThrow(/asOf/);
    expect(() => buildInteractionGraph(42 as never)).toThrow(/iterable/);
    expect(() => buildInteractionGraph([{} as Interaction])).toThrow(/stored interaction/);
  });
});

describe('influence through the Rapport runtime', () => {
  it('scores the customer others reply to and refer through, and records it on recompute', async () => {
    const storage = memoryStorage();
    const influence = influenceScoring();
    const rapport = await createTestRapport({ storage, scoring: [influence] });
    const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
    const base = { channel: 'forum', account: 'brand', direction: 'inbound' as const };
    await rapport.ingest([
      {
        ...base,
        externalId: 'q1',
        kind: 'post',
        text: 'how do I…',
        occurredAt: at(0),
        actor: { externalId: 'ann' },
      },
      {
        ...base,
        externalId: 'r1',
        kind: 'reply',
        text: 'like this',
        occurredAt: at(1),
        actor: { externalId: 'bob' },
        parent: 'q1',
      },
      {
        ...base,
        externalId: 'r2',
        kind: 'reply',
        text: 'thanks',
        occurredAt: at(2),
        actor: { externalId: 'cid' },
        parent: 'q1',
      },
      {
        ...base,
        externalId: 'r3',
        kind: 'reply',
        text: 'me too',
        occurredAt: at(3),
        actor: { externalId: 'dan' },
        parent: 'r1',
      },
      {
        ...base,
        externalId: 'ref1',
        kind: 'referral',
        occurredAt: at(4),
        actor: { externalId: 'ann' },
        referred: { externalId: 'eve' },
      },
      {
        ...base,
        direction: 'outbound',
        externalId: 'o1',
        kind: 'reply',
        text: 'glad to help',
        occurredAt: at(5),
        actor: { externalId: 'agent' },
        recipient: { externalId: 'ann' },
        parent: 'q1',
      },
    ]);
    const ann = (await rapport.customers.findIdentity({ channel: 'forum', externalId: 'ann' }))!.customerId;
    const bob = (await rapport.customers.findIdentity({ channel: 'forum', externalId: 'bob' }))!.customerId;

    const { graph, stats } = await buildInteractionGraph(storedInteractions(storage.read('default'), {}, 2));
    expect(stats).toMatchObject({ interactions: 6, counted: 4 });
    expect(graph.weight(bob, ann)).toBe(1);
    expect(graph.order).toBe(5);

    const scores = influenceScores(graph, { scale: 'relative' });
    const top = [...scores.entries()].sort((a, b) => b[1].value - a[1].value)[0]!;
    expect(top[0]).toBe(ann);
    expect(top[1]).toMatchObject({ name: 'influence', model: { id: 'pagerank', version: '1' } });

    influence.setScores('default', scores);
    const recorded = await rapport.scores.recompute(ann);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ customerId: ann, name: 'influence', value: top[1].value });
    const latest = await rapport.scores.latest(ann);
    expect(latest.find((s) => s.name === 'influence')?.value).toBe(top[1].value);
    await rapport.stop();
  });
});
