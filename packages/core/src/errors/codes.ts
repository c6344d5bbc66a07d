/**
 * Stable error codes. Codes never change meaning once released; new ones may be added.
 * Each has a default hint that tells the user what to do.
 */
export const errorCodes = {
  RAPPORT_INVALID_INTERACTION: 'Fix the item at the given path; see the Interaction schema in @rapport/core.',
  RAPPORT_INVALID_INPUT: 'Fix the value at the given path and call again.',
  RAPPORT_INVALID_OPTIONS: 'Check the options passed to the factory; the path names the offending option.',
  RAPPORT_NOT_FOUND: 'Check the id; it may belong to another tenant or have been erased.',
  RAPPORT_NOT_STARTED: 'Call `await rapport.start()` before using the instance.',
  RAPPORT_PLUGIN_FAILED: 'A plugin threw; the cause holds its original error.',
  RAPPORT_UNSUPPORTED_SPEC_VERSION:
    'Upgrade the plugin or @rapport/core so both speak the same contract version.',
  RAPPORT_MISSING_CAPABILITY:
    'Use plugins that provide the listed capabilities, or turn off the features that need them.',
  RAPPORT_MERGE_INVALID: 'A customer cannot be merged with itself or with a customer that is already merged.',
  RAPPORT_UNMERGE_INVALID: 'Only an active merge can be undone, once.',
  RAPPORT_STORAGE_FAILED: 'The store failed; the unit of work was rolled back and nothing from it was kept.',
  RAPPORT_INVALID_RULE: 'Fix the rule at the given path; docs/rules.md describes the format.',
  RAPPORT_RULE_ACTION_FAILED:
    'The action failed and was recorded on the firing; the rule’s other actions went on.',
  RAPPORT_RULE_LOOP:
    'Rules kept triggering each other (through emit or segment actions); break the cycle with a condition.',
  RAPPORT_CHANNEL_ERROR: 'A channel call failed; see `kind` for how the host treats it.',
  RAPPORT_INVALID_CASE_TRANSITION: 'Move the case to a status allowed from its current one (see the hint).',
  RAPPORT_WEBHOOK_SIGNATURE:
    'The webhook is not signed with a known secret: check the secret on both sides and verify the body byte for byte, before parsing it.',
  RAPPORT_WEBHOOK_TIMESTAMP:
    'The webhook-timestamp is not whole Unix seconds or is outside the tolerance window: the sender signs each attempt when it sends it; check both clocks.',
  RAPPORT_WEBHOOK_REPLAYED:
    'This webhook-id was already accepted, so the delivery is a replay or a retry of a message already taken in.',
  RAPPORT_WEBHOOK_SECRET: 'Give the webhook secret as `whsec_` followed by base64, or as a non-empty string.',
} as const;

/** A stable, documented error code. */
export type RapportErrorCode = keyof typeof errorCodes;
