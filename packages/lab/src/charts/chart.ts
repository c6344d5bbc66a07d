import type { TopLevelSpec } from 'vega-lite';

/** A chart of a lab report: its Vega-Lite spec, data inline, ready to render or restyle. */
export interface LabChart {
  /** File name without extension, such as `distribution-engagement`. */
  name: string;
  /** What it shows, in a line. */
  title: string;
  spec: TopLevelSpec;
}

/** The Vega-Lite schema the specs are written against. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** `12345` → `12,345`. */
export function count(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

/** A correlation for titles: two decimals, or `n/a` when undefined. */
export function correlation(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(2);
}
