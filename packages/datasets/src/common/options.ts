import { channelIdSchema, parseOrThrow, tenantIdSchema } from '@rapport/core';
import { z } from 'zod';

/**
 * A record a loader could not turn into an interaction. Loaders never throw halfway through a
 * file because of one bad record: they skip it, report it here and go on, so that a large import
 * is not lost to a single malformed line.
 */
export interface SkippedRecord {
  /** Machine-readable reason, such as `malformed-line`, `invalid-date` or `post-missing`. */
  reason: string;
  /** Where the record is: `line 12`, `tweet 1234`, `Votes.xml row 56`... */
  ref: string;
  /** Human-readable detail. */
  detail?: string;
}

/** Called once for every skipped record. */
export type SkipHandler = (skipped: SkippedRecord) => void;

/**
 * What a loader returns when it finishes (the generator's return value; `for await` drops it, so
 * callers that iterate that way count skips with `onSkip` instead).
 */
export interface LoadSummary {
  /** Records read from the source (rows, lines, XML rows), before any filtering. */
  read: number;
  /** Interactions yielded. */
  emitted: number;
  /** Records left out on purpose by an option (for example another brand's tweets). */
  filtered: number;
  /** Skipped records per reason. */
  skipped: Record<string, number>;
}

/** Options every loader accepts. */
export interface BaseLoaderOptions {
  /** Tenant to stamp on every item; left out, the ingesting instance's tenant applies. */
  tenant?: string;
  /** Channel id to use instead of the format's default. */
  channel?: string;
  /** Account to use instead of the format's default (some formats treat it as a filter). */
  account?: string;
  /** Called for every record the loader skips. */
  onSkip?: SkipHandler;
}

const skipHandlerSchema = z.custom<SkipHandler>((value) => typeof value === 'function', 'must be a function');

/** Zod schema of {@link BaseLoaderOptions}; format loaders extend it. */
export const baseLoaderOptionsSchema = z
  .object({
    tenant: tenantIdSchema.optional(),
    channel: channelIdSchema.optional(),
    account: z.string().min(1).max(256).optional(),
    onSkip: skipHandlerSchema.optional(),
  })
  .strict();

/**
 * Validates loader options, throwing `RAPPORT_INVALID_OPTIONS` with the offending path. Loaders
 * call it before reading anything, so a bad option fails before the first item.
 */
export function parseLoaderOptions<S extends z.ZodType>(
  schema: S,
  options: unknown,
  loader: string,
): z.output<S> {
  return parseOrThrow(schema, options ?? {}, 'RAPPORT_INVALID_OPTIONS', `${loader} options`);
}

/** Counts skips and forwards them to the caller's handler, building the {@link LoadSummary}. */
export class SummaryCounter {
  readonly summary: LoadSummary = { read: 0, emitted: 0, filtered: 0, skipped: {} };

  constructor(private readonly onSkip: SkipHandler | undefined) {}

  /** Records a skipped record. */
  skip(reason: string, ref: string, detail?: string): void {
    this.summary.skipped[reason] = (this.summary.skipped[reason] ?? 0) + 1;
    this.onSkip?.(detail === undefined ? { reason, ref } : { reason, ref, detail });
  }
}
