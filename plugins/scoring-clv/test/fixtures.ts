import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CustomerSummary, summariesFromCsv } from '../src/index.js';

/** The repository's CDNOW fixtures (lifetimes' copies of Hardie's files; see fixtures/cdnow/SOURCE.md). */
const cdnow = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'cdnow');

export function cdnowText(file: string): string {
  return readFileSync(join(cdnow, file), 'utf8');
}

/** `cdnow_customers_summary.csv`: ID, frequency, recency, T (weeks) of the 2,357 customers. */
export const cdnowSummary: CustomerSummary[] = summariesFromCsv(cdnowText('cdnow_customers_summary.csv'));

/** `cdnow_customers_summary_with_transactions.csv`: the same with the mean repeat spend (zbar). */
export const cdnowWithSpend: CustomerSummary[] = summariesFromCsv(
  cdnowText('cdnow_customers_summary_with_transactions.csv'),
);

/** BG/NBD on CDNOW as Fader, Hardie & Lee (2005) report it, rounded to three decimals. */
export const paperBgNbd = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/** Relative difference. */
export function relative(got: number, expected: number): number {
  return Math.abs(got - expected) / Math.abs(expected);
}
