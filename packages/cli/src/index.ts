/**
 * `@rapport/cli`: the `rapport` command as a library, so it can be embedded or tested in-process.
 *
 * @packageDocumentation
 */

export {
  type AdvocatesReport,
  type AdvocatesRunOptions,
  type ListedAdvocate,
  parseDataset,
  renderAdvocates,
  runAdvocates,
} from './commands/advocates.js';
export {
  type ClvFitOptions,
  type ClvFitReport,
  type ClvModelName,
  type ClvTransactionFormat,
  type ClvTransactionsRead,
  clvModelNames,
  clvTransactionFormats,
  renderClvFit,
  runClvFit,
} from './commands/clv.js';
export {
  type CustomerMatch,
  type CustomerSearchHit,
  type CustomerSearchReport,
  type CustomerShowReport,
  findCustomer,
  type MatchedBy,
  renderCustomer,
  renderSearch,
  searchCustomers,
  showCustomer,
} from './commands/customers.js';
export {
  type ImportOptions,
  type ImportReport,
  isMalformedSkip,
  MAX_BATCH_SIZE,
  type RejectedItem,
  renderImportReport,
  runImport,
  SHOWN_PROBLEMS,
} from './commands/import.js';
export {
  type InfluenceOptions,
  type InfluenceRank,
  type InfluenceReport,
  renderInfluence,
  runInfluence,
} from './commands/influence.js';
export {
  type LabCompareOptions,
  type LabCompareResult,
  labCompareJson,
  renderLabCompare,
  runLabCompare,
} from './commands/lab.js';
export {
  type MigrateOptions,
  type MigrateReport,
  renderMigrateReport,
  runMigrate,
} from './commands/migrate.js';
export {
  isJsonLines,
  isoDateOption,
  loadRuleFile,
  type RejectedReplayItem,
  type RuleFileValidation,
  type RuleSummary,
  type RulesExplainOptions,
  type RulesTestOptions,
  type RulesTestReport,
  readJsonFile,
  renderRulesTestReport,
  renderRuleValidation,
  rulesExitCodes,
  runRulesExplain,
  runRulesTest,
  SHOWN_REJECTIONS,
} from './commands/rules.js';
export {
  parseSentimentLine,
  renderSentimentText,
  runSentimentFile,
  type SentimentOptions,
  type SentimentResult,
  type SentimentRunSummary,
  type SentimentScored,
  type SentimentUnsupported,
  scoreText,
} from './commands/sentiment.js';
export { renderStats, type StatsReport } from './commands/stats.js';
export {
  CliError,
  type CliErrorOptions,
  CliExit,
  describeError,
  exitCodes,
  type ReportedError,
  renderError,
} from './errors.js';
export { type CliIO, processIO, resolveIO } from './io.js';
export { createProgram, runCli } from './program.js';
export {
  createProgressReporter,
  type ImportProgress,
  type ProgressOptions,
  type ProgressReporter,
} from './progress.js';
export {
  DEFAULT_DB,
  isPostgresUrl,
  openStore,
  redactUrl,
  type StoreLocation,
  type StoreOptions,
  storageFor,
  storeLocation,
  withStore,
} from './store.js';
