import { isRapportError } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { conversionPeriod, referralValues, valueConversion } from '../src/index.js';
import { economics, purchase, referral, stored } from './helpers.js';

describe('customer referral value, hand-computed', () => {
  // ann referred four people: f1 bought in period 1, f2 in period 2, f3 never, f4 was already a customer.
  const interactions = [
    referral('ann', 'f1', '2025-02-01'),
    purchase('f1', '2025-03-01'),
    referral('ann', 'f2', '2025-06-01'),
    purchase('f2', '2026-02-01'),
    referral('ann', 'f3', '2025-07-01'),
    purchase('f4', '2024-12-01'),
    referral('ann', 'f4', '2025-01-15'),
    purchase('f4', '2025-05-01'),
  ];

  it('values each conversion as ((1 − s)(A − a − M + ACQ1) + s·ACQ2)/(1 + r)^t', () => {
    const ann = referralValues(interactions, { economics }).get('ann')!;
    expect(ann.converted).toBe(2);
    expect(ann.referrals).toBe(4);
    const [first, second] = ann.conversions;
    expect(first).toMatchObject({
      referredCustomerId: 'f1',
      period: 1,
      newCustomerValue: 100,
      acquisitionSavingsAnyway: 25,
    });
    expect(first!.value).toBeCloseTo(85 / 1.1, 12); // 77.272727…
    expect(second).toMatchObject({ referredCustomerId: 'f2', period: 2 });
    expect(second!.value).toBeCloseTo(85 / 1.21, 12); // 70.247933…
    expect(ann.value).toBeCloseTo(178.5 / 1.21, 12); // 147.520661…
  });

  it('keeps the evidence: referral and purchase interaction ids, and why the others did not convert', () => {
    const ann = referralValues(interactions, { economics }).get('ann')!;
    expect(ann.conversions.map((c) => [c.referralInteractionId, c.purchaseInteractionId])).toEqual([
      [interactions[0]!.id, interactions[1]!.id],
      [interactions[2]!.id, interactions[3]!.id],
    ]);
    expect(ann.unconverted.map((u) => [u.referredCustomerId, u.reason, u.referralInteractionId])).toEqual([
      ['f4', 'already-customer', interactions[6]!.id],
      ['f3', 'no-purchase', interactions[4]!.id],
    ]);
  });

  it('gives only the acquisition savings when everyone would have joined anyway, and A − a − M + ACQ1 when no one would', () => {
    const one = [referral('bo', 'g1', '2025-02-01'), purchase('g1', '2025-02-02')];
    expect(
      referralValues(one, { economics: { ...economics, shareWouldJoinAnyway: 1 } }).get('bo')!.value,
    ).toBeCloseTo(25 / 1.1, 12);
    expect(
      referralValues(one, { economics: { ...economics, shareWouldJoinAnyway: 0 } }).get('bo')!.value,
    ).toBeCloseTo(100 / 1.1, 12);
    expect(referralValues(one, { economics: { ...economics, discountRate: 0 } }).get('bo')!.value).toBe(85);
  });

  it('takes per-referral inputs as functions of the conversion (a margin on the first order)', () => {
    const items = [
      referral('bo', 'g1', '2025-02-01'),
      purchase('g1', '2025-02-02', 200),
      referral('bo', 'g2', '2025-02-01'),
      purchase('g2', '2025-02-03', 40),
    ];
    const bo = referralValues(items, {
      economics: {
        ...economics,
        contributionMargin: (c) => 0.3 * (c.amount ?? 0),
        shareWouldJoinAnyway: 0,
        discountRate: 0,
      },
    }).get('bo')!;
    // (60 − 10 − 20 + 30) + (12 − 10 − 20 + 30)
    expect(bo.value).toBeCloseTo(60 + 12, 12);
  });
});

