// `w2s run` writes report.html beside report.md with every figure inline (Vega-Lite specs rendered
// to SVG in Node); `w2s report` rebuilds them from the folder alone; `w2s show` prints the summary.
// The page is checked in headless Chromium (Debian's chromium, driven by playwright-core): every
// figure has a size and no text lies outside its SVG.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { runColumns, tableFromRows, writeArrowFile, type RunRow } from '@w2s/runner';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, w2s, workspaceRoot } from './helpers.js';

const dir = tempDir('w2s-report-');
const out = join(dir, 'results');
const manifest = join(dir, 'tiny.yaml');
writeFileSync(
  manifest,
  `name: tiny-report
backend: wasm
seeds: [0, 1]
splits: { nDocs: 300, nTest: 200, nVal: 0 }
tasks: [digits-parity, digits-gt4]
ladders:
  image: { family: mlp, mode: probe, weak: [xs], strong: [s] }
methods:
  - name: naive
  - name: logconf
    loss: { name: logconf, auxCoef: 0.5 }
bootstrap: { resamples: 100 }
`,
);

let run: ReturnType<typeof w2s>;
beforeAll(() => {
  run = w2s(['run', manifest, '--cache', join(dir, 'cache'), '--out', out, '--workers', '0']);
}, 300_000);

const reportFiles = () => readdirSync(out).filter((f) => /\.(svg|vl\.json|md|html)$/.test(f)).sort();

