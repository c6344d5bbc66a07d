/** The model that produced a score: id, version and parameters, so a score can be reproduced. */
export interface ScoreModel {
  id: string;
  version: string;
  params?: Record<string, unknown>;
}

/** A customer-level score (engagement, value, influence...). Scores are kept as history. */
export interface Score {
  tenantId: string;
  customerId: string;
  name: string;
  value: number;
  model: ScoreModel;
  computedAt: Date;
}
