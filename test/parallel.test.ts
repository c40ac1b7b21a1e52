// Local parallelism: `w2s run --workers N` runs stages in N worker processes. Whatever N, the
// tables are the same; a worker that dies is replaced and its stage retried; a user error ends
// the run with its message; a worker's tensor count returns to its baseline after every stage.
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, w2s } from './helpers.js';
import { readRuns, runsWithoutTimings, startW2s, writeManifest } from './scale-helpers.js';

const dir = tempDir('w2s-parallel-');
// 5 seeds × (weak-gt, ceiling, 2 transfers) = 20 training stages, 10 cells, and 2 pretrain stages (mlp-xs, mlp-s).
const manifest = writeManifest(dir, 'par', { seeds: [0, 1, 2, 3, 4], nDocs: 120, nTest: 60, nVal: 30 });
const run = (name: string, workers: number, env: Record<string, string> = {}, cache = join(dir, `cache-${name}`)) =>
  w2s(['run', manifest, '--workers', String(workers), '--cache', cache, '--out', join(dir, `out-${name}`)], { W2S_DEBUG: '1', ...env });
const file = (name: string, table: string) => join(dir, `out-${name}`, table);

const FINISHED = /^debug: worker (\d+) finished (.+): tensors (\d+) \(baseline (\d+)\) · rss (\d+) MB$/gm;
const STARTS = /^debug: worker (\d+) \(pid (\d+)\) starts (.+) \((\S+)\), attempt (\d+)$/gm;

let one: ReturnType<typeof w2s>;
let two: ReturnType<typeof w2s>;
beforeAll(() => {
  one = run('one', 1);
  two = run('two', 2);
}, 600_000);

