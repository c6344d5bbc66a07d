import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BtydSummaryRow,
  cdnowCalibrationSummary,
  loadCdnow,
  readCdnowTransactions,
} from '../src/index.js';
import { type Collected, collect, expectAllValid, expectUniqueIds, fixture } from './helpers.js';

const path = fixture('cdnow', 'CDNOW_sample.txt');

// Counted independently with shell tools on fixtures/cdnow/CDNOW_sample.txt:
//   wc -l < CDNOW_sample.txt                                  → 6919 transactions
//   awk '{print $1}' CDNOW_sample.txt | sort -u | wc -l        → 2357 customers
//   awk '{s+=$5; c+=$4} END {printf "%.2f %d", s, c}' ...      → 244091.94 dollars, 16479 CDs
//   awk '{print $1"-"$3}' ... | sort | uniq -d | wc -l          → 177 customer-days with 2+ lines
const TRANSACTIONS = 6919;
const CUSTOMERS = 2357;
const DOLLARS = 244091.94;
const CDS = 16479;

let run: Collected;
beforeAll(async () => {
  run = await collect((onSkip) => loadCdnow(path, { onSkip }));
});

describe('loadCdnow', () => {
  it('yields one valid purchase per line, with unique ids', () => {
    expect(run.items).toHaveLength(TRANSACTIONS);
    expect(run.summary).toEqual({ read: TRANSACTIONS, emitted: TRANSACTIONS, filtered: 0, skipped: {} });
    expectAllValid(run.items);
    // Unique although 177 customer-days have more than one line: the line number tells them apart.
    expectUniqueIds(run.items);
    expect(new Set(run.items.map((i) => i.actor.externalId)).size).toBe(CUSTOMERS);
  });

  it('maps the columns', () => {
    expect(run.items[0]).toEqual({
      channel: 'cdnow',
      account: 'cdnow-store',
      externalId: '00004-19970101-1',
      direction: 'inbound',
      kind: 'purchase',
      occurredAt: '1997-01-01T00:00:00.000Z',
      actor: { externalId: '00004' },
      amount: 29.33,
      currency: 'USD',
      metadata: { cds: 2, sampleId: '0001' },
    });
    const dollars = run.items.reduce((sum, i) => sum + (i.amount ?? 0), 0);
    expect(dollars).toBeCloseTo(DOLLARS, 2);
    expect(run.items.reduce((sum, i) => sum + (i.metadata!.cds as number), 0)).toBe(CDS);
  });

  it('is deterministic and honours channel, account and tenant', async () => {
    const again = await collect((onSkip) => loadCdnow(path, { onSkip }));
    expect(again.items).toEqual(run.items);
    const first = await loadCdnow(path, { channel: 'shop', account: 'music', tenant: 't1' }).next();
    expect(first.value).toMatchObject({ channel: 'shop', account: 'music', tenant: 't1' });
  });

  it('skips and reports unreadable lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-cdnow-'));
    try {
      const file = join(dir, 'bad.txt');
      writeFileSync(
        file,
        ' 00004 0001 19970101  2   29.33\n\n 00005 0002 19970231 1 3.00\n 00006 0003 19970102 1\n x 0004 19970103 1 1.00\n',
      );
      const out = await collect((onSkip) => loadCdnow(file, { onSkip }));
      expect(out.items).toHaveLength(1);
      expect(out.skips.map((s) => [s.ref, s.detail])).toEqual([
        ['line 3', 'invalid date 19970231'],
        ['line 4', 'expected 5 columns, got 4'],
        ['line 5', 'customer ids must be digits'],
      ]);
      expect(out.summary).toEqual({ read: 4, emitted: 1, filtered: 0, skipped: { 'malformed-line': 3 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Formats a number the way the lifetimes CSV does: Python's repr of round(value, 2). */
function py2(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded);
}

function toCsv(rows: BtydSummaryRow[]): string {
  return [
    'ID,frequency,recency,T',
    ...rows.map((r) => `${r.customerId},${r.x},${py2(r.tx)},${py2(r.T)}`),
  ].join('\n');
}

describe('cdnowCalibrationSummary', () => {
  // The published summary is keyed by sample id (1..2357) and ends with a newline.
  const expected = readFileSync(fixture('cdnow', 'cdnow_customers_summary.csv'), 'utf8').trimEnd();

  it('reproduces cdnow_customers_summary.csv exactly from the loaded purchases', async () => {
    const rows = await cdnowCalibrationSummary(
      run.items.map((i) => ({
        customerId: String(Number(i.metadata!.sampleId)),
        date: i.occurredAt as string,
      })),
    );
    expect(rows).toHaveLength(CUSTOMERS);
    expect(toCsv(rows)).toBe(expected);
  });

  it('reproduces it from the raw transaction stream too', async () => {
    async function* transactions() {
      for await (const t of readCdnowTransactions(path))
        yield { customerId: String(Number(t.sampleId)), date: t.date };
    }
    const rows = await cdnowCalibrationSummary(transactions(), { calibrationEnd: '1997-09-30' });
    expect(toCsv(rows)).toBe(expected);
    // Customer 1 bought on 1997-01-01, 01-18 and 08-02 in the calibration period (and 12-12 after).
    expect(rows[0]).toEqual({ customerId: '1', x: 2, tx: 213 / 7, T: 272 / 7, firstPurchase: '1997-01-01' });
  });

  it('collapses same-day purchases and ignores customers who start after the calibration end', async () => {
    const rows = await cdnowCalibrationSummary(
      [
        { customerId: 'a', date: '1997-01-01' },
        { customerId: 'a', date: new Date('1997-01-01T15:00:00Z') },
        { customerId: 'a', date: '1997-01-08' },
        { customerId: 'b', date: '1997-10-01' },
      ],
      { calibrationEnd: new Date('1997-01-15T00:00:00Z') },
    );
    expect(rows).toEqual([{ customerId: 'a', x: 1, tx: 1, T: 2, firstPurchase: '1997-01-01' }]);
  });
});
