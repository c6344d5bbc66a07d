import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  ALWAYS_OPEN,
  addBusinessTime,
  type BusinessCalendar,
  businessCalendarSchema,
  businessTimeBetween,
  parseBusinessCalendar,
} from '../../src/cases/index.js';
import { isRapportError, type RapportError } from '../../src/index.js';

const H = 3_600_000;
const M = 60_000;
const DAY = 24 * H;

/** The instant of a local wall-clock time in a zone. */
const local = (iso: string, zone: string): Date => {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) throw new Error(`bad test time ${iso}`);
  return dt.toJSDate();
};

const nineToFive: Array<[string, string]> = [['09:00', '17:00']];
const weekdays = (zone: string, holidays: string[] = []): BusinessCalendar => ({
  timeZone: zone,
  hours: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
  holidays,
});
const everyDay = (zone: string, intervals: Array<[string, string]>, holidays: string[] = []) =>
  ({
    timeZone: zone,
    hours: {
      mon: intervals,
      tue: intervals,
      wed: intervals,
      thu: intervals,
      fri: intervals,
      sat: intervals,
      sun: intervals,
    },
    holidays,
  }) satisfies BusinessCalendar;

function thrown(fn: () => unknown): RapportError {
  try {
    fn();
  } catch (error) {
    if (isRapportError(error)) return error;
    throw error;
  }
  throw new Error('expected a RapportError');
}

