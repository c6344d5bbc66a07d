/**
 * The rules benchmark workload: seeded facts (an interaction joined with its customer), 50
 * rules in Rapport's JSON rule format, the same rules written by hand as one plain function,
 * and a translator of Rapport rules to json-rules-engine. Import it from
 * `@rapport/testkit/rules-workload`.
 *
 * @packageDocumentation
 */
export {
  RULES_WORKLOAD_CHANNELS,
  RULES_WORKLOAD_END_MS,
  RULES_WORKLOAD_KINDS,
  RULES_WORKLOAD_START_MS,
  RULES_WORKLOAD_TIERS,
  type RulesWorkloadChannel,
  type RulesWorkloadCustomer,
  type RulesWorkloadFact,
  type RulesWorkloadInteraction,
  type RulesWorkloadKind,
  type RulesWorkloadTier,
  rulesWorkloadFacts,
} from './facts.js';
export { handwrittenRules } from './handwritten.js';
export {
  type JsonRulesEngineCondition,
  type JsonRulesEngineFactCondition,
  type JsonRulesEngineRule,
  toJsonRulesEngine,
} from './json-rules-engine.js';
export { rulesWorkloadRules } from './rules.js';
