import { isRapportError } from '@rapport/core';
import { type LoadSummary, readCdnowTransactions, type SkippedRecord } from '@rapport/datasets';
import {
  type ClvTransaction,
  type CustomerSummary,
  fitBgNbd,
  fitGammaGamma,
  fitParetoNbd,
  type ModelFit,
  summariesFromCsv,
  summariesFromTransactions,
  type TimeUnit,
} from '@rapport/scoring-clv';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, CliExit, exitCodes } from '../errors.js';
import { count, json, oneLine, table } from '../format.js';
import { inFile, inputFile, readTextFile } from '../input-files.js';
import type { CliIO } from '../io.js';
import { jsonOptionSchema, parseCommandInput, wholeNumberOption } from '../options.js';
import { isMalformedSkip, SHOWN_PROBLEMS } from './import.js';
import { isoDateOption } from './rules.js';

/** Models `rapport clv fit --model` fits. */
export const clvModelNames = ['bgnbd', 'pareto', 'gammagamma'] as const;

/** A `--model` value. */
export type ClvModelName = (typeof clvModelNames)[number];

/** Formats `rapport clv fit --transactions` reads. */
export const clvTransactionFormats = ['cdnow'] as const;

/** A `--format` value of `clv fit`. */
export type ClvTransactionFormat = (typeof clvTransactionFormats)[number];

/** The published name of each model, for the readable output. */
const MODEL_TITLES: Readonly<Record<ClvModelName, string>> = {
  bgnbd: 'BG/NBD',
  pareto: 'Pareto/NBD',
  gammagamma: 'Gamma-Gamma',
};

/** Options of {@link runClvFit}, validated: either `summary`, or `transactions` with its format and calibration end. */
export interface ClvFitOptions {
  model: ClvModelName;
  /** A summary CSV (`ID,frequency,recency,T[,monetary_value]`), relative to `cwd`. */
  summary?: string | undefined;
  /** A raw transaction file, relative to `cwd`. */
  transactions?: string | undefined;
  format?: ClvTransactionFormat | undefined;
  /** Last day of the calibration period, inclusive. */
  calibrationEnd?: Date | undefined;
  /** Unit of the summary built from transactions (default weeks). */
  timeUnit?: TimeUnit | undefined;
  /** Optimizer iterations. */
  maxIterations?: number | undefined;
  cwd: string;
}

/** What the raw transactions gave, when the summary was built from them. */
export interface ClvTransactionsRead {
  format: ClvTransactionFormat;
  /** Last calibration day: `YYYY-MM-DD`, or an ISO time when one was given. */
  calibrationEnd: string;
  timeUnit: TimeUnit;
  /** Lines read, transactions kept and lines skipped (per reason). */
  loader: LoadSummary;
  /** Negative amounts (refunds), left out of the purchases. */
  refunds: number;
}

/** What `rapport clv fit` printed; this is also its `--json` output. */
export interface ClvFitReport {
  model: ClvModelName;
  /** `summary` (a summary CSV) or `transactions` (raw purchases summarised first). */
  source: 'summary' | 'transactions';
  file: string;
  /** With `--transactions`: how the summary was built. */
  transactions?: ClvTransactionsRead;
  /** Customers in the summary. */
  summaries: number;
  /** Customers the model was fitted on (Gamma-Gamma: the repeat buyers with a positive mean spend). */
  customers: number;
  /** Repeat buyers Gamma-Gamma left out because their mean repeat spend is 0. */
  excluded?: number;
  /** Maximum-likelihood estimates (r, alpha, a, b; r, alpha, s, beta; p, q, gamma). */
  params: Record<string, number>;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  /** Largest gradient component of −LL/customers over the log-parameters at the end. */
  gradientNorm: number;
  /** Time spent fitting, in milliseconds. */
  fitMs: number;
  /** Time from the first read to the fitted model, in milliseconds. */
  durationMs: number;
  /** The first {@link SHOWN_PROBLEMS} transaction lines skipped as unreadable. */
  skipped: SkippedRecord[];
  /** 0, or 2 when lines of the transaction file were skipped as malformed. */
  exitCode: number;
}

