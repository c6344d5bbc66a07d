import { currencySchema, parsePluginOptions } from '@rapport/core';
import { z } from 'zod';
import { clvModelsSchema } from './clv.js';
import { PLUGIN } from './summary/types.js';

/** Schema of the options of {@link clvScoring}. Unknown keys are rejected so typos surface. */
export const clvScoringOptionsSchema = z
  .object({
    models: clvModelsSchema.describe(
      'Population parameters from `fitClvModels` (BG/NBD and Gamma-Gamma, and their time unit): a plugin scoring one customer cannot fit them',
    ),
    horizon: z
      .number()
      .finite()
      .positive()
      .optional()
      .describe(
        'Forecast horizon of expected purchases and CLV, in the models’ time unit; default one year (52 weeks or 365 days)',
      ),
    periods: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(12)
      .describe('Discounting periods the horizon is cut into (12: monthly over a year)'),
    discountRate: z.number().finite().min(0).default(0.01).describe('Discount rate per period'),
    margin: z.number().finite().min(0).default(1).describe('Share of spend that is profit; 1 values revenue'),
    currency: currencySchema
      .optional()
      .describe('Only purchases in this currency count; required when customers buy in several'),
  })
  .strict();

/** Options of {@link clvScoring}, as the caller writes them. */
export type ClvScoringOptions = z.input<typeof clvScoringOptionsSchema>;

/** Options of {@link clvScoring} with defaults filled in. */
export type ResolvedClvScoringOptions = Omit<z.output<typeof clvScoringOptionsSchema>, 'horizon'> & {
  horizon: number;
};

/**
 * Validates options, or throws `RAPPORT_INVALID_OPTIONS` whose path names the offending option (for
 * an unknown key, the key itself).
 */
export function parseClvScoringOptions(options: unknown): ResolvedClvScoringOptions {
  const parsed = parsePluginOptions(clvScoringOptionsSchema, options, 'clvScoring', PLUGIN);
  const horizon = parsed.horizon ?? (parsed.models.timeUnit === 'days' ? 365 : 52);
  return { ...parsed, horizon };
}
