// @w2s/core: the ground every other lib stands on.
export { UserError, isUserError } from './errors.js';
export { stableStringify, contentHash } from './hash.js';
export { Rng } from './rng.js';
export { expectNoTensorLeak } from './leak-guard.js';
export * from './backend.js';
export * from './kernels/index.js';
export * from './train.js';
export * from './checkpoint.js';
export * from './cache.js';
export * from './atomic.js';