describe('addBusinessTime and businessTimeBetween', () => {
  it('without a calendar (or with ALWAYS_OPEN) add plain elapsed time', () => {
    const start = new Date(Date.UTC(2024, 2, 30, 22, 0));
    expect(addBusinessTime(null, start, 5 * H)).toEqual(new Date(start.getTime() + 5 * H));
    expect(addBusinessTime(ALWAYS_OPEN, start, 5 * H)).toEqual(new Date(start.getTime() + 5 * H));
    expect(businessTimeBetween(null, start, new Date(start.getTime() + 7 * M))).toBe(7 * M);
    expect(businessTimeBetween(ALWAYS_OPEN, start, new Date(start.getTime() - 7 * M))).toBe(0);
  });

  it('counts open time within one day and across a lunch break', () => {
    const cal = everyDay('Europe/Berlin', [
      ['09:00', '12:00'],
      ['13:00', '17:30'],
    ]);
    const start = local('2024-01-08T10:00', 'Europe/Berlin');
    expect(addBusinessTime(cal, start, 2 * H)).toEqual(local('2024-01-08T12:00', 'Europe/Berlin'));
    expect(addBusinessTime(cal, start, 3 * H)).toEqual(local('2024-01-08T14:00', 'Europe/Berlin'));
    expect(businessTimeBetween(cal, start, local('2024-01-08T14:00', 'Europe/Berlin'))).toBe(3 * H);
    expect(
      businessTimeBetween(
        cal,
        local('2024-01-08T00:00', 'Europe/Berlin'),
        local('2024-01-09T00:00', 'Europe/Berlin'),
      ),
    ).toBe(7.5 * H);
  });

  it('starts counting at the next opening when it starts in closed time', () => {
    const cal = weekdays('Europe/Berlin');
    // Monday before opening.
    expect(addBusinessTime(cal, local('2024-01-08T07:00', 'Europe/Berlin'), H)).toEqual(
      local('2024-01-08T10:00', 'Europe/Berlin'),
    );
    // Saturday: nothing until Monday.
    expect(addBusinessTime(cal, local('2024-01-13T11:00', 'Europe/Berlin'), 30 * M)).toEqual(
      local('2024-01-15T09:30', 'Europe/Berlin'),
    );
    // Friday after closing.
    expect(addBusinessTime(cal, local('2024-01-12T18:00', 'Europe/Berlin'), H)).toEqual(
      local('2024-01-15T10:00', 'Europe/Berlin'),
    );
    expect(
      businessTimeBetween(
        cal,
        local('2024-01-13T00:00', 'Europe/Berlin'),
        local('2024-01-15T09:00', 'Europe/Berlin'),
      ),
    ).toBe(0);
  });

  it('ends at the closing time when the duration runs out exactly then, and spans many days', () => {
    const cal = weekdays('Europe/Berlin');
    const monday = local('2024-01-08T09:00', 'Europe/Berlin');
    expect(addBusinessTime(cal, monday, 8 * H)).toEqual(local('2024-01-08T17:00', 'Europe/Berlin'));
    expect(addBusinessTime(cal, monday, 40 * H)).toEqual(local('2024-01-12T17:00', 'Europe/Berlin'));
    expect(addBusinessTime(cal, monday, 41 * H)).toEqual(local('2024-01-15T10:00', 'Europe/Berlin'));
    // Four weeks of business time.
    expect(addBusinessTime(cal, monday, 160 * H)).toEqual(local('2024-02-02T17:00', 'Europe/Berlin'));
    expect(businessTimeBetween(cal, monday, local('2024-02-02T17:00', 'Europe/Berlin'))).toBe(160 * H);
  });

  it('gives back start for a zero duration and refuses negative durations or invalid dates', () => {
    const cal = weekdays('Europe/Berlin');
    const saturday = local('2024-01-13T11:00', 'Europe/Berlin');
    expect(addBusinessTime(cal, saturday, 0)).toEqual(saturday);
    expect(thrown(() => addBusinessTime(cal, saturday, -1)).code).toBe('RAPPORT_INVALID_INPUT');
    expect(thrown(() => addBusinessTime(cal, saturday, Number.NaN)).code).toBe('RAPPORT_INVALID_INPUT');
    expect(thrown(() => addBusinessTime(cal, new Date(Number.NaN), H)).path).toEqual(['start']);
    expect(thrown(() => businessTimeBetween(cal, saturday, new Date('nope'))).path).toEqual(['to']);
  });

  it('keeps a local 9-to-5 day at 8 hours across the Europe/Berlin DST changes', () => {
    const sundays = {
      timeZone: 'Europe/Berlin',
      hours: { sun: nineToFive },
    } satisfies BusinessCalendar;
    // 2024-03-31: clocks go from 02:00 to 03:00 (a 23-hour day).
    const spring = local('2024-03-31T00:00', 'Europe/Berlin');
    expect(addBusinessTime(sundays, spring, 8 * H)).toEqual(local('2024-03-31T17:00', 'Europe/Berlin'));
    expect(addBusinessTime(sundays, spring, 8 * H)).toEqual(new Date('2024-03-31T15:00:00Z'));
    // 2024-10-27: clocks go from 03:00 back to 02:00 (a 25-hour day).
    const autumn = local('2024-10-27T00:00', 'Europe/Berlin');
    expect(addBusinessTime(sundays, autumn, 8 * H)).toEqual(new Date('2024-10-27T16:00:00Z'));
    expect(businessTimeBetween(sundays, autumn, local('2024-10-28T00:00', 'Europe/Berlin'))).toBe(8 * H);
  });

  it('counts the real length of open time that spans a clock change', () => {
    const allDay = everyDay('Europe/Berlin', [['00:00', '24:00']]);
    const midnight = (date: string) => local(`${date}T00:00`, 'Europe/Berlin');
    const springStart = midnight('2024-03-31');
    expect(businessTimeBetween(allDay, springStart, midnight('2024-04-01'))).toBe(23 * H);
    expect(businessTimeBetween(allDay, midnight('2024-10-27'), midnight('2024-10-28'))).toBe(25 * H);
    // A night shift 00:00–06:00 on the short night has 5 hours.
    const nights = everyDay('Europe/Berlin', [['00:00', '06:00']]);
    expect(businessTimeBetween(nights, springStart, midnight('2024-04-01'))).toBe(5 * H);
    expect(addBusinessTime(nights, springStart, 5 * H)).toEqual(local('2024-03-31T06:00', 'Europe/Berlin'));
    expect(addBusinessTime(nights, springStart, 6 * H)).toEqual(local('2024-04-01T01:00', 'Europe/Berlin'));
  });

  it('opens a local time that happens twice at its first instant, and one in a gap after the gap', () => {
    const cal = everyDay('Europe/Berlin', [['02:30', '04:00']]);
    const midnight = (date: string) => local(`${date}T00:00`, 'Europe/Berlin');
    // 2024-10-27: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET); 04:00 CET is 03:00Z.
    expect(businessTimeBetween(cal, midnight('2024-10-27'), midnight('2024-10-28'))).toBe(2.5 * H);
    expect(addBusinessTime(cal, midnight('2024-10-27'), M)).toEqual(new Date('2024-10-27T00:31:00Z'));
    // 2024-03-31: 02:30 does not exist, so the day opens at 03:30 CEST (01:30Z) until 04:00 CEST.
    expect(businessTimeBetween(cal, midnight('2024-03-31'), midnight('2024-04-01'))).toBe(30 * M);
    expect(addBusinessTime(cal, midnight('2024-03-31'), M)).toEqual(new Date('2024-03-31T01:31:00Z'));
  });

  it('skips holidays and the Easter weekend across the Berlin spring change', () => {
    // Good Friday 2024-03-29 and Easter Monday 2024-04-01 are holidays; clocks change on the Sunday.
    const cal = weekdays('Europe/Berlin', ['2024-03-29', '2024-04-01']);
    const thursday = local('2024-03-28T16:00', 'Europe/Berlin');
    const due = addBusinessTime(cal, thursday, 3 * H);
    expect(due).toEqual(local('2024-04-02T11:00', 'Europe/Berlin'));
    expect(due).toEqual(new Date('2024-04-02T09:00:00Z'));
    expect(businessTimeBetween(cal, thursday, due)).toBe(3 * H);
  });

  it('handles the America/New_York DST changes over a weekend', () => {
    const cal = weekdays('America/New_York');
    // Friday 2024-03-08 16:00 EST; clocks go forward on Sunday 2024-03-10.
    const friday = local('2024-03-08T16:00', 'America/New_York');
    const due = addBusinessTime(cal, friday, 2 * H);
    expect(due).toEqual(local('2024-03-11T10:00', 'America/New_York'));
    expect(due).toEqual(new Date('2024-03-11T14:00:00Z'));
    // Friday 2024-11-01 16:30 EDT; clocks go back on Sunday 2024-11-03.
    const autumn = addBusinessTime(cal, local('2024-11-01T16:30', 'America/New_York'), H);
    expect(autumn).toEqual(new Date('2024-11-04T14:30:00Z'));
    // A 24/7 calendar in New York: the spring Sunday has 23 hours, the autumn Sunday 25.
    const allDay = everyDay('America/New_York', [['00:00', '24:00']]);
    expect(
      businessTimeBetween(
        allDay,
        local('2024-03-10T00:00', 'America/New_York'),
        local('2024-03-11T00:00', 'America/New_York'),
      ),
    ).toBe(23 * H);
    expect(
      businessTimeBetween(
        allDay,
        local('2024-11-03T00:00', 'America/New_York'),
        local('2024-11-04T00:00', 'America/New_York'),
      ),
    ).toBe(25 * H);
  });

  it('takes holidays as local dates of the calendar’s zone', () => {
    const cal = everyDay('America/New_York', [['00:00', '24:00']], ['2024-07-04']);
    const start = local('2024-07-03T12:00', 'America/New_York');
    // 12 hours on July 3rd, July 4th closed, then on from midnight of July 5th (04:00Z).
    expect(addBusinessTime(cal, start, 13 * H)).toEqual(new Date('2024-07-05T05:00:00Z'));
    expect(businessTimeBetween(cal, start, local('2024-07-05T00:00', 'America/New_York'))).toBe(12 * H);
  });

  it('refuses a calendar with no open time, with a hint', () => {
    const closed = { timeZone: 'UTC', hours: {} } as BusinessCalendar;
    const error = thrown(() => addBusinessTime(closed, new Date(0), H));
    expect(error.code).toBe('RAPPORT_INVALID_OPTIONS');
    expect(error.hint).toMatch(/at least one day/);
    expect(error.jsonPath).toBe('$.hours');
    const empty = { timeZone: 'UTC', hours: { mon: [], tue: [] } } as BusinessCalendar;
    expect(thrown(() => businessTimeBetween(empty, new Date(0), new Date(DAY))).code).toBe(
      'RAPPORT_INVALID_OPTIONS',
    );
  });

  it('checks calendars built by hand before using them', () => {
    const badZone = { timeZone: 'Mars/Olympus', hours: { mon: nineToFive } } as BusinessCalendar;
    const error = thrown(() => addBusinessTime(badZone, new Date(0), H));
    expect(error.code).toBe('RAPPORT_INVALID_OPTIONS');
    expect(error.jsonPath).toBe('$.timeZone');
    expect(error.hint).toMatch(/IANA/);
  });
});

