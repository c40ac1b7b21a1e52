import { availableParallelism } from 'node:os';
import { isUserError } from '@w2s/core/base';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultWorkers, gpuWorkers } from './worker-count.js';

const saved = process.env.W2S_GPU_WORKERS;
afterEach(() => {
  if (saved === undefined) delete process.env.W2S_GPU_WORKERS;
  else process.env.W2S_GPU_WORKERS = saved;
});

describe('defaultWorkers', () => {
  it('is one per core on CPU backends and one per GPU ($W2S_GPU_WORKERS, default 1) on tensorflow-gpu', () => {
    delete process.env.W2S_GPU_WORKERS;
    for (const backend of [undefined, 'wasm', 'cpu', 'tensorflow']) expect(defaultWorkers(backend)).toBe(availableParallelism());
    expect(defaultWorkers('tensorflow-gpu')).toBe(1);
    process.env.W2S_GPU_WORKERS = '4';
    expect(defaultWorkers('tensorflow-gpu')).toBe(4);
    expect(defaultWorkers('wasm')).toBe(availableParallelism());
  });

  it('refuses a W2S_GPU_WORKERS that is not a whole number ≥ 1, naming the variable', () => {
    for (const bad of ['0', '-1', '1.5', 'two']) {
      let error: unknown;
      try {
        gpuWorkers({ W2S_GPU_WORKERS: bad });
      } catch (e) {
        error = e;
      }
      expect(isUserError(error)).toBe(true);
      expect((error as Error).message).toBe(`W2S_GPU_WORKERS: must be a whole number ≥ 1 (one worker process per GPU), got "${bad}"`);
    }
  });
});
