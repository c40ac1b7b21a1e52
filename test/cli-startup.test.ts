// `w2s --help` and `w2s --version` start fast because they load no heavy module: the commands
// import tfjs, apache-arrow, zod, bullmq/ioredis and the libs when they run. A module-resolution
// hook records every module the process loads.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { w2sBin, workspaceRoot } from './helpers.js';

const RECORD_LOADS = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`export async function resolve(s, c, next) {
  const r = await next(s, c);
  process.stderr.write('loaded ' + r.url + '\\\\n');
  return r;
}\`));`)}`;

function loadedBy(args: string[]): { status: number | null; stdout: string; modules: string[] } {
  const r = spawnSync(process.execPath, ['--import', RECORD_LOADS, w2sBin, ...args], {
    cwd: workspaceRoot,
    env: { ...process.env, W2S_FROM_SOURCE: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const modules = r.stderr.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice('loaded '.length));
  return { status: r.status, stdout: r.stdout, modules };
}

const HEAVY = /node_modules\/(@tensorflow|apache-arrow|bullmq|ioredis|zod|yaml)\//;

describe('w2s startup', () => {
  it('--help and --version load no tensor, Arrow, zod or queue module', () => {
    for (const args of [['--help'], ['--version'], ['run', '--help'], ['worker', '--help']]) {
      const { status, stdout, modules } = loadedBy(args);
      expect(status, args.join(' ')).toBe(0);
      expect(stdout).toMatch(/\S/);
      expect(modules.some((m) => m.includes('/apps/runner/src/cli/main.ts')), 'the hook sees the CLI load').toBe(true);
      expect(modules.filter((m) => HEAVY.test(m)), args.join(' ')).toEqual([]);
    }
  });

  it('a command that needs them still loads them (the hook would see it)', () => {
    const { status, modules } = loadedBy(['schema']);
    expect(status).toBe(0);
    expect(modules.some((m) => /node_modules\/zod\//.test(m))).toBe(true);
    expect(modules.some((m) => /node_modules\/bullmq\//.test(m))).toBe(false);
  });
});
