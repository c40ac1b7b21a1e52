import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { UserError } from '../errors.js';

/**
 * The tfjs release line whose internals the wasm kernels here rely on: the wasm backend's
 * `dataIdMap`, each tensor's `memoryOffset` into the wasm heap, and the stock kernels they replace.
 * Another release may lay these out differently and give wrong numbers rather than an error, so
 * it is refused. The peerDependencies of @w2s/core pin the same line (~4.22.0).
 */
export const PATCHED_TFJS_LINE = '4.22';

/**
 * Throws a UserError unless the loaded tfjs-core and tfjs-backend-wasm are both PATCHED_TFJS_LINE.x.
 * The versions are parameters so a test can present another one.
 */
export function checkPatchedTfjsVersion(versions: { wasm: string; core: string } = { wasm: version_wasm, core: tf.version_core }): void {
  const line = (v: string) => v.split('.').slice(0, 2).join('.');
  const wrong = Object.entries({ '@tensorflow/tfjs-backend-wasm': versions.wasm, '@tensorflow/tfjs-core': versions.core }).filter(
    ([, v]) => line(v) !== PATCHED_TFJS_LINE,
  );
  if (wrong.length === 0) return;
  const found = wrong.map(([pkg, v]) => `${pkg} ${v}`).join(' and ');
  throw new UserError(
    `@w2s/core replaces kernels of tfjs ${PATCHED_TFJS_LINE}.x and reads its wasm internals (dataIdMap, memoryOffset, the heap), ` +
      `but ${found} is loaded; install @tensorflow/tfjs@~${PATCHED_TFJS_LINE}.0 and @tensorflow/tfjs-backend-wasm@~${PATCHED_TFJS_LINE}.0 ` +
      `(the peer versions of @w2s/core), or use --backend cpu`,
    'tfjs version',
  );
}
