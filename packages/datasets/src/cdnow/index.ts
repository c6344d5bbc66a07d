import type { InteractionInput } from '@rapport/core';
import { readLines } from '../common/lines.js';
import {
  type BaseLoaderOptions,
  baseLoaderOptionsSchema,
  type LoadSummary,
  parseLoaderOptions,
  SummaryCounter,
} from '../common/options.js';

export {
  type BtydSummaryOptions,
  type BtydSummaryRow,
  type BtydTransaction,
  cdnowCalibrationSummary,
} from './summary.js';

/** One line of `CDNOW_sample.txt` / `CDNOW_master.txt`. */
export interface CdnowTransaction {
  /** 1-based line number in the file. */
  line: number;
  /** Customer id in the full CDNOW data set, as written (zero-padded, `00004`). */
  masterId: string;
  /** Customer id within the 1/10th sample (`1`..`2357`); the id the published summaries use. */
  sampleId: string;
  /** Purchase day, `YYYY-MM-DD`. */
  date: string;
  /** Number of CDs bought. */
  cds: number;
  /** Amount spent, in US dollars. */
  dollars: number;
}

/** Options of {@link readCdnowTransactions}. */
export interface CdnowReadOptions {
  /** Called for every line that cannot be read (it is skipped). */
  onSkip?: BaseLoaderOptions['onSkip'];
}

function parseDay(yyyymmdd: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!match) return undefined;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  // Date.UTC rolls impossible days (19970231) into the next month.
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  return `${y}-${m}-${d}`;
}

function parseLine(text: string): Omit<CdnowTransaction, 'line'> | string {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) return `expected 5 columns, got ${fields.length}`;
  const [masterId, sampleId, day, cds, dollars] = fields as [string, string, string, string, string];
  if (!/^\d+$/.test(masterId) || !/^\d+$/.test(sampleId)) return 'customer ids must be digits';
  const date = parseDay(day);
  if (date === undefined) return `invalid date ${day}`;
  if (!/^\d+$/.test(cds)) return `invalid CD count ${cds}`;
  const amount = Number(dollars);
  if (!/^-?\d+(\.\d+)?$/.test(dollars) || !Number.isFinite(amount)) return `invalid amount ${dollars}`;
  return { masterId, sampleId, date, cds: Number(cds), dollars: amount };
}

/**
 * Streams the raw transactions of a CDNOW file (whitespace columns
 * `master_id sample_id yyyymmdd cds dollars`), skipping blank lines and reporting unreadable
 * ones. Use it for analyses that need the sample ids, such as {@link cdnowCalibrationSummary}.
 */
export async function* readCdnowTransactions(
  path: string,
  options: CdnowReadOptions = {},
): AsyncGenerator<CdnowTransaction, LoadSummary, undefined> {
  const counter = new SummaryCounter(options.onSkip);
  for await (const { line, text } of readLines(path)) {
    if (text.trim() === '') continue;
    counter.summary.read += 1;
    const parsed = parseLine(text);
    if (typeof parsed === 'string') {
      counter.skip('malformed-line', `line ${line}`, parsed);
      continue;
    }
    counter.summary.emitted += 1;
    yield { line, ...parsed };
  }
  return counter.summary;
}

/** Options of {@link loadCdnow}. */
export type CdnowOptions = BaseLoaderOptions;

/** Zod schema of {@link CdnowOptions}. */
export const cdnowOptionsSchema = baseLoaderOptionsSchema;

/**
 * Loads the CDNOW purchase data (Fader, Hardie & Lee 2005) as purchases.
 *
 * Mapping: channel `cdnow` and account `cdnow-store` (both overridable), kind `purchase`,
 * direction `inbound`, actor = the master customer id, `amount` = dollars in `USD`, occurredAt =
 * the purchase day at 00:00 UTC (the data has no time of day), metadata `{ cds, sampleId }`.
 * `externalId` is `<master_id>-<yyyymmdd>-<line>`: the data has no transaction id and one
 * customer can buy twice on a day, so the line number makes it unique; it is stable as long as
 * the file is unchanged.
 *
 * @param path - path of `CDNOW_sample.txt` or `CDNOW_master.txt`.
 * @param options - see {@link CdnowOptions}.
 * @returns an async generator of purchases; its return value is the {@link LoadSummary}.
 */
export async function* loadCdnow(
  path: string,
  options: CdnowOptions = {},
): AsyncGenerator<InteractionInput, LoadSummary, undefined> {
  const opts = parseLoaderOptions(cdnowOptionsSchema, options, 'loadCdnow');
  const channel = opts.channel ?? 'cdnow';
  const account = opts.account ?? 'cdnow-store';
  const transactions = readCdnowTransactions(path, { onSkip: opts.onSkip });
  for (;;) {
    const next = await transactions.next();
    if (next.done) return next.value;
    const t = next.value;
    yield {
      ...(opts.tenant === undefined ? {} : { tenant: opts.tenant }),
      channel,
      account,
      externalId: `${t.masterId}-${t.date.replaceAll('-', '')}-${t.line}`,
      direction: 'inbound',
      kind: 'purchase',
      occurredAt: `${t.date}T00:00:00.000Z`,
      actor: { externalId: t.masterId },
      amount: t.dollars,
      currency: 'USD',
      metadata: { cds: t.cds, sampleId: t.sampleId },
    };
  }
}
