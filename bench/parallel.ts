/**
 * Parallel speed-up of `w2s run --workers N`: the same manifest from an empty cache with each
 * worker count, wall time of the whole command (start-up, pretraining, every stage, tables).
 *
 *   node --conditions=w2s-source --import tsx bench/parallel.ts [manifest] [--workers 1,2]
 *
 * Default manifest: experiments/ladder.yaml, the benchmark. Runs go
 * one after another, each into a fresh temp cache; the script checks that all give the same
 * runs.arrow (every column but the seconds_* timings) and prints a Markdown table with the load
 * average around each run, since a shared machine skews wall times. Last, it reruns the last
 * count on its full cache: the time left when nothing is computed (start-up, planning, tables and
 * report), the part that does not parallelize.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = args.indexOf('--workers');
const counts = flag >= 0 ? args[flag + 1]!.split(',').map(Number) : [1, 2];
const manifest = path.resolve(args.find((a, i) => !a.startsWith('--') && i !== flag + 1) ?? path.join(root, 'experiments/ladder.yaml'));

const withoutTimings = (file: string) =>
  tableFromIPC(readFileSync(file))
    .toArray()
    .map((row) => JSON.stringify(Object.entries(row.toJSON() as Record<string, unknown>).filter(([k]) => !k.startsWith('seconds_'))));

function w2sRun(workers: number, dir: string) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [path.join(root, 'apps/runner/bin/w2s.js'), 'run', manifest, '--workers', String(workers), '--cache', path.join(dir, 'cache'), '--out', path.join(dir, 'out')], {
    cwd: root,
    env: { ...process.env, CI: 'true' },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) {
    console.error(run.stderr);
    throw new Error(`w2s run --workers ${workers} failed with ${run.status}`);
  }
  return { seconds, summary: run.stdout.trim().split('\n').at(-1)! };
}

interface Result {
  workers: number;
  seconds: number;
  load: string;
  summary: string;
  rows: string[];
}
const results: Result[] = [];
const dirs: string[] = [];
for (const workers of counts) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'w2s-bench-parallel-'));
  dirs.push(dir);
  const before = os.loadavg()[0]!.toFixed(1);
  const { seconds, summary } = w2sRun(workers, dir);
  results.push({ workers, seconds, load: `${before} → ${os.loadavg()[0]!.toFixed(1)}`, summary, rows: withoutTimings(path.join(dir, 'out', 'runs.arrow')) });
  console.error(`--workers ${workers}: ${seconds.toFixed(1)} s (${summary})`);
}
const cachedRun = w2sRun(counts.at(-1)!, dirs.at(-1)!);
console.error(`--workers ${counts.at(-1)} on a full cache: ${cachedRun.seconds.toFixed(1)} s (${cachedRun.summary})`);
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });

const base = results[0]!;
const same = results.every((r) => JSON.stringify(r.rows) === JSON.stringify(base.rows));
console.log(`\n${path.relative(root, manifest)} on ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), node ${process.version}\n`);
console.log('| workers | wall time (s) | relative to first | load avg (1 min) before → after |');
console.log('|---|---|---|---|');
for (const r of results) console.log(`| ${r.workers} | ${r.seconds.toFixed(1)} | ${(r.seconds / base.seconds).toFixed(2)}× | ${r.load} |`);
console.log(`\nThe same command on a full cache (nothing computed: start-up, planning, tables, report): ${cachedRun.seconds.toFixed(1)} s.`);
console.log(`\nruns.arrow identical across worker counts (all columns but seconds_*): ${same ? 'yes' : 'NO'}`);
if (!same) process.exitCode = 1;
