import { type Interaction, isRapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import {
  parseCdnowTransactions,
  summariesFromCdnow,
  summariesFromCsv,
  summariesFromInteractions,
  summariesFromTransactions,
} from '../src/index.js';
import { cdnowSummary, cdnowText, cdnowWithSpend } from './fixtures.js';

/** Rounds half up to two decimals, the way the published files were written. */
const cents = (value: number) => Math.round(value * 100 + 1e-6) / 100;

function rapportErrorOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isRapportError(error)) return error;
    throw error;
  }
  throw new Error('expected a RapportError');
}

describe('summaries from the CDNOW transactions', () => {
  const text = cdnowText('CDNOW_sample.txt');
  const built = summariesFromCdnow(text);
  const byId = new Map(built.map((s) => [s.customerId, s]));

  it('reads all 6,919 transactions of the 2,357 customers', () => {
    expect(parseCdnowTransactions(text)).toHaveLength(6919);
    expect(built).toHaveLength(2357);
  });

  it('reproduces cdnow_customers_summary.csv exactly (x, and t_x and T to its two decimals)', () => {
    expect(cdnowSummary).toHaveLength(2357);
    const mismatches = cdnowSummary.filter((row) => {
      const ours = byId.get(row.customerId);
      return !ours || ours.x !== row.x || cents(ours.tx) !== row.tx || cents(ours.T) !== row.T;
    });
    expect(mismatches).toEqual([]);
  });

  it('reproduces the mean repeat spends (zbar) of the 946 repeat buyers to the cent', () => {
    const repeat = cdnowWithSpend.filter((row) => row.x > 0);
    expect(repeat).toHaveLength(946);
    const mismatches = repeat.filter(
      (row) => cents(byId.get(row.customerId)!.meanRepeatSpend!) !== row.meanRepeatSpend,
    );
    expect(mismatches).toEqual([]);
    // Customer 1: 29.33 on 1997-01-01, then 29.73 and 14.96: the first purchase is left out.
    expect(byId.get('1')!.meanRepeatSpend).toBeCloseTo((29.73 + 14.96) / 2, 10);
  });

  it('leaves purchases after the calibration end out, and can use another end and days', () => {
    // Customer 1 bought again on 1997-12-12, after 1997-09-30.
    expect(byId.get('1')).toMatchObject({ x: 2 });
    const later = summariesFromCdnow(text, { calibrationEnd: '1998-06-30', timeUnit: 'days' });
    expect(later.find((s) => s.customerId === '1')).toMatchObject({ x: 3, tx: 345, T: 545 });
  });

  it('names the line of a malformed transaction', () => {
    const error = rapportErrorOf(() =>
      parseCdnowTransactions(' 00004 0001 19970101  2   29.33\n 00004 0001 19970231 1 3.5\n'),
    );
    expect(error.code).toBe('RAPPORT_INVALID_INPUT');
    expect(error.path).toEqual([2]);
    expect(error.message).toMatch(/line 2: invalid date 19970231/);
  });
});

