import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { RapportError } from '../errors/rapport-error.js';
import { type HintTable, validationError } from '../errors/validation.js';

/** Days of the week as keys of {@link BusinessCalendar.hours}, Monday first (ISO order). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A day of the week: `mon` … `sun`. */
export type Weekday = (typeof WEEKDAYS)[number];

const MINUTES_PER_DAY = 1440;
const TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Minutes after local midnight of an `HH:MM` text already checked against {@link TIME}. */
const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const timeSchema = z
  .string()
  .regex(TIME, { message: 'must be a local time "HH:MM" between "00:00" and "24:00"' });

const intervalSchema = z
  .tuple([timeSchema, timeSchema])
  .refine(([start, end]) => minutesOf(end) > minutesOf(start), {
    message: 'the end of an interval must come after its start',
  });

const daySchema = z.array(intervalSchema).superRefine((intervals, ctx) => {
  for (let i = 1; i < intervals.length; i++) {
    if (minutesOf(intervals[i]![0]) < minutesOf(intervals[i - 1]![1])) {
      ctx.addIssue({
        code: 'custom',
        path: [i],
        message: 'intervals must be sorted by start and must not overlap',
      });
    }
  }
});

const hoursSchema = z.strictObject(
  Object.fromEntries(WEEKDAYS.map((day) => [day, daySchema.optional()])) as Record<
    Weekday,
    z.ZodOptional<typeof daySchema>
  >,
);

/**
 * When a business is open, in one IANA time zone.
 *
 * - `timeZone`: an IANA name such as `Europe/Berlin` or `UTC`; every time and date below is
 *   local to it, so opening hours follow daylight-saving changes.
 * - `hours`: for each day (`mon` … `sun`), the open intervals as `["09:00", "17:30"]` pairs,
 *   sorted and not overlapping; `"24:00"` ends an interval at midnight. A day that is absent or
 *   empty is closed. At least one day must have open time.
 * - `holidays`: local dates (`YYYY-MM-DD`) closed all day.
 */
export const businessCalendarSchema = z
  .strictObject({
    timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), {
      message: 'is not a known IANA time zone',
    }),
    hours: hoursSchema,
    holidays: z
      .array(
        z
          .string()
          .regex(LOCAL_DATE, { message: 'must be a local date "YYYY-MM-DD"' })
          .refine((date) => DateTime.fromISO(date, { zone: 'UTC' }).isValid, {
            message: 'is not a calendar date',
          }),
      )
      .optional(),
  })
  .superRefine((calendar, ctx) => {
    const open = WEEKDAYS.some((day) => (calendar.hours[day]?.length ?? 0) > 0);
    if (!open) ctx.addIssue({ code: 'custom', path: ['hours'], message: 'the calendar has no open time' });
  });

/** Opening hours and holidays in one time zone; see {@link businessCalendarSchema}. */
export type BusinessCalendar = z.output<typeof businessCalendarSchema>;

/**
 * Open around the clock, every day. Passing `null` where a calendar is expected means the same.
 * Treat it as read-only.
 */
export const ALWAYS_OPEN: BusinessCalendar = {
  timeZone: 'UTC',
  hours: Object.fromEntries(WEEKDAYS.map((day) => [day, [['00:00', '24:00']]])) as BusinessCalendar['hours'],
};

/** Hints for calendar issues, keyed by dotted path (array indexes removed) under `prefix`. */
export function businessCalendarHints(prefix = ''): HintTable {
  const hints: Record<string, string> = {
    [`${prefix}timeZone`]: 'use an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"',
    [`${prefix}hours`]:
      'give open intervals for at least one day, keyed mon … sun, e.g. { "mon": [["09:00", "17:00"]] }',
    [`${prefix}holidays`]: 'list closed days as local dates "YYYY-MM-DD", e.g. "2024-12-25"',
  };
  for (const day of WEEKDAYS) {
    hints[`${prefix}hours.${day}`] =
      'give [start, end] pairs of local times "HH:MM" (end after start, up to "24:00"), sorted and not overlapping';
  }
  return hints;
}

const CALENDAR_HINTS = businessCalendarHints();

