// bin/w2s.js chooses between the built JavaScript and the sources (through tsx). Here it runs in a
// scratch layout beside stub entry points that say which one ran.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, w2sBin, workspaceRoot } from './helpers.js';

function layout(opts: { dist: boolean; tsx: boolean }) {
  const root = tempDir('w2s-bin-');
  const runner = join(root, 'apps/runner');
  mkdirSync(join(runner, 'bin'), { recursive: true });
  copyFileSync(w2sBin, join(runner, 'bin/w2s.js'));
  writeFileSync(join(runner, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(runner, 'src/cli'), { recursive: true });
  writeFileSync(join(runner, 'src/cli/main.ts'), "const from: string = 'sources';\nconsole.log(from);\n");
  mkdirSync(join(root, 'libs/core/src'), { recursive: true });
  writeFileSync(join(root, 'libs/core/src/index.ts'), 'export {};\n');
  if (opts.dist) {
    mkdirSync(join(runner, 'dist/cli'), { recursive: true });
    writeFileSync(join(runner, 'dist/cli/main.js'), "console.log('dist');\n");
  }
  if (opts.tsx) symlinkSync(join(workspaceRoot, 'node_modules'), join(root, 'node_modules'));
  // Sources an hour older than the build, unless a test touches them.
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const file of ['apps/runner/src/cli/main.ts', 'libs/core/src/index.ts']) utimesSync(join(root, file), hourAgo, hourAgo);
  const run = (env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [join(runner, 'bin/w2s.js')], { env: { ...process.env, W2S_FROM_SOURCE: '', ...env }, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
  };
  const touch = (file: string) => utimesSync(join(root, file), new Date(), new Date());
  return { root, run, touch };
}

describe('bin/w2s.js', () => {
  it('runs a build that is newer than every source, and the sources once one is edited', () => {
    const { run, touch } = layout({ dist: true, tsx: true });
    expect(run().out).toBe('dist');
    expect(run({ W2S_FROM_SOURCE: '1' }).out).toBe('sources');
    touch('libs/core/src/index.ts'); // a lib's source, not only the runner's, makes the build stale
    expect(run().out).toBe('sources');
    expect(run({ W2S_FROM_SOURCE: '0' }).out).toBe('dist');
  });

  it('runs the sources when there is no build, and the build when tsx is not installed', () => {
    expect(layout({ dist: false, tsx: true }).run().out).toBe('sources');
    const production = layout({ dist: true, tsx: false });
    production.touch('apps/runner/src/cli/main.ts');
    expect(production.run().out).toBe('dist');
  });

  it('says what to do, in one line, with neither a build nor tsx', () => {
    const { root, run } = layout({ dist: false, tsx: false });
    const r = run();
    expect(r.status).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'w2s: this copy has neither a build (apps/runner/dist/) nor tsx to run the sources: run `npm run build` (needs the devDependencies), or `npm ci` for development',
    );
    rmSync(root, { recursive: true, force: true });
  });
});
