import { randomUUID } from 'node:crypto';

/**
 * New record id: a UUIDv7 (RFC 9562), so ids sort by creation time and stores append to their
 * indexes instead of writing all over them. Built from Node's pooled `randomUUID()` with the
 * millisecond timestamp put in front: the random bits and the variant stay, the version becomes 7.
 */
export function newId(): string {
  const ms = Date.now().toString(16).padStart(12, '0');
  const random = randomUUID();
  // random is xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx; keep everything after its version digit.
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${random.slice(15)}`;
}
