#!/usr/bin/env node
// Builds the BLAS addon (build/Release/w2s_blas.node) if this machine can, else skips it.
//
// Run by `npm ci` / `npm install` (this package's install script) and by `npm run build:native`.
// It must never break an install: every failure becomes a skip, explained in ONE line, and the
// exit code is always 0 (w2s then runs on the plain wasm path). It downloads nothing: it builds
// only when a C compiler, a CBLAS (cblas.h + libopenblas or libcblas) and Node's headers are
// already on the machine. The outcome is also written to build/status.json, so that @w2s/core
// can say at run time why the native path is off.
//
//   node scripts/build.mjs            as the install script (quiet)
//   node scripts/build.mjs --verbose  prints the compiler and node-gyp output too
/* global process, console */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = path.join(packageDir, 'build');
const addonPath = path.join(buildDir, 'Release', 'w2s_blas.node');
const verbose = process.argv.includes('--verbose');
const INSTALL_HINT = 'apt-get install libopenblas-dev (or your platform’s OpenBLAS package), then npm run build:native -w @w2s/native';

/** Runs a command; returns { ok, output }. Never throws. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: packageDir, ...options });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  if (verbose && output.trim()) process.stdout.write(`$ ${command} ${args.join(' ')}\n${output}\n`);
  return { ok: result.status === 0, output };
}

/** The C compiler to use, or undefined. */
function findCompiler() {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    if (run(cc, ['--version']).ok) return cc;
  }
  return undefined;
}

const PROBE = `#include <cblas.h>
int main(void) {
  float a[1] = {2}, b[1] = {3}, c[1] = {0};
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, a, 1, b, 1, 0.0f, c, 1);
  return c[0] == 6 ? 0 : 1;
}
`;

/** The CBLAS library that a probe program compiles, links and runs against, or undefined. */
function findBlas(cc) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'w2s-blas-probe-'));
  try {
    const source = path.join(dir, 'probe.c');
    writeFileSync(source, PROBE);
    for (const lib of ['openblas', 'cblas']) {
      const exe = path.join(dir, `probe-${lib}`);
      if (run(cc, [source, '-o', exe, `-l${lib}`]).ok && run(exe, []).ok) return lib;
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A directory with include/node/node_api.h for this Node version (never downloaded), or undefined. */
function findNodeDir() {
  const candidates = [
    process.env.npm_config_nodedir,
    process.config.variables.node_prefix,
    path.resolve(path.dirname(process.execPath), '..'),
    path.join(os.homedir(), '.cache', 'node-gyp', process.versions.node),
  ];
  return candidates.find((dir) => dir && existsSync(path.join(dir, 'include', 'node', 'node_api.h')) && existsSync(path.join(dir, 'include', 'node', 'common.gypi')));
}

/** node-gyp's entry script: npm's own copy (npm passes its path to install scripts), or undefined. */
function findNodeGyp() {
  const npmDir = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  const candidates = [process.env.npm_config_node_gyp, path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package: fine, npm's copy is enough
  }
  return candidates.find((p) => p && existsSync(p));
}

/** Loads the fresh addon and multiplies [[1,2],[3,4]]·[[5,6],[7,8]] with it: catches link/runtime errors. */
function smokeTest() {
  try {
    const addon = createRequire(import.meta.url)(addonPath);
    const heap = new Uint8Array(64);
    const f = new Float32Array(heap.buffer);
    f.set([1, 2, 3, 4, 5, 6, 7, 8]);
    addon.sgemm(heap, false, false, 2, 2, 2, 0, 1, 16, 1, 32, new Int32Array([0]), new Int32Array([0]));
    const got = Array.from(f.subarray(8, 12));
    return got.join() === '19,22,43,50' ? undefined : `wrong product ${got.join()}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function build() {
  if (process.env.W2S_NATIVE === '0') return { skipped: 'disabled by W2S_NATIVE=0' };
  const cc = findCompiler();
  if (!cc) return { skipped: `no C compiler found (cc, gcc, clang); install one and ${INSTALL_HINT}` };
  const blas = findBlas(cc);
  if (!blas) return { skipped: `no CBLAS found (cblas.h with libopenblas or libcblas); ${INSTALL_HINT}` };
  const nodeDir = findNodeDir();
  if (!nodeDir) return { skipped: `Node's headers (include/node/node_api.h) not found and not downloaded; set npm's nodedir to a Node ${process.version} install prefix` };
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) return { skipped: 'node-gyp not found (it ships with npm)' };

  const gyp = run(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`], { env: { ...process.env, W2S_BLAS_LIB: blas } });
  if (!gyp.ok) {
    const firstError = gyp.output.split('\n').find((l) => /error/i.test(l)) ?? 'see npm run build:native -w @w2s/native';
    rmSync(addonPath, { force: true });
    return { skipped: `node-gyp failed: ${firstError.trim()}` };
  }
  const failure = smokeTest();
  if (failure) {
    rmSync(addonPath, { force: true });
    return { skipped: `the built addon does not work: ${failure}` };
  }
  return { built: blas };
}

let outcome;
try {
  outcome = build();
} catch (e) {
  outcome = { skipped: `unexpected error: ${e instanceof Error ? e.message : String(e)}` };
}
try {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(path.join(buildDir, 'status.json'), `${JSON.stringify({ ...outcome, node: process.version, date: new Date().toISOString() })}\n`);
} catch {
  // a read-only package directory: the one line below still says what happened
}
console.log(
  outcome.built
    ? `@w2s/native: built the BLAS addon against ${outcome.built} (wasm+blas kernels enabled)`
    : `@w2s/native: native BLAS addon skipped: ${outcome.skipped}. w2s runs on the wasm path.`,
);
process.exit(0);
