/**
 * Entry point of the `rapport` executable: runs the CLI on the process's arguments and sets the
 * exit code (0 ok, 1 error, 2 import with rejected items or unreadable rule file, 3 failing rule
 * explanation; see the README).
 *
 * @packageDocumentation
 */
import { runCli } from './program.js';

// exitCode rather than process.exit(), so pending writes to a piped stdout are flushed first. No
// top-level await: tsup also builds this file as CommonJS.
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
