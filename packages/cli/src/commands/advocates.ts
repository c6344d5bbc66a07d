import type { InteractionInput } from '@rapport/core';
import {
  type DatasetFormat,
  datasetFormatNames,
  datasetFormats,
  isDatasetFormat,
  type LoadSummary,
  type SkippedRecord,
} from '@rapport/datasets';
import {
  type AdvocacyEvidenceKind,
  type Advocate,
  advocacyEvidenceKinds,
  defaultAdvocacyWeights,
  findAdvocates,
} from '@rapport/scoring-advocacy';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, CliExit, exitCodes } from '../errors.js';
import { count, json, oneLine, table, utc } from '../format.js';
import { inFile, inputFile, inputFolder } from '../input-files.js';
import type { CliIO } from '../io.js';
import { jsonOptionSchema, parseCommandInput, wholeNumberOption } from '../options.js';
import { isMalformedSkip, SHOWN_PROBLEMS } from './import.js';

/** Options of {@link runAdvocates}, validated. */
export interface AdvocatesRunOptions {
  /** `<loader>:<path>`, such as `stackexchange:fixtures/stackexchange-meta-conlang`. */
  dataset: string;
  /** How many advocates to list. */
  top: number;
  cwd: string;
}

/** An advocate as listed: the plugin's ranking entry, with the display name the data gives. */
export interface ListedAdvocate extends Advocate {
  /** The handle or display name of the advocate's identity, when the data has one. */
  handle: string | null;
}

/** What `rapport advocates` found; this is also its `--json` output. */
export interface AdvocatesReport {
  /** The loader and the file or folder it read. */
  dataset: { loader: DatasetFormat; path: string };
  /** The loader's account of the source: records read, items yielded, skipped per reason. */
  loader: LoadSummary;
  /** Points per kind of evidence. */
  weights: Record<AdvocacyEvidenceKind, number>;
  /** Members with at least one piece of evidence. */
  advocates: number;
  /** The first `--top` advocates, best first, each with every piece of evidence. */
  top: ListedAdvocate[];
  durationMs: number;
  /** The first {@link SHOWN_PROBLEMS} records the loader skipped as malformed. */
  skipped: SkippedRecord[];
  /** 0, or 2 when the loader skipped records as malformed. */
  exitCode: number;
}

/** Splits `<loader>:<path>`, refusing an unknown loader with the list of known ones. */
export function parseDataset(spec: string): { loader: DatasetFormat; path: string } {
  const at = spec.indexOf(':');
  const loader = at < 0 ? spec : spec.slice(0, at);
  const path = at < 0 ? '' : spec.slice(at + 1);
  const example = 'stackexchange:fixtures/stackexchange-meta-conlang';
  if (!isDatasetFormat(loader)) {
    throw new CliError('CLI_UNKNOWN_DATASET', `Unknown dataset loader "${loader}" in --dataset ${spec}`, {
      hint: `use one of: ${datasetFormatNames.join(', ')}, as <loader>:<path> (e.g. ${example})`,
    });
  }
  if (path.trim() === '') {
    throw new CliError('CLI_NO_DATASET_PATH', `--dataset ${spec} names no file or folder`, {
      hint: `write --dataset <loader>:<path>, e.g. ${example}`,
    });
  }
  return { loader, path };
}

/**
 * Finds the advocates of a data set: the loader's interactions go through `findAdvocates` as they
 * are read, and the ranking keeps every piece of evidence.
 *
 * @throws CliError for an unknown loader or a missing file or folder; a `RapportError` (naming the
 * path) when the loader refuses the source.
 */
export async function runAdvocates(options: AdvocatesRunOptions): Promise<AdvocatesReport> {
  const started = performance.now();
  const { loader, path } = parseDataset(options.dataset);
  const source =
    loader === 'stackexchange'
      ? inputFolder(options.cwd, path, 'a Stack Exchange dump (the folder holding Posts.xml)')
      : inputFile(options.cwd, path, `a ${loader} file`);
  const skipped: SkippedRecord[] = [];
  const items = datasetFormats[loader](source, {
    onSkip: (record) => {
      if (skipped.length < SHOWN_PROBLEMS && isMalformedSkip(record.reason)) skipped.push(record);
    },
  });
  let summary: LoadSummary = { read: 0, emitted: 0, filtered: 0, skipped: {} };
  // Member ids of interaction inputs are `<channel>:<externalId>`; keep their names for the list.
  const handles = new Map<string, string>();
  async function* interactions(): AsyncGenerator<InteractionInput, void, undefined> {
    let next = await items.next();
    while (!next.done) {
      const { channel, actor } = next.value;
      if (actor.handle) handles.set(`${channel}:${actor.externalId}`, actor.handle);
      yield next.value;
      next = await items.next();
    }
    summary = next.value;
  }
  let advocates: Advocate[];
  try {
    advocates = await findAdvocates(interactions());
  } catch (error) {
    throw inFile(source, error);
  } finally {
    await items.return({ read: 0, emitted: 0, filtered: 0, skipped: {} });
  }
  const malformed = Object.entries(summary.skipped).some(([reason, n]) => n > 0 && isMalformedSkip(reason));
  return {
    dataset: { loader, path: source },
    loader: summary,
    weights: { ...defaultAdvocacyWeights },
    advocates: advocates.length,
    top: advocates.slice(0, options.top).map((a) => ({ ...a, handle: handles.get(a.id) ?? null })),
    durationMs: Math.round(performance.now() - started),
    skipped,
    exitCode: malformed ? exitCodes.partial : exitCodes.ok,
  };
}

