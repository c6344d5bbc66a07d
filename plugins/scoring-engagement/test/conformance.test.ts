import { describeScoringConformance } from '@rapport/testkit/conformance';
import { engagementScoring, orbitPreset } from '../src/index.js';

describeScoringConformance({ name: 'engagement (defaults)', create: () => engagementScoring() });
describeScoringConformance({
  name: 'engagement (short half-life, channel weights, staff excluded)',
  create: () =>
    engagementScoring({
      halfLifeDays: 7,
      channelWeights: { forum: { reply: 9, reaction: 0.5 } },
      exclude: { actorExternalIds: ['agent'] },
    }),
});
describeScoringConformance({
  name: 'engagement (Orbit preset)',
  create: () => engagementScoring(orbitPreset()),
});
