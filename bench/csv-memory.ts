// Peak resident memory of loading a ~50 MB CSV as a user task (issue 20: numeric, "peak under 3×
// the file size"; issue 13: text, "under 1 GB"). Writes a deterministic CSV (id, 64 feature
// columns, label; or id, text, label) to a temp dir, then loads it with @w2s/tasks' loadTask in a
// fresh child process and reports that process's peak RSS (getrusage maxrss) before and after
// loading, next to the file size.
//
// --kind jsonl: the numeric table as JSONL, the features as one list per row.
//
//   node --conditions=w2s-source --import tsx bench/csv-memory.ts [--mb 50] [--kind numeric|text|jsonl]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const COLUMNS = 64;

/**
 * A deterministic CSV of about `targetBytes`: id, 64 feature columns with 6 decimals (a typical
 * exported feature table), label; or id, text, label with reviews of 40–120 words drawn from a
 * small vocabulary (quoted, some with commas). Returns the file's size.
 */
export function writeBenchCsv(file: string, targetBytes: number, text: boolean): number {
  const WORDS = ['the', 'movie', 'was', 'great', 'awful', 'and', 'I', 'loved', 'hated', 'plot,', 'acting', 'very', 'not', 'really', 'story'];
  const lines = [(text ? ['id', 'text', 'label'] : ['id', ...Array.from({ length: COLUMNS }, (_, c) => `f${c}`), 'label']).join(',')];
  let bytes = lines[0]!.length + 1;
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let r = 0; bytes < targetBytes; r++) {
    const row = [`r${r}`];
    if (text) {
      const n = 40 + Math.floor(next() * 80);
      row.push(`"${Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ')}"`);
    } else {
      for (let c = 0; c < COLUMNS; c++) row.push((next() * 2 - 1).toFixed(6));
    }
    row.push(String(r % 2));
    const line = row.join(',');
    lines.push(line);
    bytes += line.length + 1;
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return statSync(file).size;
}

/** The numeric table as JSONL: one object per row, the 64 features as one list (`features: features`). */
export function writeBenchJsonl(file: string, targetBytes: number): number {
  const lines: string[] = [];
  let bytes = 0;
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let r = 0; bytes < targetBytes; r++) {
    const line = JSON.stringify({ id: `r${r}`, features: Array.from({ length: COLUMNS }, () => Number((next() * 2 - 1).toFixed(6))), label: r % 2 });
    lines.push(line);
    bytes += line.length + 1;
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return statSync(file).size;
}

export const BENCH_FEATURES = Array.from({ length: COLUMNS }, (_, c) => `f${c}`);


if (process.argv[2] === '--child') {
  // Child: measure the load only (imports done first, so the baseline includes the code).
  const { loadTask } = await import('@w2s/tasks');
  const file = process.argv[3]!;
  const kind = process.argv[4];
  const spec = { text: { text: 'text' }, numeric: { features: BENCH_FEATURES }, jsonl: { features: 'features' } }[kind!];
  const before = process.resourceUsage().maxRSS * 1024;
  const started = performance.now();
  const task = loadTask({ file, label: 'label', ...spec });
  const seconds = (performance.now() - started) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ rows: task.examples.labels.length, dim: task.examples.dim, before, peak, seconds }));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '50' }, kind: { type: 'string', default: 'numeric' } } });
  const kind = values.kind!;
  if (!['numeric', 'text', 'jsonl'].includes(kind)) throw new Error(`--kind numeric, text or jsonl (got ${kind})`);
  const text = kind === 'text';
  const targetBytes = Number(values.mb) * 1e6;
  const dir = mkdtempSync(join(tmpdir(), 'w2s-csv-memory-'));
  const file = join(dir, kind === 'jsonl' ? 'numeric.jsonl' : `${kind}.csv`);
  try {
    const size = kind === 'jsonl' ? writeBenchJsonl(file, targetBytes) : writeBenchCsv(file, targetBytes, text);
    const child = spawnSync(process.execPath, ['--conditions=w2s-source', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', file, kind], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    if (child.status !== 0) throw new Error(child.stderr);
    const m = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { rows: number; dim: number; before: number; peak: number; seconds: number };
    const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
    console.log(`${kind} file ${mb(size)} (${m.rows} rows${text ? '' : ` × ${m.dim} features`}) · load ${m.seconds.toFixed(1)} s`);
    console.log(`peak RSS ${mb(m.peak)} = ${(m.peak / size).toFixed(2)}× the file (process before loading: ${mb(m.before)}; load added ${mb(m.peak - m.before)} = ${((m.peak - m.before) / size).toFixed(2)}×)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
