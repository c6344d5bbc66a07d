import { type ErrorPath, RapportError } from '@rapport/core';

/** The plugin id, as errors and scores name it. */
export const PLUGIN = 'advocacy';

/** A bad value handed to one of this package's functions, as `RAPPORT_INVALID_INPUT`. */
export function invalidInput(message: string, path: ErrorPath, hint: string): RapportError {
  return new RapportError('RAPPORT_INVALID_INPUT', message, { path, hint, plugin: PLUGIN });
}
