import { type ErrorPath, RapportError } from '../errors/rapport-error.js';
import type { CompileProblem } from './conditions.js';
import type { ActionDefinition } from './extension.js';
import { checkPath, compilePath, type Getter } from './paths.js';
import { type BuiltInActionType, builtInActionSchemas, type RuleAction } from './schema.js';

/** A `{{path}}` template compiled into literal parts and getters. */
export type Template = ReadonlyArray<string | Getter>;

/** Fills a template from the facts; missing values render as empty text. */
export function renderTemplate(template: Template, facts: unknown): string {
  let out = '';
  for (const part of template) {
    if (typeof part === 'string') out += part;
    else {
      const value = part(facts);
      out +=
        value === undefined || value === null
          ? ''
          : value instanceof Date
            ? value.toISOString()
            : String(value);
    }
  }
  return out;
}

/**
 * Compiles a reply template: text with `{{path}}` placeholders (`{{customer.displayName}}`,
 * `{{params.orderId}}`). Throws `RAPPORT_INVALID_INPUT` naming the bad placeholder.
 */
export function parseTemplate(text: string, path: ErrorPath = ['template']): Template {
  const problems: CompileProblem[] = [];
  const template = compileTemplate(text, path, problems);
  const [problem] = problems;
  if (problem) {
    throw new RapportError('RAPPORT_INVALID_INPUT', `Invalid template: ${problem.message}`, {
      path: problem.path,
      hint: problem.hint ?? 'placeholders are {{path}} with a dotted path, such as {{customer.displayName}}',
    });
  }
  return template;
}

function compileTemplate(text: string, path: ErrorPath, problems: CompileProblem[]): Template {
  const parts: Array<string | Getter> = [];
  let last = 0;
  for (const match of text.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)) {
    parts.push(text.slice(last, match.index));
    const bad = checkPath(match[1]!);
    if (bad) problems.push({ path, message: `placeholder {{${match[1]}}}: ${bad}` });
    else parts.push(compilePath(match[1]!));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts.filter((p) => p !== '');
}

/**
 * Store actions change data in the same unit of work as the firing record, so they all commit or
 * none does. The others talk to the outside world and run after the commit.
 */
const storeActions = new Set<string>([
  'tag',
  'untag',
  'addToSegment',
  'removeFromSegment',
  'setAttribute',
  'openCase',
  'assignCase',
  'setPriority',
  'routeToQueue',
  'awardPoints',
]);

/** An action checked and ready to run. */
export interface PreparedAction {
  /** Position in the rule's `actions`. */
  readonly index: number;
  readonly type: string;
  /** The action object as written (validated). */
  readonly options: Record<string, unknown>;
  /** Runs inside the unit of work (store actions) or after commit (reply, emit, webhook, plugins). */
  readonly phase: 'store' | 'after-commit';
  /** For `reply`: the compiled template. */
  readonly template?: Template;
  /** For `setAttribute` with `{ "ref": … }`: where the value comes from. */
  readonly valueRef?: Getter;
  /** For plugin actions: the definition that runs them, and their parsed options. */
  readonly plugin?: { definition: ActionDefinition<unknown>; options: unknown };
}

/** Checks one action against its schema (built-in or plugin) and prepares it. */
export function prepareAction(
  action: Record<string, unknown> & { type: string },
  index: number,
  path: ErrorPath,
  plugins: ReadonlyMap<string, ActionDefinition<unknown>>,
  problems: CompileProblem[],
): PreparedAction | null {
  const schema = builtInActionSchemas[action.type as BuiltInActionType];
  if (schema) {
    const parsed = schema.safeParse(action);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({ path: [...path, ...(issue.path as Array<string | number>)], message: issue.message });
      }
      return null;
    }
    const options = parsed.data as RuleAction & Record<string, unknown>;
    const phase = storeActions.has(action.type) ? 'store' : 'after-commit';
    if (options.type === 'reply') {
      return {
        index,
        type: options.type,
        options,
        phase,
        template: compileTemplate(String(options.template), [...path, 'template'], problems),
      };
    }
    if (options.type === 'setAttribute') {
      const value = options.value as unknown;
      const candidate =
        typeof value === 'object' && value !== null ? (value as { ref?: unknown }).ref : undefined;
      const ref = typeof candidate === 'string' ? candidate : null;
      if (ref !== null) {
        const bad = checkPath(ref);
        if (bad) problems.push({ path: [...path, 'value', 'ref'], message: bad });
        return { index, type: options.type, options, phase, valueRef: compilePath(ref) };
      }
      if (value === undefined)
        problems.push({ path: [...path, 'value'], message: 'setAttribute needs a `value`' });
    }
    return { index, type: options.type, options, phase };
  }
  const definition = plugins.get(action.type);
  if (!definition) {
    problems.push({
      path: [...path, 'type'],
      message: `unknown action type "${action.type}"`,
      hint: `use one of: ${[...Object.keys(builtInActionSchemas), ...plugins.keys()].join(', ')}`,
    });
    return null;
  }
  const { type: _type, ...rest } = action;
  const parsed = definition.options.safeParse(rest);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ path: [...path, ...(issue.path as Array<string | number>)], message: issue.message });
    }
    return null;
  }
  return {
    index,
    type: action.type,
    options: action,
    phase: 'after-commit',
    plugin: { definition, options: parsed.data },
  };
}

/**
 * The state an action writes, for conflict resolution: two actions with the same key in one
 * evaluation conflict, and the one from the higher-priority rule wins. Null when it never conflicts.
 */
export function conflictKey(action: PreparedAction): string | null {
  const o = action.options;
  switch (action.type) {
    case 'tag':
    case 'untag':
      return `tag:${o.tag}`;
    case 'addToSegment':
    case 'removeFromSegment':
      return `segment:${o.segment}`;
    case 'setAttribute':
      return `attribute:${o.name}`;
    case 'setPriority':
      return 'case.priority';
    case 'routeToQueue':
      return 'case.queue';
    case 'assignCase':
      return 'case.assignee';
    default:
      return null;
  }
}
