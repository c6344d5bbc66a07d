export {
  type ResolvedSentimentScoringOptions,
  type SentimentScoringOptions,
  sentimentScoringOptionsSchema,
} from './options.js';
export {
  SENTIMENT_PLUGIN_ID,
  SENTIMENT_SCORES,
  sentimentLabel,
  sentimentScoring,
  supportsLanguage,
  UNSUPPORTED_LANGUAGE_LABEL,
  VADER_MODEL_ID,
  VADER_MODEL_VERSION,
} from './sentiment-scoring.js';
export {
  BOOSTER_INCREMENT,
  CAPS_INCREMENT,
  EXCLAMATION_INCREMENT,
  NEGATION_SCALAR,
  NORMALIZATION_ALPHA,
  QUESTION_INCREMENT,
  VADER_REFERENCE,
  type VaderScores,
  vader,
} from './vader.js';
