import type { TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to SVG without a browser: compiled to Vega, run in a headless view
 * (`renderer: 'none'`). Vega is loaded on first use, so importing the lab does not load it.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
