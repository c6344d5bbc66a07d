import { RapportError } from '../errors/rapport-error.js';

/**
 * A store used before `init` or after `close`, as every first-party store reports it. For store
 * authors: `plugin` is the plugin id, `factory` the function that makes a new store.
 */
export function storeNotOpen(
  plugin: string,
  factory: string,
  operation: string,
  state: 'new' | 'closed',
): RapportError {
  return new RapportError(
    'RAPPORT_NOT_STARTED',
    state === 'new'
      ? `${plugin} storage: ${operation}() called before init()`
      : `${plugin} storage: ${operation}() called after close()`,
    {
      hint:
        state === 'new'
          ? 'Start the store first: `await storage.init(context)` (the Rapport runtime does this on start).'
          : `The store is closed; create a new one with \`${factory}(options)\` and init it.`,
      plugin,
    },
  );
}

/** A unit of work used after it committed or rolled back. For store authors. */
export function unitOfWorkFinished(plugin: string, operation: string): RapportError {
  return new RapportError(
    'RAPPORT_STORAGE_FAILED',
    `${plugin} storage: ${operation}() called on a finished unit of work`,
    {
      hint: 'Use the unit of work only inside the `work` function, and await every call before it returns.',
      plugin,
    },
  );
}
