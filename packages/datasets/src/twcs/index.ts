import { createReadStream } from 'node:fs';
import { type IdentityInput, type InteractionInput, RapportError } from '@rapport/core';
import { parse } from 'csv-parse';
import { z } from 'zod';
import { decodeHtmlEntities } from '../common/html.js';
import {
  type BaseLoaderOptions,
  baseLoaderOptionsSchema,
  type LoadSummary,
  parseLoaderOptions,
  SummaryCounter,
} from '../common/options.js';
import { parseTwitterDate } from './date.js';
import { TweetIndex } from './tweet-index.js';

export { parseTwitterDate } from './date.js';

/** Options of {@link loadTwcs}. */
export interface TwcsOptions extends Omit<BaseLoaderOptions, 'account'> {
  /**
   * Only emit the conversations of these brand accounts (author ids such as `AppleSupport`).
   * The account of each item always comes from the data; this option filters, it never relabels.
   */
  account?: string | string[];
}

const accountSchema = z.string().min(1).max(256);

/** Zod schema of {@link TwcsOptions}. */
export const twcsOptionsSchema = baseLoaderOptionsSchema
  .extend({ account: z.union([accountSchema, z.array(accountSchema).min(1)]).optional() })
  .strict();

/** The columns a twcs file must have. */
export const twcsColumns = [
  'tweet_id',
  'author_id',
  'inbound',
  'created_at',
  'text',
  'response_tweet_id',
  'in_response_to_tweet_id',
] as const;

type TwcsRecord = Partial<Record<(typeof twcsColumns)[number], string>>;

interface TwcsRow {
  id: string;
  author: string;
  inbound: boolean;
  parent: string | undefined;
}

/** Tweet ids are integers; some exports of the data set write them as floats (`123.0`). */
function tweetId(value: string | undefined): string | undefined {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return undefined;
  return /^\d+\.0+$/.test(trimmed) ? trimmed.slice(0, trimmed.indexOf('.')) : trimmed;
}

function readRow(record: TwcsRecord): TwcsRow | string {
  const id = tweetId(record.tweet_id);
  if (id === undefined) return 'missing tweet_id';
  const author = record.author_id?.trim() ?? '';
  if (author === '') return 'missing author_id';
  const inbound = record.inbound?.trim().toLowerCase();
  if (inbound !== 'true' && inbound !== 'false') return `inbound is ${JSON.stringify(record.inbound ?? '')}`;
  return { id, author, inbound: inbound === 'true', parent: tweetId(record.in_response_to_tweet_id) };
}

function openCsv(path: string): AsyncIterable<TwcsRecord> {
  const input = createReadStream(path);
  const parser = parse({
    bom: true,
    // Rows with a missing or extra field are checked one by one instead of failing the file.
    relax_column_count: true,
    skip_empty_lines: true,
    columns: (header: string[]) => {
      const missing = twcsColumns.filter((c) => !header.includes(c));
      if (missing.length > 0) {
        throw new RapportError(
          'RAPPORT_INVALID_INPUT',
          `${path} is not a twcs file: missing ${missing.join(', ')}`,
          {
            hint: `the header must name the columns ${twcsColumns.join(',')}`,
          },
        );
      }
      return header;
    },
  });
  // pipe() links neither errors nor teardown: a missing file must fail the parser, and a
  // consumer that stops early must release the file.
  input.on('error', (error) => parser.destroy(error));
  parser.on('close', () => input.destroy());
  return input.pipe(parser);
}

/** Mentioned handles, in order (`@AppleSupport` → `AppleSupport`). */
function* mentions(text: string): Generator<string> {
  for (const match of text.matchAll(/(?:^|[^\w@])@(\w{1,15})/g)) yield match[1]!;
}

/**
 * Loads "Customer Support on Twitter" (twcs) CSV files: tweets between customers and brand
 * support accounts.
 *
 * Mapping: channel `twitter`; customer tweets (`inbound=True`) are `inbound` with the customer
 * as actor; brand tweets are `outbound` with the brand as actor and, as `recipient`, the customer
 * whose tweet they answer (when it is in the file). `parent` is `in_response_to_tweet_id`;
 * `thread` is the id of the thread's top tweet, or of the missing tweet the top answers when
 * the link leaves the file. Kinds: `message` for a customer tweet that starts a thread, `post`
 * for a brand tweet that starts one (a broadcast, which answers nobody), `reply` for the rest.
 *
 * Accounts: a brand tweet belongs to its author's account; a customer tweet to the brand of its
 * thread (the brand with the most tweets in it). A thread with no brand tweet in the file takes
 * the first mentioned `@handle` that is a brand author somewhere in the file; failing that the
 * tweet is skipped with reason `no-brand` rather than filed under a made-up account.
 *
 * Two passes: the first reads the whole file and keeps only ids, authors, inbound flags and
 * parent links (threads can only be resolved once every link is known, and replies often come
 * before the tweet they answer); the second streams the file again and emits. A file that
 * cannot be parsed as CSV therefore fails in the first pass, before any item is yielded.
 *
 * @param path - path of the CSV file.
 * @param options - see {@link TwcsOptions}.
 * @returns an async generator of interactions; its return value is the {@link LoadSummary}.
 */
