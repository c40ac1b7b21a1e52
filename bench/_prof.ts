import * as tf from '@tensorflow/tfjs';
import { initBackend, installBlasKernels, setBlasThreads, uninstallBlasKernels, installWasmMatMulFix } from '@w2s/core';
import { makeTextStepper } from '/work/wt-perf/bench/text-step.js';
await initBackend('wasm');
const blas = process.argv[2] === 'blas';
if (blas) { installBlasKernels(); setBlasThreads(1); } else { uninstallBlasKernels(); installWasmMatMulFix(); }
const s = makeTextStepper((process.argv[3] ?? 'l') as 'l', (process.argv[4] ?? 'mlm') as 'mlm');
s.step();
const info = await tf.profile(() => { s.step(); });
const rows = info.kernels.map((k) => ({ name: k.name, ms: k.kernelTimeMs as number, shapes: JSON.stringify(k.inputShapes) }));
rows.sort((a, b) => b.ms - a.ms);
for (const r of rows.slice(0, 30)) console.log(r.ms.toFixed(1).padStart(7), r.name.padEnd(18), r.shapes);
s.dispose();
