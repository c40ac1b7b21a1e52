import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as Native from '../index.cjs';

// Which OpenBLAS kernels @w2s/native asks for (blas-core.cjs), and that OpenBLAS runs them.

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { openblasCoreFor, chooseOpenblasCore, coreFromConfig, cpuFlags } = require('../blas-core.cjs') as {
  openblasCoreFor(flags: Set<string>): string | undefined;
  chooseOpenblasCore(env: Record<string, string | undefined>, flags: Set<string>): { core?: string; from?: string };
  coreFromConfig(config: string): string | undefined;
  cpuFlags(): Set<string>;
};
const native = require('../index.cjs') as typeof Native;

const AVX512 = ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];

describe('the core asked for', () => {
  it('is SkylakeX with the five AVX-512 sets, Haswell with AVX2 and FMA, else OpenBLAS decides', () => {
    expect(openblasCoreFor(new Set(['sse3', 'avx', 'avx2', 'fma', ...AVX512]))).toBe('SkylakeX');
    expect(openblasCoreFor(new Set(['avx2', 'fma', 'avx512f']))).toBe('Haswell'); // AVX-512F alone is not enough
    expect(openblasCoreFor(new Set(['avx2']))).toBeUndefined(); // no FMA
    expect(openblasCoreFor(new Set(['sse3', 'avx']))).toBeUndefined();
    expect(openblasCoreFor(new Set())).toBeUndefined();
  });

  it("leaves a user's OPENBLAS_CORETYPE alone and otherwise sets it", () => {
    const flags = new Set(['avx2', 'fma', ...AVX512]);
    const userEnv: Record<string, string | undefined> = { OPENBLAS_CORETYPE: 'Prescott' };
    expect(chooseOpenblasCore(userEnv, flags)).toEqual({ core: 'Prescott', from: 'OPENBLAS_CORETYPE' });
    expect(userEnv.OPENBLAS_CORETYPE).toBe('Prescott');
    const env: Record<string, string | undefined> = {};
    expect(chooseOpenblasCore(env, flags)).toEqual({ core: 'SkylakeX', from: 'cpu flags' });
    expect(env.OPENBLAS_CORETYPE).toBe('SkylakeX');
    const old: Record<string, string | undefined> = {};
    expect(chooseOpenblasCore(old, new Set(['sse3']))).toEqual({ core: undefined, from: undefined });
    expect('OPENBLAS_CORETYPE' in old).toBe(false);
  });

  it('reads the running core from OpenBLAS config strings', () => {
    expect(coreFromConfig('OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64')).toBe('SkylakeX');
    expect(coreFromConfig('OpenBLAS 0.3.26 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=128')).toBe('Haswell');
    expect(coreFromConfig('unknown')).toBeUndefined();
  });
});

describe.runIf(native.addon !== null && native.addon.info().blas === 'openblas')('OpenBLAS runs the core asked for', () => {
  it('in this process: the one chosen from this CPU, or the environment', () => {
    const expected = process.env.OPENBLAS_CORETYPE ?? openblasCoreFor(cpuFlags());
    // OPENBLAS_CORETYPE is set by index.cjs before the library loads, or was set by the user.
    if (expected) expect(native.core?.toLowerCase()).toBe(expected.toLowerCase());
    else expect(native.core).toBeTruthy();
  });

  it("in a process started with OPENBLAS_CORETYPE=Prescott: the user's choice", () => {
    const run = spawnSync(process.execPath, ['-e', "const n = require('./index.cjs'); console.log(JSON.stringify([n.core, n.coreFrom]))"], {
      cwd: packageDir,
      env: { ...process.env, OPENBLAS_CORETYPE: 'Prescott' },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(['Prescott', 'OPENBLAS_CORETYPE']);
  });
});
