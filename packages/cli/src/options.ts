import { tenantIdSchema } from '@rapport/core';
import type { Command } from 'commander';
import { z } from 'zod';

/** `--db <file>`: where the store lives. */
export const dbOptionSchema = z.string().trim().min(1, 'needs a file name');

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

/** Options every command that reads or writes a store takes. */
export const storeOptionsShape = {
  db: dbOptionSchema,
  tenant: tenantOptionSchema,
  json: jsonOptionSchema,
};

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