describe('conversions', () => {
  it('counts a person once per referrer and reports the repeats', () => {
    const items = [
      referral('ann', 'f1', '2025-02-01'),
      referral('ann', 'f1', '2025-02-05'),
      purchase('f1', '2025-03-01'),
      purchase('f1', '2025-04-01'),
    ];
    const ann = referralValues(items, { economics }).get('ann')!;
    expect(ann.converted).toBe(1);
    expect(ann.conversions[0]!.referralInteractionId).toBe(items[0]!.id);
    expect(ann.unconverted).toMatchObject([{ reason: 'repeat', referralInteractionId: items[1]!.id }]);
  });

  it('converts only within the window, and only new customers unless told otherwise', () => {
    const late = [referral('ann', 'f1', '2025-02-01'), purchase('f1', '2025-04-01')];
    expect(
      referralValues(late, { economics, conversionWindowDays: 30 }).get('ann')!.unconverted[0]!.reason,
    ).toBe('no-purchase');
    expect(referralValues(late, { economics, conversionWindowDays: 60 }).get('ann')!.converted).toBe(1);
    const existing = [
      purchase('f1', '2025-01-10'),
      referral('ann', 'f1', '2025-02-01'),
      purchase('f1', '2025-04-01'),
    ];
    expect(referralValues(existing, { economics }).get('ann')!.converted).toBe(0);
    const again = referralValues(existing, { economics, requireNewCustomer: false }).get('ann')!;
    expect(again.conversions[0]!.purchaseInteractionId).toBe(existing[2]!.id);
  });

  it('leaves out conversions before the origin and after the horizon', () => {
    const items = [
      referral('ann', 'f1', '2024-11-01'),
      purchase('f1', '2024-12-01'),
      referral('ann', 'f2', '2025-02-01'),
      purchase('f2', '2027-03-01'),
    ];
    const ann = referralValues(items, { economics: { ...economics, horizonPeriods: 2 } }).get('ann')!;
    expect(ann.converted).toBe(0);
    expect(ann.unconverted.map((u) => u.reason)).toEqual(['before-origin', 'after-horizon']);
    expect(referralValues(items, { economics }).get('ann')!.conversions[0]!.period).toBe(3);
  });

  it('credits each, the first or the last referrer of a customer referred twice', () => {
    const items = [
      referral('ann', 'f1', '2025-02-01'),
      referral('bob', 'f1', '2025-02-10'),
      purchase('f1', '2025-03-01'),
    ];
    const each = referralValues(items, { economics });
    expect([each.get('ann')!.converted, each.get('bob')!.converted]).toEqual([1, 1]);
    const first = referralValues(items, { economics, attribution: 'first' });
    expect([first.get('ann')!.converted, first.get('bob')!.converted]).toEqual([1, 0]);
    expect(first.get('bob')!.unconverted[0]!.reason).toBe('credited-elsewhere');
    const last = referralValues(items, { economics, attribution: 'last' });
    expect([last.get('ann')!.converted, last.get('bob')!.converted]).toEqual([0, 1]);
  });

  it('ignores outbound referrals, self-referrals and referrals without a referred customer', () => {
    const items = [
      stored({
        kind: 'referral',
        customerId: 'ann',
        referredCustomerId: 'f1',
        occurredAt: new Date('2025-02-01'),
        direction: 'outbound',
      }),
      referral('ann', 'ann', '2025-02-01'),
      stored({ kind: 'referral', customerId: 'ann', occurredAt: new Date('2025-02-01') }),
      purchase('f1', '2025-03-01'),
    ];
    expect(referralValues(items, { economics }).size).toBe(0);
  });

  it('reads async iterables', async () => {
    async function* source() {
      yield referral('ann', 'f1', '2025-02-01');
      yield purchase('f1', '2025-03-01');
    }
    expect((await referralValues(source(), { economics })).get('ann')!.converted).toBe(1);
  });
});

