/**
 * Where a text transformer train step spends its time, per kernel (tf.profile over 3 steps after
 * one warm-up step), on the wasm path and on wasm+blas (1 thread):
 *
 *   node --conditions=w2s-source --import tsx bench/text-profile.ts [l|xl] [mlm|finetune]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, installBlasKernels, installWasmMatMulFix, nativeBlasStatus, setBlasThreads, uninstallBlasKernels } from '@w2s/core';
import { makeTextStepper, type TextStepKind } from './text-step.js';

const size = (process.argv[2] ?? 'l') as 'm' | 'l' | 'xl';
const kind = (process.argv[3] ?? 'mlm') as TextStepKind;
const STEPS = 3;

await initBackend('wasm');
const paths: [string, () => void][] = [['wasm+matmul-fix', () => { uninstallBlasKernels(); installWasmMatMulFix(); }]];
if (nativeBlasStatus().available) paths.push(['wasm+blas', () => { installBlasKernels(); setBlasThreads(1); }]);
for (const [label, use] of paths) {
  use();
  const stepper = makeTextStepper(size, kind);
  stepper.step();
  const start = performance.now();
  const info = await tf.profile(() => { for (let i = 0; i < STEPS; i++) stepper.step(); });
  const wall = (performance.now() - start) / STEPS;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += k.kernelTimeMs as number;
    e.calls += 1;
    byKernel.set(k.name, e);
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`text-${size} ${kind} on ${label}: ${wall.toFixed(0)} ms/step wall (profiled), kernels ${(total / STEPS).toFixed(0)} ms/step`);
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
    console.log(`  ${name.padEnd(22)} ${(e.ms / STEPS).toFixed(1).padStart(7)} ms  ${((100 * e.ms) / total).toFixed(0).padStart(3)} %  ${e.calls / STEPS} calls`);
  }
  stepper.dispose();
}