/** `1997-09-30` for a midnight UTC, else the full ISO time. */
function dayOrTime(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** Summaries from a summary CSV, refused with the file's path and the plugin's hint. */
function readSummaryCsv(file: string): CustomerSummary[] {
  const text = readTextFile(file);
  try {
    return summariesFromCsv(text);
  } catch (error) {
    const header = error instanceof Error && error.message.includes('column in the header');
    throw inFile(
      file,
      error,
      header && isRapportError(error)
        ? `${error.hint}; a summary CSV starts with the header ID,frequency,recency,T (gammagamma: and monetary_value)`
        : undefined,
    );
  }
}

/**
 * Summaries from a CDNOW transaction file, read line by line: each customer's purchases collapse to
 * distinct days, spend per day summed (the plugin's summary rules). Unreadable lines are skipped
 * and reported; negative amounts are refunds and left out. The purchases are held until the
 * summary is built (a compact record each): the fit needs every customer at once anyway.
 */
async function summariseCdnow(
  file: string,
  calibrationEnd: Date,
  timeUnit: TimeUnit,
  skipped: SkippedRecord[],
): Promise<{ summaries: CustomerSummary[]; loader: LoadSummary; refunds: number }> {
  const purchases: ClvTransaction[] = [];
  let refunds = 0;
  const reader = readCdnowTransactions(file, {
    onSkip: (record) => {
      if (skipped.length < SHOWN_PROBLEMS) skipped.push(record);
    },
  });
  let next = await reader.next();
  while (!next.done) {
    const t = next.value;
    if (t.dollars < 0) refunds += 1;
    // Sample ids without their leading zeros (`0001` → `1`), as the published summaries write them.
    else purchases.push({ customerId: String(Number(t.sampleId)), date: t.date, amount: t.dollars });
    next = await reader.next();
  }
  const loader = next.value;
  if (loader.emitted === 0) {
    throw new CliError('CLI_NO_TRANSACTIONS', `${file} has no readable CDNOW transaction`, {
      hint: 'CDNOW lines are `master_id sample_id yyyymmdd cds dollars`, separated by spaces',
    });
  }
  let summaries: CustomerSummary[];
  try {
    summaries = summariesFromTransactions(purchases, { calibrationEnd, timeUnit });
  } catch (error) {
    throw inFile(file, error);
  }
  if (summaries.length === 0) {
    throw new CliError(
      'CLI_NO_CUSTOMERS',
      `No purchase in ${file} on or before ${dayOrTime(calibrationEnd)}`,
      {
        hint: 'set --calibration-end to a day after the first purchases: customers enter the summary with their first purchase',
      },
    );
  }
  return { summaries, loader, refunds };
}

/** Gamma-Gamma's population: repeat buyers with a positive mean spend, or a clear refusal. */
function repeatBuyers(summaries: readonly CustomerSummary[], file: string): CustomerSummary[] {
  const repeat = summaries.filter((s) => s.x > 0);
  if (repeat.length === 0) {
    throw new CliError('CLI_NO_REPEAT_BUYERS', `${file} has no repeat buyer (x > 0) to fit Gamma-Gamma on`, {
      hint: 'the spend model learns from repeat purchases: use a longer calibration period or more customers',
    });
  }
  if (repeat.every((s) => s.meanRepeatSpend === undefined)) {
    throw new CliError(
      'CLI_NO_SPEND',
      `${file} has no mean repeat spend column (monetary_value, zbar or meanRepeatSpend): Gamma-Gamma needs one`,
      {
        hint: 'give a summary with spends, such as cdnow_customers_summary_with_transactions.csv (ID,x,t_x,T,zbar), or --transactions with amounts',
      },
    );
  }
  return repeat.filter((s) => (s.meanRepeatSpend ?? 0) > 0);
}

/**
 * Fits one model on a summary CSV, or on the calibration summary built from raw transactions.
 *
 * @throws CliError when a file is missing or refused (its path, the line or column, and a hint),
 * or when the data cannot be fitted; a `RapportError` from the plugin otherwise.
 */
export async function runClvFit(options: ClvFitOptions): Promise<ClvFitReport> {
  const started = performance.now();
  const skipped: SkippedRecord[] = [];
  let file: string;
  let summaries: CustomerSummary[];
  let transactions: ClvTransactionsRead | undefined;
  if (options.summary !== undefined) {
    file = inputFile(options.cwd, options.summary, 'a summary CSV (ID,frequency,recency,T)');
    summaries = readSummaryCsv(file);
  } else {
    file = inputFile(options.cwd, options.transactions!, 'a transaction file');
    const calibrationEnd = options.calibrationEnd!;
    const timeUnit = options.timeUnit ?? 'weeks';
    const built = await summariseCdnow(file, calibrationEnd, timeUnit, skipped);
    summaries = built.summaries;
    transactions = {
      format: options.format ?? 'cdnow',
      calibrationEnd: dayOrTime(calibrationEnd),
      timeUnit,
      loader: built.loader,
      refunds: built.refunds,
    };
  }

  const fitOptions = { maxIterations: options.maxIterations ?? 1000 };
  let fit: ModelFit<Record<string, number>>;
  let excluded: number | undefined;
  const fitStarted = performance.now();
  if (options.model === 'gammagamma') {
    const buyers = repeatBuyers(summaries, file);
    excluded = summaries.filter((s) => s.x > 0).length - buyers.length;
    fit = fitGammaGamma(buyers, fitOptions);
  } else {
    fit = options.model === 'bgnbd' ? fitBgNbd(summaries, fitOptions) : fitParetoNbd(summaries, fitOptions);
  }
  const fitMs = performance.now() - fitStarted;

  const malformed = Object.entries(transactions?.loader.skipped ?? {}).some(
    ([reason, n]) => n > 0 && isMalformedSkip(reason),
  );
  return {
    model: options.model,
    source: options.summary !== undefined ? 'summary' : 'transactions',
    file,
    ...(transactions ? { transactions } : {}),
    summaries: summaries.length,
    customers: fit.customers,
    ...(excluded !== undefined ? { excluded } : {}),
    params: { ...fit.params },
    logLikelihood: fit.logLikelihood,
    iterations: fit.iterations,
    converged: fit.converged,
    gradientNorm: fit.gradientNorm,
    fitMs: Math.round(fitMs * 10) / 10,
    durationMs: Math.round(performance.now() - started),
    skipped,
    exitCode: malformed ? exitCodes.partial : exitCodes.ok,
  };
}

const milliseconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

/** The readable form of a fit: the parameters, the log-likelihood and how the fit went. */
export function renderClvFit(report: ClvFitReport): string {
  const t = report.transactions;
  let out = `${MODEL_TITLES[report.model]} fitted on ${count(report.customers)} customer${report.customers === 1 ? '' : 's'}`;
  out += ` from ${report.file}\n`;
  if (t) {
    const skippedTotal = Object.values(t.loader.skipped).reduce((a, b) => a + b, 0);
    out += `  ${count(t.loader.emitted)} ${t.format} transactions (${count(skippedTotal)} lines skipped`;
    out += `${t.refunds > 0 ? `, ${count(t.refunds)} refunds left out` : ''}), calibration ending ${t.calibrationEnd}, times in ${t.timeUnit}\n`;
  }
  if (report.excluded) {
    out += `  ${count(report.excluded)} repeat buyers with a mean spend of 0 left out\n`;
  }
  const rows: string[][] = Object.entries(report.params).map(([name, value]) => [name, value.toFixed(6)]);
  rows.push(['log-likelihood', report.logLikelihood.toFixed(4)]);
  rows.push([
    'iterations',
    `${report.iterations}, ${report.converged ? 'converged' : 'NOT converged: the estimates may be off'}`,
  ]);
  rows.push(['fit time', `${milliseconds(report.fitMs)} (${milliseconds(report.durationMs)} in all)`]);
  out += `${table(rows)}\n`;
  if (report.skipped.length > 0) {
    out += `\nSkipped lines (first ${report.skipped.length}):\n`;
    out += `${table(report.skipped.map((s) => [s.ref, s.reason, oneLine(s.detail, 100)]))}\n`;
  }
  return out;
}

const modelSchema = z.enum(clvModelNames, {
  error: (issue) =>
    issue.input === undefined
      ? `is required; one of: ${clvModelNames.join(', ')}`
      : `must be one of: ${clvModelNames.join(', ')}`,
});

const fitInputSchema = z
  .object({
    model: modelSchema,
    summary: z.string().trim().min(1, 'needs a file name').optional(),
    transactions: z.string().trim().min(1, 'needs a file name').optional(),
    format: z
      .enum(clvTransactionFormats, { error: `must be one of: ${clvTransactionFormats.join(', ')}` })
      .optional(),
    calibrationEnd: isoDateOption.optional(),
    timeUnit: z.enum(['weeks', 'days'], { error: 'must be weeks or days' }).optional(),
    maxIterations: wholeNumberOption(1, 1_000_000),
    json: jsonOptionSchema,
  })
  .superRefine((input, ctx) => {
    if (input.summary === undefined && input.transactions === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['summary'],
        message: "or '--transactions <file>' is required: the customers to fit on",
      });
    } else if (input.summary !== undefined && input.transactions !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['transactions'], message: 'cannot be used with --summary' });
    } else if (input.transactions !== undefined) {
      if (input.format === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['format'],
          message: `is required with --transactions; one of: ${clvTransactionFormats.join(', ')}`,
        });
      } else if (input.calibrationEnd === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['calibrationEnd'],
          message:
            'is required with --transactions: the last day of the calibration period, such as 1997-09-30',
        });
      }
    } else {
      for (const key of ['format', 'calibrationEnd', 'timeUnit'] as const) {
        if (input[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'is only for --transactions (a summary CSV is already summarised)',
          });
        }
      }
    }
  });

