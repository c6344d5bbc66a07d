import { describeScoringConformance } from '@rapport/testkit/conformance';
import { clvScoring, fitClvModels } from '../src/index.js';
import { cdnowWithSpend } from './fixtures.js';

const models = fitClvModels(cdnowWithSpend);

describeScoringConformance({
  name: 'clv (BG/NBD + Gamma-Gamma fitted on CDNOW)',
  create: () => clvScoring({ models, margin: 0.3, discountRate: 0.01 }),
  runs: 80,
});
