// Many machines: `w2s run --queue redis://…` enqueues stages as BullMQ jobs; `w2s worker` processes
// run them into a shared cache. Against a real redis-server (with a password): one of two workers
// is killed mid-stage and the run still completes with the same table; a user error in a worker
// ends the run with its message, not retried; an unreachable Redis or a bad password is one message.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, w2s } from './helpers.js';
import {
  freePort,
  hasOpenssl,
  hasRedisServer,
  runsWithoutTimings,
  startRedis,
  startTlsRedis,
  startW2s,
  writeManifest,
  type Background,
  type RedisUnderTest,
} from './scale-helpers.js';

const available = Boolean(process.env.W2S_TEST_REDIS_URL) || hasRedisServer();
const title = available
  ? 'w2s run --queue with w2s worker on a real Redis'
  : 'w2s run --queue (SKIPPED: no redis-server on PATH and no W2S_TEST_REDIS_URL; .ci/run installs and starts one)';

const dir = tempDir('w2s-queue-');
// 2 seeds × (weak-gt, ceiling, 2 transfers) = 8 stages, 4 cells.
const manifest = writeManifest(dir, 'queued', { seeds: [0, 1] });
let redis: RedisUnderTest;
const workers: Background[] = [];
const startWorker = (url: string, cache: string, env: Record<string, string> = {}) => {
  const w = startW2s(['worker', '--queue', url, '--cache', cache, '--lock-seconds', '2'], env);
  workers.push(w);
  return w;
};
/** SIGTERM to the `w2s` process only, as Kubernetes or systemd send it. */
const stopWorker = async (w: Background) => {
  w.child.kill('SIGTERM');
  const { status } = await w.exited;
  expect(status).toBe(0);
};

