import { z } from 'zod';

/** Schema of the options of {@link sentimentScoring}. Unknown keys are rejected so typos surface. */
export const sentimentScoringOptionsSchema = z
  .object({
    threshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe(
        'Compound at or above `threshold` is labelled `positive`, at or below `-threshold` `negative`, otherwise `neutral`. 0.05 is the cut-off the VADER authors suggest.',
      ),
    proportions: z
      .boolean()
      .default(false)
      .describe(
        "Also annotate VADER's positive, neutral and negative shares (`sentiment_positive`, `sentiment_neutral`, `sentiment_negative`).",
      ),
    unsupportedLanguage: z
      .enum(['mark', 'skip'])
      .default('mark')
      .describe(
        'For text in a language VADER does not support: `mark` annotates `sentiment_unsupported` (no `sentiment`), `skip` annotates nothing.',
      ),
  })
  .strict();

/** Options of {@link sentimentScoring} (all optional). */
export type SentimentScoringOptions = z.input<typeof sentimentScoringOptionsSchema>;
/** Options of {@link sentimentScoring} after defaults. */
export type ResolvedSentimentScoringOptions = z.output<typeof sentimentScoringOptionsSchema>;
