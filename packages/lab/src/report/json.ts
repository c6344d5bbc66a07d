import type {
  LabAgreement,
  LabDatasetSummary,
  LabManifest,
  LabModelReport,
  LabReport,
  LabRun,
} from './report.js';

/** A report as `report.json` and `rapport lab compare --json` give it. */
export interface LabReportJson {
  manifest: LabManifest;
  dataset: LabDatasetSummary;
  models: LabModelReport[];
  agreement: LabAgreement[];
  /** The files written, relative to the output folder (when written). */
  files?: string[];
  /** Last, and the only part that changes from one run to the next. */
  run: LabRun;
}

/**
 * The machine-readable part of a report: everything but the per-customer scores (which
 * `scores.csv` holds). Every field but `run` is the same for the same dataset, models and options.
 */
export function labReportJson(report: LabReport, files?: readonly string[]): LabReportJson {
  return {
    manifest: report.manifest,
    dataset: report.dataset,
    models: report.models,
    agreement: report.agreement,
    ...(files ? { files: [...files] } : {}),
    run: report.run,
  };
}