describe('businessCalendarSchema', () => {
  const issuePath = (input: unknown): string | undefined => {
    try {
      parseBusinessCalendar(input);
      return undefined;
    } catch (error) {
      if (!isRapportError(error, 'RAPPORT_INVALID_OPTIONS')) throw error;
      return error.jsonPath;
    }
  };

  it('accepts a valid calendar', () => {
    const cal = {
      timeZone: 'America/New_York',
      hours: {
        mon: [
          ['08:00', '12:00'],
          ['12:00', '17:30'],
        ],
        sat: [['10:00', '24:00']],
      },
      holidays: ['2024-12-25'],
    };
    expect(businessCalendarSchema.safeParse(cal).success).toBe(true);
    expect(parseBusinessCalendar(cal)).toEqual(cal);
  });

  it('refuses bad zones, times, intervals, days and dates with their path', () => {
    const base = { timeZone: 'UTC', hours: { mon: nineToFive } };
    expect(issuePath(base)).toBeUndefined();
    expect(issuePath({ ...base, timeZone: 'Berlin' })).toBe('$.timeZone');
    expect(issuePath({ ...base, hours: { mon: [['9:00', '17:00']] } })).toBe('$.hours.mon[0][0]');
    expect(issuePath({ ...base, hours: { mon: [['09:00', '24:30']] } })).toBe('$.hours.mon[0][1]');
    expect(issuePath({ ...base, hours: { mon: [['17:00', '09:00']] } })).toBe('$.hours.mon[0]');
    expect(issuePath({ ...base, hours: { mon: [['24:00', '24:00']] } })).toBe('$.hours.mon[0]');
    expect(
      issuePath({
        ...base,
        hours: {
          mon: [
            ['13:00', '17:00'],
            ['09:00', '12:00'],
          ],
        },
      }),
    ).toBe('$.hours.mon[1]');
    expect(
      issuePath({
        ...base,
        hours: {
          tue: [
            ['09:00', '13:00'],
            ['12:00', '17:00'],
          ],
        },
      }),
    ).toBe('$.hours.tue[1]');
    expect(issuePath({ ...base, hours: { monday: nineToFive } })).toBe('$.hours');
    expect(issuePath({ ...base, hours: {} })).toBe('$.hours');
    expect(issuePath({ ...base, holidays: ['2024-02-30'] })).toBe('$.holidays[0]');
    expect(issuePath({ ...base, holidays: ['25.12.2024'] })).toBe('$.holidays[0]');
  });
});

