import { isRapportError } from '@rapport/core';

/** Exit codes of the `rapport` command. */
export const exitCodes = {
  /** Everything went through. */
  ok: 0,
  /** A fatal error or a usage error: nothing (more) was done. */
  fatal: 1,
  /** The import finished, but some items were rejected or skipped as malformed. */
  partial: 2,
} as const;

/** Options of {@link CliError}. */
export interface CliErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  /** Defaults to {@link exitCodes.fatal}. */
  exitCode?: number;
  cause?: unknown;
}

/** A fatal error the CLI reports as a message and a hint, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: string, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? exitCodes.fatal;
  }
}

/**
 * Thrown by a command that has printed its result and wants a non-zero exit code (an import with
 * rejected items). Commander ignores action return values, so this is how a code gets out.
 */
export class CliExit extends Error {
  override readonly name = 'CliExit';

  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** An error as printed: the same fields in text and JSON output. */
export interface ReportedError {
  code: string;
  message: string;
  path?: string;
  hint?: string;
}

/** Describes any thrown value for the user; unexpected errors keep their message. */
export function describeError(error: unknown): ReportedError {
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (isRapportError(error)) {
    const path = error.jsonPath;
    return { code: error.code, message: error.message, ...(path ? { path } : {}), hint: error.hint };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'CLI_UNEXPECTED', message };
}

/** The text form of {@link describeError}: `error: …` and, when there is one, a hint line. */
export function renderError(error: ReportedError): string {
  let out = `error: ${error.message}\n`;
  if (error.hint) out += `  hint: ${error.hint}\n`;
  return out;
}
