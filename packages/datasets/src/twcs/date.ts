const months: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const twitterDate =
  /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/;

/**
 * Parses Twitter's classic `created_at` format (`Tue Oct 31 22:10:47 +0000 2017`) into an ISO
 * 8601 UTC string, or returns undefined when the value is not in that format. Parsed by hand
 * because `Date.parse` of this format is implementation-defined.
 */
export function parseTwitterDate(value: string): string | undefined {
  const match = twitterDate.exec(value.trim());
  if (!match) return undefined;
  const [, mon, day, hh, mm, ss, sign, offH, offM, year] = match;
  const month = months[mon!];
  if (month === undefined) return undefined;
  const d = Number(day);
  const h = Number(hh);
  const mi = Number(mm);
  const s = Number(ss);
  if (d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  // Date.UTC rolls 31 Feb over into March; a rolled-over day means the input was not a date.
  if (new Date(Date.UTC(Number(year), month, d)).getUTCDate() !== d) return undefined;
  const offset = (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  return new Date(Date.UTC(Number(year), month, d, h, mi, s) - offset * 60_000).toISOString();
}
