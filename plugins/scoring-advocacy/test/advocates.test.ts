import { isRapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { findAdvocates } from '../src/index.js';
import { input, stored } from './helpers.js';

describe('findAdvocates: accepted answers', () => {
  const question = input('q1', 'post', 'alice', { text: 'How do I?' });
  const answer = input('a1', 'answer', 'bob', { parent: 'q1', text: 'Like this.' });
  const accept = input('accept-q1', 'accept', 'alice', { parent: 'a1' });

  it('credits the answerer of another customer’s question, citing the accept', () => {
    const [bob, ...others] = findAdvocates([question, answer, accept]);
    expect(others).toEqual([]);
    expect(bob).toMatchObject({
      id: 'forum:bob',
      customerId: null,
      actor: { channel: 'forum', externalId: 'bob' },
      score: 3,
      counts: { 'accepted-answer': 1, 'upvoted-answer': 0, 'appreciated-reply': 0, 'converted-referral': 0 },
    });
    expect(bob!.evidence).toEqual([
      {
        kind: 'accepted-answer',
        interactionId: 'a1',
        occurredAt: new Date(answer.occurredAt),
        related: ['accept-q1'],
        detail: 'answer accepted by the asker of q1 (forum:alice)',
      },
    ]);
  });

  it('does not credit answering and accepting one’s own question', () => {
    const self = input('a2', 'answer', 'alice', { parent: 'q1' });
    expect(findAdvocates([question, self, input('accept-2', 'accept', 'alice', { parent: 'a2' })])).toEqual(
      [],
    );
  });

  it('counts an answer once however many accepts name it, in any order', () => {
    const again = input('accept-again', 'accept', 'alice', { parent: 'a1' });
    const [bob] = findAdvocates([accept, again, answer, question]);
    expect(bob!.counts['accepted-answer']).toBe(1);
  });

  it('uses the accepter as the asker when the question is not in the stream', () => {
    expect(findAdvocates([answer, accept])[0]!.counts['accepted-answer']).toBe(1);
    expect(findAdvocates([answer, input('x', 'accept', 'bob', { parent: 'a1' })])).toEqual([]);
  });
});

describe('findAdvocates: upvoted answers', () => {
  const question = input('q1', 'post', 'alice');
  const answer = input('a1', 'answer', 'bob', { parent: 'q1' });
  const vote = (id: string, voteType: 'up' | 'down', actor = 'anonymous-voter') =>
    input(id, 'vote', actor, { parent: 'a1', metadata: { voteType } });

  it('needs a net score of at least minAnswerScore, and cites the up-votes', () => {
    const votes = [vote('v1', 'up'), vote('v2', 'up'), vote('v3', 'down')];
    const [bob] = findAdvocates([question, answer, ...votes]);
    expect(bob!.score).toBe(2);
    expect(bob!.evidence[0]).toMatchObject({
      kind: 'upvoted-answer',
      interactionId: 'a1',
      related: ['v1', 'v2'],
      detail: 'answer to q1 (forum:alice) with net score 1 (2 up, 1 down)',
    });
    expect(findAdvocates([question, answer, ...votes], { minAnswerScore: 2 })).toEqual([]);
    expect(findAdvocates([question, answer, vote('v1', 'up'), vote('v2', 'down')])).toEqual([]);
  });

  it('ignores the author’s own votes', () => {
    expect(findAdvocates([question, answer, vote('v1', 'up', 'bob')])).toEqual([]);
  });

  it('falls back to the channel’s score without votes in the stream', () => {
    const scored = input('a1', 'answer', 'bob', { parent: 'q1', metadata: { score: 4 } });
    const [bob] = findAdvocates([question, scored], { minAnswerScore: 4 });
    expect(bob!.evidence[0]).toMatchObject({ related: [], detail: expect.stringContaining('score 4') });
    expect(findAdvocates([question, scored], { minAnswerScore: 5 })).toEqual([]);
  });

  it('does not credit answers to oneself, to the organization, or to unknown items', () => {
    const own = input('a2', 'answer', 'alice', { parent: 'q1', metadata: { score: 3 } });
    const brandPost = input('q2', 'post', 'brand', { direction: 'outbound' });
    const toBrand = input('a3', 'answer', 'bob', { parent: 'q2', metadata: { score: 3 } });
    const orphan = input('a4', 'answer', 'bob', { parent: 'gone', metadata: { score: 3 } });
    expect(findAdvocates([question, own, brandPost, toBrand, orphan])).toEqual([]);
  });

  it('never credits anonymous actors', () => {
    const anonymous = input('a5', 'answer', 'deleted-user', { parent: 'q1', metadata: { score: 3 } });
    expect(findAdvocates([question, anonymous])).toEqual([]);
  });
});

describe('findAdvocates: appreciated replies', () => {
  const post = input('p1', 'post', 'alice');
  const reply = input('r1', 'reply', 'bob', { parent: 'p1' });

  it('credits replies to others with positive reactions by others', () => {
    const likes = [
      input('l1', 'reaction', 'carol', { parent: 'r1' }),
      input('l2', 'reaction', 'alice', { parent: 'r1' }),
      input('l3', 'reaction', 'bob', { parent: 'r1' }),
      input('l4', 'reaction', 'dave', { parent: 'r1', metadata: { positive: false } }),
    ];
    const [bob] = findAdvocates([post, reply, ...likes]);
    expect(bob!.evidence).toEqual([
      expect.objectContaining({
        kind: 'appreciated-reply',
        interactionId: 'r1',
        related: ['l1', 'l2'],
        detail: 'reply to p1 (forum:alice) with 2 positive reactions',
      }),
    ]);
    expect(findAdvocates([post, reply, ...likes], { minReplyReactions: 3 })).toEqual([]);
  });

  it('needs a reaction: a reply alone, or one to oneself, is not evidence', () => {
    const own = input('r2', 'comment', 'alice', { parent: 'p1' });
    expect(findAdvocates([post, reply, own, input('l5', 'reaction', 'carol', { parent: 'r2' })])).toEqual([]);
  });

  it('counts comments, with the channel’s score when no reaction is in the stream', () => {
    const comment = input('c1', 'comment', 'bob', { parent: 'p1', metadata: { score: 2 } });
    expect(findAdvocates([post, comment])[0]!.counts['appreciated-reply']).toBe(1);
  });
});

describe('findAdvocates: converted referrals', () => {
  const referral = input('ref1', 'referral', 'alice', { referred: { externalId: 'zoe' } });
  const purchase = (id: string, at: string) =>
    input(id, 'purchase', 'zoe', { occurredAt: at, amount: 20, currency: 'EUR' });

  it('credits a referral followed by a purchase of the referred person', () => {
    const [alice] = findAdvocates([purchase('buy1', '2024-03-01T00:00:00Z'), referral]);
    expect(alice).toMatchObject({ id: 'forum:alice', score: 5 });
    expect(alice!.evidence).toEqual([
      expect.objectContaining({
        kind: 'converted-referral',
        interactionId: 'ref1',
        related: ['buy1'],
        detail: 'referred forum:zoe, who purchased buy1 on 2024-03-01T00:00:00.000Z',
      }),
    ]);
  });

  it('ignores purchases before the referral or outside the window, and self-referrals', () => {
    expect(findAdvocates([referral, purchase('old', '2023-01-01T00:00:00Z')])).toEqual([]);
    expect(
      findAdvocates([referral, purchase('late', '2024-03-01T00:00:00Z')], { conversionWindowDays: 30 }),
    ).toEqual([]);
    const self = input('ref2', 'referral', 'zoe', { referred: { externalId: 'zoe' } });
    expect(findAdvocates([self, purchase('buy', '2024-03-01T00:00:00Z')])).toEqual([]);
  });

  it('follows customers through stored interactions', () => {
    const [alice] = findAdvocates([
      stored('i1', 'referral', 'alice', {
        occurredAt: new Date('2024-01-01T00:00:00Z'),
        referredCustomerId: 'zoe',
      }),
      stored('i2', 'purchase', 'zoe', { occurredAt: new Date('2024-01-05T00:00:00Z'), amount: 9 }),
    ]);
    expect(alice).toMatchObject({ id: 'alice', customerId: 'alice', actor: null, score: 5 });
  });
});

describe('findAdvocates: ranking and options', () => {
  const items = [
    input('q1', 'post', 'alice'),
    input('q2', 'post', 'bob'),
    input('a1', 'answer', 'bob', { parent: 'q1', metadata: { score: 1 } }),
    input('a2', 'answer', 'carol', { parent: 'q2', metadata: { score: 1 } }),
    input('acc', 'accept', 'bob', { parent: 'a2' }),
    input('c1', 'comment', 'dave', { parent: 'q1', metadata: { score: 1 } }),
    input('c2', 'comment', 'dave', { parent: 'q2', metadata: { score: 1 } }),
  ];

  it('ranks by weighted score, then by evidence count, then by id', () => {
    const ranked = findAdvocates(items);
    // bob and dave tie on 2 points; dave has two pieces of evidence to bob's one.
    expect(ranked.map((a) => [a.id, a.score])).toEqual([
      ['forum:carol', 5],
      ['forum:dave', 2],
      ['forum:bob', 2],
    ]);
    // carol and dave tie on points and on evidence: the id decides.
    const equal = findAdvocates(items, {
      weights: { 'upvoted-answer': 1, 'accepted-answer': 1 },
      limit: 2,
    });
    expect(equal.map((a) => [a.id, a.score])).toEqual([
      ['forum:carol', 2],
      ['forum:dave', 2],
    ]);
  });

  it('reads async iterables', async () => {
    async function* stream() {
      yield* items;
    }
    expect(await findAdvocates(stream())).toEqual(findAdvocates(items));
  });

  it('rejects bad options and inputs with a path and a hint', () => {
    try {
      findAdvocates(items, { weights: { 'accepted-answr': 2 } } as never);
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_OPTIONS')).toBe(true);
      expect((error as { path: unknown }).path).toEqual(['weights', 'accepted-answr']);
    }
    expect(() => findAdvocates(items, { weights: { 'accepted-answer': -1 } })).toThrow(/accepted-answer/);
    try {
      findAdvocates([{ ...items[0]!, occurredAt: 'yesterday' }]);
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_INPUT')).toBe(true);
      expect((error as { path: unknown; hint: string }).path).toEqual(['interactions', 0, 'occurredAt']);
    }
    expect(() => findAdvocates(42 as never)).toThrow(/iterable/);
  });
});
