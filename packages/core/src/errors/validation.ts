import type { z } from 'zod';
import type { RapportErrorCode } from './codes.js';
import { RapportError, toJsonPath, type ValidationIssue } from './rapport-error.js';

/** Field-specific hints, keyed by the dotted path with array indexes removed. */
export type HintTable = Readonly<Record<string, string>>;

function hintFor(issue: z.core.$ZodIssue, hints: HintTable): string {
  const key = issue.path.filter((p) => typeof p !== 'number').join('.');
  const specific = hints[key];
  if (specific) return specific;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `add the required field \`${key || 'value'}\``
        : `give \`${key || 'value'}\` as ${issue.expected}`;
    case 'unrecognized_keys':
      return `remove unknown keys (${issue.keys.join(', ')}) or put them under \`metadata\``;
    case 'invalid_value':
      return `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `\`${key || 'value'}\` is too small or empty`;
    case 'too_big':
      return `\`${key || 'value'}\` is too long or too large`;
    case 'invalid_format':
      return `\`${key || 'value'}\` must be a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

/** Converts zod issues into Rapport validation issues with JSON paths and hints. */
export function toValidationIssues(
  error: z.ZodError,
  hints: HintTable = {},
  prefix: ReadonlyArray<string | number> = [],
): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...(issue.path as Array<string | number>)];
    return { path, jsonPath: toJsonPath(path), message: issue.message, hint: hintFor(issue, hints) };
  });
}

/**
 * Builds a {@link RapportError} from a zod error: the first issue gives the path and hint, every
 * issue is kept in `issues`.
 */
export function validationError(
  code: RapportErrorCode,
  what: string,
  error: z.ZodError,
  hints: HintTable = {},
  prefix: ReadonlyArray<string | number> = [],
): RapportError {
  const issues = toValidationIssues(error, hints, prefix);
  const first = issues[0];
  const where = first ? ` at ${first.jsonPath}` : '';
  return new RapportError(code, `Invalid ${what}${where}: ${first?.message ?? 'unknown problem'}`, {
    path: first?.path,
    hint: first?.hint,
    issues,
    cause: error,
  });
}

/** Parses `value` with `schema` or throws a {@link RapportError} with the given code. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: RapportErrorCode,
  what: string,
  hints?: HintTable,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(code, what, result.error, hints);
  return result.data;
}

/**
 * Parses a plugin factory's options (a strict zod object) or throws `RAPPORT_INVALID_OPTIONS`
 * naming the plugin. An unknown key gets an issue of its own whose path is the key and whose hint
 * lists the known options, so a typo points at itself. For plugin authors.
 *
 * @param factory - the factory's name, for the message (`sqliteStorage`).
 */
export function parsePluginOptions<S extends z.ZodObject>(
  schema: S,
  options: unknown,
  factory: string,
  plugin: string,
): z.output<S> {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const issues: ValidationIssue[] = [];
  const known = Object.keys(schema.shape).join(', ');
  for (const [index, issue] of toValidationIssues(result.error).entries()) {
    const raw = result.error.issues[index];
    if (raw?.code !== 'unrecognized_keys') {
      issues.push(issue);
      continue;
    }
    for (const key of raw.keys) {
      const path = [...issue.path, key];
      issues.push({
        path,
        jsonPath: toJsonPath(path),
        message: `unknown option \`${key}\``,
        hint: `remove it; known options: ${known}`,
      });
    }
  }
  const first = issues[0]!;
  throw new RapportError(
    'RAPPORT_INVALID_OPTIONS',
    `Invalid ${factory} options at ${first.jsonPath}: ${first.message}`,
    {
      path: first.path,
      hint: first.hint,
      issues,
      cause: result.error,
      plugin,
    },
  );
}
