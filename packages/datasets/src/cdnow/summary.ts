/** A purchase as the BTYD summary needs it: who bought, and when. */
export interface BtydTransaction {
  customerId: string;
  /** A Date, or an ISO 8601 string; only the UTC calendar day counts. */
  date: string | Date;
}

/** Per-customer calibration summary, the input of BG/NBD and Pareto/NBD models. */
export interface BtydSummaryRow {
  customerId: string;
  /** Repeat purchases in the calibration period: distinct purchase days − 1. */
  x: number;
  /** Recency: weeks from the first purchase day to the last one in the calibration period. */
  tx: number;
  /** Age: weeks from the first purchase day to the end of the calibration period. */
  T: number;
  /** First purchase day, `YYYY-MM-DD`. */
  firstPurchase: string;
}

/** Options of {@link cdnowCalibrationSummary}. */
export interface BtydSummaryOptions {
  /**
   * Last day of the calibration period, inclusive (`YYYY-MM-DD` or a Date). Defaults to
   * 1997-09-30, the split used by Fader, Hardie & Lee (2005) for CDNOW.
   */
  calibrationEnd?: string | Date;
}

const DAY_MS = 86_400_000;

function utcDay(value: string | Date): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`invalid date ${String(value)}`);
  return Math.floor(ms / DAY_MS);
}

/**
 * Builds the BTYD calibration summary `(x, t_x, T)` per customer, in weeks, the way the CDNOW
 * literature does: each customer's transactions collapse to distinct days (several purchases on
 * one day are one purchase occasion); x = distinct days up to the calibration end − 1; t_x =
 * (last such day − first day) / 7; T = (calibration end − first day) / 7. Transactions after the
 * calibration end are ignored, and so are customers whose first purchase comes after it.
 *
 * Values are not rounded. Rows come in order of each customer's first transaction in the input.
 * Memory holds the distinct purchase days of each customer, not the transactions.
 *
 * @example
 * ```ts
 * const rows = await cdnowCalibrationSummary(
 *   (async function* () {
 *     for await (const t of readCdnowTransactions('CDNOW_sample.txt')) yield { customerId: t.sampleId, date: t.date };
 *   })(),
 * );
 * ```
 */
export async function cdnowCalibrationSummary(
  transactions: Iterable<BtydTransaction> | AsyncIterable<BtydTransaction>,
  options: BtydSummaryOptions = {},
): Promise<BtydSummaryRow[]> {
  const end = utcDay(options.calibrationEnd ?? '1997-09-30');
  const days = new Map<string, Set<number>>();
  for await (const t of transactions) {
    const day = utcDay(t.date);
    let set = days.get(t.customerId);
    if (!set) {
      set = new Set();
      days.set(t.customerId, set);
    }
    if (day <= end) set.add(day);
  }
  const rows: BtydSummaryRow[] = [];
  for (const [customerId, set] of days) {
    if (set.size === 0) continue;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const day of set) {
      if (day < first) first = day;
      if (day > last) last = day;
    }
    rows.push({
      customerId,
      x: set.size - 1,
      tx: (last - first) / 7,
      T: (end - first) / 7,
      firstPurchase: new Date(first * DAY_MS).toISOString().slice(0, 10),
    });
  }
  return rows;
}