/** Adds `rapport clv fit` to the program. */
export function registerClv(program: Command, io: CliIO): void {
  const clv = program
    .command('clv')
    .description('customer lifetime value: fit BG/NBD, Pareto/NBD or Gamma-Gamma on a customer base');

  clv
    .command('fit')
    .description('fit a model by maximum likelihood and print its parameters and log-likelihood')
    .option('--model <model>', `model to fit: ${clvModelNames.join(', ')}`)
    .option(
      '--summary <csv>',
      'calibration summary CSV: ID,frequency,recency,T (gammagamma also needs monetary_value or zbar)',
    )
    .option(
      '--transactions <file>',
      'raw transactions to summarise first (with --format and --calibration-end)',
    )
    .option('--format <format>', `format of --transactions: ${clvTransactionFormats.join(', ')}`)
    .option(
      '--calibration-end <date>',
      'last day of the calibration period, inclusive (ISO 8601, e.g. 1997-09-30)',
    )
    .option(
      '--time-unit <unit>',
      'unit of recency and age when summarising transactions: weeks or days (default weeks)',
    )
    .option('--max-iterations <n>', 'optimizer iterations', '1000')
    .option('--json', 'print the fit as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Summary columns: ID (or customerId), frequency (or x), recency (t_x, tx), T, and for gammagamma',
        'the mean repeat spend (monetary_value, zbar or meanRepeatSpend), as lifetimes writes them.',
        'From transactions, purchases collapse to distinct days; x, recency and T are counted up to the',
        'calibration end, and later purchases are ignored.',
        '',
        'Exit codes: 0 fitted, 2 fitted but some transaction lines were skipped as malformed, 1 error.',
      ].join('\n'),
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, fitInputSchema, raw);
      const report = await runClvFit({ ...input, cwd: io.cwd });
      if (!report.converged) {
        io.stderr(`warning: the ${report.model} fit did not converge in ${report.iterations} iterations\n`);
      }
      io.stdout(input.json ? json(report) : renderClvFit(report));
      if (report.exitCode !== exitCodes.ok) throw new CliExit(report.exitCode);
    });
}
