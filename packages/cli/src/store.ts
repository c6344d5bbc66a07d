import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  createRapport,
  type InteractionKindRegistry,
  type Rapport,
  redactUrl,
  type StoragePlugin,
} from '@rapport/core';

export { redactUrl };

import { postgresStorage } from '@rapport/storage-postgres';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { CliError } from './errors.js';

/** The store file used when neither `--db` nor `--storage` is given. */
export const DEFAULT_DB = 'rapport.db';

/** Where the data is and which tenant to act on, as the command line gave them. */
export interface StoreOptions {
  /** `--db`: a SQLite file, relative to `cwd`. Ignored when `storage` is given. */
  db: string;
  /** `--storage`: a database URL (`postgres://…` or `postgresql://…`); takes the place of `db`. */
  storage?: string | undefined;
  /** `--tenant`. */
  tenant: string;
  /** Directory `db` is relative to. */
  cwd: string;
  /**
   * Read-only commands set this: opening a missing SQLite file would create an empty database and
   * report "no customers", which hides a mistyped path.
   */
  mustExist?: boolean;
  /** Custom interaction kinds the data uses (Stack Exchange imports). */
  kinds?: InteractionKindRegistry;
  /**
   * Rules to load (a rule file's content), for commands that evaluate them against the store
   * (`rules explain --interaction`). Timers are not polled (`timerPollMs: 0`).
   */
  rules?: unknown;
}

/** Where a store is, resolved: a SQLite file or a Postgres database (and schema). */
export type StoreLocation =
  | {
      kind: 'sqlite';
      /** Absolute path of the file. */
      filename: string;
      /** What to show the user: the path. */
      display: string;
    }
  | {
      kind: 'postgres';
      /** The URL for node-postgres, without the `schema` parameter. */
      connectionString: string;
      /** The Postgres schema: the URL's `?schema=` parameter, or the store's default `rapport`. */
      schema: string;
      /** What to show the user: the URL with its password masked. */
      display: string;
    };

/** A `scheme://` prefix: a connection URL rather than a file name. */
const URL_PATTERN = /^([a-z][a-z0-9+.-]*):\/\//i;

/** URL schemes `--storage` opens with the Postgres store. */
const POSTGRES_SCHEMES = new Set(['postgres', 'postgresql']);

/** True when `location` is a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(location: string): boolean {
  const scheme = URL_PATTERN.exec(location.trim())?.[1]?.toLowerCase();
  return scheme !== undefined && POSTGRES_SCHEMES.has(scheme);
}

function postgresLocation(url: string): StoreLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('CLI_INVALID_STORAGE', `--storage ${redactUrl(url)} is not a valid URL`, {
      hint: 'write it as postgres://user:password@host:5432/database (percent-encode special characters in the password)',
    });
  }
  const schema = parsed.searchParams.get('schema');
  if (schema !== null) parsed.searchParams.delete('schema');
  return {
    kind: 'postgres',
    connectionString: schema === null ? url : parsed.toString(),
    schema: schema ?? 'rapport',
    display: redactUrl(url),
  };
}

/**
 * Resolves where the store is: `storage` (a database URL) when given, else the SQLite file `db`.
 * This is the one place that knows about store kinds.
 */
export function storeLocation(options: Pick<StoreOptions, 'db' | 'storage' | 'cwd'>): StoreLocation {
  if (options.storage !== undefined) {
    const storage = options.storage.trim();
    if (isPostgresUrl(storage)) return postgresLocation(storage);
    const scheme = URL_PATTERN.exec(storage)?.[1];
    throw new CliError(
      'CLI_UNSUPPORTED_STORE',
      scheme
        ? `The CLI cannot open ${scheme}:// stores`
        : `--storage takes a database URL, not ${JSON.stringify(redactUrl(storage))}`,
      { hint: 'give --storage a postgres:// or postgresql:// URL, or --db the path of a SQLite file' },
    );
  }
  const scheme = URL_PATTERN.exec(options.db)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    throw new CliError(
      'CLI_UNSUPPORTED_STORE',
      `--db takes the path of a SQLite file, not a ${scheme}:// URL`,
      {
        hint: POSTGRES_SCHEMES.has(scheme)
          ? `give the URL with --storage: --storage ${redactUrl(options.db)}`
          : 'give --db the path of a SQLite file, or --storage a postgres:// URL',
      },
    );
  }
  const filename = resolve(options.cwd, options.db);
  return { kind: 'sqlite', filename, display: filename };
}

/**
 * Picks the storage plugin for a location: a Postgres store for a `--storage postgres://…` URL
 * (its `?schema=` parameter naming the Postgres schema), else the SQLite file of `--db`.
 */
export function storageFor(
  options: Pick<StoreOptions, 'db' | 'storage' | 'cwd' | 'mustExist'>,
): StoragePlugin {
  const location = storeLocation(options);
  if (location.kind === 'postgres') {
    return postgresStorage({ connectionString: location.connectionString, schema: location.schema });
  }
  if (options.mustExist && !existsSync(location.filename)) {
    throw new CliError('CLI_NO_DATABASE', `No database at ${location.filename}`, {
      hint: 'import data first (rapport import <file> --format <format> --db <file>), or point --db at an existing file',
    });
  }
  return sqliteStorage({ filename: location.filename });
}

/** Creates and starts a Rapport instance on the store the options name. */
export async function openStore(options: StoreOptions): Promise<Rapport> {
  const rapport = createRapport({
    storage: storageFor(options),
    tenant: options.tenant,
    ...(options.kinds ? { kinds: options.kinds } : {}),
    ...(options.rules !== undefined ? { rules: { rules: options.rules, timerPollMs: 0 } } : {}),
  });
  await rapport.start();
  return rapport;
}

/** Runs `work` on an open store and always closes it, so the SQLite file is left consistent. */
export async function withStore<T>(
  options: StoreOptions,
  work: (rapport: Rapport) => Promise<T>,
): Promise<T> {
  const rapport = await openStore(options);
  try {
    return await work(rapport);
  } finally {
    await rapport.stop();
  }
}
