// The streaming CSV/JSONL reader gives the same Dataset as the whole-file reader it replaced, on
// the files it could read: the tabular example's digits.csv and cancer.jsonl
// (scripts/tabular-example.ts), the csv-memory bench files (numeric and text), and random CSVs
// with quotes, CRLF, BOM, blank lines, multi-byte text and numbers of every shape. The old reader
// is taken from git (`--old`, default: the last commit before the streaming reader) into
// node_modules/.cache, loaded next to the current one, and every Dataset is compared byte for byte
// (typed arrays by their bytes, -0 kept apart from 0). Exits 1 if any differs.
//
//   node --conditions=w2s-source --import tsx bench/csv-same-values.ts [--old <commit>] [--mb 5]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeCancerJsonl, writeDigitsCsv } from '../scripts/tabular-example.js';
import { loadFileTask, type FileTaskSpec } from '../libs/tasks/src/files/file-task.js';
import { BENCH_FEATURES, writeBenchCsv } from './csv-memory.js';

const { values } = parseArgs({ options: { old: { type: 'string', default: 'e1e4310' }, mb: { type: 'string', default: '5' } } });
const root = fileURLToPath(new URL('..', import.meta.url));

/** The old reader's sources, from git, where they resolve the workspace's packages. */
function oldLoader(commit: string): string {
  const dir = join(root, 'node_modules', '.cache', `w2s-old-reader-${commit}`, 'files');
  mkdirSync(dir, { recursive: true });
  for (const name of ['file-task.ts', 'table.ts', 'csv.ts']) {
    const source = execFileSync('git', ['show', `${commit}:libs/tasks/src/files/${name}`], { cwd: root, encoding: 'utf8' });
    writeFileSync(join(dir, name), source);
  }
  return join(dir, 'file-task.ts');
}

/** A Dataset as a hash: typed arrays by constructor and bytes, -0 apart from 0. */
function digest(dataset: unknown): string {
  const json = JSON.stringify(dataset, (_key, v: unknown) => {
    if (ArrayBuffer.isView(v)) return { type: v.constructor.name, bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    return typeof v === 'number' && Object.is(v, -0) ? '-0' : v;
  });
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

/** CSVs the old reader could read (comma, LF or CRLF), with everything else a real export has. */
function writeRandomCsv(file: string, variant: number): void {
  let seed = 7 + variant;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
  const numbers = ['1', '-0', '+3.5', '.25', '5.', '1e-3', '-2.5E+7', '0.1234567890123456789', '123456789012345678', ' 7 ', '00012.500', '3.4028235e38', '1e-46', '"4.5"', '9007199254740993'];
  const texts = ['hé', 'a,b', 'say ""hi""', 'x\ny', 'z\r\nw', '日本', 'plain', ''];
  const eol = variant % 2 ? '\r\n' : '\n';
  const rows = [`${variant === 2 ? '\ufeff' : ''}id,t,n1,n2,y`];
  for (let r = 0; r < 300; r++) {
    rows.push(`i${r},"${pick(texts)}",${pick(numbers)},${pick(numbers)},${r % 3}`);
    if (next() < 0.05) rows.push('');
  }
  writeFileSync(file, rows.join(eol) + (variant === 3 ? '' : eol));
}

const dir = mkdtempSync(join(tmpdir(), 'w2s-csv-same-'));
try {
  const oldTask = ((await import(pathToFileURL(oldLoader(values.old)).href)) as { loadFileTask: typeof loadFileTask }).loadFileTask;
  const at = (name: string) => join(dir, name);
  writeDigitsCsv(at('digits.csv'));
  writeCancerJsonl(at('cancer.jsonl'));
  writeBenchCsv(at('numeric.csv'), Number(values.mb) * 1e6, false);
  writeBenchCsv(at('text.csv'), Number(values.mb) * 1e6, true);
  const cases: [string, Record<string, unknown>][] = [
    ['digits.csv', { label: 'label', features: Array.from({ length: 64 }, (_, i) => `px${i}`), id: 'id' }],
    ['cancer.jsonl', { label: 'label', features: 'features', id: 'id' }],
    ['numeric.csv', { label: 'label', features: BENCH_FEATURES, id: 'id' }],
    ['text.csv', { label: 'label', text: 'text', id: 'id' }],
  ];
  for (let variant = 0; variant < 4; variant++) {
    writeRandomCsv(at(`random${variant}.csv`), variant);
    cases.push([`random${variant}.csv`, { label: 'y', features: ['n1', 'n2'], id: 'id' }], [`random${variant}.csv`, { label: 'y', text: 't', group: 'n1' }]);
  }
  let differ = 0;
  for (const [name, spec] of cases) {
    const [before, after] = [oldTask, loadFileTask].map((load) => digest(load({ file: at(name), ...spec } as FileTaskSpec)));
    if (before !== after) differ++;
    console.log(`${before === after ? 'same     ' : 'DIFFERENT'} ${name} (${Object.keys(spec).join(', ')}): ${before} ${after}`);
  }
  console.log(differ === 0 ? `all ${cases.length} datasets identical` : `${differ} of ${cases.length} datasets differ`);
  process.exitCode = differ === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
