import type { LabLevelCount, LabModelReport } from '../report/report.js';
import { count, type LabChart, VEGA_LITE_SCHEMA } from './chart.js';

/**
 * The level funnel of a model with levels: one bar per level, lowest level at the top, each
 * labelled with its number of customers.
 */
export function levelFunnelChart(model: LabModelReport & { levels: LabLevelCount[] }): LabChart {
  const values = model.levels.map((level, order) => ({
    level: level.name,
    from: `≥ ${level.min}`,
    order,
    customers: level.customers,
  }));
  const y = {
    field: 'level',
    type: 'nominal',
    sort: values.map((v) => v.level),
    title: `${model.name} level`,
  } as const;
  return {
    name: `levels-${model.name}`,
    title: `Customers per ${model.name} level`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: {
        text: `${model.name}: customers per level`,
        subtitle: `${count(model.distribution.customers)} customers; levels by score threshold`,
      },
      width: 420,
      data: { values },
      encoding: { y },
      layer: [
        {
          name: 'bars',
          mark: { type: 'bar', tooltip: true },
          encoding: { x: { field: 'customers', type: 'quantitative', title: 'customers' } },
        },
        {
          name: 'counts',
          mark: { type: 'text', align: 'left', dx: 4 },
          encoding: {
            x: { field: 'customers', type: 'quantitative' },
            text: { field: 'customers', type: 'quantitative', format: ',' },
          },
        },
      ],
    },
  };
}