/** Short column names of the evidence kinds. */
const SHORT: Readonly<Record<AdvocacyEvidenceKind, string>> = {
  'accepted-answer': 'accepted',
  'upvoted-answer': 'upvoted',
  'appreciated-reply': 'appreciated',
  'converted-referral': 'referrals',
};

/** The readable ranking: one row per advocate, then the first pieces of evidence of each. */
export function renderAdvocates(report: AdvocatesReport, evidencePerAdvocate = 3): string {
  let out = `Advocates of ${report.dataset.path} (${report.dataset.loader}): ${count(report.advocates)} found`;
  out += ` in ${count(report.loader.emitted)} interactions, ${report.durationMs} ms\n`;
  out += `  score = ${advocacyEvidenceKinds.map((k) => `${report.weights[k]} × ${k}`).join(' + ')}\n\n`;
  if (report.top.length === 0)
    return `${out}  nobody: no answer, reply or referral of another person's item was received well\n`;
  out += `${table(
    [
      ['rank', 'advocate', 'score', ...advocacyEvidenceKinds.map((k) => SHORT[k])],
      ...report.top.map((a, i) => [
        String(i + 1),
        a.handle ? `${a.id} (${a.handle})` : a.id,
        String(a.score),
        ...advocacyEvidenceKinds.map((k) => count(a.counts[k])),
      ]),
    ],
    { right: [0, 2, 3, 4, 5, 6] },
  )}\n`;
  if (evidencePerAdvocate > 0) {
    out += `\nEvidence (newest ${evidencePerAdvocate} of each; --json lists all)\n`;
    for (const advocate of report.top) {
      out += `  ${advocate.id}\n`;
      const latest = advocate.evidence.slice(-evidencePerAdvocate).reverse();
      out += `${table(
        latest.map((e) => [utc(e.occurredAt), e.kind, e.interactionId, oneLine(e.detail, 90)]),
        { indent: '    ' },
      )}\n`;
    }
  }
  const reasons = Object.entries(report.loader.skipped).filter(([, n]) => n > 0);
  if (reasons.length > 0) {
    out += `\nRecords the loader skipped: ${reasons.map(([reason, n]) => `${reason} ${count(n)}`).join(', ')}\n`;
  }
  if (report.skipped.length > 0) {
    out += `Malformed records (first ${report.skipped.length}):\n`;
    out += `${table(report.skipped.map((s) => [s.ref, s.reason, oneLine(s.detail, 100)]))}\n`;
  }
  return out;
}

const advocatesInputSchema = z.object({
  dataset: z
    .string({ error: `is required: <loader>:<path>, with a loader among ${datasetFormatNames.join(', ')}` })
    .trim()
    .min(1, 'needs <loader>:<path>'),
  top: wholeNumberOption(1, 1_000_000),
  evidence: wholeNumberOption(0, 1000),
  json: jsonOptionSchema,
});

/** Adds `rapport advocates` to the program. */
export function registerAdvocates(program: Command, io: CliIO): void {
  program
    .command('advocates')
    .description('find the customers who help others in a data set, with the evidence')
    .option(
      '--dataset <loader:path>',
      `data to read, as <loader>:<path>; loaders: ${datasetFormatNames.join(', ')} (e.g. stackexchange:<dump folder>)`,
    )
    .option('--top <n>', 'how many advocates to list', '10')
    .option('--evidence <n>', 'pieces of evidence shown per advocate in the table (--json lists all)', '3')
    .option('--json', 'print the advocates with all their evidence as JSON')
    .addHelpText(
      'after',
      [
        '',
        "Evidence: an accepted answer to another person's question, an answer to another person with a net",
        "score of 1 or more, a reply to another person's item with a positive reaction, a referral whose",
        `referred person bought. Score = ${advocacyEvidenceKinds.map((k) => `${defaultAdvocacyWeights[k]} × ${k}`).join(' + ')}.`,
        '',
        'Exit codes: 0 done, 2 done but the loader skipped malformed records, 1 error.',
      ].join('\n'),
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, advocatesInputSchema, raw);
      const report = await runAdvocates({ ...input, cwd: io.cwd });
      io.stdout(input.json ? json(report) : renderAdvocates(report, input.evidence));
      if (report.exitCode !== exitCodes.ok) throw new CliExit(report.exitCode);
    });
}
