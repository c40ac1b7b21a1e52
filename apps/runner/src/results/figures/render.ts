import type { TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to an SVG string in Node: vega-lite compiles it to a Vega spec and a
 * headless Vega view draws it (no browser, no canvas; text widths are estimated, generously, so
 * labels get room). Both packages are loaded on first use so other commands do not pay for them.
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

/** The versions of the figure libraries (for the report's provenance block). */
export async function figureLibraryVersions(): Promise<Record<string, string>> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  return { vega: vega.version, 'vega-lite': vegaLite.version };
}
