import { randomInt, randomUUID } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/**
 * New record id: a UUIDv7 (RFC 9562), so ids sort by creation time and stores append to their
 * indexes instead of writing all over them. Ids made in one process are strictly increasing:
 * within a millisecond a 12-bit counter (starting at a random point) orders them, which keeps
 * "the older one" well defined for ties such as the survivor of an automatic merge. The 62 random
 * bits and the variant come from Node's pooled `randomUUID()`.
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
  const time = ms.toString(16).padStart(12, '0');
  // randomUUID() is xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: keep its variant and last 62 random bits.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${sequence.toString(16).padStart(3, '0')}-${randomUUID().slice(19)}`;
}
