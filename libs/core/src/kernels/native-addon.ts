import { createRequire } from 'node:module';
import os from 'node:os';
import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.js';

/**
 * The optional native addon @w2s/native (libs/native): loading it, whether it may be used, its
 * BLAS threads, and the checks every native kernel makes before handing it a heap offset.
 *
 * The addon is optional: where it was not built (no compiler or no CBLAS at install time), or
 * with W2S_NATIVE=0, it is absent and the wasm kernels stay in use.
 */

/** The addon's functions (mirrors @w2s/native's index.d.ts; core does not need its types to build). */
export interface BlasAddon {
  sgemm(
    heap: Uint8Array,
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    aOffset: number,
    aCount: number,
    bOffset: number,
    bCount: number,
    cOffset: number,
    aIndex: Int32Array,
    bIndex: Int32Array,
  ): void;
  sumRows(heap: Uint8Array, xOffset: number, rows: number, cols: number, outOffset: number): void;
  maxPoolGrad(
    heap: Uint8Array,
    xOffset: number,
    dyOffset: number,
    dxOffset: number,
    batch: number,
    channels: number,
    inH: number,
    inW: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    filterH: number,
    filterW: number,
    padTop: number,
    padLeft: number,
  ): void;
  slice(heap: Uint8Array, xOffset: number, outOffset: number, xShape: Int32Array, begin: Int32Array, size: Int32Array): void;
  adamStep(
    heap: Uint8Array,
    count: number,
    pOffset: number,
    mOffset: number,
    vOffset: number,
    gOffset: number,
    outPOffset: number,
    outMOffset: number,
    outVOffset: number,
    consts: Float32Array,
  ): void;
  shiftRows(heap: Uint8Array, rows: number, classes: number, zOffset: number, idsOffset: number, shiftedOffset: number, pickedOffset: number): void;
  sumInnerRows(heap: Uint8Array, rows: number, cols: number, xOffset: number, outOffset: number): void;
  softmaxXentGrad(heap: Uint8Array, rows: number, classes: number, eOffset: number, sumsOffset: number, idsOffset: number, scale: number, outOffset: number): void;
  setThreads(n: number): number;
  getThreads(): number;
  info(): { blas: string; config: string };
}

/** What core sees of the wasm backend (tfjs-backend-wasm does not export its class type). */
export interface WasmBackend extends tf.KernelBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { has(dataId: object): boolean; get(dataId: object): { memoryOffset: number; shape: number[]; dtype: tf.DataType } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** Whether the addon can be used, and if not, why. */
export interface NativeBlasStatus {
  available: boolean;
  /** Why it is not available (W2S_NATIVE=0, not built and why, failed to load). */
  reason?: string;
  /** The BLAS library linked: 'openblas', or 'cblas' for another CBLAS. */
  blas?: string;
  /** BLAS threads in use now. */
  threads?: number;
  /**
   * The OpenBLAS kernels in use (its core name, e.g. 'SkylakeX'). @w2s/native asks for them from
   * the CPU's instruction sets, since OpenBLAS's own detection falls back to SSE3 kernels on CPUs
   * newer than itself; the kernels decide the last bits of every product, so runs record them.
   */
  core?: string;
}

type Loaded = { addon: BlasAddon | null; reason?: string; core?: string };
let loaded: Loaded | undefined;

/**
 * Loads @w2s/native once: through the workspace link (node_modules/@w2s/native), else from the
 * sibling folder libs/native in this repository; neither found means no addon. OpenBLAS sizes
 * its thread pool when it loads, so OPENBLAS_NUM_THREADS is set first (if not set already).
 */
function loadAddon(): Loaded {
  if (loaded) return loaded;
  process.env.OPENBLAS_NUM_THREADS ??= String(defaultBlasThreads());
  const require = createRequire(import.meta.url);
  // By package name only: @w2s/native is declared as an optional peer dependency of @w2s/core
  // (in the workspace it is linked into node_modules; elsewhere it may be absent).
  try {
    const native = require('@w2s/native') as Loaded;
    loaded = { addon: native.addon, reason: native.reason, core: native.core };
    if (native.addon) native.addon.setThreads(defaultBlasThreads());
    return loaded;
  } catch (e) {
    if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') {
      return (loaded = { addon: null, reason: `@w2s/native failed to load: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return (loaded = { addon: null, reason: 'the optional package @w2s/native is not installed' });
}

/**
 * BLAS threads per process: $W2S_BLAS_THREADS, else 1 under a test runner (parallel test
 * workers must not oversubscribe the cores), else every core. A pool of worker processes on one
 * machine should give each W2S_BLAS_THREADS=1.
 */
export function defaultBlasThreads(): number {
  const fromEnv = process.env.W2S_BLAS_THREADS;
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`must be a positive integer, got '${fromEnv}'`, 'W2S_BLAS_THREADS');
    return n;
  }
  if (process.env.VITEST !== undefined) return 1;
  return os.availableParallelism();
}

/** The addon if it may be used now: loaded, and not disabled by W2S_NATIVE=0. */
export function usableAddon(): Loaded {
  if (process.env.W2S_NATIVE === '0') return { addon: null, reason: 'disabled by W2S_NATIVE=0' };
  return loadAddon();
}

/** Whether the native BLAS addon can be used here, and if not, why. */
export function nativeBlasStatus(): NativeBlasStatus {
  const { addon, reason, core } = usableAddon();
  if (!addon) return { available: false, reason };
  const info = addon.info();
  return { available: true, blas: info.blas, threads: addon.getThreads(), ...(core && { core }) };
}

/** Sets how many threads BLAS uses in this process; returns the number in effect (1 without the addon). */
export function setBlasThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setBlasThreads: n must be a positive integer, got ${n}`);
  const { addon } = usableAddon();
  return addon ? addon.setThreads(n) : 1;
}

export const sizeOf = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** The byte offset of `x`'s data on the wasm heap, after checking it is what the kernel expects (a live tensor of `dtypes`, its data as large as its shape). */
export function heapOffset(backend: WasmBackend, x: tf.TensorInfo, role: string, dtypes: readonly tf.DataType[] = ['float32']): number {
  // has() first: get() of an unknown id asks the engine to move the data from another backend.
  const data = backend.dataIdMap.has(x.dataId) ? backend.dataIdMap.get(x.dataId) : undefined;
  if (data === undefined) throw new Error(`native kernel: operand ${role} has no data on the wasm backend (disposed?)`);
  if (!dtypes.includes(data.dtype) || data.dtype !== x.dtype) throw new Error(`native kernel: operand ${role} is ${data.dtype}, not ${dtypes.join(' or ')}`);
  if (sizeOf(data.shape) !== sizeOf(x.shape)) {
    throw new Error(`native kernel: operand ${role} has shape [${x.shape}] but its data holds ${sizeOf(data.shape)} values`);
  }
  if (!Number.isInteger(data.memoryOffset) || data.memoryOffset < 0) throw new Error(`native kernel: operand ${role} has no valid heap offset`);
  return data.memoryOffset;
}
