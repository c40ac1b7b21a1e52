// Shared look of every figure: a colour-blind-safe palette and readable defaults.
import type { Config } from 'vega-lite';

/**
 * Okabe & Ito's palette (distinguishable with the common colour-vision deficiencies), ordered so
 * that the first colours are the most distinct on white; the yellow comes last (weak on white).
 */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'] as const;

/** Grey for references (the ceiling diagonal, the zero line). */
export const REFERENCE_GREY = '#666666';

/** Vega-Lite config of every figure: palette, font sizes, round ticks, white background. */
export const FIGURE_CONFIG: Config = {
  background: 'white',
  font: 'sans-serif',
  padding: 8,
  range: { category: [...PALETTE] },
  // Label limits 0 = none: a long method or task name is shown whole, never cut with "…".
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e8e8e8', tickCount: 6, labelOverlap: true, labelLimit: 0 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0, orient: 'right' },
  header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 0 },
  title: { fontSize: 14, subtitleFontSize: 11, anchor: 'start', subtitleColor: '#444' },
  view: { stroke: '#bbb' },
};

/** The Vega-Lite schema every saved spec names (so editors and Altair know the version). */
export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Percent with at most one decimal: rounded once here so tooltips and inlined data stay short. */
export const percent = (v: number): number => Math.round(v * 1000) / 10;
