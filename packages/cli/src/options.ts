import { tenantIdSchema } from '@rapport/core';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError } from './errors.js';
import { DEFAULT_DB } from './store.js';

/** `--db <file>`: where the store lives. */
export const dbOptionSchema = z.string().trim().min(1, 'needs a file name');

/** `--storage <url>`: a database URL, in place of `--db`. */
export const storageOptionSchema = z
  .string()
  .trim()
  .min(1, 'needs a database URL such as postgres://user@host/db');

/** `--tenant <id>`: the tenant to act on. */
export const tenantOptionSchema = tenantIdSchema;

/** `--json`: commander gives `true` or leaves it out. */
export const jsonOptionSchema = z.boolean().default(false);

/**
 * A whole number written on the command line, from `min` to `max`. Stricter than `Number()`:
 * `''`, `1e3`, `0x10` and `12abc` are refused rather than read as something unexpected.
 */
export function wholeNumberOption(min: number, max: number) {
  const range = `a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
  return z
    .string()
    .regex(/^\s*\d+\s*$/, `must be ${range}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be ${range}`).max(max, `must be ${range}`));
}

/**
 * A decimal number written on the command line, from `min` to `max` (inclusive). Plain decimals
 * and exponents (`0.85`, `1e-10`) are read; `''`, `0x10` and `12abc` are refused.
 */
export function decimalOption(min: number, max: number) {
  const range = `a number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i, `must be ${range}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be ${range}`).max(max, `must be ${range}`));
}

/** Options every command that reads or writes a store takes. */
export const storeOptionsShape = {
  db: dbOptionSchema,
  storage: storageOptionSchema.optional(),
  tenant: tenantOptionSchema,
  json: jsonOptionSchema,
};

/** Help text of `--storage`. */
export const STORAGE_OPTION_HELP =
  'Postgres database URL (postgres://user:password@host/db, ?schema=<name> for another schema than rapport) instead of --db';

/**
 * Adds `--db <file>` (default {@link DEFAULT_DB}) and `--storage <url>` to a command. Giving both
 * is refused by {@link checkStoreChoice}.
 */
export function storeLocationOptions(command: Command, dbHelp = 'SQLite database file'): Command {
  return command.option('--db <file>', dbHelp, DEFAULT_DB).option('--storage <url>', STORAGE_OPTION_HELP);
}

/**
 * Refuses `--storage` together with an explicit `--db` (the default `--db` does not count). Run
 * before every action (a `preAction` hook of the program).
 */
export function checkStoreChoice(command: Command): void {
  const has = (name: string) => command.options.some((o) => o.attributeName() === name);
  if (!has('storage') || !has('db')) return;
  if (command.getOptionValue('storage') === undefined) return;
  if (command.getOptionValueSource('db') !== 'cli') return;
  throw new CliError('CLI_CONFLICTING_STORES', '--storage and --db cannot be used together', {
    hint: 'give --storage <url> for a Postgres database, or --db <file> for a SQLite file, not both',
  });
}

/** What the user typed for an option or argument, for error messages. */
function labelFor(command: Command, key: string): string {
  const option = command.options.find((o) => o.attributeName() === key);
  if (option) return `option '${option.flags}'`;
  const argument = command.registeredArguments.find((a) => a.name() === key);
  if (argument) return `argument '<${argument.name()}>'`;
  return `'${key}'`;
}

/**
 * Validates a command's options and arguments with `schema`. A bad value ends the command the way
 * commander ends one for a usage error (message on stderr, exit code 1), naming the option as
 * typed and the value given.
 */
export function parseCommandInput<S extends z.ZodType>(
  command: Command,
  schema: S,
  input: Record<string, unknown>,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const given = input[key];
  const got = given === undefined ? '' : ` (got ${JSON.stringify(given)})`;
  return command.error(`error: ${labelFor(command, key)} ${issue.message}${got}`, {
    exitCode: 1,
    code: 'rapport.invalidOption',
  });
}
