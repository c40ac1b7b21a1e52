import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type * as Native from '../index.cjs';

// The addon's element-wise kernels on a raw heap: results worked out by hand, and the refusal
// to touch memory outside what it was given (checked before anything is written). @w2s/core's
// tests compare them with the tfjs wasm kernels bit for bit.

const native = createRequire(import.meta.url)('../index.cjs') as typeof Native;
const addon = native.addon!;

/** A heap of `floats` float32 slots, all set to a sentinel, and its float view. */
function makeHeap(floats: number) {
  const heap = new Uint8Array(floats * 4);
  const f = new Float32Array(heap.buffer);
  f.fill(-777);
  return { heap, f };
}

const i32 = (...v: number[]) => Int32Array.from(v);

describe.runIf(native.addon !== null)('element-wise kernels on a heap', () => {
  it('binary: + − × ÷ of the same shape, a scalar either side, and a repeated row (by hand)', () => {
    const { heap, f } = makeHeap(32);
    f.set([1, 2, 3, 4, 5, 6], 0); // a: 2×3
    f.set([10, 20, 30, 40, 50, 60], 8); // b: 2×3
    f.set([2], 16); // a scalar
    f.set([100, 200, 300], 20); // a row of 3
    const out = () => Array.from(f.subarray(24, 31));
    addon.binary(heap, 0, 0, 6, 32, 6, 96, 6);
    expect(out()).toEqual([11, 22, 33, 44, 55, 66, -777]);
    addon.binary(heap, 1, 0, 6, 32, 6, 96, 6);
    expect(out()).toEqual([-9, -18, -27, -36, -45, -54, -777]);
    addon.binary(heap, 2, 0, 6, 64, 1, 96, 6); // a × 2
    expect(out()).toEqual([2, 4, 6, 8, 10, 12, -777]);
    addon.binary(heap, 3, 64, 1, 0, 6, 96, 6); // 2 ÷ a
    expect(out()).toEqual([2, 1, 2 / 3, 0.5, 0.4, 1 / 3].map(Math.fround).concat(-777));
    addon.binary(heap, 0, 0, 6, 80, 3, 96, 6); // a + row
    expect(out()).toEqual([101, 202, 303, 104, 205, 306, -777]);
    addon.binary(heap, 1, 80, 3, 0, 6, 96, 6); // row − a
    expect(out()).toEqual([99, 198, 297, 96, 195, 294, -777]);
  });

  it('binary: outputs of ≥ 2^19 values (streaming stores) from any float-aligned offset, with a tail', () => {
    const n = 2 ** 19 + 5;
    for (const shift of [0, 1, 2, 3]) {
      const { heap, f } = makeHeap(2 * n + 16);
      const a = Float32Array.from({ length: n }, (_, i) => (i % 1000) / 7 - 50);
      f.set(a, 0);
      f[n] = 0.3; // the scalar
      const at = n + 4 + shift; // the output, at 16-byte alignment + 4·shift
      addon.binary(heap, 3, 0, n, n * 4, 1, at * 4, n); // a ÷ 0.3
      const out = f.subarray(at, at + n);
      const wrong = out.findIndex((v, i) => v !== Math.fround(a[i]! / Math.fround(0.3)));
      expect(wrong).toBe(-1);
      expect(f[at + n]).toBe(-777);
      expect(f[at - 1]).toBe(-777);
    }
  });

  it('binary refuses, before writing anything, operands outside the heap, bad counts, misalignment or overlap', () => {
    const { heap, f } = makeHeap(32); // 128 bytes
    const untouched = Array.from(f);
    expect(() => addon.binary(heap, 4, 0, 4, 16, 4, 32, 4)).toThrow(/op must be/);
    expect(() => addon.binary(heap, 0, 0, 4, 16, 4, 120, 4)).toThrow(/out does not fit/);
    expect(() => addon.binary(heap, 0, 120, 4, 16, 4, 32, 4)).toThrow(/a does not fit/);
    expect(() => addon.binary(heap, 0, 0, 4, 124, 2, 32, 4)).toThrow(/b does not fit/);
    expect(() => addon.binary(heap, 0, 0, 4, 16, 4, 132, 4)).toThrow(/outOffset must be/);
    expect(() => addon.binary(heap, 0, 2, 4, 16, 4, 32, 4)).toThrow(/aOffset must be/);
    expect(() => addon.binary(heap, 0, 0, 4, 16, 3, 32, 4)).toThrow(/do not divide/);
    expect(() => addon.binary(heap, 0, 0, 2, 16, 2, 32, 4)).toThrow(/as many values as the output/);
    expect(() => addon.binary(heap, 0, 0, 4, 16, 4, 8, 4)).toThrow(/overlaps/);
    expect(() => addon.binary(heap, 0, 0, -1, 16, 4, 32, 4)).toThrow(/non-negative integers/);
    expect(() => addon.binary(new Float32Array(32) as unknown as Uint8Array, 0, 0, 4, 16, 4, 32, 4)).toThrow(/Uint8Array/);
    expect(Array.from(f)).toEqual(untouched);
  });

  it('binaryStrided: a row minus one value per row, an outer sum (by hand), and its refusals', () => {
    const { heap, f } = makeHeap(32);
    f.set([1, 2, 3, 4, 5, 6], 0); // a: 2×3
    f.set([10, 20], 8); // b: 2×1
    addon.binaryStrided(heap, 1, 0, 6, 32, 2, 64, i32(2, 3), i32(3, 1), i32(1, 0)); // a − b
    expect(Array.from(f.subarray(16, 23))).toEqual([-9, -8, -7, -16, -15, -14, -777]);
    addon.binaryStrided(heap, 0, 32, 2, 0, 3, 64, i32(2, 3), i32(1, 0), i32(0, 1)); // b [2,1] + a's first row [1,3]
    expect(Array.from(f.subarray(16, 23))).toEqual([11, 12, 13, 21, 22, 23, -777]);
    const untouched = Array.from(f);
    expect(() => addon.binaryStrided(heap, 0, 0, 6, 32, 2, 64, i32(2, 3), i32(3, 1), i32(2, 0))).toThrow(/reach past/);
    expect(() => addon.binaryStrided(heap, 0, 0, 6, 32, 2, 64, i32(2, 4), i32(3, 1), i32(1, 0))).toThrow(/reach past/);
    expect(() => addon.binaryStrided(heap, 0, 0, 6, 32, 2, 64, i32(2, 3), i32(3, -1), i32(1, 0))).toThrow(/negative/);
    expect(() => addon.binaryStrided(heap, 0, 0, 6, 32, 2, 112, i32(2, 3), i32(3, 1), i32(1, 0))).toThrow(/out does not fit/);
    expect(() => addon.binaryStrided(heap, 0, 0, 6, 32, 2, 16, i32(2, 3), i32(3, 1), i32(1, 0))).toThrow(/overlaps/);
    expect(() => addon.binaryStrided(heap, 0, 0, 6, 32, 2, 64, i32(2, 3), i32(3), i32(1, 0))).toThrow(/same length/);
    expect(Array.from(f)).toEqual(untouched);
  });

  it('transpose: 2-D, a batch of matrices, row copies ([0, 2, 1, 3]) and size-1 axes (by hand)', () => {
    const { heap, f } = makeHeap(64);
    f.set(Array.from({ length: 24 }, (_, i) => i), 0);
    const out = (n: number) => {
      const result = Array.from(f.subarray(32, 33 + n));
      f.fill(-777, 32); // a fresh sentinel for the next case
      return result;
    };
    addon.transpose(heap, 0, 128, i32(2, 3), i32(1, 0)); // [[0,1,2],[3,4,5]]ᵀ
    expect(out(6)).toEqual([0, 3, 1, 4, 2, 5, -777]);
    addon.transpose(heap, 0, 128, i32(2, 2, 3), i32(0, 2, 1)); // each 2×3 matrix transposed
    expect(out(12)).toEqual([0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11, -777]);
    addon.transpose(heap, 0, 128, i32(2, 2, 3, 2), i32(0, 2, 1, 3)); // rows of 2 move
    expect(out(24)).toEqual([0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11, 12, 13, 18, 19, 14, 15, 20, 21, 16, 17, 22, 23, -777]);
    addon.transpose(heap, 0, 128, i32(1, 3, 1, 2), i32(3, 2, 1, 0)); // [3, 2] transposed
    expect(out(6)).toEqual([0, 2, 4, 1, 3, 5, -777]);
  });

  it('transpose refuses bad permutations and shapes, and memory outside the heap, before writing anything', () => {
    const { heap, f } = makeHeap(32);
    const untouched = Array.from(f);
    expect(() => addon.transpose(heap, 0, 64, i32(2, 3), i32(0, 0))).toThrow(/not a permutation/);
    expect(() => addon.transpose(heap, 0, 64, i32(2, 3), i32(1, 2))).toThrow(/not a permutation/);
    expect(() => addon.transpose(heap, 0, 64, i32(2, 3), i32(1))).toThrow(/same length/);
    expect(() => addon.transpose(heap, 0, 64, i32(1, 1, 1, 1, 1, 1, 1), i32(0, 1, 2, 3, 4, 5, 6))).toThrow(/1 to 6/);
    expect(() => addon.transpose(heap, 0, 64, i32(2, -3), i32(1, 0))).toThrow(/negative/);
    expect(() => addon.transpose(heap, 0, 100, i32(2, 4), i32(1, 0))).toThrow(/out does not fit/);
    expect(() => addon.transpose(heap, 100, 0, i32(2, 4), i32(1, 0))).toThrow(/x does not fit/);
    expect(() => addon.transpose(heap, 0, 16, i32(2, 4), i32(1, 0))).toThrow(/overlaps/);
    expect(() => addon.transpose(heap, 0, 64, i32(2, 4), [1, 0] as unknown as Int32Array)).toThrow(/perm must be an Int32Array/);
    expect(Array.from(f)).toEqual(untouched);
  });
});
