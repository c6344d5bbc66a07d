import {
  ADVOCACY_MODEL_ID,
  ADVOCACY_MODEL_VERSION,
  advocacyEvidenceKinds,
  advocacyModel as advocacyScoreModel,
  advocacyScores,
  advocatesOptionsSchema,
  findAdvocates,
} from '@rapport/scoring-advocacy';
import { defineLabModel } from './model.js';

/** The kinds that can be evidence: answers, replies and comments, referrals (findAdvocates' defaults). */
const defaults = advocatesOptionsSchema.parse({});
const evidenceKinds = new Set([...defaults.answerKinds, ...defaults.replyKinds, ...defaults.referralKinds]);

/**
 * Advocacy (`@rapport/scoring-advocacy`): points for evidence of helping others (accepted and
 * up-voted answers, appreciated replies, converted referrals), default weights. Customers
 * without evidence score 0.
 */
export const advocacyLabModel = defineLabModel({
  name: 'advocacy',
  id: ADVOCACY_MODEL_ID,
  version: ADVOCACY_MODEL_VERSION,
  description:
    'Weighted evidence of helping others: accepted and up-voted answers, appreciated replies, converted referrals.',
  params: advocacyScoreModel().params ?? {},
  unavailable: (dataset) =>
    dataset.interactions.some((i) => i.direction === 'inbound' && evidenceKinds.has(i.kind))
      ? undefined
      : `no customer ${[...evidenceKinds].join(', ')}: nothing can be evidence of helping others`,
  score(dataset) {
    const advocates = findAdvocates(dataset.interactions);
    const evidence = Object.fromEntries(advocacyEvidenceKinds.map((kind) => [kind, 0]));
    for (const advocate of advocates) {
      for (const kind of advocacyEvidenceKinds) evidence[kind]! += advocate.counts[kind];
    }
    const scores = new Map<string, number>();
    for (const [customerId, result] of advocacyScores(advocates)) scores.set(customerId, result.value);
    return { scores, fitted: { advocates: advocates.length, evidence } };
  },
});
