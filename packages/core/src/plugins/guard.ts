import { isRapportError, RapportError } from '../errors/rapport-error.js';

/** The kinds of plugin, as named in errors. */
export type PluginKind = 'storage' | 'channel' | 'scoring' | 'bus';

/** Builds the error for a failed plugin call, naming plugin and method and keeping the cause. */
export function pluginFailure(kind: PluginKind, id: string, method: string, cause: unknown): RapportError {
  if (isRapportError(cause) && cause.plugin !== undefined) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (isRapportError(cause)) {
    return new RapportError(cause.code, `${kind} plugin "${id}" failed in ${method}: ${detail}`, {
      cause,
      plugin: id,
      path: cause.path,
      hint: cause.hint,
      retryable: cause.retryable,
      issues: cause.issues,
    });
  }
  return new RapportError('RAPPORT_PLUGIN_FAILED', `${kind} plugin "${id}" failed in ${method}: ${detail}`, {
    cause,
    plugin: id,
  });
}

/**
 * Wraps every method of a plugin object so that what it throws (or rejects with) becomes a
 * {@link RapportError} naming the plugin and method, with the original error as `cause`.
 * Objects returned by methods listed in `nested` are wrapped too (a unit of work, a reader).
 */
export function guardPlugin<T extends object>(
  kind: PluginKind,
  id: string,
  target: T,
  nested: ReadonlyArray<string> = [],
): T {
  const wrapped: Record<string, unknown> = {};
  const source = target as Record<string, unknown>;
  const keys = new Set<string>();
  for (
    let proto: object | null = target;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const key of Object.getOwnPropertyNames(proto)) keys.add(key);
  }
  for (const key of keys) {
    if (key === 'constructor') continue;
    const value = source[key];
    if (typeof value !== 'function') {
      Object.defineProperty(wrapped, key, { get: () => source[key], enumerable: true });
      continue;
    }
    const fn = value as (...args: unknown[]) => unknown;
    const wrapResult = nested.includes(key);
    wrapped[key] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = fn.apply(target, args);
      } catch (cause) {
        throw pluginFailure(kind, id, key, cause);
      }
      if (result instanceof Promise) {
        return result.then(
          (v) => (wrapResult && v && typeof v === 'object' ? guardPlugin(kind, id, v as object) : v),
          (cause) => {
            throw pluginFailure(kind, id, key, cause);
          },
        );
      }
      return wrapResult && result && typeof result === 'object'
        ? guardPlugin(kind, id, result as object)
        : result;
    };
  }
  return wrapped as T;
}