describe.skipIf(!available)(title, () => {
  beforeAll(async () => {
    redis = await startRedis();
    // The reference: the same manifest on this machine's worker pool.
    const ref = w2s(['run', manifest, '--workers', '2', '--cache', join(dir, 'cache-ref'), '--out', join(dir, 'out-ref')]);
    expect(ref.status).toBe(0);
  }, 600_000);
  afterAll(async () => {
    for (const w of workers) w.killGroup('SIGKILL');
    await redis?.stop();
  });

  it('completes with the same table when one of two workers is killed mid-stage', async () => {
    const cache = join(dir, 'cache-shared');
    const pair = [startWorker(redis.url, cache), startWorker(redis.url, cache)];
    await Promise.all(pair.map((w) => w.waitFor(/serving w2s-stages/)));
    const run = startW2s(['run', manifest, '--queue', redis.url, '--cache', cache, '--out', join(dir, 'out-queue')]);
    const starts = pair.map((w) => w.waitFor(/^start {2}(.+) \((\S+)\), attempt 1, process \d+$/m).then((m) => ({ w, label: m[1]!, key: m[2]! })));
    for (const s of starts) s.catch(() => undefined);
    const victim = await Promise.race(starts);
    victim.w.killGroup('SIGKILL'); // the worker, its stage process and all
    const survivor = pair.find((w) => w !== victim.w)!;

    const { status } = await run.exited;
    const { stdout, stderr } = run.output();
    expect(stderr).not.toMatch(/Error/);
    expect(status).toBe(0);
    expect(stdout).toMatch(/4 cells · 10 stages computed, 0 from cache/);
    // The killed worker's stage went to the survivor once its lock expired.
    expect(survivor.output().stderr).toContain(`start  ${victim.label} (${victim.key})`);
    const rows = runsWithoutTimings(join(dir, 'out-queue', 'runs.arrow'));
    expect(new Set(rows.map((r) => r.cell_id)).size).toBe(4);
    expect(rows).toEqual(runsWithoutTimings(join(dir, 'out-ref', 'runs.arrow')));
    await stopWorker(survivor);
    expect(survivor.output().stderr).toMatch(/finishing the stages in progress, then stopping/);
  }, 600_000);

  it('retries, with backoff, a stage whose process dies under a living worker', async () => {
    const one = writeManifest(dir, 'queued-seed0', { seeds: [0] });
    const cache = join(dir, 'cache-retry');
    const worker = startWorker(redis.url, cache);
    await worker.waitFor(/serving w2s-stages/);
    const run = startW2s(['run', one, '--queue', redis.url, '--cache', cache, '--out', join(dir, 'out-retry')]);
    const [, label, key, pid] = await worker.waitFor(/^start {2}(.+) \((\S+)\), attempt 1, process (\d+)$/m);
    process.kill(Number(pid), 'SIGKILL');
    const { status } = await run.exited;
    expect(run.output().stderr).not.toMatch(/Error/);
    expect(status).toBe(0);
    const log = worker.output().stderr;
    expect(log).toContain(`failed ${label}: worker process ${pid} was killed by SIGKILL while running the stage`);
    expect(log).toMatch(new RegExp(`^start {2}.+ \\(${key}\\), attempt 2, process \\d+$`, 'm'));
    // Same rows as the reference's seed-0 cells (the experiment name differs, nothing else).
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ experiment: _e, ...rest }) => rest);
    const expected = runsWithoutTimings(join(dir, 'out-ref', 'runs.arrow')).filter((r) => r.seed === 0);
    expect(strip(runsWithoutTimings(join(dir, 'out-retry', 'runs.arrow')))).toEqual(strip(expected));
    await stopWorker(worker);
  }, 300_000);

  it('ends with the message of a user error in a worker, without retrying it', async () => {
    const bad = writeManifest(dir, 'bad', { seeds: [0], nVal: 0, methods: '  - name: weakval\n    earlyStopping: weak-val' });
    const cache = join(dir, 'cache-bad');
    const worker = startWorker(redis.url, cache);
    await worker.waitFor(/serving w2s-stages/);
    const r = startW2s(['run', bad, '--queue', redis.url, '--cache', cache, '--out', join(dir, 'out-bad')]);
    const { status } = await r.exited;
    expect(status).toBe(2);
    expect(r.output().stderr).toMatch(/^w2s: stage transfer digits-parity mlp-xs->mlp-s weakval seed 0: earlyStopping: early stopping "weak-val" needs a val split/m);
    expect(r.output().stderr).not.toMatch(/^\s+at /m);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // any retry would start by now
    expect(worker.output().stderr.match(/^start {2}transfer/gm)).toHaveLength(1);
    await stopWorker(worker);
  }, 300_000);

  it('an unreachable Redis ends run and worker with one clear message', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const run = w2s(['run', manifest, '--queue', url, '--cache', join(dir, 'cache-unreachable'), '--out', join(dir, 'out-unreachable')]);
    expect(run.status).toBe(2);
    const last = run.stderr.trim().split('\n').at(-1);
    expect(last).toBe(`w2s: ${url}: cannot connect: connection refused (is redis-server running there and reachable from this machine?)`);
    const worker = w2s(['worker', '--queue', url]);
    expect(worker.status).toBe(2);
    expect(worker.stderr.trim()).toBe(last);
  });

  it('a missing or wrong password is one clear message that never prints the password', () => {
    const u = new URL(redis.url);
    u.password = 'not-the-password';
    const wrong = w2s(['worker', '--queue', u.toString()]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim()).toBe(`w2s: redis://:***@127.0.0.1:${redis.port}: the server rejected the password`);
    expect(wrong.stderr).not.toContain('not-the-password');
    u.password = '';
    const none = w2s(['worker', '--queue', u.toString()]);
    expect(none.status).toBe(2);
    expect(none.stderr.trim()).toBe(`w2s: redis://127.0.0.1:${redis.port}: the server requires a password: put it in the URL, redis://:PASSWORD@host:port`);
  });

  it.skipIf(!hasRedisServer() || !hasOpenssl())('runs over TLS (rediss://) with a password, trusting a private CA; an untrusted certificate is one message', async () => {
    const tls = await startTlsRedis();
    try {
      const env = { NODE_EXTRA_CA_CERTS: tls.caFile };
      const one = writeManifest(dir, 'queued-tls', { seeds: [0] });
      const cache = join(dir, 'cache-tls');
      const worker = startWorker(tls.url, cache, env);
      await worker.waitFor(/serving w2s-stages at rediss:\/\/:\*\*\*@localhost:/);
      const run = startW2s(['run', one, '--queue', tls.url, '--cache', cache, '--out', join(dir, 'out-tls')], env);
      const { status } = await run.exited;
      expect(run.output().stderr).not.toMatch(/Error/);
      expect(status).toBe(0);
      expect(run.output().stdout).toMatch(/2 cells · 6 stages computed/);
      const strip = (rows: Record<string, unknown>[]) => rows.map(({ experiment: _e, ...rest }) => rest);
      const expected = runsWithoutTimings(join(dir, 'out-ref', 'runs.arrow')).filter((r) => r.seed === 0);
      expect(strip(runsWithoutTimings(join(dir, 'out-tls', 'runs.arrow')))).toEqual(strip(expected));
      await stopWorker(worker);
      // Without the CA, the self-signed certificate is refused, in one message.
      const untrusted = w2s(['worker', '--queue', tls.url]);
      expect(untrusted.status).toBe(2);
      expect(untrusted.stderr.trim()).toMatch(/^w2s: rediss:\/\/:\*\*\*@localhost:\d+: cannot connect over TLS: self[- ]signed certificate .*NODE_EXTRA_CA_CERTS\)$/);
    } finally {
      await tls.stop();
    }
  }, 300_000);
});