/** A calendar prepared for arithmetic: intervals in minutes, indexed by ISO weekday − 1. */
interface CompiledCalendar {
  zone: IANAZone;
  days: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  /** Holidays as day numbers (days since 1970-01-01 in local dates). */
  holidays: ReadonlySet<number>;
  /** More consecutive closed days than this means the calendar never opens. */
  maxClosedRun: number;
  /** Open intervals (epoch ms) by day number, most recently computed last. */
  dayCache: Map<number, ReadonlyArray<readonly [number, number]>>;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
// SLA deadlines of cases opened close together fall on the same few days; a bounded cache of
// computed days spares the time-zone lookups for them.
const DAY_CACHE_SIZE = 512;

// Calendars are values read many times (one per SLA clock); validating and compiling once per
// object keeps the per-call cost to the day walk itself. Treat a calendar as immutable once used.
const compiled = new WeakMap<BusinessCalendar, CompiledCalendar>();

function compile(calendar: BusinessCalendar): CompiledCalendar {
  const cached = compiled.get(calendar);
  if (cached) return cached;
  // Calendars can be built by hand, so they are checked here too: a bad zone or time would
  // otherwise turn into NaN instants and a walk that never ends.
  const parsed = businessCalendarSchema.safeParse(calendar);
  if (!parsed.success) {
    throw validationError('RAPPORT_INVALID_OPTIONS', 'business calendar', parsed.error, CALENDAR_HINTS);
  }
  const holidays = new Set((parsed.data.holidays ?? []).map((date) => Date.parse(date) / DAY_MS));
  const result: CompiledCalendar = {
    zone: IANAZone.create(parsed.data.timeZone),
    days: WEEKDAYS.map((day) =>
      (parsed.data.hours[day] ?? []).map(([start, end]) => [minutesOf(start), minutesOf(end)] as const),
    ),
    holidays,
    // Every 7 consecutive closed days hold an opening day that is a holiday, so a run longer than
    // 7 × (holidays + 1) is impossible; the extra week covers days lost to clock changes.
    maxClosedRun: 7 * (holidays.size + 2),
    dayCache: new Map(),
  };
  compiled.set(calendar, result);
  return result;
}

const offsetMs = (zone: IANAZone, instant: number): number => zone.offset(instant) * MINUTE_MS;

/**
 * The instant a local wall-clock time (given as epoch ms of the same fields in UTC) happens.
 * A time that happens twice (clocks went back) takes its first instant; a time that does not
 * happen (clocks went forward) moves forward by the gap, so "02:30" on a spring-forward night at
 * 02:00 is 03:30. The choice depends only on the zone, never on the current date.
 */
function wallToInstant(zone: IANAZone, wall: number): number {
  // Offsets change at most once within a day around any instant in practice, so the offsets a
  // day before, at and a day after the wall time read as UTC cover every candidate.
  const candidates = new Set([
    offsetMs(zone, wall - DAY_MS),
    offsetMs(zone, wall),
    offsetMs(zone, wall + DAY_MS),
  ]);
  let best = Number.POSITIVE_INFINITY;
  for (const offset of candidates) {
    const instant = wall - offset;
    if (instant < best && offsetMs(zone, instant) === offset) best = instant;
  }
  // No candidate fits: the time is in a gap, which only a forward change (larger offset) makes;
  // the smaller offset, the one before the change, places it after the gap.
  return Number.isFinite(best) ? best : wall - Math.min(...candidates);
}

/** The open intervals (epoch ms) of a local day, sorted and disjoint; empty when closed. */
function dayIntervals(calendar: CompiledCalendar, day: number): ReadonlyArray<readonly [number, number]> {
  const cached = calendar.dayCache.get(day);
  if (cached) return cached;
  const intervals: Array<readonly [number, number]> = [];
  // 1970-01-01, day 0, was a Thursday: index 3 when Monday is 0.
  const spec = calendar.holidays.has(day) ? [] : calendar.days[(((day + 3) % 7) + 7) % 7]!;
  if (spec.length > 0) {
    const base = day * DAY_MS;
    // Most days are far from a clock change: when the offset is the same a day before and a day
    // after, every local time of the day has that offset, and two lookups serve the whole day.
    const before = offsetMs(calendar.zone, base - DAY_MS);
    const steady = before === offsetMs(calendar.zone, base + 2 * DAY_MS);
    const instant = (minutes: number) =>
      steady ? base + minutes * MINUTE_MS - before : wallToInstant(calendar.zone, base + minutes * MINUTE_MS);
    const dayStart = instant(0);
    const dayEnd = instant(MINUTES_PER_DAY);
    let covered = dayStart;
    for (const [start, end] of spec) {
      // Clipping to what is already covered keeps intervals disjoint when a clock change maps a
      // later local time to an earlier instant, and to the day keeps a date that a zone skipped
      // entirely (Pacific/Apia, 2011-12-30) without open time.
      const from = Math.max(instant(start), covered);
      const to = Math.min(instant(end), dayEnd);
      if (to <= from) continue;
      intervals.push([from, to]);
      covered = to;
    }
  }
  if (calendar.dayCache.size >= DAY_CACHE_SIZE) {
    calendar.dayCache.delete(calendar.dayCache.keys().next().value as number);
  }
  calendar.dayCache.set(day, intervals);
  return intervals;
}

function noOpenTime(): RapportError {
  return new RapportError('RAPPORT_INVALID_OPTIONS', 'The business calendar never opens', {
    path: ['hours'],
    hint: CALENDAR_HINTS.hours,
  });
}

/**
 * The open intervals `[from, to)` in epoch ms, in order and disjoint, starting with the one that
 * contains or follows `fromMs` (clipped to start at `fromMs`). Endless; callers stop it.
 */
function* openIntervals(calendar: CompiledCalendar, fromMs: number): Generator<readonly [number, number]> {
  let day = Math.floor((fromMs + offsetMs(calendar.zone, fromMs)) / DAY_MS);
  let covered = fromMs;
  let closedRun = 0;
  for (;;) {
    let opened = false;
    for (const [start, end] of dayIntervals(calendar, day)) {
      const from = Math.max(start, covered);
      if (end <= from) continue;
      opened = true;
      covered = end;
      yield [from, end];
    }
    closedRun = opened ? 0 : closedRun + 1;
    if (closedRun > calendar.maxClosedRun) throw noOpenTime();
    day++;
  }
}

function checkInstant(value: Date, name: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new RapportError('RAPPORT_INVALID_INPUT', `${name} is not a valid Date`, {
      path: [name],
      hint: `pass \`${name}\` as a Date with a valid time`,
    });
  }
  return ms;
}

