import { defineLabModel, perCustomer } from './model.js';

/**
 * The baseline: how many inbound interactions (from the customer's side) each customer has, of
 * any kind, at any time. Every other model is a refinement of this count (weighting effort,
 * recency, who engaged with whom); comparing against it shows what the refinement changes.
 */
export const activityLabModel = defineLabModel({
  name: 'activity',
  id: 'inbound-count',
  version: '1',
  description: 'Inbound interactions per customer, unweighted and undecayed: the baseline.',
  params: { direction: 'inbound', weights: 'none', decay: 'none' },
  score: (dataset) =>
    perCustomer(dataset, (timeline) => {
      let count = 0;
      for (const interaction of timeline) if (interaction.direction === 'inbound') count++;
      return count;
    }),
});
