// The tensorflow-gpu choice with a fake @tensorflow/tfjs-node-gpu: a module that registers tfjs's
// 'tensorflow' backend whose instance reports (isUsingGpuDevice) whether TensorFlow found a GPU,
// as tfjs-node's backend does. No GPU and no native package are needed.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backendProbe, gpuNotInUse, initBackend } from './backend.js';
import { isUserError } from './errors.js';

const imported: { pkg: string; allowGrowth: string | undefined }[] = [];

/** Stands in for importing a native package: records the import and registers a fake backend. */
function fakeNativePackage(isUsingGpuDevice: boolean) {
  return async (pkg: string) => {
    imported.push({ pkg, allowGrowth: process.env.TF_FORCE_GPU_ALLOW_GROWTH });
    if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
    const fakeBackend = { isUsingGpuDevice, dispose() {}, floatPrecision: () => 32, epsilon: () => 1e-7 };
    tf.registerBackend('tensorflow', () => fakeBackend as unknown as tf.KernelBackend);
    return undefined;
  };
}

async function userErrorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a UserError, but initBackend succeeded');
}

const savedGrowth = process.env.TF_FORCE_GPU_ALLOW_GROWTH;
beforeEach(async () => {
  await tf.setBackend('cpu'); // so each initBackend decides afresh (a repeat request returns the active one)
  imported.length = 0;
  delete process.env.TF_FORCE_GPU_ALLOW_GROWTH;
});
afterEach(() => {
  vi.restoreAllMocks();
  if (savedGrowth === undefined) delete process.env.TF_FORCE_GPU_ALLOW_GROWTH;
  else process.env.TF_FORCE_GPU_ALLOW_GROWTH = savedGrowth;
});

describe('gpuNotInUse', () => {
  it('accepts only a backend that reports a GPU device in use', () => {
    expect(gpuNotInUse({ isUsingGpuDevice: true })).toBeUndefined();
    expect(gpuNotInUse({ isUsingGpuDevice: false })).toMatch(/reports no GPU device in use: the CUDA 11\.2 and cuDNN 8\.1 libraries/);
    expect(gpuNotInUse({})).toMatch(/no GPU device in use/);
  });
});

describe('initBackend tensorflow-gpu', () => {
  it('runs on the GPU when TensorFlow reports one, with memory growth set before the package loads', async () => {
    vi.spyOn(backendProbe, 'gpuVisible').mockReturnValue(true);
    vi.spyOn(backendProbe, 'importPackage').mockImplementation(fakeNativePackage(true));
    const info = await initBackend('tensorflow-gpu');
    expect(info).toEqual({ requested: 'tensorflow-gpu', name: 'tensorflow-gpu', kernels: 'tensorflow-gpu' });
    expect(tf.getBackend()).toBe('tensorflow');
    expect(imported).toEqual([{ pkg: '@tensorflow/tfjs-node-gpu', allowGrowth: 'true' }]);
  });

  it('asked for explicitly, stops with one message when TensorFlow runs on the CPU (CUDA libraries missing)', async () => {
    vi.spyOn(backendProbe, 'gpuVisible').mockReturnValue(true);
    vi.spyOn(backendProbe, 'importPackage').mockImplementation(fakeNativePackage(false));
    const message = await userErrorOf(initBackend('tensorflow-gpu'));
    expect(message).toMatch(/^backend: 'tensorflow-gpu' is not available: TensorFlow \(@tensorflow\/tfjs-node-gpu\) loaded but reports no GPU device in use/);
  });

  it('asked for explicitly, stops when no GPU is visible', async () => {
    vi.spyOn(backendProbe, 'gpuVisible').mockReturnValue(false);
    vi.spyOn(backendProbe, 'importPackage').mockImplementation(fakeNativePackage(true));
    expect(await userErrorOf(initBackend('tensorflow-gpu'))).toMatch(/no NVIDIA GPU is visible/);
  });

  it('under auto, says once why the installed GPU package is not used and falls back past tfjs-node to wasm', async () => {
    vi.spyOn(backendProbe, 'gpuVisible').mockReturnValue(true);
    vi.spyOn(backendProbe, 'packageInstalled').mockReturnValue(true);
    vi.spyOn(backendProbe, 'importPackage').mockImplementation(fakeNativePackage(false));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // tfjs-node is not loaded on top of the GPU package (both would register 'tensorflow').
    expect(imported.map((i) => i.pkg)).toEqual(['@tensorflow/tfjs-node-gpu']);
    const lines = errors.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('tensorflow-gpu'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^w2s: backend auto: not using tensorflow-gpu: TensorFlow .* reports no GPU device in use.*; trying the next backend$/);
  });

  it('under auto with no GPU visible, loads nothing native and says nothing when the GPU package is absent', async () => {
    vi.spyOn(backendProbe, 'gpuVisible').mockReturnValue(false);
    vi.spyOn(backendProbe, 'packageInstalled').mockReturnValue(false);
    const load = vi.spyOn(backendProbe, 'importPackage').mockResolvedValue('the package @tensorflow/tfjs-node is not installed');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(load.mock.calls.map((c) => c[0])).not.toContain('@tensorflow/tfjs-node-gpu');
    expect(errors.mock.calls.filter((c) => String(c[0]).includes('tensorflow-gpu'))).toHaveLength(0);
  });
});