/**
 * The instant at which `durationMs` of open time has passed after `start`.
 *
 * Counting starts at `start` when the calendar is open then, otherwise at its next opening.
 * Open time is real elapsed time, so a local 09:00–17:00 day gives 8 hours even on a day with 23
 * or 25 hours; a local time that happens twice counts at its first instant, and one that a clock
 * change skips counts at the end of the gap. When the duration runs out exactly at a closing time,
 * that closing time is the answer (not the next opening). A `null` calendar is open around the
 * clock. A duration of 0 gives `start` back.
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` when the calendar is invalid or never open;
 *   `RAPPORT_INVALID_INPUT` when `start` is not a valid Date or `durationMs` is negative or not finite.
 */
export function addBusinessTime(calendar: BusinessCalendar | null, start: Date, durationMs: number): Date {
  const startMs = checkInstant(start, 'start');
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new RapportError(
      'RAPPORT_INVALID_INPUT',
      `durationMs must be a finite number ≥ 0, got ${durationMs}`,
      {
        path: ['durationMs'],
        hint: 'pass the open time to add in milliseconds, 0 or more',
      },
    );
  }
  if (calendar === null || calendar === ALWAYS_OPEN) return new Date(startMs + durationMs);
  const prepared = compile(calendar);
  if (durationMs === 0) return new Date(startMs);
  let remaining = durationMs;
  for (const [from, to] of openIntervals(prepared, startMs)) {
    const available = to - from;
    if (remaining <= available) return new Date(from + remaining);
    remaining -= available;
  }
  throw noOpenTime();
}

/**
 * The open time, in milliseconds, between two instants: 0 when `to` is not after `from`. For
 * any `d ≥ 0`, `businessTimeBetween(c, s, addBusinessTime(c, s, d))` is `d`.
 *
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` when the calendar is invalid;
 *   `RAPPORT_INVALID_INPUT` when an instant is not a valid Date.
 */
export function businessTimeBetween(calendar: BusinessCalendar | null, from: Date, to: Date): number {
  const fromMs = checkInstant(from, 'from');
  const toMs = checkInstant(to, 'to');
  if (calendar === null || calendar === ALWAYS_OPEN) return Math.max(0, toMs - fromMs);
  const prepared = compile(calendar);
  if (toMs <= fromMs) return 0;
  let total = 0;
  for (const [start, end] of openIntervals(prepared, fromMs)) {
    if (start >= toMs) break;
    total += Math.min(end, toMs) - start;
  }
  return total;
}

/**
 * Checks a calendar and returns it typed, or throws `RAPPORT_INVALID_OPTIONS` with the path of
 * the first problem and a hint.
 */
export function parseBusinessCalendar(input: unknown): BusinessCalendar {
  const parsed = businessCalendarSchema.safeParse(input);
  if (!parsed.success) {
    throw validationError('RAPPORT_INVALID_OPTIONS', 'business calendar', parsed.error, CALENDAR_HINTS);
  }
  return parsed.data;
}
