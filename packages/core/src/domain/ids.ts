import { randomFillSync, randomInt } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/** Character codes of the hex digits. */
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = 0x2d;
const VERSION_7 = 0x37;

/**
 * The id being built, as character codes: `tttttttt-tttt-7sss-vrrr-rrrrrrrrrrrr`. The time part is
 * rewritten only when the millisecond changes (ids come in runs within one).
 */
const codes: number[] = new Array<number>(36).fill(0);
codes[8] = DASH;
codes[13] = DASH;
codes[14] = VERSION_7;
codes[18] = DASH;
codes[23] = DASH;
let codesMs = -1;

/** Random bytes drawn from the CSPRNG a few thousand at a time; 8 per id. */
const pool = new Uint8Array(8192);
let poolAt = pool.length;

/**
 * New record id: a UUIDv7 (RFC 9562), so ids sort by creation time and stores append to their
 * indexes instead of writing all over them. Ids made in one process are strictly increasing:
 * within a millisecond a 12-bit counter (starting at a random point) orders them, which keeps
 * "the older one" well defined for ties such as the survivor of an automatic merge. The other
 * 62 bits are random, from `crypto.randomFillSync`.
 *
 * The string is made in one piece from character codes: a flat string of 36 bytes, where gluing
 * hex parts together would leave a tree of fragments for the garbage collector (ingest makes
 * several ids per item and keeps them for the whole batch).
 */
export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    sequence++;
    if (sequence > 0xfff) {
      // Counter exhausted: borrow the next millisecond, as RFC 9562 allows.
      ms = ++lastMs;
      sequence = 0;
    }
  } else {
    lastMs = ms;
    sequence = randomInt(0x800);
  }
  if (ms !== codesMs) {
    codesMs = ms;
    // 48 bits of milliseconds as 12 hex digits, around the dash at 8.
    let time = ms;
    for (let i = 12; i >= 0; i--) {
      if (i === 8) continue;
      codes[i] = HEX[time % 16]!;
      time = Math.floor(time / 16);
    }
  }
  codes[15] = HEX[sequence >> 8]!;
  codes[16] = HEX[(sequence >> 4) & 0xf]!;
  codes[17] = HEX[sequence & 0xf]!;
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b0 = pool[poolAt]!;
  const b1 = pool[poolAt + 1]!;
  // The variant (binary 10) and 14 random bits, then 48 more.
  codes[19] = HEX[0x8 | (b0 >> 6)]!;
  codes[20] = HEX[(b0 >> 2) & 0xf]!;
  codes[21] = HEX[((b0 & 0x3) << 2) | (b1 >> 6)]!;
  codes[22] = HEX[(b1 >> 2) & 0xf]!;
  for (let i = 0; i < 6; i++) {
    const b = pool[poolAt + 2 + i]!;
    codes[24 + 2 * i] = HEX[b >> 4]!;
    codes[25 + 2 * i] = HEX[b & 0xf]!;
  }
  poolAt += 8;
  return String.fromCharCode.apply(null, codes);
}
