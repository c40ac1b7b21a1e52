// Stopping a run with the PID a user holds: `npx w2s run m.yaml & P=$!; kill -9 $P` (or -TERM, or
// Ctrl-C) stops all work within 2 s — the CLI and every worker process — and a rerun resumes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { startW2s, writeManifest, type Background } from './scale-helpers.js';

const dir = tempDir('w2s-stop-');
// Enough work that every kill lands mid-run: pretraining, then 4 seeds of weak, ceiling, transfer.
const manifest = writeManifest(dir, 'stop', { seeds: [0, 1, 2, 3], nDocs: 2000, nTest: 400, methods: '  - name: naive' });

/** Processes of the run's process group that have not exited (zombies have: this container's init reaps them late). */
function running(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses: split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') pids.push(Number(name));
  }
  return pids;
}

/** Milliseconds until no process of the group runs (or `limitMs` passed). */
async function stopsWithin(pgid: number, limitMs: number): Promise<number> {
  const started = performance.now();
  while (running(pgid).length > 0 && performance.now() - started < limitMs) await new Promise((resolve) => setTimeout(resolve, 20));
  return performance.now() - started;
}

/** Starts a run with `workers` worker processes and waits until a stage is done and the workers are busy. */
async function startAndWait(name: string, workers: number): Promise<{ bg: Background; cache: string; out: string }> {
  const cache = join(dir, `cache-${name}`);
  const out = join(dir, `out-${name}`);
  const bg = startW2s(['run', manifest, '--workers', String(workers), '--cache', cache, '--out', out]);
  await bg.waitFor(/^done {3}/m, 240_000);
  if (workers > 0) expect(running(bg.child.pid!).length, 'the CLI and its workers run').toBe(1 + workers);
  return { bg, cache, out };
}

describe('stopping w2s run by the PID the user holds', () => {
  it('SIGKILL: the CLI and its worker processes all stop within 2 s', async () => {
    const { bg } = await startAndWait('kill', 2);
    bg.child.kill('SIGKILL');
    const ms = await stopsWithin(bg.child.pid!, 10_000);
    expect(running(bg.child.pid!), 'processes still running').toEqual([]);
    expect(ms).toBeLessThan(2000);
    // The workers ended quietly: no EPIPE crash dump from writing to a dead parent.
    await bg.exited;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bg.output().stderr).not.toMatch(/EPIPE|Error/);
  }, 300_000);

  it('SIGTERM: all stop within 2 s, with one message saying what was kept; a rerun resumes from the cache', async () => {
    const { bg, cache, out } = await startAndWait('term', 2);
    bg.child.kill('SIGTERM');
    const ms = await stopsWithin(bg.child.pid!, 10_000);
    expect(ms).toBeLessThan(2000);
    const { status } = await bg.exited;
    expect(status).toBe(143);
    const { stderr } = bg.output();
    const message = stderr.match(/^w2s: stopped by SIGTERM: (\d+) stages? computed in this run are kept in the cache \(.*\); .* holds the tables of the cells finished so far\. Rerun `w2s run .*stop\.yaml` to resume: cached stages are not computed again\.$/m);
    expect(message, stderr).not.toBeNull();
    expect(Number(message![1])).toBeGreaterThan(0);
    expect(stderr).not.toMatch(/Error|at .*\.ts:\d+/);

    const rerun = startW2s(['run', manifest, '--workers', '2', '--cache', cache, '--out', out]);
    expect((await rerun.exited).status).toBe(0);
    const [, computed, cached] = rerun.output().stdout.match(/(\d+) stages computed, (\d+) from cache/)!;
    expect(Number(cached)).toBeGreaterThanOrEqual(Number(message![1]));
    expect(Number(computed) + Number(cached)).toBe(14); // 12 training stages, 2 pretrain stages
    expect(existsSync(join(out, 'runs.arrow'))).toBe(true);
  }, 300_000);

  it('SIGINT (Ctrl-C) in an in-process run (--workers 0): stops at once with the same message', async () => {
    const { bg } = await startAndWait('int', 0);
    bg.child.kill('SIGINT');
    expect(await stopsWithin(bg.child.pid!, 10_000)).toBeLessThan(2000);
    expect((await bg.exited).status).toBe(130);
    expect(bg.output().stderr).toMatch(/^w2s: stopped by SIGINT: \d+ stages? computed in this run are kept in the cache/m);
  }, 300_000);
});