describe('report.html', () => {
  it('is one self-contained page with the figures inline, the summary, the manifest and the provenance', () => {
    expect(run.status, run.stderr).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const svgs = readdirSync(out).filter((f) => f.endsWith('.svg'));
    // The main figure, then PGR, ladder, curves and overfitting for each of the two tasks.
    expect(svgs.sort()).toEqual(
      ['accuracy', 'curves-digits-gt4', 'curves-digits-parity', 'ladder-digits-gt4', 'ladder-digits-parity', 'overfitting-digits-gt4', 'overfitting-digits-parity', 'pgr-digits-gt4', 'pgr-digits-parity'].map((f) => `${f}.svg`),
    );
    expect(html.match(/<svg /g)).toHaveLength(svgs.length);
    for (const f of svgs) expect(existsSync(join(out, f.replace(/\.svg$/, '.vl.json'))), f).toBe(true);
    // Nothing loaded from elsewhere: no script, stylesheet or image link.
    expect(html).not.toMatch(/<script|<link|<img|src="/);
    const info = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { wallSeconds: number; versions: Record<string, string>; kernels: string };
    for (const text of ['<h1>tiny-report</h1>', '<td>digits-parity</td>', 'name: tiny-report', `wasm (kernels: ${info.kernels})`, `${info.wallSeconds.toFixed(1)} s`, `tfjs ${info.versions.tfjs}`, 'vega-lite ']) {
      expect(html).toContain(text);
    }
  });

  it('is rebuilt identically by `w2s report` from the folder alone, which also removes figures it did not write', () => {
    const before = new Map(reportFiles().map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    for (const f of before.keys()) rmSync(join(out, f));
    writeFileSync(join(out, 'accuracy-old-task.svg'), '<svg/>'); // a figure of an older w2s
    const r = w2s(['report', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/w2s report: 8 cells · wrote report\.md, report\.html and 9 figures/);
    expect(r.stdout).toContain('removed 1 old figure or report file: accuracy-old-task.svg');
    expect(reportFiles()).toEqual([...before.keys()]);
    for (const [f, text] of before) expect(readFileSync(join(out, f), 'utf8'), f).toBe(text);
  }, 240_000);

  it('`w2s show` prints the summary table with its columns lined up', () => {
    const r = w2s(['show', out]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^tiny-report: 8 cells · backend wasm \(/);
    const table = lines.filter((l) => l.startsWith('|'));
    expect(table).toHaveLength(2 + 4); // head, rule, and one row per task and method
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
    expect(table[0]).toMatch(/^\| task +\| weak +\| strong +\| method +\| seeds \|/);
  }, 240_000);

  it('report and show say what is wrong with a folder in one line, exit 2, and write nothing', () => {
    const missing = join(dir, 'nope');
    for (const command of ['report', 'show']) {
      const r = w2s([command, missing]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(`w2s: ${missing}: no such results folder`);
    }
    const empty = tempDir('w2s-empty-');
    const e = w2s(['report', empty]);
    expect(e.status).toBe(2);
    expect(e.stderr.trim()).toBe(`w2s: ${empty}: has no runs.arrow: not a w2s results folder, or its run has not finished a cell yet`);
    expect(readdirSync(empty)).toEqual([]);
    const n = w2s(['report']);
    expect(n.status).toBe(2);
    expect(n.stderr).toContain('w2s report: expected exactly one results folder');
    const broken = tempDir('w2s-broken-');
    writeFileSync(join(broken, 'runs.arrow'), 'not arrow');
    const b = w2s(['report', broken]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/^w2s: .*runs\.arrow: cannot be read as an Arrow IPC file/);
    expect(b.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(broken)).toEqual(['runs.arrow']);
  }, 300_000); // five CLI starts: 53 s on this 2-core machine under a load of 12
});

/** Problems of the figures on the page: an SVG without size, a text element outside its SVG. */
async function figureProblems(page: Page): Promise<{ figures: number; problems: string[] }> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const svgs = [...document.querySelectorAll('body > figure > svg, body > svg')] as SVGSVGElement[];
    for (const [i, svg] of svgs.entries()) {
      const box = svg.getBoundingClientRect();
      const name = svg.parentElement?.id || `svg ${i}`;
      if (!(box.width > 0 && box.height > 0)) problems.push(`${name}: size ${box.width}×${box.height}`);
      for (const text of svg.querySelectorAll('text')) {
        const t = text.getBoundingClientRect();
        if (!text.textContent?.trim()) continue;
        const slack = 0.5;
        if (t.left < box.left - slack || t.right > box.right + slack || t.top < box.top - slack || t.bottom > box.bottom + slack) {
          problems.push(`${name}: "${text.textContent}" at [${t.left}, ${t.right}] × [${t.top}, ${t.bottom}] outside [${box.left}, ${box.right}] × [${box.top}, ${box.bottom}]`);
        }
      }
    }
    return { figures: svgs.length, problems };
  });
}

/** A results folder with only a runs.arrow of made-up rows (the report needs no other table). */
async function stressFolder(): Promise<string> {
  const folder = tempDir('w2s-stress-');
  const defaults = { string: 'x', int: 0, float: 0, bool: false, floatList: null } as const;
  const base = Object.fromEntries(Object.entries(runColumns).map(([c, kind]) => [c, defaults[kind]])) as unknown as RunRow;
  const sizes = ['xs', 's', 'm', 'l', 'xl'];
  const rows: RunRow[] = [];
  for (const task of ['digits-parity', 'a-user-task-from-a-csv-file-with-a-rather-long-name']) {
    for (let w = 0; w < 4; w++) {
      for (let s = w + 1; s < 5; s++) {
        for (const method of ['naive', 'logconf-paper-settings-with-weak-val-selection', 'debate-ensemble']) {
          for (const seed of [0, 1]) {
            const weak = 0.7 + 0.04 * w + 0.01 * seed;
            const ceiling = w === 0 && s === 1 && method === 'naive' ? weak : 0.8 + 0.03 * s; // one group without PGR
            const w2sAcc = weak + (ceiling - weak) * (0.2 + 0.1 * seed);
            const pgr = ceiling > weak ? (w2sAcc - weak) / (ceiling - weak) : null;
            rows.push({
              ...base, experiment: 'stress', cell_id: `${task}/${w}/${s}/${method}/${seed}`, task, weak_model: `mlp-${sizes[w]}`, strong_model: `mlp-${sizes[s]}`,
              method, seed, weak_labels: 'single', weak_acc: weak, plain_weak_acc: weak, ceiling_acc: ceiling, w2s_acc: w2sAcc,
              weak_acc_lo: weak - 0.02, weak_acc_hi: weak + 0.02, ceiling_acc_lo: ceiling - 0.02, ceiling_acc_hi: ceiling + 0.02, w2s_acc_lo: w2sAcc - 0.02, w2s_acc_hi: w2sAcc + 0.02,
              pgr, pgr_lo: pgr === null ? null : pgr - 0.3, pgr_hi: pgr === null ? null : pgr + 0.3, pgr_vs_plain: pgr, pgr_vs_plain_lo: pgr, pgr_vs_plain_hi: pgr,
              pgr_reason: pgr === null ? 'ceiling ≤ weak' : null, backend: 'wasm', kernels: 'wasm+blas',
            });
          }
        }
      }
    }
  }
  await writeArrowFile(join(folder, 'runs.arrow'), tableFromRows(rows, runColumns));
  return folder;
}

const CHROMIUM = '/usr/bin/chromium';
describe.skipIf(!existsSync(CHROMIUM))(`report.html in headless Chromium (${CHROMIUM}; .ci/run installs Debian's chromium)`, () => {
  it('every figure renders with a size, no text lies outside its SVG, and a screenshot is taken', async () => {
    expect(run.status, run.stderr).toBe(0);
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      // The check itself must see a text outside its SVG, or it proves nothing.
      await page.setContent('<svg width="100" height="50"><text x="90" y="20">far too long a label</text></svg>');
      expect((await figureProblems(page)).problems).toEqual([expect.stringContaining('"far too long a label"')]);

      await page.goto(`file://${join(out, 'report.html')}`);
      const { figures, problems } = await figureProblems(page);
      expect(figures).toBe(readdirSync(out).filter((f) => f.endsWith('.svg')).length);
      expect(problems).toEqual([]);
      // A folder of made-up rows that stresses the layout: long task and method names, a 5-size
      // ladder with every weak < strong pair, a group without PGR; rebuilt by `w2s report`.
      const stress = await stressFolder();
      const r = w2s(['report', stress]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('manifest, versions and wall time are not in the report');
      await page.goto(`file://${join(stress, 'report.html')}`);
      const checked = await figureProblems(page);
      expect(checked.figures).toBe(readdirSync(stress).filter((f) => f.endsWith('.svg')).length);
      expect(checked.problems).toEqual([]);

      await page.goto(`file://${join(out, 'report.html')}`);
      // A full-page screenshot: Chromium 156 hangs on playwright's fullPage option, so the viewport takes the page's height.
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.setViewportSize({ width: 1300, height });
      const shot = join(dir, 'report.png');
      await page.screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

const NBCONVERT = '/usr/bin/jupyter-nbconvert';
// tslab is installed apart from the workspace (its TypeScript 5.0 would take over node_modules/.bin/tsc).
const TSLAB = join(workspaceRoot, 'notebooks', 'node_modules', '.bin', 'tslab');
describe.skipIf(!existsSync(NBCONVERT) || !existsSync(TSLAB))(
  `notebooks/quickstart.ipynb in the tslab TypeScript kernel (needs ${NBCONVERT} and ${TSLAB}; .ci/run installs Debian's jupyter-nbconvert and runs npm ci --prefix notebooks)`,
  () => {
  it('loads runs.arrow and predictions.arrow, recomputes the students\' accuracies from the predictions, and draws the main figure', () => {
    expect(run.status, run.stderr).toBe(0);
    // The kernel spec `tslab install` would write, in a folder of its own (tslab is a devDependency).
    const jupyter = join(dir, 'jupyter');
    mkdirSync(join(jupyter, 'kernels', 'tslab'), { recursive: true });
    writeFileSync(join(jupyter, 'kernels', 'tslab', 'kernel.json'), JSON.stringify({ argv: [TSLAB, 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' }));
    const executed = join(dir, 'quickstart.out.ipynb');
    const r = spawnSync(NBCONVERT, ['--to', 'notebook', '--execute', join(workspaceRoot, 'notebooks', 'quickstart.ipynb'), '--output', executed], {
      env: { ...process.env, W2S_RESULTS: out, JUPYTER_PATH: jupyter, JUPYTER_RUNTIME_DIR: join(jupyter, 'runtime'), JUPYTER_DATA_DIR: join(jupyter, 'data') },
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.status, r.stderr).toBe(0);
    type Output = { output_type: string; text?: string[]; data?: Record<string, string[]> };
    const outputs = (JSON.parse(readFileSync(executed, 'utf8')) as { cells: { outputs?: Output[] }[] }).cells.flatMap((c) => c.outputs ?? []);
    expect(outputs.filter((o) => o.output_type === 'error')).toEqual([]);
    const printed = outputs.flatMap((o) => o.text ?? []).join('');
    expect(printed).toContain('8 cells in runs.arrow, 7200 rows in predictions.arrow'); // 8 cells × (150 + 200 + 200 + 150 + 200)
    expect(printed).toContain('student accuracy recomputed from predictions.arrow for 8 cells; largest difference from runs.arrow: 0\n');
    const html = outputs.flatMap((o) => o.data?.['text/html'] ?? []).join('');
    expect(html).toMatch(/^<svg[\s\S]*ceiling accuracy %[\s\S]*<\/svg>$/);
  }, 300_000);
  },
);

// Debian 12 packages neither pyarrow nor polars, so this runs only where a user's Python has them.
const python = spawnSync('python3', ['-c', 'import pyarrow, matplotlib, ipykernel'], { encoding: 'utf8' });
describe.skipIf(python.status !== 0 || !existsSync(NBCONVERT))('notebooks/quickstart-python.ipynb (needs python3 with pyarrow, matplotlib and ipykernel, and jupyter-nbconvert)', () => {
  it('loads the tables with pyarrow, recomputes the students\' accuracies and draws the main figure', () => {
    const executed = join(dir, 'quickstart-python.out.ipynb');
    const r = spawnSync(NBCONVERT, ['--to', 'notebook', '--execute', join(workspaceRoot, 'notebooks', 'quickstart-python.ipynb'), '--output', executed], {
      env: { ...process.env, W2S_RESULTS: out, W2S_FIGURE_DIR: dir },
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const printed = (JSON.parse(readFileSync(executed, 'utf8')) as { cells: { outputs?: { text?: string[] }[] }[] }).cells.flatMap((c) => c.outputs ?? []).flatMap((o) => o.text ?? []).join('');
    expect(printed).toContain('8 cells in runs.arrow, 7200 rows in predictions.arrow');
    expect(printed).toContain('largest difference from runs.arrow: 0.0');
    expect(readFileSync(join(dir, 'quickstart-python.svg'), 'utf8')).toContain('<svg');
  }, 300_000);
});
