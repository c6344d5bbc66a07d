/** A value or a promise of it: stores may answer synchronously (SQLite) or not (Postgres). */
export type MaybePromise<T> = T | Promise<T>;

/** Fields every Rapport plugin carries. Plugins are plain objects made by factories. */
export interface PluginBase<Spec extends string, Capabilities> {
  /** Stable id, such as `sqlite` or `email`. */
  readonly id: string;
  /** The plugin's own version (semver). */
  readonly version: string;
  /** The contract version it implements, such as `rapport.storage/v1`. */
  readonly specVersion: Spec;
  /** What the plugin can do, as data the host checks at start-up. */
  readonly capabilities: Capabilities;
}

/** Logger handed to plugins. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A clock, so tests can control time. */
export interface Clock {
  now(): Date;
}

/** Services the host hands to a plugin when it starts. */
export interface PluginContext {
  logger: Logger;
  clock: Clock;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };
