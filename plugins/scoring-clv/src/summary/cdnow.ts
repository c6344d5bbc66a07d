import { RapportError } from '@rapport/core';
import {
  parseSummaryOptions,
  SummaryBuilder,
  summaryOptionsSchema,
  summaryWindow,
  utcDay,
} from './transactions.js';
import { type CustomerSummary, PLUGIN, type TimeUnit } from './types.js';

const HINT = 'CDNOW lines are `master_id sample_id yyyymmdd cds dollars`, separated by spaces';

function invalid(message: string, line: number): RapportError {
  return new RapportError('RAPPORT_INVALID_INPUT', `CDNOW line ${line}: ${message}`, {
    path: [line],
    hint: HINT,
    plugin: PLUGIN,
  });
}

/** One line of a CDNOW file, as read by {@link parseCdnowTransactions}. */
export interface CdnowPurchase {
  /** Customer id: the sample id (`1`…`2357` in the sample), as the published summaries use. */
  customerId: string;
  /** Customer id in the full CDNOW data set, as written (`00004`). */
  masterId: string;
  /** UTC midnight of the purchase day. */
  date: Date;
  cds: number;
  /** Dollars spent. */
  amount: number;
}

/**
 * Reads the CDNOW transaction files of Fader, Hardie & Lee (`CDNOW_sample.txt`,
 * `CDNOW_master.txt`): whitespace columns `master_id sample_id yyyymmdd cds dollars`. Customer ids
 * are the sample ids without leading zeros (`0001` → `1`), as in the published summaries; for
 * `CDNOW_master.txt`, whose sample id column is the master id, they are the master ids.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` naming the line (path `[line]`).
 */
export function parseCdnowTransactions(text: string): CdnowPurchase[] {
  if (typeof text !== 'string') {
    throw new RapportError('RAPPORT_INVALID_INPUT', 'parseCdnowTransactions takes the file text', {
      hint: 'read the file first, for example with readFileSync(path, "utf8")',
      plugin: PLUGIN,
    });
  }
  const out: CdnowPurchase[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    if (fields.length !== 5) throw invalid(`expected 5 columns, got ${fields.length}`, i + 1);
    const [masterId, sampleId, day, cds, dollars] = fields as [string, string, string, string, string];
    const match = /^(\d{4})(\d{2})(\d{2})$/.exec(day);
    const date = match
      ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
      : undefined;
    // Date.UTC rolls impossible days (19970231) over into the next month.
    if (!date || date.getUTCDate() !== Number(match![3]) || date.getUTCMonth() !== Number(match![2]) - 1) {
      throw invalid(`invalid date ${day}`, i + 1);
    }
    if (!/^\d+$/.test(masterId) || !/^\d+$/.test(sampleId) || !/^\d+$/.test(cds)) {
      throw invalid('ids and the CD count must be digits', i + 1);
    }
    const amount = Number(dollars);
    if (!/^\d+(\.\d+)?$/.test(dollars) || !Number.isFinite(amount))
      throw invalid(`invalid amount ${dollars}`, i + 1);
    out.push({ customerId: String(Number(sampleId)), masterId, date, cds: Number(cds), amount });
  }
  return out;
}

/** Options of {@link summariesFromCdnow}. */
export interface CdnowSummaryOptions {
  /** Last calibration day, inclusive. Default 1997-09-30, the split of Fader, Hardie & Lee (2005). */
  calibrationEnd?: Date | string | number;
  /** Default weeks, as in the published summaries. */
  timeUnit?: TimeUnit;
}

/**
 * The calibration summaries of a CDNOW transaction file (see {@link parseCdnowTransactions} and
 * `summariesFromTransactions`). On `CDNOW_sample.txt` with the defaults this reproduces lifetimes'
 * `cdnow_customers_summary.csv` (x, t_x and T to its two decimals) and the mean repeat spends of
 * `cdnow_customers_summary_with_transactions.csv`.
 */
export function summariesFromCdnow(text: string, options: CdnowSummaryOptions = {}): CustomerSummary[] {
  const parsed = parseSummaryOptions(
    summaryOptionsSchema,
    { calibrationEnd: '1997-09-30', ...options },
    'CDNOW summary options',
  );
  const builder = new SummaryBuilder(summaryWindow(parsed));
  for (const purchase of parseCdnowTransactions(text)) {
    builder.add(purchase.customerId, utcDay(purchase.date), purchase.amount);
  }
  return builder.build();
}
