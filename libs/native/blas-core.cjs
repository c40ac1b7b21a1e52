// Which OpenBLAS kernels to ask for, before OpenBLAS loads.
//
// OpenBLAS built with DYNAMIC_ARCH (Debian's, Ubuntu's) picks its kernels from the CPU's model
// number. A release older than the CPU does not know the model and falls back to an old core:
// Debian 12's OpenBLAS 0.3.21 on this workplace's VM (Intel family 6, model 207) takes its
// Prescott (SSE3) kernels, and sgemm runs 3-5x slower than with the AVX-512 ones the CPU has.
// The instruction sets the CPU reports are what the kernels need, so we choose from them and
// tell OpenBLAS through OPENBLAS_CORETYPE, which it reads once, when the library loads. A user's
// own OPENBLAS_CORETYPE always wins (e.g. Prescott, to reproduce results computed before).
'use strict';
/* global require, module, process */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, loaded by index.cjs */
const fs = require('node:fs');

/** Flags every AVX-512 kernel of OpenBLAS's SkylakeX target uses. */
const AVX512 = ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];

/**
 * The OpenBLAS core for a CPU with these instruction-set flags (as /proc/cpuinfo names them):
 * 'SkylakeX' (AVX-512), 'Haswell' (AVX2 + FMA), or undefined: leave the choice to OpenBLAS.
 */
function openblasCoreFor(flags) {
  if (AVX512.every((f) => flags.has(f))) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return undefined;
}

/** The CPU's flags on x86-64 Linux (/proc/cpuinfo); an empty set elsewhere. */
function cpuFlags() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return new Set();
  try {
    const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set(line ? line.slice(line.indexOf(':') + 1).trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

/**
 * Sets OPENBLAS_CORETYPE from the CPU flags unless the user set it; returns what was asked for
 * and by whom ({ core: undefined } when OpenBLAS chooses alone).
 */
function chooseOpenblasCore(env = process.env, flags = cpuFlags()) {
  if (env.OPENBLAS_CORETYPE) return { core: env.OPENBLAS_CORETYPE, from: 'OPENBLAS_CORETYPE' };
  const core = openblasCoreFor(flags);
  if (core) env.OPENBLAS_CORETYPE = core;
  return { core, from: core ? 'cpu flags' : undefined };
}

/** The core OpenBLAS runs, from its config string ("OpenBLAS 0.3.21 … DYNAMIC_ARCH … SkylakeX MAX_THREADS=64"). */
function coreFromConfig(config) {
  const m = /(\S+)\s+MAX_THREADS=/.exec(config);
  return m ? m[1] : undefined;
}

module.exports = { openblasCoreFor, cpuFlags, chooseOpenblasCore, coreFromConfig };
