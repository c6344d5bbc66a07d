/**
 * Where the CLI writes. Commands never touch `process.stdout` directly, so tests can run the
 * program in-process and read what it printed.
 */
export interface CliIO {
  /** Results: human-readable text, or JSON with `--json`. */
  stdout: (text: string) => void;
  /** Progress, warnings and errors, kept off stdout so `--json` output stays parseable. */
  stderr: (text: string) => void;
  /**
   * A terminal to draw an interactive progress bar on, or null to print plain progress lines
   * (logs, CI, pipes, tests).
   */
  terminal: NodeJS.WriteStream | null;
  /** Directory relative paths are resolved against (default: the process's). */
  cwd: string;
}

/** The process's own streams: a progress bar only when stderr is a terminal. */
export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    terminal: process.stderr.isTTY ? process.stderr : null,
    cwd: process.cwd(),
  };
}

/** Fills in what a partial {@link CliIO} leaves out from the process. */
export function resolveIO(io: Partial<CliIO> = {}): CliIO {
  const base = processIO();
  return {
    stdout: io.stdout ?? base.stdout,
    stderr: io.stderr ?? base.stderr,
    // A caller that captures stderr should not get a bar drawn on the real terminal.
    terminal: io.terminal !== undefined ? io.terminal : io.stderr ? null : base.terminal,
    cwd: io.cwd ?? base.cwd,
  };
}
