import type { InteractionInput } from '@rapport/core';
import { loadStackExchange } from '@rapport/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Advocate,
  activeContributors,
  contributionsPerMember,
  findAdvocates,
  gini,
  participationShares,
  retentionCohorts,
} from '../src/index.js';
import { stackExchangeDir, xmlRows } from './helpers.js';

// Everything expected below is computed from the XML files with a regex, not from the loader.
const posts = xmlRows('Posts.xml').filter((p) => p.PostTypeId === '1' || p.PostTypeId === '2');
const comments = xmlRows('Comments.xml');
const users = xmlRows('Users.xml');
const postById = new Map(posts.map((p) => [p.Id!, p]));

/** The member id the loader's identities give: the user id, or the deleted account's name. */
function owner(userId: string | undefined, displayName: string | undefined): string | null {
  if (userId) return `stackexchange:${userId}`;
  if (displayName) return `stackexchange:deleted:${displayName}`;
  return null; // the anonymous "deleted-user", never credited
}
const ownerOfPost = (p: Record<string, string>) => owner(p.OwnerUserId, p.OwnerDisplayName);

type Counts = { accepted: string[]; upvoted: string[]; appreciated: string[] };
const expected = new Map<string, Counts>();
const entry = (member: string) => {
  let counts = expected.get(member);
  if (!counts) {
    counts = { accepted: [], upvoted: [], appreciated: [] };
    expected.set(member, counts);
  }
  return counts;
};
for (const question of posts.filter((p) => p.PostTypeId === '1' && p.AcceptedAnswerId)) {
  const answer = postById.get(question.AcceptedAnswerId!)!;
  const answerer = ownerOfPost(answer);
  if (answerer !== null && answerer !== ownerOfPost(question)) entry(answerer).accepted.push(answer.Id!);
}
for (const answer of posts.filter((p) => p.PostTypeId === '2')) {
  const answerer = ownerOfPost(answer);
  const question = postById.get(answer.ParentId!)!;
  // Score is up-votes minus down-votes (the test below checks it against Votes.xml).
  if (answerer !== null && answerer !== ownerOfPost(question) && Number(answer.Score) >= 1)
    entry(answerer).upvoted.push(answer.Id!);
}
for (const comment of comments) {
  const on = postById.get(comment.PostId!);
  const author = owner(comment.UserId, comment.UserDisplayName);
  if (on && author !== null && author !== ownerOfPost(on) && Number(comment.Score) >= 1)
    entry(author).appreciated.push(`comment-${comment.Id}`);
}
const expectedRanking = [...expected]
  .map(([id, c]) => ({
    id,
    score: 3 * c.accepted.length + 2 * c.upvoted.length + c.appreciated.length,
    pieces: c.accepted.length + c.upvoted.length + c.appreciated.length,
  }))
  .sort((a, b) => b.score - a.score || b.pieces - a.pieces || (a.id < b.id ? -1 : 1));

let items: InteractionInput[];
let advocates: Advocate[];
beforeAll(async () => {
  items = [];
  for await (const item of loadStackExchange(stackExchangeDir)) items.push(item);
  advocates = findAdvocates(items);
});

describe('advocates of meta.conlang', () => {
  it('has answer scores equal to the votes of Votes.xml', () => {
    const votes = xmlRows('Votes.xml');
    for (const answer of posts.filter((p) => p.PostTypeId === '2')) {
      const on = votes.filter((v) => v.PostId === answer.Id);
      const net =
        on.filter((v) => v.VoteTypeId === '2').length - on.filter((v) => v.VoteTypeId === '3').length;
      expect(net, `answer ${answer.Id}`).toBe(Number(answer.Score));
    }
  });

  it('ranks the advocates as counted from the XML', () => {
    expect(advocates.map((a) => ({ id: a.id, score: a.score, pieces: a.evidence.length }))).toEqual(
      expectedRanking,
    );
    // The top three, by hand from the table above: curiousdannii (user 113) far ahead.
    expect(advocates.slice(0, 3).map((a) => [a.id, a.score, a.counts])).toEqual([
      [
        'stackexchange:113',
        75,
        { 'accepted-answer': 3, 'upvoted-answer': 22, 'appreciated-reply': 22, 'converted-referral': 0 },
      ],
      [
        'stackexchange:142',
        36,
        { 'accepted-answer': 2, 'upvoted-answer': 12, 'appreciated-reply': 6, 'converted-referral': 0 },
      ],
      [
        'stackexchange:12',
        20,
        { 'accepted-answer': 1, 'upvoted-answer': 5, 'appreciated-reply': 7, 'converted-referral': 0 },
      ],
    ]);
  });

  it('cites the same answers and comments as the XML, kind by kind', () => {
    for (const advocate of advocates) {
      const want = expected.get(advocate.id)!;
      const ids = (kind: string) =>
        advocate.evidence
          .filter((e) => e.kind === kind)
          .map((e) => e.interactionId)
          .sort();
      expect(ids('accepted-answer'), advocate.id).toEqual([...want.accepted].sort());
      expect(ids('upvoted-answer'), advocate.id).toEqual([...want.upvoted].sort());
      expect(ids('appreciated-reply'), advocate.id).toEqual([...want.appreciated].sort());
    }
    const accepted = advocates.reduce((n, a) => n + a.counts['accepted-answer'], 0);
    // 11 accepted answers in the dump, of which the self-answers are not advocacy.
    const selfAnswers = posts.filter(
      (q) => q.AcceptedAnswerId && ownerOfPost(postById.get(q.AcceptedAnswerId)!) === ownerOfPost(q),
    ).length;
    expect(accepted).toBe(11 - selfAnswers);
    expect(selfAnswers).toBeGreaterThan(0);
  });

  it('backs each upvoted answer with its up-votes and each accepted answer with its accept', () => {
    const top = advocates[0]!;
    for (const evidence of top.evidence) {
      if (evidence.kind === 'accepted-answer')
        expect(evidence.related).toEqual([expect.stringMatching(/^accept-/)]);
      if (evidence.kind === 'upvoted-answer') {
        const score = Number(postById.get(evidence.interactionId)!.Score);
        expect(evidence.related.length).toBeGreaterThanOrEqual(score);
        expect(evidence.related.every((id) => id.startsWith('vote-'))).toBe(true);
      }
    }
  });
});

