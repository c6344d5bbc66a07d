/**
 * The smallest string greater than every string that starts with `prefix`, or null when there is
 * none (only U+10FFFF characters). Every text column is `COLLATE "C"`, which compares UTF-8 bytes and so orders like code
 * points: `value >= prefix AND value < upper` is exactly "starts with" and uses a plain btree index.
 */
export function prefixUpperBound(prefix: string): string | null {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Surrogate code points cannot be stored, so the successor of U+D7FF is U+E000.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return codePoints.join('') + String.fromCodePoint(next);
    }
  }
  return null;
}
