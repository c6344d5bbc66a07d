import { isRapportError } from '@rapport/core';
import { migrate as migratePostgres, migrations as postgresMigrations } from '@rapport/storage-postgres';
import { migrate as migrateSqlite, migrations as sqliteMigrations } from '@rapport/storage-sqlite';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import pg from 'pg';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { json } from '../format.js';
import type { CliIO } from '../io.js';
import {
  dbOptionSchema,
  jsonOptionSchema,
  parseCommandInput,
  storageOptionSchema,
  storeLocationOptions,
} from '../options.js';
import { type StoreLocation, storeLocation } from '../store.js';

/** `rapport migrate` output (also its `--json` form). */
export interface MigrateReport {
  store: 'sqlite' | 'postgres';
  /** The SQLite file's path, or the Postgres URL with its password masked. */
  location: string;
  /** The Postgres schema migrated (Postgres only). */
  schema?: string;
  /** Schema version before (0: a new database or schema). */
  from: number;
  /** Schema version now. */
  to: number;
  /** The latest version this release knows. */
  latest: number;
  /** Versions applied by this run, in order. */
  applied: number[];
}

/** Options of {@link runMigrate}. */
export interface MigrateOptions {
  db: string;
  storage?: string | undefined;
  cwd: string;
}

/** The message of an error, without any password of the URL it was about. */
function safeMessage(error: unknown, url: string): string {
  let message = error instanceof Error ? error.message : String(error);
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) message = message.split(password).join('***');
  } catch {
    // Not a URL: nothing to hide.
  }
  return message;
}

async function migrateOnPostgres(location: Extract<StoreLocation, { kind: 'postgres' }>) {
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: 1,
    connectionTimeoutMillis: 10_000,
    application_name: 'rapport migrate',
  });
  // A connection that dies while idle must not crash the process.
  pool.on('error', () => {});
  try {
    return await migratePostgres(pool, { schema: location.schema });
  } catch (error) {
    if (isRapportError(error)) throw error;
    throw new CliError(
      'CLI_STORE_FAILED',
      `Cannot migrate ${location.display}: ${safeMessage(error, location.connectionString)}`,
      {
        hint: 'check the URL (user, password, host, port, database) and that the server is running',
        cause: error,
      },
    );
  } finally {
    await pool.end().catch(() => {});
  }
}

function migrateOnSqlite(filename: string) {
  let db: Database.Database;
  try {
    db = new Database(filename);
  } catch (cause) {
    throw new CliError('CLI_STORE_FAILED', `Cannot open ${filename}: ${(cause as Error).message}`, {
      hint: 'give --db a SQLite file in a writable folder',
      cause,
    });
  }
  try {
    return migrateSqlite(db);
  } finally {
    db.close();
  }
}

/**
 * Brings a store's schema up to date with this release's migrations: a Postgres schema
 * (`--storage postgres://…`, created when missing) or a SQLite file (`--db`, created when
 * missing). Running it again applies nothing.
 */
export async function runMigrate(options: MigrateOptions): Promise<MigrateReport> {
  const location = storeLocation(options);
  if (location.kind === 'postgres') {
    const result = await migrateOnPostgres(location);
    return {
      store: 'postgres',
      location: location.display,
      schema: location.schema,
      ...result,
      latest: postgresMigrations.length,
    };
  }
  const result = migrateOnSqlite(location.filename);
  return { store: 'sqlite', location: location.display, ...result, latest: sqliteMigrations.length };
}

/** The human-readable result of a migration. */
export function renderMigrateReport(report: MigrateReport): string {
  const where =
    report.store === 'postgres'
      ? `Postgres schema "${report.schema}" at ${report.location}`
      : `SQLite database ${report.location}`;
  if (report.applied.length === 0)
    return `${where}: schema version ${report.to}, up to date (nothing to apply)\n`;
  const versions = report.applied.join(', ');
  return `${where}: schema version ${report.to} (was ${report.from}; applied migration${report.applied.length === 1 ? '' : 's'} ${versions})\n`;
}

const migrateInputSchema = z.object({
  db: dbOptionSchema,
  storage: storageOptionSchema.optional(),
  json: jsonOptionSchema,
});

/** Adds `rapport migrate` to the program. */
export function registerMigrate(program: Command, io: CliIO): void {
  storeLocationOptions(
    program
      .command('migrate')
      .description(
        'create or update the store schema (a Postgres schema, or a SQLite file) and print its version',
      ),
    'SQLite database file (created when missing)',
  )
    .option('--json', 'print { store, location, schema, from, to, latest, applied } as JSON')
    .addHelpText(
      'after',
      [
        '',
        'The stores also migrate when a command opens them; run this as a separate deployment step,',
        'or to check the version. Migrations are forward-only and run once even when several',
        'processes start together (Postgres: under an advisory lock).',
      ].join('\n'),
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, migrateInputSchema, raw);
      const report = await runMigrate({ ...input, cwd: io.cwd });
      io.stdout(input.json ? json(report) : renderMigrateReport(report));
    });
}
