import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type IdentityInput, type InteractionInput, RapportError } from '@rapport/core';
import { z } from 'zod';
import { htmlToText } from '../common/html.js';
import {
  type BaseLoaderOptions,
  baseLoaderOptionsSchema,
  type LoadSummary,
  parseLoaderOptions,
  SummaryCounter,
} from '../common/options.js';
import { readXmlRows, type XmlRow } from '../common/xml.js';
import { stackExchangeKinds } from './kinds.js';

export { type StackExchangeKind, stackExchangeKinds } from './kinds.js';

/** Options of {@link loadStackExchange}. */
export interface StackExchangeOptions extends BaseLoaderOptions {
  /** Emit anonymous up/down votes (default true). */
  includeVotes?: boolean;
  /** Emit comments (default true). */
  includeComments?: boolean;
}

/** Zod schema of {@link StackExchangeOptions}. */
export const stackExchangeOptionsSchema = baseLoaderOptionsSchema
  .extend({ includeVotes: z.boolean().optional(), includeComments: z.boolean().optional() })
  .strict();

/**
 * The synthetic identity all up- and down-votes are attributed to. Dumps publish votes without
 * their voter (only favourites and bounties keep a UserId), so a vote's author is unknown; one
 * clearly named pseudo-person keeps the vote counts without inventing voters and without
 * crediting the votes to someone who did not cast them. Exclude it from per-customer analyses.
 */
export const anonymousVoter: Readonly<IdentityInput> = Object.freeze({
  externalId: 'anonymous-voter',
  displayName: 'Anonymous voter (votes are anonymous in Stack Exchange dumps)',
});

/**
 * The synthetic identity for items whose author's account is gone and whose dump row does not
 * even keep the author's display name.
 */
export const deletedUser: Readonly<IdentityInput> = Object.freeze({
  externalId: 'deleted-user',
  displayName: 'Deleted user',
});

const UP_VOTE = '2';
const DOWN_VOTE = '3';
const ACCEPTED_BY_ORIGINATOR = '1';

/** What the loader keeps per post, to thread comments and votes and to emit accepts. */
interface PostInfo {
  type: 'question' | 'answer';
  /** The question id (the post's own id for a question). */
  question: string;
  /** External id of the author, for vote metadata. */
  author: string;
  created: string;
}

/** Dump dates are UTC without a zone designator (`2018-02-06T20:19:50.957`). */
function dumpDate(value: string | undefined): string | undefined {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)) return undefined;
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function intOf(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d+$/.test(value)) return undefined;
  return Number(value);
}

/** Tags are written `<a><b>` in older dumps and `|a|b|` in newer ones. */
function tagsOf(value: string | undefined): string[] {
  if (!value) return [];
  const angled = [...value.matchAll(/<([^>]+)>/g)].map((m) => m[1]!);
  return angled.length > 0 ? angled : value.split('|').filter((t) => t !== '');
}

/** Drops undefined values so metadata stays plain JSON. */
function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/**
 * Loads a Stack Exchange data dump folder (`Posts.xml`, `Users.xml`, `Comments.xml`,
 * `Votes.xml`) as community interactions, all `inbound` (the community talking on the site).
 *
 * Mapping (channel `stackexchange`, account = the folder name unless given):
 * - question (PostTypeId 1) → kind `post`, text = body without HTML, metadata `title`, `tags`,
 *   `score`, `viewCount`, `answerCount`, `acceptedAnswerId`...; thread = its own id;
 * - answer (PostTypeId 2) → kind `answer` (contribution), parent = thread = the question;
 * - comment → kind `comment` (contribution), externalId `comment-<Id>`, parent = the post,
 *   thread = the post's question;
 * - accepted answer → kind `accept` (signal) by the question's owner, externalId
 *   `accept-<questionId>`, parent = the answer; dated by the dump's accept vote (day precision)
 *   or, without one, by the answer's creation;
 * - up/down vote (VoteTypeId 2/3) → kind `vote` (signal), externalId `vote-<Id>`, parent = the
 *   post, metadata `{ voteType: 'up' | 'down', postAuthor }`, actor {@link anonymousVoter};
 * - other post types (tag wikis...) and other vote types (favourites, closures...) are skipped
 *   and reported.
 *
 * People: `Users.xml` gives each user id its display name (identity `externalId` = user Id,
 * `handle` = DisplayName). Items of deleted users keep only a display name such as `user23`;
 * they get the identity `deleted:user23`, so one deleted person's items stay together without
 * being confused with a live user id; items with neither get {@link deletedUser}.
 *
 * Items come file by file: posts, comments, votes, then accepts, so that every parent is emitted
 * before what refers to it. Memory holds the user names and a small record per post. A file that
 * is missing (other than `Posts.xml`) or stops being well-formed is reported through `onSkip`
 * with reason `missing-file` or `malformed-xml` and the import goes on.
 *
 * @param dir - the dump folder of one site.
 * @param options - see {@link StackExchangeOptions}.
 * @returns an async generator of interactions; its return value is the {@link LoadSummary}.
 */
