import { describe, expect, it } from 'vitest';
import { alignedSummaryTable, fillDroppedSeeds, summarize, summaryTable } from './report.js';
import { inlineSvg } from './report-html.js';
import { row } from './test-utils/run-row.js';

// Three seeds whose weak–ceiling gaps differ, so the two PGR statistics differ:
// per-seed PGR 0.5, 0.75, 0.5; mean accuracies 0.75, 0.89, 0.83667 → PGR of means 0.6190476.
// Expected values from numpy/scipy 1.17.1: mean 0.5833333, s² 0.0208333,
// 0.5833 ± stats.t.ppf(0.975, 2) · √(0.0208333 / 3) = [0.22477893918754482, 0.941887727479122].
// Against a plain weak model at 0.65: per-seed 0.6, 0.8333, 0.9412 → mean 0.7915032679738565,
// [0.3582888679514768, 1.2247176679962362]; PGR of means (0.83667 − 0.65) / (0.89 − 0.65) = 0.7777778.
const seeds = [
  row(0, { weak: 0.7, ceiling: 0.9, w2s: 0.8, plainWeak: 0.65 }, { pgr_dropped_resamples: 2 }),
  row(1, { weak: 0.75, ceiling: 0.95, w2s: 0.9, plainWeak: 0.65 }),
  row(2, { weak: 0.8, ceiling: 0.82, w2s: 0.81, plainWeak: 0.65 }, { pgr_dropped_resamples: 31 }),
];

describe('summarize', () => {
  it('gives PGR of the mean accuracies and the mean per-seed PGR with its t interval, labelled', () => {
    const [s] = summarize(seeds, 100);
    expect(s).toMatchObject({ seeds: 3, dropped_seeds: 0, dropped_resamples: 33, resamples: 300, pgr_interval: 't' });
    expect(s!.weak_acc).toBeCloseTo(0.75, 12);
    expect(s!.ceiling_acc).toBeCloseTo(0.89, 12);
    expect(s!.w2s_acc).toBeCloseTo(0.8366666666666667, 12);
    expect(s!.pgr_of_means).toBeCloseTo(0.6190476190476198, 12);
    expect(s!.pgr).toBeCloseTo(0.5833333333333334, 12);
    expect(s!.pgr_lo).toBeCloseTo(0.22477893918754482, 9);
    expect(s!.pgr_hi).toBeCloseTo(0.941887727479122, 9);
    expect(s!.plain_weak_acc).toBeCloseTo(0.65, 12);
    expect(s!.pgr_vs_plain_of_means).toBeCloseTo(0.7777777777777782, 12);
    expect(s!.pgr_vs_plain).toBeCloseTo(0.7915032679738565, 12);
    expect(s!.pgr_vs_plain_lo).toBeCloseTo(0.3582888679514768, 9);
    expect(s!.pgr_vs_plain_hi).toBeCloseTo(1.2247176679962362, 9);
    expect(s!.note).toBe('33 of 300 resamples dropped (ceiling ≤ weak)');
  });

  it('leaves seeds without PGR out of the mean, counts them in the note and in runs.arrow', () => {
    const rows = [...seeds, row(3, { weak: 0.8, ceiling: 0.8, w2s: 0.9 })];
    const [s] = summarize(rows, 100);
    expect(s!.dropped_seeds).toBe(1);
    expect(s!.pgr).toBeCloseTo(0.5833333333333334, 12); // the same three seeds as above
    expect(s!.weak_acc).toBeCloseTo((0.7 + 0.75 + 0.8 + 0.8) / 4, 12); // accuracies use every seed
    expect(s!.note).toContain('1 of 4 seeds have no PGR (ceiling ≤ weak), left out');
    const other = row(9, { weak: 0.6, ceiling: 0.9, w2s: 0.7 }, { method: 'other' });
    const all = [...rows, other];
    fillDroppedSeeds(all);
    expect(all.map((r) => r.pgr_dropped_seeds)).toEqual([1, 1, 1, 1, 0]);
  });

  it('says when an interval covers one seed\'s test examples only, or there is no PGR', () => {
    const [one] = summarize([seeds[0]!], 100);
    expect(one).toMatchObject({ pgr_interval: 'one-seed', pgr_lo: seeds[0]!.pgr_lo, pgr_hi: seeds[0]!.pgr_hi }); // the cell's own
    expect(one!.note).toContain('CI over test examples of one seed only');
    const [none] = summarize([row(0, { weak: 0.8, ceiling: 0.7, w2s: 0.9 })], 100);
    expect(none).toMatchObject({ pgr: null, pgr_lo: null, pgr_of_means: null, pgr_interval: 'none' });
  });

  it('notes groups whose settings were tuned on test', () => {
    expect(summarize(seeds, 100)[0]!.note).not.toContain('tuned on test');
    const tuned = seeds.map((r) => ({ ...r, tuned_on_test: true }));
    expect(summarize(tuned, 100)[0]!.note).toContain('settings tuned on test');
  });
});

describe('summaryTable', () => {
  it('labels both PGR statistics, and the displayed accuracies reproduce "PGR of mean acc"', () => {
    const table = summaryTable(summarize(seeds, 100));
    const [head, , line] = table.split('\n');
    const cells = (l: string) => l.split('|').slice(1, -1).map((c) => c.trim());
    const h = cells(head!);
    const v = cells(line!);
    const col = (name: string) => v[h.indexOf(name)]!;
    expect(h).toEqual(expect.arrayContaining(['PGR of mean acc %', 'mean seed PGR % [95% CI]', 'PGR vs plain of mean acc %']));
    expect(col('mean seed PGR % [95% CI]')).toBe('58.3 [22.5, 94.2]');
    const [weak, ceiling, w2s] = ['weak acc', 'ceiling acc', 'w2s acc'].map((c) => Number(col(c)));
    expect(Number(col('PGR of mean acc %'))).toBe(61.9);
    // Rounded to 0.1 each, the displayed accuracies give the displayed PGR within rounding.
    expect((100 * (w2s! - weak!)) / (ceiling! - weak!)).toBeCloseTo(61.9, 0);
    expect(Number(col('PGR vs plain of mean acc %'))).toBe(77.8);
  });
});

describe('the summary elsewhere', () => {
  it('without the bootstrap size (w2s report on results without run.json) counts dropped resamples without a total', () => {
    expect(summarize(seeds, null)[0]!.note).toBe('33 resamples dropped (ceiling ≤ weak)');
  });

  it('w2s show lines the columns up and keeps every cell of the Markdown table', () => {
    const summary = summarize([...seeds, row(0, { weak: 0.6, ceiling: 0.9, w2s: 0.7 }, { method: 'a-much-longer-method-name' })], 100);
    const aligned = alignedSummaryTable(summary).split('\n');
    expect(new Set(aligned.map((l) => l.length)).size).toBe(1);
    const cells = (t: string[]) => t.filter((_, i) => i !== 1).map((l) => l.split('|').map((c) => c.trim()));
    expect(cells(aligned)).toEqual(cells(summaryTable(summary).split('\n')));
  });
});

describe('inlineSvg', () => {
  it('prefixes ids and every reference to them, so two figures in one page keep their own clip paths', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"/><use href="#clip1"/></svg>';
    expect(inlineSvg(svg, 'pgr-x')).toBe('<svg><defs><clipPath id="pgr-x-clip1"><rect/></clipPath></defs><g clip-path="url(#pgr-x-clip1)"/><use href="#pgr-x-clip1"/></svg>');
  });
});
