import { type ErrorPath, RapportError } from '@rapport/core';

/** How the lab names itself in option errors. */
export const LAB = 'lab';

/** A `RAPPORT_INVALID_INPUT` error about a value the caller passed, with where it is and what to do. */
export function invalidInput(message: string, path: ErrorPath, hint: string, cause?: unknown): RapportError {
  return new RapportError('RAPPORT_INVALID_INPUT', message, {
    path,
    hint,
    ...(cause === undefined ? {} : { cause }),
  });
}