export async function* loadStackExchange(
  dir: string,
  options: StackExchangeOptions = {},
): AsyncGenerator<InteractionInput, LoadSummary, undefined> {
  const opts = parseLoaderOptions(stackExchangeOptionsSchema, options, 'loadStackExchange');
  const postsPath = join(dir, 'Posts.xml');
  if (!existsSync(postsPath) || !statSync(postsPath).isFile()) {
    throw new RapportError('RAPPORT_INVALID_INPUT', `${dir} is not a Stack Exchange dump: no Posts.xml`, {
      hint: 'give the folder that holds Posts.xml, Users.xml, Comments.xml and Votes.xml of one site',
    });
  }
  const channel = opts.channel ?? 'stackexchange';
  const account = opts.account ?? basename(resolve(dir));
  const counter = new SummaryCounter(opts.onSkip);
  const { summary } = counter;
  const base = {
    ...(opts.tenant === undefined ? {} : { tenant: opts.tenant }),
    channel,
    account,
    direction: 'inbound' as const,
  };

  const rowsOf = (file: string): AsyncGenerator<XmlRow> | undefined => {
    const path = join(dir, file);
    if (!existsSync(path)) {
      counter.skip('missing-file', file, `${file} is not in ${dir}`);
      return undefined;
    }
    return readXmlRows(path, (error) => counter.skip('malformed-xml', file, error.message));
  };

  const names = new Map<string, string>();
  const users = rowsOf('Users.xml');
  if (users) {
    for await (const row of users) {
      if (row.Id !== undefined && row.DisplayName) names.set(row.Id, row.DisplayName);
    }
  }
  const person = (userId: string | undefined, displayName: string | undefined): IdentityInput => {
    if (userId) {
      const name = names.get(userId);
      return name === undefined
        ? { externalId: userId }
        : { externalId: userId, handle: name, displayName: name };
    }
    if (displayName) return { externalId: `deleted:${displayName}`, handle: displayName, displayName };
    return { ...deletedUser };
  };

  const posts = new Map<string, PostInfo>();
  // Tag wikis and other post types: remembered so comments and votes on them are reported as such.
  const otherPosts = new Set<string>();
  const acceptedAnswerOf = new Map<string, { owner: IdentityInput }>();
  let row = 0;
  for await (const post of rowsOf('Posts.xml')!) {
    row += 1;
    summary.read += 1;
    const id = post.Id;
    const ref = id ? `post ${id}` : `Posts.xml row ${row}`;
    if (!id) {
      counter.skip('malformed-row', ref, 'no Id');
      continue;
    }
    const type = post.PostTypeId === '1' ? 'question' : post.PostTypeId === '2' ? 'answer' : undefined;
    if (type === undefined) {
      otherPosts.add(id);
      counter.skip('unsupported-post-type', ref, `PostTypeId ${post.PostTypeId ?? '(none)'}`);
      continue;
    }
    const occurredAt = dumpDate(post.CreationDate);
    if (occurredAt === undefined) {
      counter.skip('invalid-date', ref, `CreationDate ${JSON.stringify(post.CreationDate ?? '')}`);
      continue;
    }
    if (type === 'answer' && !post.ParentId) {
      counter.skip('malformed-row', ref, 'answer without ParentId');
      continue;
    }
    const actor = person(post.OwnerUserId, post.OwnerDisplayName);
    const question = type === 'question' ? id : post.ParentId!;
    posts.set(id, { type, question, author: actor.externalId, created: occurredAt });
    if (type === 'question' && post.AcceptedAnswerId)
      acceptedAnswerOf.set(post.AcceptedAnswerId, { owner: actor });
    const text = htmlToText(post.Body ?? '');
    const common = compact({
      postType: type,
      score: intOf(post.Score),
      commentCount: intOf(post.CommentCount),
      lastEditedAt: dumpDate(post.LastEditDate),
      ownerDeleted: post.OwnerUserId ? undefined : true,
    });
    const metadata =
      type === 'question'
        ? compact({
            ...common,
            title: post.Title,
            tags: tagsOf(post.Tags),
            viewCount: intOf(post.ViewCount),
            answerCount: intOf(post.AnswerCount),
            acceptedAnswerId: post.AcceptedAnswerId,
            closedAt: dumpDate(post.ClosedDate),
          })
        : common;
    summary.emitted += 1;
    yield {
      ...base,
      externalId: id,
      kind: type === 'question' ? 'post' : 'answer',
      ...(type === 'answer' ? stackExchangeKinds.answer : {}),
      ...(text === '' ? {} : { text }),
      occurredAt,
      actor,
      thread: question,
      ...(type === 'answer' ? { parent: question } : {}),
      metadata,
    };
  }

  const target = (postId: string | undefined, ref: string): PostInfo | undefined => {
    const info = postId === undefined ? undefined : posts.get(postId);
    if (info) return info;
    if (postId !== undefined && otherPosts.has(postId))
      counter.skip('unsupported-post-type', ref, `post ${postId}`);
    else
      counter.skip(
        'post-missing',
        ref,
        `post ${postId ?? '(none)'} is not in Posts.xml (deleted or never published)`,
      );
    return undefined;
  };

  if (opts.includeComments !== false) {
    const comments = rowsOf('Comments.xml');
    row = 0;
    for await (const comment of comments ?? []) {
      row += 1;
      summary.read += 1;
      const ref = comment.Id ? `comment ${comment.Id}` : `Comments.xml row ${row}`;
      if (!comment.Id) {
        counter.skip('malformed-row', ref, 'no Id');
        continue;
      }
      const on = target(comment.PostId, ref);
      if (!on) continue;
      const occurredAt = dumpDate(comment.CreationDate);
      if (occurredAt === undefined) {
        counter.skip('invalid-date', ref, `CreationDate ${JSON.stringify(comment.CreationDate ?? '')}`);
        continue;
      }
      const text = comment.Text ?? '';
      summary.emitted += 1;
      yield {
        ...base,
        externalId: `comment-${comment.Id}`,
        kind: 'comment',
        ...stackExchangeKinds.comment,
        // Comment text is plain text with markdown, not HTML.
        ...(text.trim() === '' ? {} : { text }),
        occurredAt,
        actor: person(comment.UserId, comment.UserDisplayName),
        thread: on.question,
        parent: comment.PostId!,
        metadata: compact({
          postType: on.type,
          score: intOf(comment.Score),
          ownerDeleted: comment.UserId ? undefined : true,
        }),
      };
    }
  }

  // Accept votes carry the day the answer was accepted; the accept items are emitted after the
  // votes so that this date is known.
  const acceptedOn = new Map<string, string>();
  const votes = rowsOf('Votes.xml');
  row = 0;
  for await (const vote of votes ?? []) {
    row += 1;
    if (vote.VoteTypeId === ACCEPTED_BY_ORIGINATOR) {
      // Not an item of its own: it dates the accept items below, which count as read there.
      const day = dumpDate(vote.CreationDate);
      if (vote.PostId && day !== undefined) acceptedOn.set(vote.PostId, day);
      continue;
    }
    summary.read += 1;
    const ref = vote.Id ? `vote ${vote.Id}` : `Votes.xml row ${row}`;
    if (vote.VoteTypeId !== UP_VOTE && vote.VoteTypeId !== DOWN_VOTE) {
      counter.skip('unsupported-vote-type', ref, `VoteTypeId ${vote.VoteTypeId ?? '(none)'}`);
      continue;
    }
    if (opts.includeVotes === false) {
      summary.filtered += 1;
      continue;
    }
    if (!vote.Id) {
      counter.skip('malformed-row', ref, 'no Id');
      continue;
    }
    const on = target(vote.PostId, ref);
    if (!on) continue;
    const occurredAt = dumpDate(vote.CreationDate);
    if (occurredAt === undefined) {
      counter.skip('invalid-date', ref, `CreationDate ${JSON.stringify(vote.CreationDate ?? '')}`);
      continue;
    }
    summary.emitted += 1;
    yield {
      ...base,
      externalId: `vote-${vote.Id}`,
      kind: 'vote',
      ...stackExchangeKinds.vote,
      occurredAt,
      actor: { ...anonymousVoter },
      thread: on.question,
      parent: vote.PostId!,
      metadata: {
        voteType: vote.VoteTypeId === UP_VOTE ? 'up' : 'down',
        voteTypeId: Number(vote.VoteTypeId),
        postType: on.type,
        // Who received the vote: what reputation and advocacy analyses count.
        postAuthor: on.author,
      },
    };
  }

  for (const [answerId, { owner }] of acceptedAnswerOf) {
    summary.read += 1;
    const answer = posts.get(answerId);
    const ref = `accept of answer ${answerId}`;
    if (answer?.type !== 'answer') {
      counter.skip('post-missing', ref, `accepted answer ${answerId} is not in Posts.xml`);
      continue;
    }
    const voted = acceptedOn.get(answerId);
    // The vote is dated to the day; on the answer's own day its midnight would put the accept
    // before the answer, so the later of the two is used.
    const occurredAt = voted !== undefined && voted > answer.created ? voted : answer.created;
    summary.emitted += 1;
    yield {
      ...base,
      externalId: `accept-${answer.question}`,
      kind: 'accept',
      ...stackExchangeKinds.accept,
      occurredAt,
      actor: owner,
      thread: answer.question,
      parent: answerId,
      metadata: {
        answerAuthor: answer.author,
        // Accept votes are dated to the day only; the answer's creation is the earliest the
        // accept can have happened, used without a vote or when the vote's day is that day.
        dateFrom: occurredAt === voted ? 'accept-vote' : 'answer-created',
      },
    };
  }
  return summary;
}
