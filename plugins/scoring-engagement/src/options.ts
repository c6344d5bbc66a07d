import { channelIdSchema, interactionKindSchema, parsePluginOptions } from '@rapport/core';
import { z } from 'zod';
import { DEFAULT_LEVELS, levelsSchema } from './levels.js';

/** The plugin id, as errors name it. */
export const PLUGIN = 'engagement';

const weightSchema = z.number().finite().min(0);
const kindWeightsSchema = z.record(interactionKindSchema, weightSchema);

/** A handle pattern: a RegExp, or its source as a string. Stateful flags are dropped. */
const handlePatternSchema = z
  .union([z.instanceof(RegExp), z.string().min(1)])
  .transform((pattern, payload) => {
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    // `g` and `y` make `test` remember where it stopped, so one handle would match and the next
    // identical one not: excluding a bot must not depend on what was tested before.
    const flags = typeof pattern === 'string' ? '' : pattern.flags.replace(/[gy]/g, '');
    try {
      return new RegExp(source, flags);
    } catch (error) {
      payload.issues.push({
        code: 'custom',
        message: `not a valid regular expression: ${(error as Error).message}`,
        input: pattern,
      });
      return z.NEVER;
    }
  });

/** Schema of the options of {@link engagementScoring}. Unknown keys are rejected so typos surface. */
export const engagementScoringOptionsSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(64)
      .default('engagement')
      .describe(
        'Plugin id; give each engagement plugin of one Rapport its own (the Orbit preset uses `orbit-love`)',
      ),
    scoreName: z
      .string()
      .max(120)
      .regex(/^[a-z][a-z0-9_.-]*$/, 'must be a lower-case score name such as `engagement`')
      .default('engagement')
      .describe('Name of the engagement score; the level score is named `<scoreName>.level`'),
    modelId: z
      .string()
      .min(1)
      .max(128)
      .default('engagement-effort-decay')
      .describe('Model id recorded with every score'),
    weights: kindWeightsSchema
      .prefault({})
      .describe('Weight per interaction kind, merged over the default table (set a kind to 0 to ignore it)'),
    effortWeights: z
      .object({
        signal: weightSchema.optional(),
        contribution: weightSchema.optional(),
        transaction: weightSchema.optional(),
      })
      .strict()
      .prefault({})
      .describe(
        'Weight of a kind without its own weight, by effort class; merged over signal 1, contribution 4, transaction 0',
      ),
    channelWeights: z
      .record(channelIdSchema, kindWeightsSchema)
      .prefault({})
      .describe('Per channel, weights per kind that override `weights` on that channel'),
    halfLifeDays: z
      .number()
      .finite()
      .positive()
      .default(90)
      .describe('Days after which a contribution counts half'),
    levels: levelsSchema
      .default(() => DEFAULT_LEVELS.map((level) => ({ ...level })))
      .describe('Named levels, ascending thresholds, the first at 0'),
    exclude: z
      .object({
        customerIds: z
          .array(z.string().min(1))
          .default([])
          .describe('Customers who get no score (staff, test accounts)'),
        actorExternalIds: z
          .array(z.string().min(1))
          .default([])
          .describe('Channel ids of actors whose interactions count 0'),
        handles: z
          .array(handlePatternSchema)
          .default([])
          .describe(
            'Patterns (RegExp or source string) of actor handles whose interactions count 0, e.g. /bot$/i',
          ),
      })
      .strict()
      .prefault({})
      .describe('Staff and bots: their interactions score nothing'),
  })
  .strict();

/** Options of {@link engagementScoring}, as the caller writes them. */
export type EngagementScoringOptions = z.input<typeof engagementScoringOptionsSchema>;

/** Options of {@link engagementScoring}, validated, defaults filled in (weights not yet merged). */
export type ParsedEngagementScoringOptions = z.output<typeof engagementScoringOptionsSchema>;

/**
 * Validates options, or throws `RAPPORT_INVALID_OPTIONS` whose path names the offending option (for
 * an unknown key, the key itself), e.g. `['levels', 2, 'min']` or `['weights', 'reply']`.
 */
export function parseEngagementScoringOptions(options: unknown): ParsedEngagementScoringOptions {
  return parsePluginOptions(engagementScoringOptionsSchema, options, 'engagementScoring', PLUGIN);
}
