import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as Native from '../index.cjs';

// The raw addon: its products (expected values worked out by hand below) and its refusal to
// touch memory outside what it was given. @w2s/core's kernel tests cover it through tfjs.

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const native = createRequire(import.meta.url)('../index.cjs') as typeof Native;
const addon = native.addon!;
const expectNative = process.env.W2S_EXPECT_NATIVE === '1';

/** A heap of `floats` float32 slots, all set to a sentinel, and its float view. */
function makeHeap(floats: number) {
  const heap = new Uint8Array(floats * 4);
  const f = new Float32Array(heap.buffer);
  f.fill(-777);
  return { heap, f };
}

const ZERO = new Int32Array([0]);

describe('loader', () => {
  it.runIf(expectNative)('the addon is built and loads (W2S_EXPECT_NATIVE=1, as in CI with OpenBLAS)', () => {
    expect(native.reason).toBeUndefined();
    expect(native.addon).not.toBeNull();
  });

  it.runIf(native.addon === null)('says why there is no addon', () => {
    expect(native.reason).toMatch(/skipped|not built|failed to load/);
  });
});

describe.runIf(native.addon !== null)('sgemm on a heap', () => {
  it('multiplies 2x3 · 3x2 with every transpose flag (by hand: [[58, 64], [139, 154]])', () => {
    // A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]]: A·B = [[58,64],[139,154]].
    const A = [1, 2, 3, 4, 5, 6];
    const B = [7, 8, 9, 10, 11, 12];
    const AT = [1, 4, 2, 5, 3, 6]; // Aᵀ stored row-major (3x2)
    const BT = [7, 9, 11, 8, 10, 12]; // Bᵀ stored row-major (2x3)
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const { heap, f } = makeHeap(20);
      f.set(tA ? AT : A, 0);
      f.set(tB ? BT : B, 6);
      addon.sgemm(heap, tA, tB, 2, 2, 3, 0, 1, 24, 1, 48, ZERO, ZERO);
      expect(Array.from(f.subarray(12, 16))).toEqual([58, 64, 139, 154]);
      expect(Array.from(f.subarray(16, 20))).toEqual([-777, -777, -777, -777]); // nothing past C
    }
  });

  it('pairs matrices by the index arrays (batch broadcasting is the caller’s index lists)', () => {
    // A: two 1x1 matrices [2], [3]; B: three 1x1 matrices [5], [7], [11].
    const { heap, f } = makeHeap(16);
    f.set([2, 3, 5, 7, 11]);
    addon.sgemm(heap, false, false, 1, 1, 1, 0, 2, 8, 3, 32, new Int32Array([0, 0, 0, 1, 1, 1]), new Int32Array([0, 1, 2, 0, 1, 2]));
    expect(Array.from(f.subarray(8, 14))).toEqual([10, 14, 22, 15, 21, 33]);
  });

  it('an empty inner dimension (k = 0) writes zeros; an empty output writes nothing', () => {
    const { heap, f } = makeHeap(8);
    addon.sgemm(heap, false, false, 2, 2, 0, 0, 1, 0, 1, 0, ZERO, ZERO);
    expect(Array.from(f.subarray(0, 5))).toEqual([0, 0, 0, 0, -777]);
    const other = makeHeap(4);
    addon.sgemm(other.heap, false, false, 0, 1, 2, 0, 1, 0, 1, 0, ZERO, ZERO);
    expect(Array.from(other.f)).toEqual([-777, -777, -777, -777]);
  });

  it('refuses, before writing anything, any matrix outside the heap, a bad index, misalignment or overlap', () => {
    const { heap, f } = makeHeap(32); // 128 bytes
    f.fill(1, 0, 16);
    const untouched = Array.from(f);
    const call = (over: Partial<Record<'m' | 'n' | 'k' | 'aOff' | 'aCount' | 'bOff' | 'bCount' | 'cOff', number>>, aIndex = ZERO, bIndex = ZERO) => {
      const p = { m: 2, n: 2, k: 2, aOff: 0, aCount: 1, bOff: 16, bCount: 1, cOff: 64, ...over };
      return () => addon.sgemm(heap, false, false, p.m, p.n, p.k, p.aOff, p.aCount, p.bOff, p.bCount, p.cOff, aIndex, bIndex);
    };
    expect(call({})).not.toThrow(); // the valid call the others break
    f.set(untouched);
    expect(call({ cOff: 116 })).toThrow(/C .* does not fit in the heap/); // 116 + 16 > 128
    expect(call({ cOff: 1 << 20 })).toThrow(/cOffset must be an integer in \[0, heap size\]/);
    expect(call({ aOff: 120 })).toThrow(/A .* does not fit/);
    expect(call({ bCount: 8 })).toThrow(/B .* does not fit/); // 16 + 8·16 > 128
    expect(call({ aOff: 2 })).toThrow(/not float-aligned/);
    expect(call({ m: -1 })).toThrow(/m must be an integer/);
    expect(call({ k: 1.5 })).toThrow(/k must be an integer/);
    expect(call({ m: 2 ** 40 })).toThrow(/m must be an integer/);
    expect(call({ m: 2 ** 30, n: 2 ** 30 })).toThrow(/does not fit/); // sizes overflow 64-bit products safely
    expect(call({}, new Int32Array([1]))).toThrow(/aIndex\[0\] = 1 is not below aCount 1/);
    expect(call({}, ZERO, new Int32Array([-1]))).toThrow(/bIndex\[0\] = -1/);
    expect(call({}, new Int32Array([0, 0]), ZERO)).toThrow(/aIndex has 2 entries but bIndex has 1/);
    expect(call({ cOff: 8 })).toThrow(/output overlaps an input/);
    expect(Array.from(f)).toEqual(untouched);

    expect(() => addon.sgemm(new Float32Array(32) as unknown as Uint8Array, false, false, 1, 1, 1, 0, 1, 0, 1, 4, ZERO, ZERO)).toThrow(/Uint8Array/);
    expect(() => (addon.sgemm as unknown as (...args: unknown[]) => void)(heap, false, false, 1)).toThrow(/expected 13 arguments/);
    expect(() => addon.sgemm(heap, false, false, 1, 1, 1, 0, 1, 4, 1, 8, [0] as unknown as Int32Array, ZERO)).toThrow(/Int32Array/);
  });

  it('sumRows sums the rows of a matrix (by hand: [[1,2,3],[4,5,6]] → [5,7,9]) and refuses bad extents', () => {
    const { heap, f } = makeHeap(16);
    f.set([1, 2, 3, 4, 5, 6]);
    addon.sumRows(heap, 0, 2, 3, 32);
    expect(Array.from(f.subarray(8, 12))).toEqual([5, 7, 9, -777]);
    addon.sumRows(heap, 0, 0, 3, 32); // no rows: zeros
    expect(Array.from(f.subarray(8, 11))).toEqual([0, 0, 0]);
    const untouched = Array.from(f);
    expect(() => addon.sumRows(heap, 0, 2, 3, 60)).toThrow(/out .* does not fit/);
    expect(() => addon.sumRows(heap, 44, 2, 3, 0)).toThrow(/x .* does not fit/);
    expect(() => addon.sumRows(heap, 0, 2, 3, 8)).toThrow(/overlaps/);
    expect(() => addon.sumRows(heap, 0, 2, 3, 33)).toThrow(/not float-aligned/);
    expect(Array.from(f)).toEqual(untouched);
  });

  it('maxPoolGrad sends each dy to its window’s first maximum (by hand) and refuses bad extents', () => {
    // x 1×2×4×1 = [[1, 3, 5, 5], [2, 0, -1, -2]], 2×2 windows, stride 2: maxima 3 (x[1]) and the
    // first 5 (x[2]); dy = [10, 20].
    const { heap, f } = makeHeap(32);
    f.set([1, 3, 5, 5, 2, 0, -1, -2], 0);
    f.set([10, 20], 8);
    addon.maxPoolGrad(heap, 0, 32, 64, 1, 1, 2, 4, 1, 2, 2, 2, 2, 2, 0, 0);
    expect(Array.from(f.subarray(16, 25))).toEqual([0, 10, 20, 0, 0, 0, 0, 0, -777]);
    const untouched = Array.from(f);
    expect(() => addon.maxPoolGrad(heap, 0, 32, 100, 1, 1, 2, 4, 1, 2, 2, 2, 2, 2, 0, 0)).toThrow(/dx does not fit/);
    expect(() => addon.maxPoolGrad(heap, 0, 32, 64, 1, 1, 2, 4, 9, 2, 2, 2, 2, 2, 0, 0)).toThrow(/dy does not fit|overlaps/);
    expect(() => addon.maxPoolGrad(heap, 0, 32, 16, 1, 1, 2, 4, 1, 2, 2, 2, 2, 2, 0, 0)).toThrow(/overlaps/);
    expect(() => addon.maxPoolGrad(heap, 0, 32, 64, 1, 1, 2, 4, 1, 2, 0, 2, 2, 2, 0, 0)).toThrow(/strides must be positive/);
    expect(Array.from(f)).toEqual(untouched);
  });

  it('slice copies x[begin : begin + size] (by hand) and refuses bad extents', () => {
    // x 3×4 = [[0..3], [4..7], [8..11]]; rows 1–2, columns 1–2 → [5, 6, 9, 10].
    const { heap, f } = makeHeap(24);
    f.set(Array.from({ length: 12 }, (_, i) => i));
    const i32 = (...v: number[]) => Int32Array.from(v);
    addon.slice(heap, 0, 64, i32(3, 4), i32(1, 1), i32(2, 2));
    expect(Array.from(f.subarray(16, 21))).toEqual([5, 6, 9, 10, -777]);
    addon.slice(heap, 0, 64, i32(3, 4), i32(1, 0), i32(2, 4)); // whole rows: one run
    expect(Array.from(f.subarray(16, 24))).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    const untouched = Array.from(f);
    expect(() => addon.slice(heap, 0, 64, i32(3, 4), i32(2, 0), i32(2, 4))).toThrow(/axis 0: begin 2 \+ size 2 is outside \[0, 3\]/);
    expect(() => addon.slice(heap, 0, 88, i32(3, 4), i32(0, 0), i32(3, 4))).toThrow(/out does not fit/);
    expect(() => addon.slice(heap, 64, 0, i32(3, 4), i32(0, 0), i32(1, 1))).toThrow(/x does not fit/);
    expect(() => addon.slice(heap, 0, 16, i32(3, 4), i32(0, 0), i32(1, 1))).toThrow(/overlaps/);
    expect(() => addon.slice(heap, 0, 64, i32(3, 4), i32(0), i32(1, 1))).toThrow(/same length/);
    expect(Array.from(f)).toEqual(untouched);
  });

  it('adamStep updates p, m, v (by hand, exact in binary) and refuses bad extents', () => {
    // p, m, v, g = [1, 2], [0, 0.5], [0, 0], [0.5, -1]; b1 0.5, b2 0.75, corrections 0.5 and
    // 0.25, eps 0, lr 0.5. m = [0.25, -0.25], v = [0.0625, 0.25], m̂ = [0.5, -0.5],
    // v̂ = [0.25, 1], p = [1 - 0.5·0.5/0.5, 2 + 0.5·0.5/1] = [0.5, 2.25]; with decay 0.5 first:
    // p = [0.5 - 0.5, 1 + 0.25] = [0, 1.25].
    const { heap, f } = makeHeap(16);
    f.set([1, 2, 0, 0.5, 0, 0, 0.5, -1]);
    const consts = (decay: number, use: number) => Float32Array.of(0.5, 0.5, 0.75, 0.25, decay, 0.5, 0.25, 0, 0.5, use);
    addon.adamStep(heap, 2, 0, 8, 16, 24, 32, 40, 48, consts(0.5, 0));
    expect(Array.from(f.subarray(8, 15))).toEqual([0.5, 2.25, 0.25, -0.25, 0.0625, 0.25, -777]);
    addon.adamStep(heap, 2, 0, 8, 16, 24, 32, 40, 48, consts(0.5, 1));
    expect(Array.from(f.subarray(8, 10))).toEqual([0, 1.25]);
    const untouched = Array.from(f);
    expect(() => addon.adamStep(heap, 2, 0, 8, 16, 24, 32, 40, 60, consts(1, 0))).toThrow(/outVOffset .* does not fit/);
    expect(() => addon.adamStep(heap, 2, 0, 8, 16, 24, 28, 40, 48, consts(1, 0))).toThrow(/outPOffset overlaps gOffset/);
    expect(() => addon.adamStep(heap, 2, 0, 8, 16, 24, 32, 36, 48, consts(1, 0))).toThrow(/outMOffset overlaps outPOffset/);
    expect(() => addon.adamStep(heap, 2, 2, 8, 16, 24, 32, 40, 48, consts(1, 0))).toThrow(/pOffset must be a float-aligned/);
    expect(() => addon.adamStep(heap, 2, 0, 8, 16, 24, 32, 40, 48, new Float32Array(9))).toThrow(/Float32Array of 10/);
    expect(Array.from(f)).toEqual(untouched);
  });

  it('shiftRows, sumInnerRows and softmaxXentGrad (by hand, exact in binary) refuse bad ids and extents', () => {
    // z = [[1, 3, 2], [0, -1, 0]], ids [2, 1]: shifted = [[-2, 0, -1], [0, -1, 0]], picked [-1, -1].
    const { heap, f } = makeHeap(32);
    f.set([1, 3, 2, 0, -1, 0]);
    const ids = new Int32Array(heap.buffer, 24, 2);
    ids.set([2, 1]);
    addon.shiftRows(heap, 2, 3, 0, 24, 32, 56);
    expect(Array.from(f.subarray(8, 17))).toEqual([-2, 0, -1, 0, -1, 0, -1, -1, -777]);
    // sums of [[0.5, 0.25, 0.25], [1, 2, 4]] in order: [1, 7].
    f.set([0.5, 0.25, 0.25, 1, 2, 4], 16);
    addon.sumInnerRows(heap, 2, 3, 64, 96);
    expect(Array.from(f.subarray(24, 27))).toEqual([1, 7, -777]);
    // e = [[0.5, 0.25, 0.25], [1, 2, 4]], sums [1, 8] (written at float 24), ids [2, 1], scale 0.5:
    // [[0.25, 0.125, (0.25 - 1)·0.5], [0.0625, (0.25 - 1)·0.5, 0.25]].
    f.set([1, 8], 24);
    addon.softmaxXentGrad(heap, 2, 3, 64, 96, 24, 0.5, 104);
    expect(Array.from(f.subarray(26, 32))).toEqual([0.25, 0.125, -0.375, 0.0625, -0.375, 0.25]);
    const untouched = Array.from(f);
    ids[1] = 3;
    expect(() => addon.shiftRows(heap, 2, 3, 0, 24, 32, 56)).toThrow(/class id 3 \(row 1\) is outside \[0, 3\)/);
    expect(() => addon.softmaxXentGrad(heap, 2, 3, 64, 96, 24, 0.5, 104)).toThrow(/class id 3 \(row 1\)/);
    ids[1] = 1;
    expect(() => addon.shiftRows(heap, 2, 3, 0, 24, 120, 56)).toThrow(/shiftedOffset does not fit/);
    expect(() => addon.shiftRows(heap, 2, 3, 0, 24, 8, 56)).toThrow(/shiftedOffset overlaps zOffset/);
    expect(() => addon.sumInnerRows(heap, 2, 3, 64, 68)).toThrow(/outOffset overlaps xOffset/);
    expect(() => addon.softmaxXentGrad(heap, 2, 3, 64, 96, 24, 0.5, 66)).toThrow(/float-aligned/);
    expect(Array.from(f)).toEqual(untouched);
  });

  it('sets and reports the BLAS thread count', () => {
    const before = addon.getThreads();
    expect(addon.setThreads(1)).toBe(1);
    expect(addon.getThreads()).toBe(1);
    expect(() => addon.setThreads(0)).toThrow(/setThreads/);
    addon.setThreads(before);
    expect(addon.info().blas).toMatch(/openblas|cblas/);
  });
});

