// Crash safety: SIGKILL the runner at random (seeded) moments, several times, then run again. The
// rerun resumes from the cache and its tables equal an uninterrupted run's; at no moment is there
// a partial or corrupt table or artifact under its final name.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { Rng } from '@w2s/core';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { runsWithoutTimings, startW2s, writeManifest, type Background } from './scale-helpers.js';

const dir = tempDir('w2s-crash-');
// 3 seeds × (weak-gt, ceiling, 2 transfers) = 12 stages, 6 cells.
const manifest = writeManifest(dir, 'crash', { seeds: [0, 1, 2] });
const ref = { cache: join(dir, 'cache-ref'), out: join(dir, 'out-ref') };
const crash = { cache: join(dir, 'cache-crash'), out: join(dir, 'out-crash') };
const runArgs = (where: { cache: string; out: string }) => ['run', manifest, '--workers', '2', '--cache', where.cache, '--out', where.out];

const isTemp = (name: string) => /\.tmp-/.test(name);

/** Every table under its final name parses as Arrow; every published artifact is complete. */
function checkNothingPartial(where: { cache: string; out: string }): { tables: number; artifacts: number } {
  let tables = 0;
  let artifacts = 0;
  if (existsSync(where.out)) {
    for (const name of readdirSync(where.out)) {
      if (isTemp(name)) continue; // a hidden temp of a killed writer: never a final name
      const path = join(where.out, name);
      if (name.endsWith('.arrow')) {
        const table = tableFromIPC(readFileSync(path));
        expect(table.numRows, path).toBeGreaterThan(0);
        tables++;
      }
      if (name.endsWith('.md') || name.endsWith('.svg')) expect(statSync(path).size, path).toBeGreaterThan(0);
    }
  }
  if (existsSync(where.cache)) {
    for (const name of readdirSync(where.cache)) {
      if (isTemp(name) || name === '.leases') continue; // a killed writer's lease is taken over by the rerun
      const path = join(where.cache, name);
      expect(existsSync(join(path, '.w2s-complete')), `${path} is published without its completion marker`).toBe(true);
      for (const file of readdirSync(path).filter((f) => f.endsWith('.json'))) {
        expect(() => JSON.parse(readFileSync(join(path, file), 'utf8')), join(path, file)).not.toThrow();
      }
      if (name.startsWith('weak-gt-') || name.startsWith('ceiling-') || name.startsWith('transfer-')) {
        const stage = JSON.parse(readFileSync(join(path, 'stage.json'), 'utf8')) as { probs: Record<string, number[]> };
        expect(stage.probs.test!.length, path).toBe(100 * 2); // nTest × 2 classes
      }
      artifacts++;
    }
  }
  return { tables, artifacts };
}

/** Polls the results dir while a run goes on: how many runs.arrow reads parsed, and the errors of those that did not. */
function watchTables(bg: Background, out: string): Promise<{ reads: number; corrupt: string[] }> {
  return new Promise((resolve) => {
    let reads = 0;
    const corrupt: string[] = [];
    const timer = setInterval(() => {
      const path = join(out, 'runs.arrow');
      if (!existsSync(path)) return;
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        return; // replaced between exists and read
      }
      try {
        tableFromIPC(bytes);
        reads++;
      } catch (e) {
        corrupt.push((e as Error).message);
      }
    }, 10);
    void bg.exited.then(() => {
      clearInterval(timer);
      resolve({ reads, corrupt });
    });
  });
}

/** Whether a process still runs. A zombie has exited (an init that does not reap orphans, as in some containers, leaves them). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
};

/** Resolves once `n` stages are reported done in the run's output (or the run ended). */
async function stagesDone(bg: Background, n: number): Promise<void> {
  let ended = false;
  void bg.exited.then(() => (ended = true));
  while (!ended && (bg.output().stderr.match(/^done {3}/gm) ?? []).length < n) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('killing the runner', () => {
  it('an uninterrupted run is the reference (and its tables are never seen half-written)', async () => {
    const bg = startW2s(runArgs(ref));
    const reads = watchTables(bg, ref.out);
    const { status } = await bg.exited;
    expect(bg.output().stderr).not.toMatch(/Error/);
    expect(status).toBe(0);
    // Tables appear once complete; any runs.arrow seen mid-run must parse.
    expect((await reads).corrupt).toEqual([]);
    expect(runsWithoutTimings(join(ref.out, 'runs.arrow'))).toHaveLength(6);
  }, 300_000);

  it('SIGKILL at random moments leaves nothing partial; the rerun resumes and equals the reference', async () => {
    const rng = new Rng(20240607);
    // When to kill each run: after it reported `after` stages done, plus a random delay (so the
    // moment falls anywhere in start-up, in a stage, or while an artifact is being published).
    const moments = [
      { after: 0, delayMs: 300 + Math.round(rng.uniform() * 2500) },
      { after: 1, delayMs: Math.round(rng.uniform() * 150) },
      { after: 2, delayMs: Math.round(rng.uniform() * 150) },
      { after: 1, delayMs: Math.round(rng.uniform() * 150) },
    ];
    const kills: string[] = [];
    for (const [k, { after, delayMs }] of moments.entries()) {
      const bg = startW2s(runArgs(crash), { W2S_DEBUG: '1' });
      await stagesDone(bg, after);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const workerPids = [...bg.output().stderr.matchAll(/\(pid (\d+)\) starts/g)].map((m) => Number(m[1]));
      if (k % 2 === 0) {
        bg.killGroup('SIGKILL'); // the whole runner: CLI and workers (a machine crash)
      } else {
        // Only the CLI process (as the OOM killer would): its workers must notice and exit.
        bg.child.kill('SIGKILL');
      }
      const { status, signal } = await bg.exited;
      kills.push(`${after} stages + ${delayMs} ms: ${status === 0 ? 'had finished' : `killed (${signal ?? status})`}`);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const pid of workerPids) expect(alive(pid), `worker ${pid} outlived its runner`).toBe(false);
      checkNothingPartial(crash);
    }
    expect(kills.filter((k) => k.includes('killed')).length, kills.join('; ')).toBeGreaterThanOrEqual(3);

    const final = startW2s(runArgs(crash));
    const { status } = await final.exited;
    expect(final.output().stderr).not.toMatch(/Error/);
    expect(status).toBe(0);
    // It resumed: the killed runs had finished some stages, and it computed the rest.
    const [, computed, cached] = final.output().stdout.match(/(\d+) stages computed, (\d+) from cache/)!;
    console.log(`crash test: kills at ${kills.join('; ')}; rerun: ${computed} computed, ${cached} from cache`);
    expect(Number(computed) + Number(cached)).toBe(14); // 12 training stages, 2 pretrain stages
    expect(Number(cached)).toBeGreaterThan(0);
    const { artifacts } = checkNothingPartial(crash);
    expect(artifacts).toBeGreaterThanOrEqual(14);
    // Temps of the killed writers were cleaned up when the rerun started.
    expect(readdirSync(crash.cache).filter(isTemp)).toEqual([]);
    expect(readdirSync(crash.out).filter(isTemp)).toEqual([]);
    expect(runsWithoutTimings(join(crash.out, 'runs.arrow'))).toEqual(runsWithoutTimings(join(ref.out, 'runs.arrow')));
    expect(readFileSync(join(crash.out, 'predictions.arrow')).equals(readFileSync(join(ref.out, 'predictions.arrow')))).toBe(true);
  }, 600_000);
});
