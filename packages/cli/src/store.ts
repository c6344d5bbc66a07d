import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRapport, type InteractionKindRegistry, type Rapport, type StoragePlugin } from '@rapport/core';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { CliError } from './errors.js';

/** The store file used when `--db` is not given. */
export const DEFAULT_DB = 'rapport.db';

/** Where the data is and which tenant to act on, as the command line gave them. */
export interface StoreOptions {
  /** `--db`: a SQLite file, relative to `cwd`. */
  db: string;
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

/** A `scheme://` prefix: a connection URL rather than a file name. */
const URL_PATTERN = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Picks the storage plugin for a location. This is the one place that knows about store kinds:
 * a `--storage postgres://…` option would add its scheme here and every command would get it.
 */
export function storageFor(options: Pick<StoreOptions, 'db' | 'cwd' | 'mustExist'>): StoragePlugin {
  const scheme = URL_PATTERN.exec(options.db)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    throw new CliError('CLI_UNSUPPORTED_STORE', `The CLI cannot open ${scheme}:// stores yet`, {
      hint: 'give --db the path of a SQLite file',
    });
  }
  const filename = resolve(options.cwd, options.db);
  if (options.mustExist && !existsSync(filename)) {
    throw new CliError('CLI_NO_DATABASE', `No database at ${filename}`, {
      hint: 'import data first (rapport import <file> --format <format> --db <file>), or point --db at an existing file',
    });
  }
  return sqliteStorage({ filename });
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
