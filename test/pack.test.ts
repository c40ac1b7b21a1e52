// Shipping, as a user outside this repository gets it:
// 1. every @w2s lib is packed by `npm pack` (its `prepack` builds dist/), the tarballs are installed
//    into a temporary project with production dependencies only (no tsx, no typescript: the
//    README examples are transpiled here and run by plain node), and each README example runs;
// 2. a production copy of the workspace (package files and built dist/ only) is installed with
//    `npm ci --omit=dev`, and `w2s --help`, `w2s plan` and a tiny `w2s run` (worker processes
//    included) work from the built JavaScript.
// The libs are packed in dependency order, since each build reads its dependencies' dist/. The
// runner is built into the copy only, never into the workspace: other tests run bin/w2s.js meanwhile.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, workspaceRoot } from './helpers.js';

const libs = ['native', 'core', 'tasks', 'confidence-loss', 'metrics', 'models', 'debate', 'weak-teacher', 'strong-student'];
const project = tempDir('w2s-pack-');
const copy = tempDir('w2s-prod-');
const tarballs: Record<string, string> = {};

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

const pkgOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** A copy of a workspace project as its package would ship it: package.json and its `files`, but `skip`. */
function copyPackageFiles(rel: string, skip: string[] = []): void {
  const from = join(workspaceRoot, rel);
  mkdirSync(join(copy, rel), { recursive: true });
  for (const entry of ['package.json', ...(pkgOf(from).files ?? [])].filter((e: string) => !skip.includes(e))) {
    if (existsSync(join(from, entry))) cpSync(join(from, entry), join(copy, rel, entry), { recursive: true });
  }
}

beforeAll(() => {
  // 1. Pack (prepack builds) and install the tarballs, production dependencies only.
  const packDir = join(project, 'tarballs');
  mkdirSync(packDir);
  for (const lib of libs) {
    const name = run('npm', ['pack', '--silent', '--pack-destination', packDir], join(workspaceRoot, 'libs', lib)).trim().split('\n').at(-1)!;
    tarballs[lib] = join(packDir, name);
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'outside', private: true, type: 'module' }));
  // Dependencies come from npm's cache that `npm ci` filled (the registry otherwise).
  run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', ...Object.values(tarballs)], project);

  // 2. The production copy: root manifests, every lib as packed (dist/ was just built by prepack),
  //    the runner with its dist/ built into the copy, then `npm ci --omit=dev`.
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(workspaceRoot, file), join(copy, file));
  copyPackageFiles('test');
  for (const lib of libs) copyPackageFiles(`libs/${lib}`);
  copyPackageFiles('apps/runner', ['dist']); // a dist/ in the workspace may be stale: built below
  run(process.execPath, [join(workspaceRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(copy, 'apps/runner/dist')], join(workspaceRoot, 'apps/runner'));
  run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], copy);
}, 900_000);