export async function* loadTwcs(
  path: string,
  options: TwcsOptions = {},
): AsyncGenerator<InteractionInput, LoadSummary, undefined> {
  const opts = parseLoaderOptions(twcsOptionsSchema, options, 'loadTwcs');
  const channel = opts.channel ?? 'twitter';
  const only =
    opts.account === undefined
      ? undefined
      : new Set(typeof opts.account === 'string' ? [opts.account] : opts.account);
  const counter = new SummaryCounter(opts.onSkip);
  const { summary } = counter;

  const index = new TweetIndex();
  // Rows that repeat an id: they are skipped in the second pass (the first row wins).
  const duplicateRows = new Set<number>();
  let rowNumber = 0;
  for await (const record of openCsv(path)) {
    rowNumber += 1;
    const row = readRow(record);
    // Invalid rows are reported once, by the second pass.
    if (typeof row === 'string') continue;
    if (!index.add(row.id, row.author, row.inbound, row.parent)) duplicateRows.add(rowNumber);
  }
  index.finish();

  rowNumber = 0;
  for await (const record of openCsv(path)) {
    rowNumber += 1;
    summary.read += 1;
    const row = readRow(record);
    if (typeof row === 'string') {
      counter.skip('malformed-row', `row ${rowNumber}`, row);
      continue;
    }
    const ref = `tweet ${row.id}`;
    if (duplicateRows.has(rowNumber)) {
      counter.skip('duplicate-id', ref, `row ${rowNumber} repeats an earlier tweet_id`);
      continue;
    }
    const occurredAt = parseTwitterDate(record.created_at ?? '');
    if (occurredAt === undefined) {
      counter.skip('invalid-date', ref, `created_at ${JSON.stringify(record.created_at ?? '')}`);
      continue;
    }
    const at = index.indexOf(row.id)!;
    const text = decodeHtmlEntities(record.text ?? '');

    let account: string | undefined;
    let accountFrom: 'author' | 'thread' | 'mention' = 'author';
    if (!row.inbound) {
      account = row.author;
    } else {
      account = index.threadBrandAt(at);
      accountFrom = 'thread';
      if (account === undefined) {
        accountFrom = 'mention';
        for (const handle of mentions(text)) {
          account = index.brandForHandle(handle);
          if (account !== undefined) break;
        }
      }
    }
    if (account === undefined) {
      counter.skip('no-brand', ref, 'no brand tweet in its thread and no known brand mentioned');
      continue;
    }
    if (only && !only.has(account)) {
      summary.filtered += 1;
      continue;
    }

    const parentInFile = row.parent !== undefined && index.indexOf(row.parent) !== undefined;
    let recipient: IdentityInput | undefined;
    if (!row.inbound) {
      const customer = index.customerAnsweredBy(at);
      if (customer !== undefined) recipient = { externalId: customer, handle: customer };
    }
    const metadata: Record<string, unknown> = {};
    if (row.parent !== undefined && !parentInFile) metadata.parentMissing = true;
    // Lets a researcher leave out the (rare) items whose account is a guess from a mention.
    if (accountFrom === 'mention') metadata.accountFrom = 'mention';

    const item: InteractionInput = {
      ...(opts.tenant === undefined ? {} : { tenant: opts.tenant }),
      channel,
      account,
      externalId: row.id,
      direction: row.inbound ? 'inbound' : 'outbound',
      kind: row.parent !== undefined ? 'reply' : row.inbound ? 'message' : 'post',
      ...(text.trim() === '' ? {} : { text }),
      occurredAt,
      // Author ids are what tweets @-mention: brands' screen names, customers' anonymised numbers.
      actor: { externalId: row.author, handle: row.author },
      ...(recipient === undefined ? {} : { recipient }),
      thread: index.threadAt(at),
      ...(row.parent === undefined ? {} : { parent: row.parent }),
      ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
    };
    summary.emitted += 1;
    yield item;
  }
  return summary;
}
