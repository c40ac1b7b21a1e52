// How many worker processes `w2s run` starts when --workers is not given. Its own file, loading
// nothing heavy: `w2s run --help` prints the number.
import { availableParallelism } from 'node:os';
import { UserError } from '@w2s/core/base';

/**
 * One worker per core; on `tensorflow-gpu` one per GPU ($W2S_GPU_WORKERS, default 1), since each
 * process initialises CUDA and reserves GPU memory of its own.
 */
export function defaultWorkers(backend?: string): number {
  return backend === 'tensorflow-gpu' ? gpuWorkers() : availableParallelism();
}

/** $W2S_GPU_WORKERS (default 1): worker processes on the tensorflow-gpu backend. */
export function gpuWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.W2S_GPU_WORKERS;
  if (value === undefined || value.trim() === '') return 1;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UserError(`must be a whole number ≥ 1 (one worker process per GPU), got "${value}"`, 'W2S_GPU_WORKERS');
  }
  return n;
}