describe('the published package', () => {
  it('ships every source binding.gyp compiles, and the header they include (an install builds from them)', () => {
    const gyp = JSON.parse(readFileSync(path.join(packageDir, 'binding.gyp'), 'utf8').replace(/^\s*#.*$/gm, '')) as { targets: { sources: string[] }[] };
    const files = (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { files: string[] }).files;
    const sources = gyp.targets.flatMap((t) => t.sources);
    expect(sources.length).toBeGreaterThan(1);
    for (const source of sources) {
      expect(files).toContain(source);
      for (const [, header] of readFileSync(path.join(packageDir, source), 'utf8').matchAll(/^#include "([^"]+)"/gm)) {
        expect(files).toContain(path.posix.join(path.posix.dirname(source), header!));
      }
    }
  });
});

describe('build script', () => {
  /** Runs scripts/build.mjs in a copy of this package with the given environment. */
  function buildCopy(env: Record<string, string>) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'w2s-native-build-'));
    try {
      for (const item of ['scripts', 'src', 'binding.gyp', 'index.cjs', 'blas-core.cjs', 'package.json']) {
        cpSync(path.join(packageDir, item), path.join(dir, item), { recursive: true });
      }
      const result = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build.mjs')], { encoding: 'utf8', env: { ...process.env, ...env } });
      const status = JSON.parse(readFileSync(path.join(dir, 'build', 'status.json'), 'utf8'));
      const loaded = createRequire(path.join(dir, 'x.js'))('./index.cjs') as typeof Native;
      return { code: result.status, lines: result.stdout.trim().split('\n'), status, loaded };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('without a compiler: exits 0, prints one line saying why, and the loader passes the reason on', () => {
    const emptyBin = mkdtempSync(path.join(os.tmpdir(), 'w2s-empty-path-'));
    try {
      const r = buildCopy({ PATH: emptyBin, CC: '' });
      expect(r.code).toBe(0);
      expect(r.lines).toEqual([expect.stringMatching(/^@w2s\/native: native BLAS addon skipped: no C compiler found.*apt-get install libopenblas-dev.*wasm path/)]);
      expect(r.status.skipped).toMatch(/no C compiler/);
      expect(r.loaded.addon).toBeNull();
      expect(r.loaded.reason).toMatch(/the build was skipped: no C compiler/);
    } finally {
      rmSync(emptyBin, { recursive: true, force: true });
    }
  });

  it('with a compiler but no CBLAS: exits 0 and names the package to install', () => {
    // A stand-in `cc` that answers --version but cannot link anything (no -lopenblas, no -lcblas).
    const bin = mkdtempSync(path.join(os.tmpdir(), 'w2s-fake-cc-'));
    try {
      writeFileSync(path.join(bin, 'cc'), '#!/bin/sh\n[ "$1" = "--version" ] && { echo fake-cc; exit 0; }\nexit 1\n', { mode: 0o755 });
      const r = buildCopy({ PATH: bin, CC: '' });
      expect(r.code).toBe(0);
      expect(r.lines).toEqual([expect.stringMatching(/^@w2s\/native: native BLAS addon skipped: no CBLAS found .*apt-get install libopenblas-dev/)]);
      expect(r.loaded.reason).toMatch(/no CBLAS found/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('W2S_NATIVE=0 skips the build, in one line, exit 0', () => {
    const r = buildCopy({ W2S_NATIVE: '0' });
    expect(r.code).toBe(0);
    expect(r.lines).toEqual(['@w2s/native: native BLAS addon skipped: disabled by W2S_NATIVE=0. w2s runs on the wasm path.']);
    expect(r.loaded.addon).toBeNull();
  });
});
