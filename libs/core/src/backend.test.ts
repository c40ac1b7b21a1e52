import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendNameSchema, currentBackend, initBackend } from './backend.js';
import { isUserError } from './errors.js';
import { nativeBlasStatus, uninstallWasmMatMulFix, wasmKernelsInUse } from './kernels/index.js';

// initBackend('wasm') installs the best matMul kernels here: BLAS where @w2s/native is built, else the fix.
const WASM_KERNELS = nativeBlasStatus().available ? 'wasm+blas' : 'wasm+matmul-fix';

const savedEnv = process.env.W2S_BACKEND;

afterEach(() => {
  if (savedEnv === undefined) delete process.env.W2S_BACKEND;
  else process.env.W2S_BACKEND = savedEnv;
});

/** The UserError message initBackend rejects with (fails the test if it resolves or throws otherwise). */
async function userErrorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a UserError, but initBackend succeeded');
}

describe('initBackend', () => {
  it('runs on cpu when asked', async () => {
    const info = await initBackend('cpu');
    expect(info).toEqual({ requested: 'cpu', name: 'cpu', kernels: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(currentBackend()).toEqual(info);
  });

  it('runs on wasm with the matMul fix (or BLAS) when asked', async () => {
    uninstallWasmMatMulFix();
    const info = await initBackend('wasm');
    expect(info).toEqual({ requested: 'wasm', name: 'wasm', kernels: WASM_KERNELS });
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmKernelsInUse()).toBe(WASM_KERNELS);
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]), true, false));
    expect(product.arraySync()).toEqual([[26, 30], [38, 44]]); // [[1,3],[2,4]]·[[5,6],[7,8]] by hand
    product.dispose();
  });

  it('is idempotent, and a repeat call re-installs a fix removed since', async () => {
    const first = await initBackend('wasm');
    uninstallWasmMatMulFix();
    expect(currentBackend()?.kernels).toBe('wasm');
    const second = await initBackend('wasm');
    expect(second).toEqual(first);
    expect(wasmKernelsInUse()).toBe(WASM_KERNELS);
  });

  it('reports no current backend once tf.setBackend switched away behind its back', async () => {
    await initBackend('wasm');
    await tf.setBackend('cpu');
    expect(currentBackend()).toBeUndefined();
    expect((await initBackend('wasm')).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('serializes concurrent calls: the last one wins', async () => {
    const [a, b] = await Promise.all([initBackend('cpu'), initBackend('wasm')]);
    expect([a.name, b.name]).toEqual(['cpu', 'wasm']);
    expect(tf.getBackend()).toBe('wasm');
  });

  it("names the package and its install command for 'tensorflow' (not installed here)", async () => {
    const message = await userErrorOf(initBackend('tensorflow'));
    expect(message).toContain("backend: 'tensorflow' is not available");
    expect(message).toContain('npm install @tensorflow/tfjs-node');
    expect(message).not.toContain('tfjs-node-gpu');
  });

  it("names the package and its install command for 'tensorflow-gpu' (not installed here)", async () => {
    const message = await userErrorOf(initBackend('tensorflow-gpu'));
    expect(message).toContain("backend: 'tensorflow-gpu' is not available");
    expect(message).toContain('npm install @tensorflow/tfjs-node-gpu');
  });

  it('a failed explicit request leaves the previous backend in place (never a silent switch)', async () => {
    await initBackend('wasm');
    await userErrorOf(initBackend('tensorflow'));
    expect(tf.getBackend()).toBe('wasm');
    expect(currentBackend()).toEqual({ requested: 'wasm', name: 'wasm', kernels: WASM_KERNELS });
  });

  it('rejects an unknown name, listing the valid ones', async () => {
    const message = await userErrorOf(initBackend('webgpu'));
    expect(message).toContain("unknown backend 'webgpu'");
    for (const name of BackendNameSchema.options) expect(message).toContain(name);
  });

  it('auto takes the first backend that works: wasm when no native package is installed', async () => {
    const nativeMissing =
      (await initBackend('tensorflow').catch(() => 'missing')) === 'missing' &&
      (await initBackend('tensorflow-gpu').catch(() => 'missing')) === 'missing';
    const info = await initBackend('auto');
    expect(info.requested).toBe('auto');
    if (nativeMissing) expect(info).toEqual({ requested: 'auto', name: 'wasm', kernels: WASM_KERNELS });
    else expect(info.name).toMatch(/^tensorflow/);
  });

  it('defaults to $W2S_BACKEND', async () => {
    process.env.W2S_BACKEND = 'cpu';
    expect(await initBackend()).toEqual({ requested: 'cpu', name: 'cpu', kernels: 'cpu' });
    process.env.W2S_BACKEND = 'tensorflow';
    expect(await userErrorOf(initBackend())).toMatch(/^W2S_BACKEND: 'tensorflow' is not available: .*npm install @tensorflow\/tfjs-node$/);
    process.env.W2S_BACKEND = 'gpu';
    const message = await userErrorOf(initBackend());
    expect(message).toMatch(/^W2S_BACKEND: unknown backend 'gpu'/);
    // An explicit argument wins over the environment.
    expect((await initBackend('wasm')).name).toBe('wasm');
  });
});
