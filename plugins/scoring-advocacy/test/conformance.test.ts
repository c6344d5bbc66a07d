import { describeScoringConformance } from '@rapport/testkit/conformance';
import { advocacyScoring } from '../src/index.js';

describeScoringConformance({ name: 'advocacy (precomputed advocates)', create: () => advocacyScoring() });
