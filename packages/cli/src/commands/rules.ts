import { readFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type BacktestReport,
  backtest,
  describeTrigger,
  formatExplanation,
  jsonlReplay,
  type ReplaySource,
  type RuleBacktest,
  type RuleExplanation,
  type RuleSet,
  type ValidationIssue,
  validateRules,
} from '@rapport/core';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, CliExit } from '../errors.js';
import { count, json, oneLine, table, utc } from '../format.js';
import type { CliIO } from '../io.js';
import { jsonOptionSchema, parseCommandInput, tenantOptionSchema, wholeNumberOption } from '../options.js';
import { DEFAULT_DB, isPostgresUrl, redactUrl, withStore } from '../store.js';

/** Exit codes of `rapport rules …`. */
export const rulesExitCodes = {
  /** Valid rules; the backtest ran; the explained rule's conditions hold. */
  ok: 0,
  /** The rule file has invalid rules (each problem is printed), or another fatal or usage error. */
  invalid: 1,
  /** The rule file, the `--facts` file or the JSONL file cannot be read or is not JSON. */
  unreadable: 2,
  /** `rules explain`: the rule's conditions do not hold for those facts. */
  failed: 3,
} as const;

/** Rejected replay items the human-readable backtest lists (JSON keeps up to 100). */
export const SHOWN_REJECTIONS = 10;

/** A rule as `rules validate` lists it. */
export interface RuleSummary {
  id: string;
  name: string;
  version: number;
  enabled: boolean;
  priority: number;
  /** The trigger as text: `interaction.received`, `case.opened after 30m`, `inactiveFor 90d`. */
  trigger: string;
  /** Action types, in order. */
  actions: string[];
}

/** `rules validate` output (also its `--json` form), and what the other commands print for bad rules. */
export type RuleFileValidation =
  | { ok: true; file: string; rules: RuleSummary[] }
  | { ok: false; file: string; issues: ValidationIssue[] };

/** A replayed item that could not be evaluated. */
export interface RejectedReplayItem {
  /** `line 12` for JSON lines. */
  ref: string;
  code: string;
  /** JSON path inside the item, such as `$.direction`. */
  path?: string;
  message: string;
  hint?: string;
}

/** `rules test` output (also its `--json` form). */
export interface RulesTestReport extends Omit<BacktestReport, 'rejected'> {
  ok: true;
  file: string;
  /** The JSONL file or the store replayed. */
  against: string;
  source: 'jsonl' | 'store';
  /** The tenant replayed (stores only). */
  tenant?: string;
  from: string | null;
  to: string | null;
  /** The first rejected items (up to 100; `rejectedCount` counts them all). */
  rejected: RejectedReplayItem[];
}

function summarize(ruleSet: RuleSet): RuleSummary[] {
  return ruleSet.rules.map((rule) => ({
    id: rule.id,
    name: rule.name,
    version: rule.version,
    enabled: rule.enabled,
    priority: rule.priority,
    trigger: describeTrigger(rule.definition.trigger),
    actions: rule.actions.map((a) => a.type),
  }));
}

/** Where a `JSON.parse` error is, as `line L, column C`, when the message gives a position. */
function jsonErrorPlace(text: string, message: string): string {
  const position = /position (\d+)/.exec(message);
  // Newer Node versions say where themselves.
  if (!position || /line \d+/.test(message)) return '';
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` (line ${line}, column ${column})`;
}

