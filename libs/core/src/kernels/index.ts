// Kernel fixes and additions for the tfjs wasm backend.
import { installBlasKernels, isBlasInstalled } from './blas-matmul.js';
import { nativeBlasStatus } from './native-addon.js';
import { installWasmMatMulFix, isWasmMatMulFixInstalled } from './wasm-batch-matmul.js';
import { installWasmRowKernels } from './wasm-rows.js';
import { installFusedXentKernels } from './fused-xent.js';
import { installWasmIdentity } from './wasm-identity.js';

// The fused class-id cross-entropy kernels (cpu and wasm; losses.ts uses them where registered).
installFusedXentKernels();

export { installWasmMatMulFix, uninstallWasmMatMulFix, isWasmMatMulFixInstalled } from './wasm-batch-matmul.js';
export { installBlasKernels, uninstallBlasKernels, isBlasInstalled } from './blas-matmul.js';
export { installWasmRowKernels } from './wasm-rows.js';
export { checkPatchedTfjsVersion, PATCHED_TFJS_LINE } from './wasm-version.js';
export { nativeBlasStatus, setBlasThreads, defaultBlasThreads, type NativeBlasStatus } from './native-addon.js';

let announced = false;

/**
 * Installs the best wasm matMul kernels available (idempotent); initBackend('wasm') calls it.
 * The BLAS kernels when the native addon @w2s/native is built (and W2S_NATIVE is not 0), else the
 * wasm transposed-matMul fix; on both, fast row gathers and the `UnsortedSegmentSum` kernel wasm
 * lacks (their gradient; see wasm-rows.ts), and an Identity that shares data instead of copying it. Says once per process, on stderr, which path is in use and why.
 * Refuses (UserError) a tfjs other than the 4.22 line, whose internals the kernels use.
 */
export function installWasmKernels(): void {
  if (!installBlasKernels()) installWasmMatMulFix();
  installWasmRowKernels();
  installWasmIdentity();
  if (announced) return;
  announced = true;
  const status = nativeBlasStatus();
  console.error(
    status.available
      ? `w2s: wasm kernels ${wasmKernelsInUse()} (${status.blas}${status.core ? ` ${status.core}` : ''}, ${status.threads} thread${status.threads === 1 ? '' : 's'})`
      : `w2s: wasm kernels ${wasmKernelsInUse()} (native BLAS off: ${status.reason})`,
  );
}

/**
 * The wasm kernel path in use, recorded with every run: 'wasm+blas' (native BLAS matMul),
 * 'wasm+matmul-fix' (the wasm fix), or 'wasm' (stock kernels).
 */
export function wasmKernelsInUse(): string {
  if (isBlasInstalled()) return 'wasm+blas';
  if (isWasmMatMulFixInstalled()) return 'wasm+matmul-fix';
  return 'wasm';
}
