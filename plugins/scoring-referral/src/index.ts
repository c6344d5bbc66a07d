export { type ConversionRules, type Conversions, findConversions } from './conversions.js';
export {
  conversionPeriod,
  economicsParams,
  type PerReferral,
  parseReferralEconomics,
  type ReferralEconomics,
  referralEconomicsSchema,
  type ValuedReferral,
  valueConversion,
} from './economics.js';
export {
  type ConvertedReferral,
  type Purchase,
  purchaseOf,
  type RecordKinds,
  type Referral,
  referralOf,
  type UnconvertedReason,
  type UnconvertedReferral,
} from './records.js';
export {
  type PurchaseLike,
  type PurchasesOf,
  REFERRAL_MODEL_ID,
  REFERRAL_MODEL_VERSION,
  REFERRAL_VALUE_SCORE,
  REFERRALS_CONVERTED_SCORE,
  type ReferralExplainInput,
  type ReferralScoringOptions,
  type ReferralScoringPlugin,
  referralScoring,
  referralScoringOptionsSchema,
  type TimelineSource,
  timelinePurchases,
} from './referral-scoring.js';
export {
  type CustomerReferralValue,
  customerReferralValue,
  type ReferralValuesOptions,
  referralRulesShape,
  referralValues,
  referralValuesOptionsSchema,
} from './referral-value.js';
