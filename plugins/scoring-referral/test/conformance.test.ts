import { describeScoringConformance } from '@rapport/testkit/conformance';
import { referralScoring } from '../src/index.js';
import { economics } from './helpers.js';

describeScoringConformance({
  name: 'referral (customer referral value)',
  create: () => referralScoring({ economics, purchasesOf: () => [] }),
});