/** The first ```ts block of a lib's README that contains `marker`, transpiled to JavaScript. */
function readmeExample(lib: string, marker: string): string {
  const readme = readFileSync(join(workspaceRoot, 'libs', lib, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.includes(marker));
  if (block === undefined) throw new Error(`libs/${lib}/README.md has no ts example containing ${marker}`);
  return block;
}

/** Runs TypeScript example code with plain node in the outside project (no tsx installed there). */
function runInProject(name: string, code: string): string {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = join(project, `${name}.mjs`);
  writeFileSync(file, js);
  return run(process.execPath, [file], project, { ...process.env, W2S_CACHE_DIR: join(project, '.w2s-cache') });
}

const runExample = (lib: string, file: string) => runInProject(`${lib}-${file}`, readFileSync(join(workspaceRoot, 'libs', lib, 'examples', file), 'utf8'));

describe('packed libraries outside the workspace, production dependencies only', () => {
  it('installs every lib from its tarball, built (dist, types), with LICENSE and metadata', () => {
    const installed = readdirSync(join(project, 'node_modules/@w2s')).sort();
    expect(installed).toEqual([...libs].sort());
    expect(existsSync(join(project, 'node_modules/tsx'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/typescript'))).toBe(false);
    for (const lib of libs) {
      const dir = join(project, 'node_modules/@w2s', lib);
      const pkg = pkgOf(dir);
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
      expect(pkg.license).toBe('MIT');
      expect(pkg.repository.directory).toBe(`libs/${lib}`);
      expect(pkg.engines.node).toMatch(/^>=20/);
      expect(existsSync(join(dir, pkg.types))).toBe(true);
      if (lib !== 'native') {
        expect(pkg.exports['.'].default).toBe('./dist/index.js');
        expect(existsSync(join(dir, 'dist/index.js'))).toBe(true);
        expect(existsSync(join(dir, 'src'))).toBe(false); // dist only: the w2s-source condition leads nowhere
      }
    }
    // tfjs is a peer pinned to the line whose internals @w2s/core uses; npm installed that line.
    expect(pkgOf(join(project, 'node_modules/@w2s/core')).peerDependencies['@tensorflow/tfjs-backend-wasm']).toBe('~4.22.0');
    expect(pkgOf(join(project, 'node_modules/@tensorflow/tfjs-backend-wasm')).version).toMatch(/^4\.22\./);
  });

  it('@w2s/core: the README example trains and caches a logistic regression', () => {
    const out = runInProject('core-readme', readmeExample('core', 'trainLoop'));
    expect(out).toMatch(/(trained on wasm \(wasm\+[a-z-]+\): loss 0\.\d+ -> 0\.\d+\ntrained and cached|cache hit) w = /);
  });

  it('@w2s/tasks: the README example loads digits-parity and splits it', () => {
    const out = runInProject('tasks-readme', readmeExample('tasks', 'makeSplits'));
    expect(out.split('\n')[0]).toBe('500 500 500');
    expect(out).toContain('digits-parity');
  });

  it('@w2s/native: the README example reports the kernel path (the addon is not built here: no install scripts)', () => {
    const out = runInProject('native-readme', readmeExample('native', 'nativeBlasStatus'));
    expect(out).toMatch(/^wasm\+(blas|matmul-fix) \{/);
  });

  it('@w2s/models and @w2s/strong-student: the README examples\' imports resolve from the tarballs', () => {
    const out = runInProject(
      'models-imports',
      `import { getBackbone, parseModelSpec, defaultTrainConfig, trainClassifier } from '@w2s/models';
import { trainCeiling, trainStudent } from '@w2s/strong-student';
console.log([getBackbone, parseModelSpec, defaultTrainConfig, trainClassifier, trainCeiling, trainStudent].map((f) => typeof f).join(' '));
console.log(parseModelSpec({ family: 'mlp', size: 'l' }).mode);`,
    );
    expect(out).toBe(`${Array(6).fill('function').join(' ')}\nprobe\n`);
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

describe('w2s from a production install (npm ci --omit=dev), built JavaScript only', () => {
  const bin = () => join(copy, 'node_modules/.bin/w2s');
  const manifest = join(copy, 'tiny.yaml');
  const w2s = (args: string[]) => {
    // Not W2S_FROM_SOURCE: the copy has no sources and no tsx; the bin must pick dist/ by itself.
    const env = { ...process.env, CI: 'true', W2S_FROM_SOURCE: '' };
    const r = spawnSync(process.execPath, [bin(), ...args], { cwd: copy, env, encoding: 'utf8', timeout: 300_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('has no devDependencies installed', () => {
    for (const dev of ['tsx', 'typescript', 'vitest', 'nx', 'nodejs-polars']) expect(existsSync(join(copy, 'node_modules', dev))).toBe(false);
    expect(existsSync(join(copy, 'apps/runner/dist/cli/main.js'))).toBe(true);
  });

  it('prints its help and version', () => {
    const help = w2s(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: w2s <command> \[options\]/);
    expect(help.stdout).toContain('w2s run ');
    const version = w2s(['--version']);
    expect(version.stdout.trim()).toBe(pkgOf(join(workspaceRoot, 'apps/runner')).version);
  });

  it('plans and runs a tiny manifest in a worker process', () => {
    writeFileSync(
      manifest,
      `name: tiny-prod
backend: wasm
seeds: [0]
splits: { nDocs: 200, nTest: 100, nVal: 0 }
tasks: [digits-parity]
ladders:
  image: { family: mlp, mode: probe, weak: [xs], strong: [s] }
methods:
  - name: naive
    loss: { name: xent }
bootstrap: { resamples: 100 }
`,
    );
    const cache = join(copy, 'cache');
    const plan = w2s(['plan', manifest, '--cache', cache]);
    expect(plan.stderr).toBe('');
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('tiny-prod: 1 cells');
    expect(plan.stdout).toContain('0/5 stages cached');
    const out = join(copy, 'results');
    const first = w2s(['run', manifest, '--cache', cache, '--out', out, '--workers', '1']);
    expect(first.stderr).not.toMatch(/Error|tsx/);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/1 cells · 5 stages computed, 0 from cache/);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['runs.arrow', 'predictions.arrow', 'curves.arrow', 'report.md']));
    expect(w2s(['plan', manifest, '--cache', cache]).stdout).toContain('5/5 stages cached');
  }, 300_000);
});
