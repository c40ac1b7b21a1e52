// Minimal SVG charts for report.md: no dependencies, readable output.

export interface Series {
  label: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function extent(values: number[], pad: number): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!(hi > lo)) {
    lo -= 0.05;
    hi += 0.05;
  }
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

function ticks([lo, hi]: [number, number], n = 5): number[] {
  return Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
}

/** A line chart with one polyline per series and a legend. */
export function lineChart(opts: { title: string; xLabel: string; yLabel: string; series: Series[] }): string {
  const W = 640, H = 420, L = 60, R = 190, T = 40, B = 50;
  const all = opts.series.flatMap((s) => s.points);
  if (all.length === 0) return '';
  const xs = extent(all.map((p) => p.x), 0.05);
  const ys = extent(all.map((p) => p.y), 0.08);
  const sx = (x: number) => L + ((x - xs[0]) / (xs[1] - xs[0])) * (W - L - R);
  const sy = (y: number) => H - B - ((y - ys[0]) / (ys[1] - ys[0])) * (H - T - B);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - R / 2}" y="20" text-anchor="middle" font-size="14">${esc(opts.title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(opts.xLabel)}</text>`,
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`,
  ];
  for (const t of ticks(xs)) out.push(`<text x="${sx(t)}" y="${H - B + 16}" text-anchor="middle">${t.toFixed(3)}</text>`);
  for (const t of ticks(ys)) {
    out.push(`<text x="${L - 6}" y="${sy(t) + 4}" text-anchor="end">${t.toFixed(3)}</text>`);
    out.push(`<line x1="${L}" y1="${sy(t)}" x2="${W - R}" y2="${sy(t)}" stroke="#eee"/>`);
  }
  opts.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const d = pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''} points="${d}"/>`);
    for (const p of pts) out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    const ly = T + 10 + i * 18;
    out.push(`<line x1="${W - R + 10}" y1="${ly}" x2="${W - R + 30}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`);
    out.push(`<text x="${W - R + 35}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

export interface IntervalPoint {
  label: string;
  value: number | null;
  low: number | null;
  high: number | null;
}

/** Points with interval bars, one per label (PGR per method). */
export function intervalChart(opts: { title: string; yLabel: string; points: IntervalPoint[] }): string {
  const W = Math.max(360, 110 + opts.points.length * 90), H = 360, L = 60, T = 40, B = 110;
  const finite = opts.points.flatMap((p) => [p.value, p.low, p.high]).filter((v): v is number => v !== null && Number.isFinite(v));
  const ys = extent([...finite, 0, 1], 0.08);
  const sy = (y: number) => H - B - ((y - ys[0]) / (ys[1] - ys[0])) * (H - T - B);
  const step = (W - L - 20) / Math.max(1, opts.points.length);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(opts.title)}</text>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`,
  ];
  for (const t of ticks(ys)) {
    out.push(`<text x="${L - 6}" y="${sy(t) + 4}" text-anchor="end">${t.toFixed(2)}</text>`);
    out.push(`<line x1="${L}" y1="${sy(t)}" x2="${W - 20}" y2="${sy(t)}" stroke="${Math.abs(t) < 1e-9 ? '#999' : '#eee'}"/>`);
  }
  for (const ref of [0, 1]) out.push(`<line x1="${L}" y1="${sy(ref)}" x2="${W - 20}" y2="${sy(ref)}" stroke="#999" stroke-dasharray="3,3"/>`);
  opts.points.forEach((p, i) => {
    const x = L + step * (i + 0.5);
    const color = COLORS[i % COLORS.length]!;
    if (p.low !== null && p.high !== null) {
      out.push(`<line x1="${x}" y1="${sy(p.low)}" x2="${x}" y2="${sy(p.high)}" stroke="${color}" stroke-width="2"/>`);
      for (const y of [p.low, p.high]) out.push(`<line x1="${x - 6}" y1="${sy(y)}" x2="${x + 6}" y2="${sy(y)}" stroke="${color}" stroke-width="2"/>`);
    }
    if (p.value !== null) out.push(`<circle cx="${x}" cy="${sy(p.value)}" r="4" fill="${color}"/>`);
    else out.push(`<text x="${x}" y="${sy(0) - 6}" text-anchor="middle">n/a</text>`);
    out.push(`<text transform="translate(${x + 4} ${H - B + 12}) rotate(40)" text-anchor="start">${esc(p.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