describe('properties', () => {
  /** n referred customers who all buy in the same period. */
  function referrer(n: number, buyDay = '2025-03-01') {
    const items = [];
    for (let i = 0; i < n; i++) items.push(referral('ann', `f${i}`, '2025-02-01'), purchase(`f${i}`, buyDay));
    return items;
  }

  it('is zero when nothing converts', () => {
    const items = [
      referral('ann', 'f1', '2025-02-01'),
      referral('ann', 'f2', '2025-02-01'),
      purchase('someone-else', '2025-03-01'),
    ];
    const ann = referralValues(items, { economics }).get('ann')!;
    expect(ann).toMatchObject({ value: 0, converted: 0, referrals: 2, conversions: [] });
  });

  it('is linear in conversions', () => {
    const unit = referralValues(referrer(1), { economics }).get('ann')!.value;
    for (const n of [2, 3, 7, 25]) {
      const value = referralValues(referrer(n), { economics }).get('ann')!.value;
      expect(value).toBeCloseTo(n * unit, 9);
    }
  });

  it('discounts later conversions more, and more with a higher rate; a rate of 0 does not discount', () => {
    const days = ['2025-03-01', '2026-03-01', '2027-03-01', '2030-03-01'];
    for (const rate of [0.01, 0.1, 0.5]) {
      const values = days.map(
        (day) =>
          referralValues(referrer(1, day), { economics: { ...economics, discountRate: rate } }).get('ann')!
            .value,
      );
      for (let i = 1; i < values.length; i++) expect(values[i]!).toBeLessThan(values[i - 1]!);
    }
    const byRate = [0, 0.05, 0.1, 0.2].map(
      (rate) =>
        referralValues(referrer(1), { economics: { ...economics, discountRate: rate } }).get('ann')!.value,
    );
    for (let i = 1; i < byRate.length; i++) expect(byRate[i]!).toBeLessThan(byRate[i - 1]!);
    expect(byRate[0]).toBe(85);
  });

  it('puts a conversion in period ⌊elapsed / period⌋ + 1', () => {
    const at = (iso: string) => new Date(iso);
    expect(conversionPeriod(at('2025-01-01T00:00:00Z'), economics)).toBe(1);
    expect(conversionPeriod(at('2025-12-31T23:59:59Z'), economics)).toBe(1);
    expect(conversionPeriod(at('2026-01-01T00:00:00Z'), economics)).toBe(2);
    expect(conversionPeriod(at('2024-12-31T23:59:59Z'), economics)).toBe(0);
  });
});

describe('validation', () => {
  it('requires every economic input, naming the missing one', () => {
    const { discountRate: _, ...partial } = economics;
    try {
      referralValues([], { economics: partial as never });
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_OPTIONS')).toBe(true);
      expect((error as { path: unknown }).path).toEqual(['economics', 'discountRate']);
    }
    expect(() => referralValues([], { economics: { ...economics, periodDays: 0 } })).toThrow(/periodDays/);
    expect(() => referralValues([], { economics: { ...economics, discont: 1 } as never })).toThrow(/discont/);
  });

  it('checks what per-referral functions return', () => {
    const items = [referral('ann', 'f1', '2025-02-01'), purchase('f1', '2025-03-01')];
    try {
      referralValues(items, { economics: { ...economics, shareWouldJoinAnyway: () => 1.5 } });
      expect.unreachable();
    } catch (error) {
      expect(isRapportError(error, 'RAPPORT_INVALID_INPUT')).toBe(true);
      expect((error as { path: unknown }).path).toEqual(['economics', 'shareWouldJoinAnyway']);
    }
    expect(() =>
      referralValues(items, { economics: { ...economics, marketingCost: () => Number.NaN } }),
    ).toThrow(/marketingCost/);
  });

  it('values a single conversion directly', () => {
    const valued = valueConversion(
      {
        referrerId: 'ann',
        referredCustomerId: 'f1',
        referralInteractionId: 'r',
        referredAt: new Date('2025-02-01'),
        purchaseInteractionId: 'p',
        convertedAt: new Date('2026-06-01'),
        amount: null,
        currency: null,
      },
      economics,
    );
    expect(valued).toMatchObject({ period: 2, shareWouldJoinAnyway: 0.2 });
    expect(valued.discountFactor).toBeCloseTo(1 / 1.21, 15);
    expect(valued.value).toBeCloseTo(85 / 1.21, 12);
  });
});
