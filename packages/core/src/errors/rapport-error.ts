import { errorCodes, type RapportErrorCode } from './codes.js';

/** A JSON path to the offending value, as segments (`['actor', 'externalId']`). */
export type ErrorPath = ReadonlyArray<string | number>;

/** One problem found while validating a value. */
export interface ValidationIssue {
  /** Path segments to the offending value. */
  path: ErrorPath;
  /** JSON path string, for example `$.actor.externalId` or `$[3].occurredAt`. */
  jsonPath: string;
  message: string;
  hint: string;
}

/** Options accepted by {@link RapportError}. */
export interface RapportErrorOptions {
  path?: ErrorPath;
  hint?: string;
  cause?: unknown;
  retryable?: boolean;
  plugin?: string;
  issues?: ValidationIssue[];
}

/** Renders path segments as a JSON path (`$.a[0].b`). */
export function toJsonPath(path: ErrorPath): string {
  let out = '$';
  for (const segment of path) {
    out +=
      typeof segment === 'number'
        ? `[${segment}]`
        : /^[A-Za-z_$][\w$]*$/.test(segment)
          ? `.${segment}`
          : `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * The one error type Rapport throws. It carries a stable {@link RapportErrorCode}, the path of
 * the offending value when there is one, a hint that says what to do, and the original cause.
 */
export class RapportError extends Error {
  override readonly name = 'RapportError';
  readonly code: RapportErrorCode;
  readonly path: ErrorPath | undefined;
  readonly hint: string;
  readonly retryable: boolean;
  /** Id of the plugin the failure came from, when it came from one. */
  readonly plugin: string | undefined;
  /** Every validation problem, for validation errors. */
  readonly issues: ValidationIssue[];

  constructor(code: RapportErrorCode, message: string, options: RapportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.hint = options.hint ?? errorCodes[code];
    this.retryable = options.retryable ?? false;
    this.plugin = options.plugin;
    this.issues = options.issues ?? [];
  }

  /** JSON path of {@link RapportError.path}, or undefined. */
  get jsonPath(): string | undefined {
    return this.path ? toJsonPath(this.path) : undefined;
  }

  /** A plain object for logs and HTTP responses. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      path: this.jsonPath,
      hint: this.hint,
      retryable: this.retryable,
      plugin: this.plugin,
      issues: this.issues.length > 0 ? this.issues : undefined,
    };
  }
}

/** True when `value` is a {@link RapportError}, optionally with the given code. */
export function isRapportError(value: unknown, code?: RapportErrorCode): value is RapportError {
  return value instanceof RapportError && (code === undefined || value.code === code);
}
