import { DateTime, Duration } from 'luxon';

/**
 * A parsed duration. Fixed durations (weeks, days, hours, minutes, seconds) are a number of
 * milliseconds, a day being 24 hours. With a time zone, or with months and years, a duration is
 * calendar arithmetic: "P1D in Europe/Paris" is 23 hours on the day clocks go forward.
 */
export interface ParsedDuration {
  /** The text as written in the rule. */
  readonly source: string;
  /** Length in milliseconds when it is fixed; null when it needs calendar arithmetic. */
  readonly fixedMs: number | null;
  /** The instant this duration before `at`. */
  before(at: number): number;
  /** The instant this duration after `at`. */
  after(at: number): number;
}

const SHORTHAND = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;
const SHORTHAND_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses `30m`, `24h`, `90d`, `2w` or ISO 8601 (`PT30M`, `P1D`, `P1M`). Returns a message
 * instead when the text is not a positive duration or the time zone is unknown.
 */
export function parseDuration(text: string, timeZone?: string): ParsedDuration | string {
  if (timeZone !== undefined && !DateTime.now().setZone(timeZone).isValid) {
    return `unknown time zone "${timeZone}" (use an IANA name such as "Europe/Paris" or "UTC")`;
  }
  const short = SHORTHAND.exec(text.trim());
  const duration = short
    ? Duration.fromMillis(Number(short[1]) * SHORTHAND_MS[short[2]!]!)
    : Duration.fromISO(text.trim());
  if (!duration.isValid) {
    return `"${text}" is not a duration (use 30m, 24h, 90d, 2w or ISO 8601 such as PT30M, P1D)`;
  }
  const ms = duration.as('milliseconds');
  if (!(ms > 0)) return `"${text}" must be longer than zero`;
  const calendar =
    timeZone !== undefined || duration.months > 0 || duration.years > 0 || duration.quarters > 0;
  if (!calendar) {
    return {
      source: text,
      fixedMs: ms,
      before: (at) => at - ms,
      after: (at) => at + ms,
    };
  }
  const zone = timeZone ?? 'UTC';
  return {
    source: text,
    fixedMs: null,
    before: (at) => DateTime.fromMillis(at, { zone }).minus(duration).toMillis(),
    after: (at) => DateTime.fromMillis(at, { zone }).plus(duration).toMillis(),
  };
}

/** Epoch milliseconds of a Date, an ISO 8601 string or a number; NaN for anything else. */
export function toEpochMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Date.parse(value);
  return Number.NaN;
}