describe('w2s run --workers', () => {
  it('runs 22 stages in one worker process whose tensor count returns to its baseline after each', () => {
    expect(one.stderr).not.toMatch(/Error/);
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/10 cells · 22 stages computed, 0 from cache/);
    const pids = new Set([...one.stderr.matchAll(STARTS)].map((m) => m[2]));
    expect(pids.size).toBe(1);
    const finished = [...one.stderr.matchAll(FINISHED)];
    expect(finished).toHaveLength(22);
    for (const [, worker, , tensors, baseline, rss] of finished) {
      expect(worker).toBe('1');
      expect(Number(tensors)).toBe(Number(baseline));
      expect(Number(rss)).toBeGreaterThan(0);
    }
  });

  it('2 workers share the stages and give the same tables as 1', () => {
    expect(two.stderr).not.toMatch(/Error/);
    expect(two.status).toBe(0);
    expect(two.stdout).toMatch(/10 cells · 22 stages computed, 0 from cache/);
    // A first run on this cache starts its processes before planning; all of them are used.
    expect(two.stderr).toMatch(/^debug: 2 worker processes start before planning$/m);
    expect(two.stderr).not.toMatch(/stop unused/);
    const workers = [...two.stderr.matchAll(FINISHED)].map((m) => m[1]);
    expect(workers).toHaveLength(22);
    expect(new Set(workers)).toEqual(new Set(['1', '2']));
    // Each backbone is a stage of its own, pretrained once by one worker before the stages that read it.
    const pretrained = [...two.stderr.matchAll(FINISHED)].map((m) => m[2]!).filter((label) => label.startsWith('pretrain'));
    expect(pretrained.sort()).toEqual(['pretrain mlp-s on digits-pretrain', 'pretrain mlp-xs on digits-pretrain']);
    for (const size of ['xs', 's']) expect(two.stderr.match(new RegExp(`pretrain mlp-${size}: step (\\d+)/\\1 .*\\(100%\\)`, 'g')), `mlp-${size} pretrained once`).toHaveLength(1);
    expect(runsWithoutTimings(file('two', 'runs.arrow'))).toEqual(runsWithoutTimings(file('one', 'runs.arrow')));
    expect(readFileSync(file('two', 'predictions.arrow')).equals(readFileSync(file('one', 'predictions.arrow')))).toBe(true);
    expect(readFileSync(file('two', 'curves.arrow')).equals(readFileSync(file('one', 'curves.arrow')))).toBe(true);
  });

  it('while workers run, runs.arrow is rewritten as cells complete (W2S_RUNS_WRITE_SECONDS=0)', async () => {
    const out = join(dir, 'out-growing');
    const bg = startW2s(['run', manifest, '--workers', '2', '--cache', join(dir, 'cache-growing'), '--out', out], { W2S_RUNS_WRITE_SECONDS: '0' });
    const seen = new Set<number>();
    const timer = setInterval(() => {
      try {
        seen.add(readRuns(join(out, 'runs.arrow')).length);
      } catch {
        // not written yet, or replaced between two reads
      }
    }, 20);
    const { status } = await bg.exited;
    clearInterval(timer);
    expect(status).toBe(0);
    expect(readRuns(join(out, 'runs.arrow'))).toHaveLength(10);
    // Some version with part of the cells was seen before the run ended.
    expect([...seen].some((n) => n > 0 && n < 10)).toBe(true);
  }, 600_000);

  it('tables assembled from one cache are byte-identical whatever the worker count (timings come from the artifacts)', () => {
    const again = run('again', 1, {}, join(dir, 'cache-two'));
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/0 stages computed, 22 from cache/);
    expect(readFileSync(file('again', 'runs.arrow')).equals(readFileSync(file('two', 'runs.arrow')))).toBe(true);
    // This manifest has completed on this cache before: no process is started ahead of planning.
    expect(again.stderr).not.toMatch(/before planning/);
  });

  it('processes started before planning stop unused when every stage is cached; a guess of "all cached" that is wrong still computes', () => {
    // The same complete cache without its record of a completed run: processes start early, then stop.
    const unrecorded = join(dir, 'cache-unrecorded');
    cpSync(join(dir, 'cache-two'), unrecorded, { recursive: true });
    const records = readdirSync(unrecorded).filter((d) => d.startsWith('all-cached-'));
    expect(records).toHaveLength(1);
    rmSync(join(unrecorded, records[0]!), { recursive: true });
    const cached = run('unrecorded', 2, {}, unrecorded);
    expect(cached.status).toBe(0);
    expect(cached.stdout).toMatch(/0 stages computed, 22 from cache/);
    expect(cached.stderr).toMatch(/^debug: 2 worker processes start before planning$/m);
    expect(cached.stderr).toMatch(/^debug: 2 worker processes started before planning stop unused \(0 stages to run\)$/m);
    // The record is there but a stage is not: no early start, and the stage is computed anyway.
    const partial = join(dir, 'cache-partial');
    cpSync(join(dir, 'cache-two'), partial, { recursive: true });
    const transfer = readdirSync(partial).find((d) => d.startsWith('transfer-'))!;
    rmSync(join(partial, transfer), { recursive: true });
    const recomputed = run('partial', 2, {}, partial);
    expect(recomputed.status).toBe(0);
    expect(recomputed.stdout).toMatch(/1 stages computed, 21 from cache/);
    expect(recomputed.stderr).not.toMatch(/before planning/);
    expect(runsWithoutTimings(file('partial', 'runs.arrow'))).toEqual(runsWithoutTimings(file('two', 'runs.arrow')));
  });

  it('retries a stage whose worker process is killed mid-stage, in a fresh process, with the same result', async () => {
    const bg = startW2s(['run', manifest, '--workers', '2', '--cache', join(dir, 'cache-killed'), '--out', join(dir, 'out-killed')], { W2S_DEBUG: '1' });
    const [, , pid, label] = await bg.waitFor(/^debug: worker (\d+) \(pid (\d+)\) starts (.+) \(\S+\), attempt 1$/m);
    process.kill(Number(pid), 'SIGKILL');
    const { status } = await bg.exited;
    const { stdout, stderr } = bg.output();
    expect(status).toBe(0);
    expect(stderr).toContain(`worker process ${pid} was killed by SIGKILL while running the stage; retrying ${label} (attempt 2 of 3)`);
    expect([...stderr.matchAll(STARTS)].filter((m) => m[3] === label).map((m) => m[5])).toEqual(['1', '2']);
    expect(stdout).toMatch(/10 cells · 22 stages computed/);
    expect(runsWithoutTimings(file('killed', 'runs.arrow'))).toEqual(runsWithoutTimings(file('one', 'runs.arrow')));
  });

  it('a user error in a worker ends the run with its message, not retried and with no stack trace', () => {
    const bad = writeManifest(dir, 'bad', {
      seeds: [0],
      nVal: 0,
      methods: '  - name: weakval\n    earlyStopping: weak-val',
    });
    const r = w2s(['run', bad, '--workers', '2', '--cache', join(dir, 'cache-bad'), '--out', join(dir, 'out-bad')], { W2S_DEBUG: '1' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^w2s: stage transfer digits-parity mlp-xs->mlp-s weakval seed 0: earlyStopping: early stopping "weak-val" needs a val split/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const transferStarts = [...r.stderr.matchAll(STARTS)].filter((m) => m[3].startsWith('transfer'));
    expect(transferStarts).toHaveLength(1);
  });

  it('rejects a bad --workers value with one message', () => {
    const r = w2s(['run', manifest, '--workers', 'many']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('w2s: --workers: must be a whole number ≥ 0, got "many"');
  });
});
