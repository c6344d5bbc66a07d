import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  sentimentLabel,
  supportsLanguage,
  UNSUPPORTED_LANGUAGE_LABEL,
  VADER_MODEL_ID,
  VADER_MODEL_VERSION,
  vader,
} from '@rapport/scoring-sentiment';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, CliExit, exitCodes } from '../errors.js';
import { count, json, oneLine, rate, table } from '../format.js';
import { inputFile } from '../input-files.js';
import type { CliIO } from '../io.js';
import { decimalOption, jsonOptionSchema, parseCommandInput, wholeNumberOption } from '../options.js';

/** VADER's scores for one text, as `rapport sentiment` prints them. */
export interface SentimentScored {
  /** The line's id (file input); absent for `--text`. */
  id?: string;
  /** The text's language, when the file or `--language` gives one. */
  language?: string;
  neg: number;
  neu: number;
  pos: number;
  /** −1 (most negative) … +1 (most positive). */
  compound: number;
  /** `positive`, `neutral` or `negative`, as the scoring plugin labels the compound. */
  label: 'positive' | 'neutral' | 'negative';
}

/** A text in a language VADER does not score: marked, as the scoring plugin marks it, not scored. */
export interface SentimentUnsupported {
  id?: string;
  language: string;
  unsupported: true;
  label: typeof UNSUPPORTED_LANGUAGE_LABEL;
}

/** One output object of `rapport sentiment`. */
export type SentimentResult = SentimentScored | SentimentUnsupported;

/** How to read a `rapport sentiment` file and label its scores. */
export interface SentimentOptions {
  /** 1-based column holding the text; default the last column of each line. */
  textColumn?: number | undefined;
  /** Language of every text (a BCP 47 tag); default unknown, scored as English. */
  language?: string | undefined;
  /** 1-based column holding each text's language. */
  languageColumn?: number | undefined;
  /** Whether the first line is a header to skip. */
  header?: boolean | undefined;
  /** Label threshold on the compound (default 0.05). */
  threshold?: number | undefined;
}

/** What a `rapport sentiment` run over a file did. */
export interface SentimentRunSummary {
  file: string;
  /** Lines scored or marked as unsupported. */
  scored: number;
  /** Of those, texts in an unsupported language. */
  unsupported: number;
  /** Lines that could not be read as `id<TAB>…<TAB>text`. */
  skipped: number;
  durationMs: number;
  textsPerSecond: number;
  /** 0, or 2 when lines were skipped. */
  exitCode: number;
}

/** Scores one text, or marks it when its language is one VADER does not score. */
export function scoreText(
  text: string,
  language: string | undefined,
  threshold: number,
  id?: string,
): SentimentResult {
  const head = id === undefined ? {} : { id };
  if (language !== undefined && !supportsLanguage(language)) {
    return { ...head, language, unsupported: true, label: UNSUPPORTED_LANGUAGE_LABEL };
  }
  const { neg, neu, pos, compound } = vader(text);
  return {
    ...head,
    ...(language !== undefined ? { language } : {}),
    neg,
    neu,
    pos,
    compound,
    label: sentimentLabel(compound, threshold),
  };
}

/** One line of the input: a result, a reason to skip it, or nothing (a blank line). */
export function parseSentimentLine(
  line: string,
  options: SentimentOptions,
): { id: string; text: string; language: string | undefined } | string | null {
  if (line.trim() === '') return null;
  const fields = line.split('\t');
  if (fields.length < 2) return 'no tab: expected id<TAB>…<TAB>text';
  const id = fields[0]!.trim();
  if (id === '') return 'empty id in column 1';
  const need = Math.max(options.textColumn ?? 0, options.languageColumn ?? 0);
  if (fields.length < need) return `${fields.length} columns, expected at least ${need}`;
  const text = options.textColumn ? fields[options.textColumn - 1]! : fields[fields.length - 1]!;
  if (text.trim() === '') return 'no text to score';
  let language = options.language;
  if (options.languageColumn) {
    const tag = fields[options.languageColumn - 1]!.trim();
    language = tag === '' ? undefined : tag;
  }
  return { id, text, language };
}