/**
 * Reads and parses a JSON file (a rule file, a facts file).
 *
 * @throws CliError with exit code 2 when the file is missing, unreadable or not JSON.
 */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new CliError('CLI_FILE_NOT_FOUND', `No such file: ${file}`, {
        hint: 'check the path; a relative path is read from the current directory',
        exitCode: rulesExitCodes.unreadable,
      });
    }
    throw new CliError(
      code === 'EISDIR' ? 'CLI_NOT_A_FILE' : 'CLI_FILE_UNREADABLE',
      code === 'EISDIR' ? `${file} is a folder` : `Cannot read ${file}: ${(cause as Error).message}`,
      { hint: `give the path of ${what}`, exitCode: rulesExitCodes.unreadable, cause },
    );
  }
  text = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    throw new CliError(
      'CLI_INVALID_JSON',
      `${file} is not valid JSON${jsonErrorPlace(text, message)}: ${message}`,
      {
        hint: `${what} must be JSON; check for a missing comma or quote, or a trailing comma`,
        exitCode: rulesExitCodes.unreadable,
      },
    );
  }
}

const RULE_FILE = 'a rule file (a JSON array of rules, or { "rules": [...] })';

/** Reads a rule file and validates its rules: the compiled set, or every problem found. */
export function loadRuleFile(file: string): {
  validation: RuleFileValidation;
  input: unknown;
  ruleSet: RuleSet | null;
} {
  const input = readJsonFile(file, RULE_FILE);
  const result = validateRules(input);
  return result.ok
    ? { validation: { ok: true, file, rules: summarize(result.ruleSet) }, input, ruleSet: result.ruleSet }
    : { validation: { ok: false, file, issues: result.issues }, input, ruleSet: null };
}

/** The human-readable result of `rules validate`: the rules in evaluation order, or every problem. */
export function renderRuleValidation(validation: RuleFileValidation): string {
  if (!validation.ok) {
    const n = validation.issues.length;
    let out = `✗ ${count(n)} problem${n === 1 ? '' : 's'} in ${validation.file}\n`;
    for (const issue of validation.issues)
      out += `${issue.jsonPath}  ${issue.message}\n    hint: ${issue.hint}\n`;
    return out;
  }
  const n = validation.rules.length;
  let out = `✓ ${count(n)} rule${n === 1 ? '' : 's'} valid in ${validation.file}\n`;
  if (n === 0) return out;
  out += `${table(
    [
      ['id', 'trigger', 'priority', ''],
      ...validation.rules.map((r) => [r.id, r.trigger, String(r.priority), r.enabled ? '' : 'disabled']),
    ],
    { right: [2] },
  )}\n`;
  return out;
}

/** Prints the problems of an invalid rule file and ends the command with exit code 1. */
function refuseInvalid(validation: RuleFileValidation, asJson: boolean, io: CliIO): never {
  io.stdout(asJson ? json(validation) : renderRuleValidation(validation));
  throw new CliExit(rulesExitCodes.invalid);
}

/** `--against <store>` as store options: a Postgres URL, or a SQLite file. */
function againstStore(against: string): { db: string; storage?: string } {
  return isPostgresUrl(against) ? { db: DEFAULT_DB, storage: against } : { db: against };
}

/** True when `--against` names a JSON-lines file rather than a store. */
export function isJsonLines(path: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(path);
}

/** A JSON-lines file being read, and how to let go of it whether or not it was read to the end. */
interface LineSource {
  lines: AsyncGenerator<string>;
  close(): Promise<void>;
}

/**
 * Streams a JSON-lines file, line by line (node:readline over a file stream), so a file of any
 * size replays in bounded memory. The file is opened here, so a missing one fails before the
 * backtest starts.
 */
