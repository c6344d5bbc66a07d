import { createTestRapport } from '@rapport/core';
import { describe, expect, it } from 'vitest';
import { createSyntheticStats, syntheticStream } from '../src/index.js';

describe('synthetic stream through the pipeline', () => {
  it('resolves exactly the persons and identities the generator made, and every edit is an update', async () => {
    const rapport = await createTestRapport();
    const stats = createSyntheticStats();
    const summary = await rapport.ingestStream(syntheticStream({ seed: 3, interactions: 20_000 }, stats), {
      batchSize: 500,
    });
    expect(summary.counts.rejected).toBe(0);
    expect(summary.counts.updated).toBe(stats.edits);
    const stored = await rapport.stats();
    expect(stored.customers).toBe(stats.expectedCustomers);
    expect(stored.identities).toBe(stats.identities);
    expect(stored.interactions).toBe(summary.counts.created);
  });
});