/** The readable row of a result: scores in fixed columns, then the id and the start of the text. */
function row(result: SentimentResult, text: string): string {
  const cells =
    'unsupported' in result
      ? ['—', '—', '—', '—', `unsupported (${result.language})`]
      : [
          result.compound.toFixed(4),
          result.pos.toFixed(3),
          result.neu.toFixed(3),
          result.neg.toFixed(3),
          result.label,
        ];
  const [compound, pos, neu, neg, label] = cells as [string, string, string, string, string];
  return `${compound.padStart(8)}  ${pos.padStart(5)}  ${neu.padStart(5)}  ${neg.padStart(5)}  ${label.padEnd(8)}  ${result.id ?? ''}  ${oneLine(text, 70)}\n`;
}

/** Header of the readable rows. */
const HEADER = `${'compound'.padStart(8)}  ${'pos'.padStart(5)}  ${'neu'.padStart(5)}  ${'neg'.padStart(5)}  ${'label'.padEnd(8)}  id  text\n`;

/** Lines written to stdout at once. */
const FLUSH_EVERY = 256;

/**
 * Scores a file of `id<TAB>…<TAB>text` lines, streaming: lines are read one at a time (readline)
 * and results written in small batches, so a file of any size is scored in constant memory.
 * Lines that cannot be read are reported on stderr with their line number and skipped.
 */
export async function runSentimentFile(
  path: string,
  options: SentimentOptions & { json: boolean; cwd: string },
  io: CliIO,
): Promise<SentimentRunSummary> {
  const file = inputFile(options.cwd, path, 'a TSV file of id<TAB>…<TAB>text lines');
  const threshold = options.threshold ?? 0.05;
  const started = performance.now();
  let pending: string[] = options.json ? [] : [HEADER];
  const flush = () => {
    if (pending.length > 0) io.stdout(pending.join(''));
    pending = [];
  };
  let scored = 0;
  let unsupported = 0;
  let skipped = 0;
  let lineNumber = 0;
  let sawFirst = false;
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const raw of lines) {
      lineNumber += 1;
      const line = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (!sawFirst && line.trim() !== '') {
        sawFirst = true;
        if (options.header) continue;
      }
      const parsed = parseSentimentLine(line, options);
      if (parsed === null) continue;
      if (typeof parsed === 'string') {
        skipped += 1;
        io.stderr(`line ${lineNumber}: skipped: ${parsed}\n`);
        continue;
      }
      const result = scoreText(parsed.text, parsed.language, threshold, parsed.id);
      scored += 1;
      if ('unsupported' in result) unsupported += 1;
      pending.push(options.json ? `${JSON.stringify(result)}\n` : row(result, parsed.text));
      if (pending.length >= FLUSH_EVERY) flush();
    }
  } catch (cause) {
    // The stream's own failures (permissions, a file removed while read); not the CLI's errors.
    if (
      !(cause instanceof Error) ||
      !('code' in cause) ||
      typeof cause.code !== 'string' ||
      !('syscall' in cause)
    ) {
      throw cause;
    }
    flush();
    throw new CliError(
      'CLI_UNREADABLE_FILE',
      `Cannot read ${file} after line ${lineNumber}: ${cause.message}`,
      {
        hint: 'check that the file is readable',
        cause,
      },
    );
  } finally {
    lines.close();
    input.destroy();
  }
  flush();
  const durationMs = performance.now() - started;
  return {
    file,
    scored,
    unsupported,
    skipped,
    durationMs: Math.round(durationMs),
    textsPerSecond: rate(scored, durationMs),
    exitCode: skipped > 0 ? exitCodes.partial : exitCodes.ok,
  };
}

/** The readable form of one `--text` result. */
export function renderSentimentText(result: SentimentResult): string {
  if ('unsupported' in result) {
    return `unsupported language ${result.language}: not scored (VADER reads English)\n`;
  }
  return `${table([
    ['compound', result.compound.toFixed(4), result.label],
    ['pos', result.pos.toFixed(3), ''],
    ['neu', result.neu.toFixed(3), ''],
    ['neg', result.neg.toFixed(3), ''],
  ])}\n`;
}

