import { describeScoringConformance } from '@rapport/testkit/conformance';
import { sentimentScoring } from '../src/index.js';

describeScoringConformance({ name: 'sentiment (VADER)', create: () => sentimentScoring() });