describe('summariesFromTransactions', () => {
  it('collapses purchases to distinct UTC days, summing the day’s spend', () => {
    const [summary] = summariesFromTransactions(
      [
        { customerId: 'c', date: '2024-01-01T09:00:00Z', amount: 10 },
        { customerId: 'c', date: '2024-01-08T08:00:00Z', amount: 5 },
        { customerId: 'c', date: '2024-01-08T20:00:00Z', amount: 7 },
        { customerId: 'c', date: new Date('2024-01-15T00:00:00Z'), amount: 3 },
        { customerId: 'c', date: '2024-02-01', amount: 100 },
      ],
      { calibrationEnd: '2024-01-29' },
    );
    expect(summary).toEqual({ customerId: 'c', x: 2, tx: 2, T: 4, meanRepeatSpend: (12 + 3) / 2 });
  });

  it('gives no mean spend when an amount is unknown, and none to one-time buyers', () => {
    const rows = summariesFromTransactions(
      [
        { customerId: 'a', date: '2024-01-01', amount: 1 },
        { customerId: 'a', date: '2024-01-02' },
        { customerId: 'b', date: '2024-01-03', amount: 9 },
        { customerId: 'late', date: '2024-03-01', amount: 9 },
      ],
      { calibrationEnd: '2024-01-10', timeUnit: 'days' },
    );
    expect(rows).toEqual([
      { customerId: 'a', x: 1, tx: 1, T: 9 },
      { customerId: 'b', x: 0, tx: 0, T: 7 },
    ]);
  });

  it('rejects an invalid purchase with its index and field, and invalid options', () => {
    const error = rapportErrorOf(() =>
      summariesFromTransactions(
        [
          { customerId: 'a', date: '2024-01-01', amount: 1 },
          { customerId: 'a', date: 'yesterday', amount: 1 },
        ],
        { calibrationEnd: '2024-02-01' },
      ),
    );
    expect(error.code).toBe('RAPPORT_INVALID_INPUT');
    expect(error.path).toEqual([1, 'date']);
    expect(
      rapportErrorOf(() =>
        summariesFromTransactions([], { calibrationEnd: '2024-02-01', unit: 'weeks' } as never),
      ),
    ).toMatchObject({ code: 'RAPPORT_INVALID_OPTIONS' });
    expect(
      rapportErrorOf(() =>
        summariesFromTransactions([{ customerId: 'a', date: '2024-01-01', amount: -3 }], {
          calibrationEnd: '2024-02-01',
        }),
      ).path,
    ).toEqual([0, 'amount']);
  });
});

describe('summariesFromCsv', () => {
  it('reads both lifetimes layouts, dropping the 0 written as spend of non-repeat buyers', () => {
    expect(cdnowSummary[0]).toEqual({ customerId: '1', x: 2, tx: 30.43, T: 38.86 });
    expect(cdnowWithSpend[0]).toEqual({ customerId: '1', x: 2, tx: 30.43, T: 38.86, meanRepeatSpend: 22.35 });
    expect(cdnowWithSpend[2]).toEqual({ customerId: '3', x: 0, tx: 0, T: 38.86 });
  });

  it('names the line of a value that is not a number, and the row of an impossible summary', () => {
    expect(rapportErrorOf(() => summariesFromCsv('ID,x,t_x,T\n1,2,3,4\n2,two,3,4\n')).path).toEqual([3]);
    expect(rapportErrorOf(() => summariesFromCsv('ID,x,t_x,T\n1,2,3,4\n2,1,5,4\n')).path).toEqual([1, 'tx']);
    expect(rapportErrorOf(() => summariesFromCsv('ID,frequency,T\n1,2,4\n')).message).toMatch(/no tx column/);
  });
});

describe('summariesFromInteractions', () => {
  const purchase = (
    customerId: string | null,
    day: string,
    amount: number | null,
    currency: string | null = 'USD',
  ) =>
    ({ kind: 'purchase', customerId, occurredAt: new Date(`${day}T12:00:00Z`), amount, currency }) as Pick<
      Interaction,
      'kind' | 'customerId' | 'occurredAt' | 'amount' | 'currency'
    >;

  it('counts purchases with an amount ≥ 0 of known customers, and nothing else', async () => {
    const rows = await summariesFromInteractions(
      [
        purchase('c1', '2024-01-01', 10),
        { ...purchase('c1', '2024-01-05', null), kind: 'message' },
        purchase('c1', '2024-01-08', -5),
        purchase('c1', '2024-01-15', 0),
        purchase(null, '2024-01-15', 3),
      ],
      { calibrationEnd: new Date('2024-01-29T00:00:00Z') },
    );
    expect(rows).toEqual([{ customerId: 'c1', x: 1, tx: 2, T: 4, meanRepeatSpend: 0 }]);
  });

  it('refuses to average two currencies unless one is chosen', async () => {
    const mixed = [purchase('c1', '2024-01-01', 10), purchase('c1', '2024-01-08', 20, 'EUR')];
    await expect(summariesFromInteractions(mixed, { calibrationEnd: '2024-02-01' })).rejects.toMatchObject({
      code: 'RAPPORT_INVALID_INPUT',
      path: ['currency'],
    });
    const usd = await summariesFromInteractions(mixed, { calibrationEnd: '2024-02-01', currency: 'USD' });
    expect(usd).toEqual([{ customerId: 'c1', x: 0, tx: 0, T: 31 / 7 }]);
  });
});
