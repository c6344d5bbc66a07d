import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerAdvocates } from './commands/advocates.js';
import { registerClv } from './commands/clv.js';
import { registerCustomers } from './commands/customers.js';
import { registerImport } from './commands/import.js';
import { registerInfluence } from './commands/influence.js';
import { registerLab } from './commands/lab.js';
import { registerMigrate } from './commands/migrate.js';
import { registerRules } from './commands/rules.js';
import { registerSentiment } from './commands/sentiment.js';
import { registerStats } from './commands/stats.js';
import { CliError, CliExit, describeError, exitCodes, type ReportedError, renderError } from './errors.js';
import { json } from './format.js';
import { type CliIO, resolveIO } from './io.js';
import { checkStoreChoice } from './options.js';

/**
 * Builds the `rapport` command. Output goes through `io` (the process's streams by default), and
 * errors are thrown rather than exiting the process: commander's as `CommanderError`, a command's
 * non-zero result as {@link CliExit}, failures as `CliError` or `RapportError`. {@link runCli}
 * turns all of them into an exit code.
 *
 * @param io - where to write; tests pass functions that collect the text.
 */
export function createProgram(io?: Partial<CliIO>): Command {
  const resolved = resolveIO(io);
  const program = new Command();
  // Settings made before `.command()` are inherited by the subcommands.
  program
    .name('rapport')
    .description(
      'Rapport social CRM: import data, look up customers, print stats, check and backtest rules, score customers (CLV, sentiment, influence, advocates).',
    )
    .version(packageJson.version, '-v, --version')
    .exitOverride()
    .configureOutput({ writeOut: resolved.stdout, writeErr: resolved.stderr })
    .showHelpAfterError('(add --help for usage)')
    .allowExcessArguments(false)
    .hook('preAction', (_program, action) => checkStoreChoice(action));
  registerImport(program, resolved);
  registerCustomers(program, resolved);
  registerStats(program, resolved);
  registerRules(program, resolved);
  registerMigrate(program, resolved);
  registerClv(program, resolved);
  registerSentiment(program, resolved);
  registerInfluence(program, resolved);
  registerAdvocates(program, resolved);
  registerLab(program, resolved);
  return program;
}

/** Passwords of the database URLs on the command line, so no message repeats one. */
function maskPasswords(reported: ReportedError, argv: readonly string[]): ReportedError {
  const passwords: string[] = [];
  for (const arg of argv) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) continue;
    try {
      const { password } = new URL(arg);
      if (password) passwords.push(password, decodeURIComponent(password));
    } catch {
      // Not a URL.
    }
  }
  if (passwords.length === 0) return reported;
  const mask = (text: string) => passwords.reduce((t, p) => t.split(p).join('***'), text);
  return {
    ...reported,
    message: mask(reported.message),
    ...(reported.hint !== undefined ? { hint: mask(reported.hint) } : {}),
  };
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit code:
 * 0 success, 2 an import with rejected or malformed items (for `rules`: an unreadable file), 3 a
 * rule `rules explain` finds failing, 1 a usage or fatal error (or invalid rules). Fatal errors
 * are printed as a message and a hint (as `{ "error": … }` on stdout with `--json`).
 */
export async function runCli(argv: readonly string[], io?: Partial<CliIO>): Promise<number> {
  const resolved = resolveIO(io);
  const program = createProgram(resolved);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CliExit) return error.exitCode;
    // Commander has already printed its message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode;
    const reported = maskPasswords(describeError(error), argv);
    if (argv.includes('--json')) resolved.stdout(json({ error: reported }));
    else resolved.stderr(renderError(reported));
    if (reported.code === 'CLI_UNEXPECTED' && process.env.RAPPORT_DEBUG && error instanceof Error) {
      resolved.stderr(`${error.stack}\n`);
    }
    return error instanceof CliError ? error.exitCode : exitCodes.fatal;
  }
}
