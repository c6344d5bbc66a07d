import { describeScoringConformance } from '@rapport/testkit/conformance';
import { influenceScoring } from '../src/index.js';

describeScoringConformance({ name: 'influence (precomputed PageRank)', create: () => influenceScoring() });
