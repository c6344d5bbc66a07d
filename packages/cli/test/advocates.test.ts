import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AdvocatesReport, ReportedError } from '../src/index.js';
import { rapport, rapportJson, repoRoot } from './helpers.js';

const dump = join(repoRoot, 'fixtures/stackexchange-meta-conlang');
const dataset = `stackexchange:${dump}`;

/** The `<row …/>` elements of a dump file as attribute maps: a regex, not the loader's parser. */
function rows(file: string): Array<Record<string, string>> {
  const text = readFileSync(join(dump, file), 'utf8');
  return [...text.matchAll(/<row\s([^>]*?)\/>/g)].map((row) =>
    Object.fromEntries([...row[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((attr) => [attr[1]!, attr[2]!])),
  );
}

// Expected evidence, recounted from Posts.xml and Comments.xml:
// - accepted answer: a question's AcceptedAnswerId, when the answerer is not the asker;
// - upvoted answer: an answer with Score ≥ 1 to someone else's question;
// - appreciated reply: a comment with Score ≥ 1 on someone else's question or answer.
// A member is `stackexchange:<user id>`, or `stackexchange:deleted:<name>` for a deleted account.
const posts = rows('Posts.xml').filter((p) => p.PostTypeId === '1' || p.PostTypeId === '2');
const byId = new Map(posts.map((p) => [p.Id!, p]));
const member = (userId?: string, name?: string) =>
  userId ? `stackexchange:${userId}` : name ? `stackexchange:deleted:${name}` : null;
const author = (post: Record<string, string>) => member(post.OwnerUserId, post.OwnerDisplayName);

interface Expected {
  accepted: string[];
  upvoted: string[];
  appreciated: string[];
}
const expected = new Map<string, Expected>();
const of = (id: string) => {
  if (!expected.has(id)) expected.set(id, { accepted: [], upvoted: [], appreciated: [] });
  return expected.get(id)!;
};
for (const question of posts.filter((p) => p.PostTypeId === '1' && p.AcceptedAnswerId)) {
  const answer = byId.get(question.AcceptedAnswerId!)!;
  const answerer = author(answer);
  if (answerer && answerer !== author(question)) of(answerer).accepted.push(answer.Id!);
}
for (const answer of posts.filter((p) => p.PostTypeId === '2')) {
  const answerer = author(answer);
  if (answerer && answerer !== author(byId.get(answer.ParentId!)!) && Number(answer.Score) >= 1) {
    of(answerer).upvoted.push(answer.Id!);
  }
}
for (const comment of rows('Comments.xml')) {
  const post = byId.get(comment.PostId!);
  const commenter = member(comment.UserId, comment.UserDisplayName);
  if (post && commenter && commenter !== author(post) && Number(comment.Score) >= 1) {
    of(commenter).appreciated.push(`comment-${comment.Id}`);
  }
}
const ranking = [...expected]
  .map(([id, e]) => ({
    id,
    score: 3 * e.accepted.length + 2 * e.upvoted.length + e.appreciated.length,
    pieces: e.accepted.length + e.upvoted.length + e.appreciated.length,
  }))
  .sort((a, b) => b.score - a.score || b.pieces - a.pieces || (a.id < b.id ? -1 : 1));

describe('rapport advocates --dataset stackexchange:<dir>', () => {
  it('ranks the advocates and counts their evidence as recounted from Posts.xml and Comments.xml', async () => {
    const report = await rapportJson<AdvocatesReport>(['advocates', '--dataset', dataset, '--top', '10']);
    expect(report.code).toBe(0);
    expect(report.advocates).toBe(expected.size);
    expect(report.top).toHaveLength(10);
    expect(report.top.map((a) => ({ id: a.id, score: a.score, pieces: a.evidence.length }))).toEqual(
      ranking.slice(0, 10),
    );
    for (const advocate of report.top) {
      const want = expected.get(advocate.id)!;
      expect(advocate.counts, advocate.id).toEqual({
        'accepted-answer': want.accepted.length,
        'upvoted-answer': want.upvoted.length,
        'appreciated-reply': want.appreciated.length,
        'converted-referral': 0,
      });
      const cited = (kind: string) =>
        advocate.evidence
          .filter((e) => e.kind === kind)
          .map((e) => e.interactionId)
          .sort();
      expect(cited('accepted-answer'), advocate.id).toEqual([...want.accepted].sort());
      expect(cited('upvoted-answer'), advocate.id).toEqual([...want.upvoted].sort());
      expect(cited('appreciated-reply'), advocate.id).toEqual([...want.appreciated].sort());
    }
  });

  it('names the top advocate and backs each piece of evidence with the items that make it', async () => {
    const report = await rapportJson<AdvocatesReport>(['advocates', '--dataset', dataset, '--top', '1']);
    const [top] = report.top;
    const users = new Map(rows('Users.xml').map((u) => [`stackexchange:${u.Id}`, u.DisplayName]));
    expect(top).toMatchObject({ id: 'stackexchange:113', handle: users.get('stackexchange:113'), score: 75 });
    for (const evidence of top!.evidence) {
      expect(evidence.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      if (evidence.kind === 'accepted-answer')
        expect(evidence.related).toEqual([expect.stringMatching(/^accept-/)]);
      if (evidence.kind === 'upvoted-answer') {
        expect(evidence.related.length).toBeGreaterThanOrEqual(
          Number(byId.get(evidence.interactionId)!.Score),
        );
      }
    }
    expect(report.dataset).toEqual({ loader: 'stackexchange', path: dump });
    expect(report.loader.emitted).toBeGreaterThan(1000);
    expect(report.weights).toEqual({
      'accepted-answer': 3,
      'upvoted-answer': 2,
      'appreciated-reply': 1,
      'converted-referral': 5,
    });
    // The dump's tag wikis and other vote types are skipped by design, not as malformed.
    expect(report.skipped).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  it('prints a readable ranking with the latest evidence', async () => {
    const run = await rapport(['advocates', '--dataset', dataset, '--top', '3', '--evidence', '2']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Advocates of ${dump} (stackexchange): ${expected.size} found`);
    const top = ranking.slice(0, 3).map((r) => ({ ...r, ...expected.get(r.id)! }));
    for (const [i, a] of top.entries()) {
      const pattern = new RegExp(
        `^ +${i + 1}  ${a.id}\\b.* ${a.score} +${a.accepted.length} +${a.upvoted.length} +${a.appreciated.length} +0$`,
        'm',
      );
      expect(run.stdout).toMatch(pattern);
    }
    expect(run.stdout).toContain('Evidence (newest 2 of each; --json lists all)');
    expect(run.stdout).toMatch(/Records the loader skipped: .*unsupported-post-type \d+/);
  });
});

describe('rapport advocates: bad input', () => {
  it('refuses an unknown dataset loader, listing the known ones', async () => {
    const run = await rapportJson<{ error: ReportedError }>(['advocates', '--dataset', 'reddit:dump']);
    expect(run.code).toBe(1);
    expect(run.error).toEqual({
      code: 'CLI_UNKNOWN_DATASET',
      message: 'Unknown dataset loader "reddit" in --dataset reddit:dump',
      hint: 'use one of: jsonl, twcs, cdnow, stackexchange, as <loader>:<path> (e.g. stackexchange:fixtures/stackexchange-meta-conlang)',
    });
    const bare = await rapport(['advocates', '--dataset', 'fixtures/stackexchange-meta-conlang']);
    expect(bare.stderr).toContain('error: Unknown dataset loader "fixtures/stackexchange-meta-conlang"');
    expect(bare.stderr).toContain('hint: use one of: jsonl, twcs, cdnow, stackexchange');
  });

  it('refuses a missing dump, a file for a folder and a folder without Posts.xml', async () => {
    const missing = await rapport(['advocates', '--dataset', 'stackexchange:no/such/dump']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: No such folder: ${join(repoRoot, 'no/such/dump')}`);
    const file = await rapport(['advocates', '--dataset', 'stackexchange:fixtures/cdnow/CDNOW_sample.txt']);
    expect(file.stderr).toContain('is not a folder');
    const noPosts = await rapport(['advocates', '--dataset', 'stackexchange:fixtures/cdnow']);
    expect(noPosts.stderr).toContain(
      `error: ${join(repoRoot, 'fixtures/cdnow')} is not a Stack Exchange dump: no Posts.xml`,
    );
    expect(noPosts.stderr).toContain('hint: give the folder that holds Posts.xml');
    const none = await rapport(['advocates']);
    expect(none.stderr).toContain("option '--dataset <loader:path>' is required: <loader>:<path>");
  });
});