describe('community health of meta.conlang', () => {
  // Questions and answers (all with a body) and comments, by author; the anonymous "deleted-user" is no member.
  const fromXml = new Map<string, Array<{ at: string }>>();
  const add = (member: string | null, created: string) => {
    if (member === null) return;
    const list = fromXml.get(member) ?? [];
    list.push({ at: `${created}Z` });
    fromXml.set(member, list);
  };
  for (const p of posts) add(ownerOfPost(p), p.CreationDate!);
  for (const c of comments)
    if (postById.has(c.PostId!)) add(owner(c.UserId, c.UserDisplayName), c.CreationDate!);

  it('counts contributions per member as the XML does', () => {
    const counts = contributionsPerMember(items);
    expect(counts).toEqual(new Map([...fromXml].map(([member, list]) => [member, list.length])));
  });

  it('gives 90-9-1 shares that sum to 1 and a Gini in [0, 1), lurkers included', () => {
    const counts = contributionsPerMember(items);
    const members = new Map(users.map((u) => [`stackexchange:${u.Id}`, 0]));
    for (const [member, n] of counts) members.set(member, n);
    const shares = participationShares(members);
    expect(shares.members).toBe(members.size);
    expect(shares.top.members + shares.next.members + shares.rest.members).toBe(members.size);
    expect(shares.top.share + shares.next.share + shares.rest.share).toBeCloseTo(1, 12);
    // Contributions are concentrated: the top 10% make most of them.
    expect(shares.top.share + shares.next.share).toBeGreaterThan(0.5);
    const g = gini(members.values());
    expect(g).toBeGreaterThanOrEqual(0);
    expect(g).toBeLessThan(1);
    expect(g).toBeGreaterThan(gini(counts.values()));
  });

  it('counts active contributors over the last year of the dump', () => {
    const last = Math.max(...[...fromXml.values()].flat().map((c) => Date.parse(c.at)));
    const now = new Date(last);
    const result = activeContributors(items, { window: '365d', now });
    const from = last - 365 * 86_400_000;
    const want = [...fromXml]
      .filter(([, list]) => list.some((c) => Date.parse(c.at) > from))
      .map(([member]) => member)
      .sort();
    expect(result.members).toEqual(want);
    expect(result.count).toBeGreaterThan(0);
  });

  it('builds monthly cohorts that add up to the contributors', () => {
    const table = retentionCohorts(items, { period: 'month' });
    expect(table.cohorts[0]!.cohort).toBe('2018-02');
    expect(table.cohorts.reduce((n, c) => n + c.members, 0)).toBe(fromXml.size);
    for (const cohort of table.cohorts) {
      if (cohort.members > 0) expect(cohort.retention[0]).toBe(1);
      for (const share of cohort.retention) expect(share).toBeGreaterThanOrEqual(0);
      for (const share of cohort.retention) expect(share).toBeLessThanOrEqual(1);
    }
    const firstMonth = [...fromXml.values()].filter(
      (list) => list.every((c) => c.at >= '2018-02') && list.some((c) => c.at < '2018-03'),
    ).length;
    expect(table.cohorts[0]!.members).toBe(firstMonth);
  });
});
