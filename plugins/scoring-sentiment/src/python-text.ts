/**
 * The few Python `str` behaviours VADER's results depend on, reproduced exactly. JavaScript's
 * built-ins differ from Python's at the edges (`\s` includes U+FEFF but not U+001C–U+001F or
 * U+0085, `length` counts UTF-16 units, `toFixed` breaks ties upwards), and each of those edges
 * changes a score somewhere.
 */

/** Characters for which Python's `str.isspace()` is true (what `str.split()` splits on). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: Python counts U+001C–U+001F as whitespace
const PYTHON_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Python's `text.split()`: runs of whitespace separate words; no empty words. */
export function splitWords(text: string): string[] {
  const parts = text.split(PYTHON_WHITESPACE);
  // Only the ends can be empty (leading or trailing whitespace).
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length > 0 && parts[0] === '') parts.shift();
  return parts;
}

/** `string.punctuation`: ASCII punctuation, by char code. */
const PUNCTUATION = new Uint8Array(128);
for (const ch of '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~') PUNCTUATION[ch.charCodeAt(0)] = 1;

function isPunctuation(code: number): boolean {
  return code < 128 && PUNCTUATION[code] === 1;
}

/**
 * VADER's `_strip_punc_if_word`: strips leading and trailing ASCII punctuation, unless that leaves
 * two characters or fewer (then the token is probably an emoticon, such as `:)`, and stays whole).
 */
export function stripPunctuationIfWord(token: string): string {
  let start = 0;
  let end = token.length;
  while (start < end && isPunctuation(token.charCodeAt(start))) start++;
  while (end > start && isPunctuation(token.charCodeAt(end - 1))) end--;
  const length = end - start;
  if (length <= 2) return token;
  // Python counts code points: three or four UTF-16 units may be only two characters.
  if (length <= 4 && codePointCount(token, start, end) <= 2) return token;
  return start === 0 && end === token.length ? token : token.slice(start, end);
}

function codePointCount(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < end) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

const LOWER_OR_TITLE = /[\p{Lowercase}\p{Lt}]/u;
const UPPER = /\p{Uppercase}/u;

/**
 * Python's `str.isupper()`: at least one cased character, and no lowercase or titlecase one. The
 * Unicode case properties come from the JavaScript engine, so characters whose properties changed
 * between Unicode versions may differ from a given Python build.
 */
export function isUpper(text: string): boolean {
  let cased = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128) return !LOWER_OR_TITLE.test(text) && UPPER.test(text);
    if (code >= 97 && code <= 122) return false;
    if (code >= 65 && code <= 90) cased = true;
  }
  return cased;
}

/** Counts occurrences of one character in `text` (Python's `str.count` for a single character). */
export function countChar(text: string, ch: string): number {
  let count = 0;
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) count++;
  return count;
}

const POWERS_OF_TEN = [1, 10, 100, 1000, 10000, 100000];
// Decimal digits beyond the rounding position that decide whether a double is an exact tie: a
// double near a tie k + 0.5 (scaled) differs from it by at least 2^-64 of a unit, far above 10^-25.
const TIE_DIGITS = 25;
const EXACT_TIE_TAIL = '5'.padEnd(TIE_DIGITS, '0');

/**
 * Python's `round(x, digits)` for 0 ≤ digits ≤ 5: correctly rounded from the exact binary value,
 * with exact ties going to the even neighbour (`round(0.0625, 3)` is 0.062, where `toFixed`
 * gives 0.063). Returns +0 rather than −0.
 */
export function pythonRound(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const scale = POWERS_OF_TEN[digits]!;
  const magnitude = Math.abs(x);
  const scaled = magnitude * scale;
  const fraction = scaled - Math.floor(scaled);
  let rounded: number;
  if (Math.abs(fraction - 0.5) > 1e-6 && scaled < 2 ** 52) {
    // Far from a tie, the error of `magnitude * scale` cannot change the nearest integer.
    rounded = Math.round(scaled) / scale;
  } else {
    // Near a tie: decide from the exact decimal expansion of the double.
    const wide = magnitude.toFixed(digits + TIE_DIGITS);
    const kept = wide.slice(0, wide.length - TIE_DIGITS);
    if (wide.endsWith(EXACT_TIE_TAIL)) {
      const lastDigit = kept.charCodeAt(kept.length - 1) - 48;
      rounded = lastDigit % 2 === 0 ? Number(kept) : Number(magnitude.toFixed(digits));
    } else {
      rounded = Number(magnitude.toFixed(digits));
    }
  }
  return x < 0 ? 0 - rounded : rounded;
}