/** A BCP 47 tag, loosely: `en`, `en-GB`, `eng`, `und`, `pt_BR`. */
const languageTag = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/, 'must be a language tag such as en, en-GB or fr');

const sentimentInputSchema = z
  .object({
    file: z.string().min(1, 'needs a file name').optional(),
    text: z.string().optional(),
    textColumn: wholeNumberOption(2, 10_000).optional(),
    language: languageTag.optional(),
    languageColumn: wholeNumberOption(2, 10_000).optional(),
    header: z.boolean().default(false),
    threshold: decimalOption(0, 1),
    json: jsonOptionSchema,
  })
  .superRefine((input, ctx) => {
    if (input.file === undefined && input.text === undefined) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: "or '--text <text>' is required" });
      return;
    }
    if (input.file !== undefined && input.text !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'cannot be used with a file' });
      return;
    }
    if (input.text !== undefined) {
      if (!/\S/.test(input.text))
        ctx.addIssue({ code: 'custom', path: ['text'], message: 'needs some text to score' });
      for (const key of ['textColumn', 'languageColumn'] as const) {
        if (input[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: 'is only for a file' });
      }
      if (input.header) ctx.addIssue({ code: 'custom', path: ['header'], message: 'is only for a file' });
    }
    if (input.language !== undefined && input.languageColumn !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['languageColumn'], message: 'cannot be used with --language' });
    }
    if (input.textColumn !== undefined && input.textColumn === input.languageColumn) {
      ctx.addIssue({ code: 'custom', path: ['languageColumn'], message: 'must differ from --text-column' });
    }
  });

/** Adds `rapport sentiment` to the program. */
export function registerSentiment(program: Command, io: CliIO): void {
  program
    .command('sentiment')
    .description('score texts with VADER: a TSV file of id<TAB>…<TAB>text lines, streamed, or one --text')
    .argument('[file]', 'TSV file: id in column 1, text in the last column (or --text-column)')
    .option('--text <text>', 'score this one text instead of a file')
    .option('--text-column <n>', 'column of the text, from 1 (default: the last column of each line)')
    .option('--language <tag>', 'language of the texts (default: unknown, scored as English)')
    .option('--language-column <n>', "column holding each line's language tag (empty: unknown)")
    .option('--header', 'the first line names the columns: skip it')
    .option('--threshold <x>', 'compound at or above x is positive, at or below -x negative', '0.05')
    .option('--json', 'print one JSON object per line (JSON lines); one object for --text')
    .addHelpText(
      'after',
      [
        '',
        `Scores are VADER's neg, neu, pos and compound (model ${VADER_MODEL_ID} ${VADER_MODEL_VERSION}, the Python`,
        "reference's numbers). Texts in a language other than English (en, en-*, eng; und or none counts",
        'as English) are not scored: they come out as { id, language, unsupported: true, label }.',
        'Lines that cannot be read are reported on stderr with their line number and skipped; blank',
        'lines are ignored. A summary (texts, skipped, texts/s) goes to stderr.',
        '',
        'Exit codes: 0 every line scored, 2 some lines skipped, 1 error.',
      ].join('\n'),
    )
    .action(async (file: string | undefined, raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, sentimentInputSchema, { ...raw, file });
      if (input.text !== undefined) {
        const result = scoreText(input.text, input.language, input.threshold);
        io.stdout(input.json ? json({ text: input.text, ...result }) : renderSentimentText(result));
        return;
      }
      const summary = await runSentimentFile(input.file!, { ...input, cwd: io.cwd }, io);
      const unsupported =
        summary.unsupported > 0 ? ` (${count(summary.unsupported)} in an unsupported language)` : '';
      io.stderr(
        `sentiment: ${count(summary.scored)} texts scored${unsupported}, ${count(summary.skipped)} lines skipped, ` +
          `${summary.durationMs} ms, ${count(summary.textsPerSecond)} texts/s\n`,
      );
      if (summary.exitCode !== exitCodes.ok) throw new CliExit(summary.exitCode);
    });
}
