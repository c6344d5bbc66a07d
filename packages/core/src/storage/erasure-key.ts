import { createHash } from 'node:crypto';
import type { IdentityKey } from '../domain/identity.js';

/** SHA-256 of the identity key, so an erased identity can be recognised but not read back. */
export function erasureKey(key: IdentityKey): string {
  return createHash('sha256').update(`${key.channel}\u0000${key.externalId}`).digest('hex');
}
