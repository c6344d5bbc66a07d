import { v7 as uuidv7 } from 'uuid';

/**
 * New record id: a UUIDv7, so ids sort by creation time and stores append to their indexes
 * instead of writing all over them.
 */
export function newId(): string {
  return uuidv7();
}
