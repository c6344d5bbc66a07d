import type { InteractionInput } from '@rapport/core';
import { readLines } from '../common/lines.js';
import {
  type BaseLoaderOptions,
  baseLoaderOptionsSchema,
  type LoadSummary,
  parseLoaderOptions,
  SummaryCounter,
} from '../common/options.js';

/** Options of {@link loadJsonl}. */
export type JsonlOptions = BaseLoaderOptions;

/** Zod schema of {@link JsonlOptions}. */
export const jsonlOptionsSchema = baseLoaderOptionsSchema;

/**
 * Streams a JSON-lines file of `InteractionInput` objects, one per line; blank lines are ignored.
 *
 * Error handling: a line that is not valid JSON is skipped and reported through `onSkip` (reason
 * `invalid-json`, ref `line <n>`) and counted in the returned summary; the import goes on, since
 * one bad line must not abort a large import halfway. Lines that parse are yielded as they are,
 * without checking them against the interaction schema: the ingest pipeline validates every item
 * and reports a rejected one with its position, path and hint, which is more useful than a
 * second, partial check here. (Positions count yielded items; skipped lines are not counted.)
 *
 * Options: `tenant`, `channel` and `account` fill in the field on items that lack it; they never
 * overwrite a value the file gives.
 *
 * @param path - path of the `.jsonl` file.
 * @param options - see {@link JsonlOptions}.
 * @returns an async generator of (unvalidated) items; its return value is the {@link LoadSummary}.
 */
export async function* loadJsonl(
  path: string,
  options: JsonlOptions = {},
): AsyncGenerator<InteractionInput, LoadSummary, undefined> {
  const opts = parseLoaderOptions(jsonlOptionsSchema, options, 'loadJsonl');
  const defaults = Object.entries({
    tenant: opts.tenant,
    channel: opts.channel,
    account: opts.account,
  }).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const counter = new SummaryCounter(opts.onSkip);
  const { summary } = counter;
  for await (const { line, text } of readLines(path)) {
    if (text.trim() === '') continue;
    summary.read += 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      counter.skip('invalid-json', `line ${line}`, error instanceof Error ? error.message : String(error));
      continue;
    }
    if (defaults.length > 0 && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const item = value as Record<string, unknown>;
      for (const [key, fallback] of defaults) if (item[key] === undefined) item[key] = fallback;
    }
    summary.emitted += 1;
    yield value as InteractionInput;
  }
  return summary;
}