async function openLines(file: string): Promise<LineSource> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT' ? 'CLI_FILE_NOT_FOUND' : 'CLI_FILE_UNREADABLE',
      code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file}: ${(cause as Error).message}`,
      {
        hint: 'give --against a .jsonl file of interactions, or the path of a store',
        exitCode: rulesExitCodes.unreadable,
      },
    );
  }
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw new CliError('CLI_NOT_A_FILE', `${file} is a folder`, {
      hint: 'give --against a .jsonl file of interactions, or the path of a store',
      exitCode: rulesExitCodes.unreadable,
    });
  }
  let started = false;
  // The stream is made when reading starts: readline drops lines emitted before anyone iterates.
  async function* lines(): AsyncGenerator<string> {
    started = true;
    const input = handle.createReadStream({ encoding: 'utf8' });
    const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    let first = true;
    try {
      for await (const line of reader) {
        yield first ? line.replace(/^\uFEFF/, '') : line;
        first = false;
      }
    } finally {
      reader.close();
      // Closes the file handle too (autoClose).
      input.destroy();
    }
  }
  const generator = lines();
  return {
    lines: generator,
    close: async () => {
      await generator.return(undefined);
      if (!started) await handle.close();
    },
  };
}

/** Keeps replayed events that happened in [from, to); rejections always pass. */
async function* inRange(source: ReplaySource, from: Date | undefined, to: Date | undefined): ReplaySource {
  const low = from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const high = to?.getTime() ?? Number.POSITIVE_INFINITY;
  for await (const item of source) {
    if ('error' in item || (item.at >= low && item.at < high)) yield item;
  }
}

/** Options of {@link runRulesTest}, validated. */
export interface RulesTestOptions {
  file: string;
  against: string;
  tenant: string;
  from?: Date | undefined;
  to?: Date | undefined;
  samples: number;
  cwd: string;
}

/**
 * Backtests rules (already validated: `input` is the rule file's content) against a JSON-lines
 * file or a store, as a dry run: nothing is written and no action runs.
 */
export async function runRulesTest(
  ruleSet: RuleSet,
  input: unknown,
  options: RulesTestOptions,
): Promise<RulesTestReport> {
  const onPostgres = isPostgresUrl(options.against);
  const against = onPostgres ? redactUrl(options.against) : resolve(options.cwd, options.against);
  const source = isJsonLines(options.against) && !onPostgres ? 'jsonl' : 'store';
  if (!onPostgres && /\.json$/i.test(options.against)) {
    throw new CliError('CLI_NOT_JSON_LINES', `${against} is neither a .jsonl file nor a store`, {
      hint: 'write one interaction (or facts object) per line in a .jsonl file, or give the path of a store',
    });
  }
  let report: BacktestReport;
  if (source === 'jsonl') {
    const file = await openLines(against);
    try {
      report = await backtest(ruleSet, inRange(jsonlReplay(file.lines), options.from, options.to), {
        samples: options.samples,
      });
    } finally {
      await file.close();
    }
  } else {
    report = await withStore(
      { ...againstStore(options.against), tenant: options.tenant, cwd: options.cwd, mustExist: true },
      (rapport) =>
        rapport.rules.backtest({
          rules: input,
          samples: options.samples,
          ...(options.from ? { from: options.from } : {}),
          ...(options.to ? { to: options.to } : {}),
        }),
    );
  }
  return {
    ok: true,
    file: options.file,
    against,
    source,
    ...(source === 'store' ? { tenant: options.tenant } : {}),
    from: options.from?.toISOString() ?? null,
    to: options.to?.toISOString() ?? null,
    ...report,
    durationMs: Math.round(report.durationMs),
    rejected: report.rejected.map(({ ref, error }) => ({
      ref,
      code: error.code,
      ...(error.jsonPath ? { path: error.jsonPath } : {}),
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    })),
  };
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/** The human-readable backtest: one row per rule, the first samples, the rejected items. */
export function renderRulesTestReport(
  report: RulesTestReport,
  triggers: ReadonlyMap<string, string>,
): string {
  const where =
    report.source === 'jsonl'
      ? `${report.against} (JSON lines)`
      : `${report.against}, tenant ${report.tenant ?? 'default'}`;
  let out = `Backtest of ${report.file} against ${where}, dry run: nothing written\n`;
  const range =
    report.from || report.to
      ? ` (--from ${report.from ? utc(report.from) : '…'} --to ${report.to ? utc(report.to) : '…'})`
      : '';
  const span = report.firstAt && report.lastAt ? `, ${utc(report.firstAt)} to ${utc(report.lastAt)}` : '';
  out += `  ${count(report.evaluated)} interaction${report.evaluated === 1 ? '' : 's'} evaluated${span}${range}, ${count(report.rejectedCount)} rejected\n\n`;

  const trigger = (rule: RuleBacktest) => triggers.get(rule.id) ?? rule.trigger;
  out += `${table(
    [
      ['id', 'version', 'trigger', 'fired', 'rate', 'replayed'],
      ...report.rules.map((r) => [
        r.id,
        `v${r.version}`,
        trigger(r),
        r.replayed ? count(r.fired) : '—',
        r.replayed ? percent(r.rate) : '—',
        r.replayed ? 'yes' : 'no',
      ]),
    ],
    { right: [3, 4] },
  )}\n`;
  if (report.rules.some((r) => !r.replayed)) {
    out += `  replayed no: only enabled rules on ${report.event} are replayed (not timers, inactiveFor or other events)\n`;
  }

  const sampled = report.rules.filter((r) => r.samples.length > 0);
  if (sampled.length > 0) {
    out += '\nSamples (the first firings of each rule)\n';
    for (const rule of sampled) {
      out += `  ${rule.id}\n`;
      out += `${table(
        rule.samples.map((s) => [s.ref, utc(s.at), s.customerKey ? `customer ${s.customerKey}` : '']),
        { indent: '    ' },
      )}\n`;
    }
  }

  if (report.rejectedCount > 0) {
    const shown = report.rejected.slice(0, SHOWN_REJECTIONS);
    out += `\nRejected items: ${count(report.rejectedCount)} (first ${shown.length}; not evaluated)\n`;
    out += `${table(shown.map((r) => [r.ref, r.code, r.path ?? '$', oneLine(r.message, 120)]))}\n`;
  }
  return out;
}

/** Options of {@link runRulesExplain}, validated. */
export interface RulesExplainOptions {
  /** The rule file, for messages. */
  file: string;
  rule: string;
  /** `--facts`: a JSON file of facts. */
  facts?: string | undefined;
  /** `--interaction`: a stored interaction's id, with `against`; judged as of when it happened. */
  interaction?: string | undefined;
  against?: string | undefined;
  tenant: string;
  /** Evaluation time for `--facts` (default: now). */
  now?: Date | undefined;
  cwd: string;
}

/**
 * Explains one rule of a (valid) rule file: against the facts in a file, or against a stored
 * interaction with the facts and history the rule engine would load for it.
 *
 * @throws CliError when the rule is not in the file, the facts file cannot be read or the
 * interaction is not in the store.
 */
export async function runRulesExplain(
  ruleSet: RuleSet,
  input: unknown,
  options: RulesExplainOptions,
): Promise<RuleExplanation> {
  if (!ruleSet.get(options.rule)) {
    const ids = ruleSet.rules.map((r) => r.id);
    throw new CliError('CLI_RULE_NOT_FOUND', `No rule "${options.rule}" in ${options.file}`, {
      hint: ids.length > 0 ? `use one of: ${ids.join(', ')}` : 'the file has no rules',
    });
  }
  if (options.facts !== undefined) {
    const factsFile = resolve(options.cwd, options.facts);
    const facts = readJsonFile(factsFile, 'a facts file (a JSON object such as { "interaction": {…} })');
    if (typeof facts !== 'object' || facts === null || Array.isArray(facts)) {
      throw new CliError('CLI_INVALID_FACTS', `${factsFile} is not a JSON object`, {
        hint: 'write the facts as an object: { "interaction": {…}, "customer": {…}, "conversation": {…} }',
        exitCode: rulesExitCodes.unreadable,
      });
    }
    return ruleSet.explain(options.rule, facts, options.now ? { now: options.now } : {});
  }
  const interactionId = options.interaction!;
  return withStore(
    {
      ...againstStore(options.against!),
      tenant: options.tenant,
      cwd: options.cwd,
      mustExist: true,
      rules: input,
    },
    async (rapport) => {
      const facts = await rapport.rules.facts({ interactionId });
      if (!facts.interaction) {
        throw new CliError(
          'CLI_INTERACTION_NOT_FOUND',
          `No interaction ${interactionId} in tenant ${options.tenant}`,
          {
            hint: 'interaction ids are listed by `rapport customers show <customer> --json` and in the samples of `rapport rules test --against <store>`',
          },
        );
      }
      return rapport.rules.explain(options.rule, { interactionId });
    },
  );
}

/** Date-only (midnight UTC), or a date-time with `Z` or an offset: never the machine's time zone. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

/** `--from`, `--to`, `--now`: an ISO 8601 date, as a Date. */
export const isoDateOption = z
  .string()
  .trim()
  .regex(
    ISO_DATE,
    'must be an ISO 8601 date such as 2024-05-01 or 2024-05-01T12:00:00Z (with Z or an offset)',
  )
  .transform((text) => new Date(text))
  .pipe(z.date({ error: 'is not a valid date' }));

const fileArgument = z.string().min(1, 'needs a file name');
const pathOption = z.string().trim().min(1, 'needs a path');

const validateInputSchema = z.object({ file: fileArgument, json: jsonOptionSchema });

const testInputSchema = z
  .object({
    file: fileArgument,
    against: pathOption.optional(),
    tenant: tenantOptionSchema,
    from: isoDateOption.optional(),
    to: isoDateOption.optional(),
    samples: wholeNumberOption(0, 1000),
    json: jsonOptionSchema,
  })
  .superRefine((input, ctx) => {
    if (input.against === undefined) {
      ctx.addIssue({ code: 'custom', path: ['against'], message: 'is required: a .jsonl file or a store' });
    }
    if (input.from && input.to && input.from.getTime() >= input.to.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than --from' });
    }
  });

const explainInputSchema = z
  .object({
    file: fileArgument,
    rule: z.string({ error: 'is required: the id of the rule to explain' }).trim().min(1, 'needs a rule id'),
    facts: pathOption.optional(),
    interaction: z.string().trim().min(1, 'needs an interaction id').optional(),
    against: pathOption.optional(),
    tenant: tenantOptionSchema,
    now: isoDateOption.optional(),
    json: jsonOptionSchema,
  })
  .superRefine((input, ctx) => {
    if (input.facts === undefined && input.interaction === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['facts'],
        message: "or '--interaction <id>' (with '--against <store>') is required",
      });
    } else if (input.facts !== undefined && input.interaction !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['interaction'], message: 'cannot be used with --facts' });
    } else if (input.interaction !== undefined && input.against === undefined) {
      ctx.addIssue({ code: 'custom', path: ['against'], message: 'is required with --interaction' });
    } else if (input.facts !== undefined && input.against !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['against'],
        message: 'is only for --interaction (the facts come from the --facts file)',
      });
    } else if (input.interaction !== undefined && input.now !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['now'],
        message: 'is only for --facts: a stored interaction is judged as of when it happened',
      });
    }
  });

/** Adds `rapport rules validate`, `rapport rules test` and `rapport rules explain` to the program. */
export function registerRules(program: Command, io: CliIO): void {
  const rules = program
    .command('rules')
    .description('check rule files, backtest them on past interactions, explain a rule');

  rules
    .command('validate')
    .description('check a JSON rule file and list its rules, or every problem with its path and a hint')
    .argument('<file>', 'rule file: a JSON array of rules, or { "rules": [...] }')
    .option('--json', 'print { ok, file, rules } or { ok, file, issues } as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 every rule is valid, 1 some rules are invalid, 2 the file cannot be read or is not JSON.',
    )
    .action((file: string, raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, validateInputSchema, { ...raw, file });
      const { validation } = loadRuleFile(resolve(io.cwd, input.file));
      if (!validation.ok) refuseInvalid(validation, input.json, io);
      io.stdout(input.json ? json(validation) : renderRuleValidation(validation));
    });

  rules
    .command('test')
    .description(
      'backtest rules as a dry run: how often each would have fired on past interactions, and on which',
    )
    .argument('<file>', 'rule file')
    .option(
      '--against <store-or-jsonl>',
      'a .jsonl (or .ndjson) file of interactions or facts, or a store (SQLite file or postgres:// URL)',
    )
    .option('--tenant <id>', 'tenant to replay (stores only)', 'default')
    .option('--from <date>', 'only interactions from this ISO 8601 date (inclusive)')
    .option('--to <date>', 'only interactions before this ISO 8601 date (exclusive)')
    .option('--samples <n>', 'firings listed per rule', '5')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      [
        '',
        'A .jsonl line is an interaction as imported (rapport import --format jsonl) or facts with an',
        '"interaction" key; lines are replayed in file order. Anything else is a store (a SQLite file, or a postgres:// URL).',
        'Only rules on interaction.received are replayed; nothing is written and no action runs.',
        '',
        'Exit codes: 0 the backtest ran (rejected lines are listed), 1 invalid rules or a fatal error,',
        '2 the rule file or the .jsonl file cannot be read.',
      ].join('\n'),
    )
    .action(async (file: string, raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, testInputSchema, { ...raw, file });
      const path = resolve(io.cwd, input.file);
      const loaded = loadRuleFile(path);
      if (!loaded.ruleSet) refuseInvalid(loaded.validation, input.json, io);
      const report = await runRulesTest(loaded.ruleSet, loaded.input, {
        file: path,
        against: input.against!,
        tenant: input.tenant,
        from: input.from,
        to: input.to,
        samples: input.samples,
        cwd: io.cwd,
      });
      const triggers = new Map(
        loaded.ruleSet.rules.map((r) => [r.id, describeTrigger(r.definition.trigger)]),
      );
      io.stdout(input.json ? json(report) : renderRulesTestReport(report, triggers));
    });

  rules
    .command('explain')
    .description('show why a rule passes or fails: every condition with the value it saw')
    .argument('<file>', 'rule file')
    .option('--rule <id>', 'the rule to explain')
    .option('--facts <facts.json>', 'explain against the facts in this JSON file')
    .option('--interaction <id>', 'explain against a stored interaction (with --against)')
    .option('--against <store>', 'the store holding --interaction (a SQLite file or a postgres:// URL)')
    .option('--tenant <id>', 'tenant of --interaction', 'default')
    .option(
      '--now <date>',
      'with --facts: evaluate at this ISO 8601 time instead of now (withinLast, windows)',
    )
    .option('--json', 'print the explanation as JSON')
    .addHelpText(
      'after',
      [
        '',
        'With --facts, aggregates see no history (count 0). With --interaction the facts and the',
        "customer's history come from the store, and the rule is judged as of the interaction's time,",
        'as the rule engine does when it arrives.',
        '',
        'Exit codes: 0 the conditions hold, 3 they do not, 1 invalid rules, unknown rule or',
        'interaction, or another error, 2 the rule file or the facts file cannot be read.',
      ].join('\n'),
    )
    .action(async (file: string, raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, explainInputSchema, { ...raw, file });
      const path = resolve(io.cwd, input.file);
      const loaded = loadRuleFile(path);
      if (!loaded.ruleSet) refuseInvalid(loaded.validation, input.json, io);
      const explanation = await runRulesExplain(loaded.ruleSet, loaded.input, {
        ...input,
        file: path,
        cwd: io.cwd,
      });
      io.stdout(input.json ? json(explanation) : `${formatExplanation(explanation)}\n`);
      if (!explanation.passed) throw new CliExit(rulesExitCodes.failed);
    });
}