describe('businessTimeBetween is the inverse of addBusinessTime', () => {
  const zones = [
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'Australia/Lord_Howe',
    'America/Santiago',
    'Asia/Kolkata',
  ];
  const hhmm = (minutes: number) =>
    `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const dayArb = fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { maxLength: 6 }).map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const intervals: Array<[string, string]> = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) intervals.push([hhmm(sorted[i]!), hhmm(sorted[i + 1]!)]);
    return intervals;
  });
  const from2024 = Date.UTC(2024, 0, 1);
  const dateArb = fc
    .integer({ min: 0, max: 730 })
    .map((d) => new Date(from2024 + d * DAY).toISOString().slice(0, 10));
  const calendarArb: fc.Arbitrary<BusinessCalendar> = fc
    .record({
      timeZone: fc.constantFrom(...zones),
      hours: fc.record(
        { mon: dayArb, tue: dayArb, wed: dayArb, thu: dayArb, fri: dayArb, sat: dayArb, sun: dayArb },
        { requiredKeys: [] },
      ),
      holidays: fc.uniqueArray(dateArb, { maxLength: 30 }),
    })
    .filter((cal) => Object.values(cal.hours).some((day) => day.length > 0));
  const instantArb = fc.integer({ min: from2024, max: from2024 + 730 * DAY }).map((ms) => new Date(ms));
  const durationArb = fc.integer({ min: 0, max: 20 * DAY });

  it('the calendars generated are valid', () => {
    fc.assert(fc.property(calendarArb, (cal) => businessCalendarSchema.safeParse(cal).success));
  });

  it('businessTimeBetween(c, s, addBusinessTime(c, s, d)) = d', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationArb, (cal, start, duration) => {
        const end = addBusinessTime(cal, start, duration);
        expect(end.getTime()).toBeGreaterThanOrEqual(start.getTime());
        expect(businessTimeBetween(cal, start, end)).toBe(duration);
      }),
      { numRuns: 200 },
    );
  });

  it('adding the open time up to an instant never passes that instant, and is monotonic', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationArb, durationArb, (cal, start, a, b) => {
        const to = new Date(start.getTime() + a);
        const open = businessTimeBetween(cal, start, to);
        expect(open).toBeLessThanOrEqual(a);
        expect(addBusinessTime(cal, start, open).getTime()).toBeLessThanOrEqual(to.getTime());
        const [short, long] = a <= b ? [a, b] : [b, a];
        expect(addBusinessTime(cal, start, short).getTime()).toBeLessThanOrEqual(
          addBusinessTime(cal, start, long).getTime(),
        );
      }),
      { numRuns: 100 },
    );
  });
});
