import {
  type Interaction,
  type InteractionScore,
  parsePluginOptions,
  SCORING_SPEC_VERSION,
  type ScoreModel,
  type ScoringPlugin,
} from '@rapport/core';
import { version } from '../package.json';
import { type SentimentScoringOptions, sentimentScoringOptionsSchema } from './options.js';
import { NORMALIZATION_ALPHA, VADER_REFERENCE, vader } from './vader.js';

/** Id of the scoring plugin. */
export const SENTIMENT_PLUGIN_ID = 'sentiment';
/** Id of the model every score of this plugin names. */
export const VADER_MODEL_ID = 'vader';
/**
 * Version of the model: the reference VADER version it reproduces (vaderSentiment 3.3.2), then
 * the revision of this port. Scores with the same version are the same function of the text.
 */
export const VADER_MODEL_VERSION = `${VADER_REFERENCE.version}-ts.1`;

/** Names of the interaction scores this plugin writes. */
export const SENTIMENT_SCORES = {
  /** VADER's compound score, −1 … +1, labelled `positive`, `neutral` or `negative`. */
  compound: 'sentiment',
  /** Share of positive tokens (with the `proportions` option). */
  positive: 'sentiment_positive',
  /** Share of neutral tokens (with the `proportions` option). */
  neutral: 'sentiment_neutral',
  /** Share of negative tokens (with the `proportions` option). */
  negative: 'sentiment_negative',
  /** Value 1, label `unsupported-language`: the text is in a language VADER does not score. */
  unsupported: 'sentiment_unsupported',
} as const;

/** Label of the {@link SENTIMENT_SCORES.unsupported} mark. */
export const UNSUPPORTED_LANGUAGE_LABEL = 'unsupported-language';

/**
 * Whether VADER scores text in this BCP 47 language: English (`en`, `en-GB`...; also the
 * three-letter `eng`), or an unknown language (no tag, or `und`), which is scored as English
 * because VADER is what the app chose for its text. Tags are compared case-insensitively, and a
 * POSIX-style `en_US` is accepted too.
 */
export function supportsLanguage(language: string | null | undefined): boolean {
  if (language === null || language === undefined) return true;
  const primary = language.split(/[-_]/, 1)[0]!.toLowerCase();
  return primary === 'en' || primary === 'eng' || primary === 'und';
}

/**
 * The label the plugin gives a compound score: `positive` at or above `threshold`, `negative` at or
 * below `-threshold`, otherwise `neutral` (0.05 is the plugin's default threshold).
 */
export function sentimentLabel(compound: number, threshold = 0.05): 'positive' | 'neutral' | 'negative' {
  if (compound >= threshold) return 'positive';
  if (compound <= -threshold) return 'negative';
  return 'neutral';
}

/** True when the text has something to score (not empty, not only whitespace). */
function hasText(text: string | null): text is string {
  return typeof text === 'string' && /\S/.test(text);
}

/**
 * A scoring plugin that annotates each interaction with its VADER sentiment.
 *
 * - Text in English or in no stated language: a `sentiment` score (the compound, −1 … +1) labelled
 *   `positive`, `neutral` or `negative`, and with `proportions`, `sentiment_positive`,
 *   `sentiment_neutral` and `sentiment_negative`.
 * - Text in another language: no `sentiment` (VADER's lexicon is English, and a score would be a
 *   guess), but a `sentiment_unsupported` mark (value 1, label `unsupported-language`), or nothing
 *   with `unsupportedLanguage: 'skip'`.
 * - No text (reactions, purchases) or only whitespace: nothing.
 *
 * Every score names the model `{ id: 'vader', version: '3.3.2-ts.1', params }`.
 *
 * @example
 * ```ts
 * const rapport = createRapport({ storage, scoring: [sentimentScoring()] });
 * ```
 * @throws RapportError `RAPPORT_INVALID_OPTIONS` when an option is invalid or unknown.
 */
export function sentimentScoring(options?: SentimentScoringOptions): ScoringPlugin {
  const { threshold, proportions, unsupportedLanguage } = parsePluginOptions(
    sentimentScoringOptionsSchema,
    options,
    'sentimentScoring',
    SENTIMENT_PLUGIN_ID,
  );
  const model: ScoreModel = Object.freeze({
    id: VADER_MODEL_ID,
    version: VADER_MODEL_VERSION,
    params: Object.freeze({ alpha: NORMALIZATION_ALPHA, threshold }),
  });
  const unsupported: InteractionScore = {
    name: SENTIMENT_SCORES.unsupported,
    value: 1,
    model,
    label: UNSUPPORTED_LANGUAGE_LABEL,
  };

  return {
    id: SENTIMENT_PLUGIN_ID,
    version,
    specVersion: SCORING_SPEC_VERSION,
    capabilities: { annotate: true, incremental: false, recompute: false },
    models: [model],
    annotate(interaction: Readonly<Interaction>): InteractionScore[] | undefined {
      const text = interaction.text;
      if (!hasText(text)) return undefined;
      if (!supportsLanguage(interaction.language)) {
        return unsupportedLanguage === 'mark' ? [{ ...unsupported }] : undefined;
      }
      const scores = vader(text);
      const annotations: InteractionScore[] = [
        {
          name: SENTIMENT_SCORES.compound,
          value: scores.compound,
          model,
          label: sentimentLabel(scores.compound, threshold),
        },
      ];
      if (proportions) {
        annotations.push(
          { name: SENTIMENT_SCORES.positive, value: scores.pos, model },
          { name: SENTIMENT_SCORES.neutral, value: scores.neu, model },
          { name: SENTIMENT_SCORES.negative, value: scores.neg, model },
        );
      }
      return annotations;
    },
  } satisfies ScoringPlugin;
}
