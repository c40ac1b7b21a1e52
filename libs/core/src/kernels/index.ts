// Kernel fixes and additions for the tfjs wasm backend.
import { installWasmMatMulFix, isWasmMatMulFixInstalled } from './wasm-batch-matmul.js';

export { installWasmMatMulFix, uninstallWasmMatMulFix, isWasmMatMulFixInstalled } from './wasm-batch-matmul.js';

/** Installs every wasm kernel fix this lib ships (idempotent). initBackend('wasm') calls it. */
export function installWasmKernels(): void {
  installWasmMatMulFix();
}

/**
 * The wasm kernel path in use, recorded with every run: 'wasm' plus '+<fix>' per installed fix,
 * e.g. 'wasm+matmul-fix'.
 */
export function wasmKernelsInUse(): string {
  const parts = ['wasm'];
  if (isWasmMatMulFixInstalled()) parts.push('matmul-fix');
  return parts.join('+');
}
