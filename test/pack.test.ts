// Library reuse outside the workspace: build and `npm pack` @w2s/confidence-loss, @w2s/metrics,
// @w2s/debate and @w2s/weak-teacher (with @w2s/core, @w2s/tasks and @w2s/models, which they depend
// on; in dependency order, since each build reads its dependencies' dist/), install the tarballs into
// a temporary project outside the repository, and run each README's example there.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, workspaceRoot } from './helpers.js';

const libs = ['core', 'tasks', 'confidence-loss', 'metrics', 'models', 'debate', 'weak-teacher'];
const project = tempDir('w2s-pack-');
const tsxVersion = JSON.parse(readFileSync(join(workspaceRoot, 'node_modules/tsx/package.json'), 'utf8')).version as string;

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

beforeAll(() => {
  const tarballs: string[] = [];
  for (const lib of libs) {
    const dir = join(workspaceRoot, 'libs', lib);
    run(process.execPath, [join(workspaceRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], dir);
    const name = run('npm', ['pack', '--silent', '--pack-destination', project], dir).trim().split('\n').at(-1)!;
    tarballs.push(`./${name}`);
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'outside', private: true, type: 'module' }));
  // Dependencies come from npm's cache that `npm ci` filled (the registry otherwise).
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs, `tsx@${tsxVersion}`], project);
}, 600_000);

function runExample(lib: string, file: string): string {
  const target = join(project, `${lib}-${file}`);
  copyFileSync(join(workspaceRoot, 'libs', lib, 'examples', file), target);
  return run(process.execPath, ['--import', 'tsx', target], project);
}

describe('packed libraries outside the workspace', () => {
  it('installs the packages from their tarballs, without the workspace', () => {
    const installed = readdirSync(join(project, 'node_modules/@w2s')).sort();
    expect(installed).toEqual([...libs].sort());
    // Each package resolves to its built dist/, not to sources.
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules/@w2s/metrics/package.json'), 'utf8'));
    expect(pkg.exports['.'].default).toBe('./dist/index.js');
  });

  it('@w2s/confidence-loss: the README example trains a student in plain tfjs', () => {
    const out = runExample('confidence-loss', 'plain-tfjs.ts');
    const readme = readFileSync(join(workspaceRoot, 'libs/confidence-loss/README.md'), 'utf8');
    const accuracy = Number(/student ([0-9.]+) vs weak labels/.exec(out)?.[1]);
    expect(accuracy).toBeGreaterThan(0.85);
    expect(readme).toContain("import { makeLoss } from '@w2s/confidence-loss';");
  });

  it('@w2s/metrics: the README example prints the documented numbers', () => {
    const out = runExample('metrics', 'basic.ts');
    const readme = readFileSync(join(workspaceRoot, 'libs/metrics/README.md'), 'utf8');
    for (const line of out.trim().split('\n')) expect(readme).toContain(line.trim());
  });

  it('@w2s/debate: both README examples run', () => {
    expect(runExample('debate', 'evidence-debate.ts')).toMatch(/\S/);
    expect(runExample('debate', 'llm-debate.ts')).toMatch(/\S/);
  });

  it('@w2s/weak-teacher: the README example makes debate-assisted weak labels on digits-parity', () => {
    const out = runExample('weak-teacher', 'debate-labels.ts');
    expect(out).toMatch(/^plain weak labels: test accuracy 0\.\d{3}, 200 transfer soft labels\ndebate-assisted: {3}test accuracy 0\.\d{3}, 600 transcripts\nmnist-\d+: A for [01] shows patch/);
  }, 300_000);
});
