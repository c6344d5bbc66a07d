import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveEffort, type InteractionInput, type InteractionKindRegistry } from '@rapport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousVoter, loadStackExchange, stackExchangeKinds } from '../src/index.js';
import {
  byId,
  type Collected,
  collect,
  countBy,
  expectAllValid,
  expectUniqueIds,
  fixture,
} from './helpers.js';

const dir = fixture('stackexchange-meta-conlang');

/**
 * Reads the rows of a dump file with a plain regex, independently of the loader's XML parser.
 * Good enough for ids and numbers, which never contain quotes or entities.
 */
function xmlRows(file: string): Array<Record<string, string>> {
  const text = readFileSync(join(dir, file), 'utf8');
  return [...text.matchAll(/<row ([^>]*)\/>/g)].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

const posts = xmlRows('Posts.xml');
const comments = xmlRows('Comments.xml');
const votes = xmlRows('Votes.xml');
const postById = new Map(posts.map((p) => [p.Id!, p]));

// Counted independently with grep on fixtures/stackexchange-meta-conlang:
//   grep -c 'PostTypeId="1"' Posts.xml → 54 questions; grep -c 'PostTypeId="2"' Posts.xml → 115
//   answers (of 177 rows: 8 are tag wikis); grep -c '<row' Comments.xml → 230;
//   grep -c 'VoteTypeId="2"' Votes.xml → 950 up, grep -c 'VoteTypeId="3"' → 133 down;
//   grep -c AcceptedAnswerId= Posts.xml → 11.
const QUESTIONS = 54;
const ANSWERS = 115;
const COMMENTS = 230;
const UP = 950;
const DOWN = 133;
const ACCEPTED = 11;

let run: Collected;
beforeAll(async () => {
  run = await collect((onSkip) => loadStackExchange(dir, { onSkip }));
});

function ownerOf(userId: string | undefined, displayName: string | undefined): string {
  return userId ?? `deleted:${displayName}`;
}

describe('loadStackExchange on meta.conlang', () => {
  it('yields valid items with unique ids', () => {
    expectAllValid(run.items);
    expectUniqueIds(run.items);
    expect(new Set(run.items.map((i) => i.account))).toEqual(new Set(['stackexchange-meta-conlang']));
    expect(new Set(run.items.map((i) => i.channel))).toEqual(new Set(['stackexchange']));
    expect(new Set(run.items.map((i) => i.direction))).toEqual(new Set(['inbound']));
  });

  it('emits the expected number of each kind', () => {
    // Up/down votes on posts missing from Posts.xml (deleted posts) are skipped.
    const orphanVotes = votes.filter(
      (v) => (v.VoteTypeId === '2' || v.VoteTypeId === '3') && !postById.has(v.PostId!),
    );
    expect(orphanVotes).toHaveLength(18);
    expect(countBy(run.items, (i) => i.kind)).toEqual({
      post: QUESTIONS,
      answer: ANSWERS,
      comment: COMMENTS,
      vote: UP + DOWN - orphanVotes.length,
      accept: ACCEPTED,
    });
    const otherVoteTypes = votes.filter((v) => !['1', '2', '3'].includes(v.VoteTypeId!)).length;
    expect(run.summary.skipped).toEqual({
      'unsupported-post-type': posts.length - QUESTIONS - ANSWERS,
      'unsupported-vote-type': otherVoteTypes,
      'post-missing': orphanVotes.length,
    });
    expect(run.summary.emitted).toBe(run.items.length);
  });

  it('threads answers and comments under their question', () => {
    const items = byId(run.items);
    for (const p of posts) {
      const item = items.get(p.Id!);
      if (p.PostTypeId === '1') expect(item).toMatchObject({ kind: 'post', thread: p.Id });
      if (p.PostTypeId === '2')
        expect(item).toMatchObject({
          kind: 'answer',
          effort: 'contribution',
          parent: p.ParentId,
          thread: p.ParentId,
        });
    }
    for (const c of comments) {
      const on = postById.get(c.PostId!)!;
      const question = on.PostTypeId === '1' ? on.Id : on.ParentId;
      expect(items.get(`comment-${c.Id}`)).toMatchObject({
        kind: 'comment',
        effort: 'contribution',
        parent: c.PostId,
        thread: question,
        actor: { externalId: ownerOf(c.UserId, c.UserDisplayName) },
      });
    }
  });

  it('maps users, deleted users and post content', () => {
    const items = byId(run.items);
    expect(items.get('1')).toMatchObject({
      actor: { externalId: '14', handle: 'bytebuster' },
      occurredAt: '2018-02-06T20:19:50.957Z',
      metadata: {
        postType: 'question',
        title: 'Are questions asked in conlangs accepted on this site?',
        tags: ['discussion', 'on-topic'],
        score: 10,
        acceptedAnswerId: '2',
      },
    });
    expect(items.get('1')!.text).toMatch(/^We anticipate conlang specialists/);
    expect(items.get('1')!.text).toMatch(
      /Considering the above, do we accept questions asked in \(popular\) conlangs\?$/,
    );
    // Tags are gone, except where a body shows markup as text (escaped twice in the XML, as in
    // post 79, which gives an HTML template to copy).
    for (const p of posts) {
      const text = items.get(p.Id!)?.text ?? '';
      if (!p.Body!.includes('&amp;lt;'))
        expect(text).not.toMatch(/<\/?(p|strong|em|a|code|pre|ul|li|blockquote)\b/);
    }
    expect(items.get('79')!.text).toContain('<a href="https://conlang.stackexchange.com/users/UserID">');
    // Post 2 and comment 5 belong to a deleted account the dump shows as "user23".
    expect(items.get('2')!.actor).toEqual({
      externalId: 'deleted:user23',
      handle: 'user23',
      displayName: 'user23',
    });
    expect(items.get('2')!.metadata).toMatchObject({ ownerDeleted: true });
    expect(items.get('comment-5')!.actor.externalId).toBe('deleted:user23');
  });

  it('emits one accept per accepted answer, by the question owner', () => {
    const expected = posts
      .filter((p) => p.AcceptedAnswerId !== undefined)
      .map((p) => ({
        question: p.Id,
        answer: p.AcceptedAnswerId,
        owner: ownerOf(p.OwnerUserId, p.OwnerDisplayName),
      }))
      .sort((a, b) => Number(a.question) - Number(b.question));
    expect(expected).toHaveLength(ACCEPTED);
    const accepts = run.items
      .filter((i) => i.kind === 'accept')
      .map((i) => ({ question: i.thread, answer: i.parent, owner: i.actor.externalId }))
      .sort((a, b) => Number(a.question) - Number(b.question));
    expect(accepts).toEqual(expected);
    const items = byId(run.items);
    // Answer 2 (to question 1) was accepted on 2018-02-08 per its accept vote (Votes.xml row 351).
    expect(items.get('accept-1')).toMatchObject({
      effort: 'signal',
      actor: { externalId: '14' },
      parent: '2',
      occurredAt: '2018-02-08T00:00:00.000Z',
      metadata: { answerAuthor: 'deleted:user23', dateFrom: 'accept-vote' },
    });
    // Answer 8 was written on 2018-02-06 at 20:40 and accepted that same day (vote row 21): the
    // vote's midnight would precede the answer, so the answer's time stands in.
    expect(items.get('accept-3')).toMatchObject({
      parent: '8',
      occurredAt: '2018-02-06T20:40:35.520Z',
      metadata: { dateFrom: 'answer-created' },
    });
    for (const accept of run.items.filter((i) => i.kind === 'accept')) {
      expect(accept.occurredAt >= (items.get(accept.parent!)!.occurredAt as string)).toBe(true);
    }
  });

  it('matches the up and down votes per post in Votes.xml', () => {
    const fromXml = countBy(
      votes.filter((v) => (v.VoteTypeId === '2' || v.VoteTypeId === '3') && postById.has(v.PostId!)),
      (v) => `${v.PostId}:${v.VoteTypeId === '2' ? 'up' : 'down'}`,
    );
    const voteItems = run.items.filter((i) => i.kind === 'vote');
    expect(countBy(voteItems, (i) => `${i.parent}:${i.metadata!.voteType}`)).toEqual(fromXml);
    for (const vote of voteItems) {
      expect(vote.actor).toEqual(anonymousVoter);
      expect(vote.effort).toBe('signal');
      const post = postById.get(vote.parent!)!;
      expect(vote.thread).toBe(post.PostTypeId === '1' ? post.Id : post.ParentId);
      expect(vote.metadata!.postAuthor).toBe(ownerOf(post.OwnerUserId, post.OwnerDisplayName));
    }
    expect(byId(run.items).get('vote-1')).toMatchObject({
      parent: '1',
      occurredAt: '2018-02-06T00:00:00.000Z',
      metadata: { voteType: 'up', voteTypeId: 2, postType: 'question', postAuthor: '14' },
    });
  });

  it('exports the custom kinds as a registry', () => {
    const registry: InteractionKindRegistry = stackExchangeKinds;
    expect(deriveEffort('vote', undefined, registry)).toBe('signal');
    expect(deriveEffort('accept', undefined, registry)).toBe('signal');
    expect(deriveEffort('answer', 'text', registry)).toBe('contribution');
    expect(deriveEffort('comment', 'text', registry)).toBe('contribution');
    const custom = run.items.filter((i) => i.kind !== 'post');
    for (const item of custom) expect(item.effort).toBe(registry[item.kind]!.effort);
  });

  it('is deterministic', async () => {
    const again = await collect((onSkip) => loadStackExchange(dir, { onSkip }));
    expect(again.items).toEqual(run.items);
  });

  it('honours account, tenant and includeVotes', async () => {
    const out = await collect((onSkip) =>
      loadStackExchange(dir, { account: 'conlang-meta', tenant: 'lab', includeVotes: false, onSkip }),
    );
    expect(out.items.some((i) => i.kind === 'vote')).toBe(false);
    expect(out.items.every((i) => i.account === 'conlang-meta' && i.tenant === 'lab')).toBe(true);
    expect(out.summary.filtered).toBe(UP + DOWN);
  });
});

describe('loadStackExchange on incomplete dumps', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rapport-se-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const postsXml = `\uFEFF<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00.000" Score="1" Body="&lt;p&gt;Why &amp;amp; how?&lt;/p&gt;" Title="Q" Tags="|a|b|" />
  <row Id="2" PostTypeId="2" ParentId="1" CreationDate="2020-01-02T00:00:00.000" Score="0" Body="&lt;p&gt;Because&lt;/p&gt;" />
</posts>`;

  it('reports missing files and goes on', async () => {
    const site = join(tmp, 'site-a');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(site);
    writeFileSync(join(site, 'Posts.xml'), postsXml);
    const out = await collect((onSkip) => loadStackExchange(site, { onSkip }));
    expectAllValid(out.items);
    expect(out.items.map((i) => i.externalId)).toEqual(['1', '2']);
    // No Users.xml and no owner: the shared deleted-user identity.
    expect(out.items[0]).toMatchObject({
      account: 'site-a',
      text: 'Why & how?',
      actor: { externalId: 'deleted-user' },
      metadata: { tags: ['a', 'b'] },
    });
    expect(out.skips.map((s) => `${s.reason} ${s.ref}`)).toEqual([
      'missing-file Users.xml',
      'missing-file Comments.xml',
      'missing-file Votes.xml',
    ]);
  });

  it('keeps the rows before a malformed part of a file', async () => {
    const site = join(tmp, 'site-b');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(site);
    writeFileSync(join(site, 'Posts.xml'), postsXml);
    writeFileSync(
      join(site, 'Comments.xml'),
      '<comments>\n  <row Id="7" PostId="2" Text="thanks" CreationDate="2020-01-03T00:00:00.000" UserId="5" />\n  <row Id="8" PostId="9" Text="on a deleted post" CreationDate="2020-01-03T00:00:00.000" />\n  <row Id="9" PostId="2" Text="broken\n',
    );
    const out = await collect((onSkip) => loadStackExchange(site, { onSkip }));
    const comment: InteractionInput | undefined = out.items.find((i) => i.externalId === 'comment-7');
    expect(comment).toMatchObject({ parent: '2', thread: '1', text: 'thanks', actor: { externalId: '5' } });
    expect(out.skips.map((s) => `${s.reason} ${s.ref}`)).toEqual([
      'missing-file Users.xml',
      'post-missing comment 8',
      'malformed-xml Comments.xml',
      'missing-file Votes.xml',
    ]);
  });

  it('refuses a folder without Posts.xml before yielding anything', async () => {
    await expect(loadStackExchange(tmp).next()).rejects.toMatchObject({ code: 'RAPPORT_INVALID_INPUT' });
  });
});
