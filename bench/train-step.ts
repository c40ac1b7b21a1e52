/**
 * Train-step benchmark: stock tfjs-wasm kernels vs the @w2s/core transposed-matMul fix vs the
 * native BLAS kernels (wasm+blas, when @w2s/native is built), and PyTorch on the same step.
 *
 *   npm run bench                 (MLP, then the text transformers: see text-step.ts)
 *   npm run bench -- --text-only  (the text transformer steps only)
 *
 * A 3-layer MLP (256 → 512 → 512 → 1, relu, sigmoid cross-entropy, Adam) takes full-batch steps
 * on a fixed batch of 1024 examples. One copy of the model per kernel path, all from the same
 * seeded weights; each step, every path takes one step in turn, so a change in machine load hits
 * all alike. BLAS runs with 1 thread (like wasm, which is single-threaded here) and, on a machine
 * with more cores, again with all of them. PyTorch (bench/torch_step.py, where a python3 with
 * torch is found; $W2S_BENCH_PYTHON picks one) runs the same step with 1 thread and with all,
 * before and after the tfjs steps; the faster of its two runs is reported.
 * Printed: ms per step (median after warm-up), GFLOP/s, the speed-ups, the ratio to PyTorch with
 * as many threads, and whether the paths follow the same loss trajectory.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  Rng,
  currentBackend,
  initBackend,
  installBlasKernels,
  installWasmMatMulFix,
  nativeBlasStatus,
  setBlasThreads,
  uninstallBlasKernels,
  uninstallWasmMatMulFix,
} from '@w2s/core';
import { makeTextStepper, TEXT_CASES } from './text-step.js';

const BATCH = 1024;
const LAYERS = [256, 512, 512, 1];
const WARMUP_STEPS = 2;
const TIMED_STEPS = 12;
const TRAJECTORY_STEPS = 5; // the loss trajectories must agree over these first steps
const TRAJECTORY_TOLERANCE = 1e-5;
const REQUIRED_SPEEDUP = 5; // fix vs stock
const REQUIRED_TORCH_RATIO = 0.5; // wasm+blas vs PyTorch, 1 thread each
const CORES = os.availableParallelism();

// FLOPs per step. A dense layer n_in → n_out on B rows costs 2·B·n_in·n_out in its forward matMul
// (one multiply and one add per weight per row). Backward needs two products of the same size
// (dW = xᵀ·dy and dx = dy·Wᵀ), so it counts as 2 × forward:
//   forward  = 2·B·(256·512 + 512·512 + 512·1)
//   step     = 3 × forward  (≈ 2.42 GFLOP for B = 1024)
// Element-wise work (bias, relu, loss, Adam) is not counted. The first layer's dx is never
// computed (the input is not trained), so the true matMul count is 11 % lower than this.
// The same count is used for PyTorch, which does the same work.
const FORWARD_FLOPS = 2 * BATCH * LAYERS.slice(1).reduce((sum, nOut, i) => sum + LAYERS[i]! * nOut, 0);
const STEP_FLOPS = 3 * FORWARD_FLOPS;

interface Mlp {
  params: tf.Variable[]; // [W1, b1, W2, b2, W3, b3]
  optimizer: tf.Optimizer;
}

/** He-initialized weights from `seed` (so two calls give identical models), zero biases. */
function makeMlp(seed: number): Mlp {
  const rng = new Rng(seed);
  const params: tf.Variable[] = [];
  for (let i = 1; i < LAYERS.length; i++) {
    const [nIn, nOut] = [LAYERS[i - 1]!, LAYERS[i]!];
    params.push(tf.variable(tf.tensor2d(rng.normalArray(nIn * nOut, Math.sqrt(2 / nIn)), [nIn, nOut])));
    params.push(tf.variable(tf.zeros([nOut])));
  }
  return { params, optimizer: tf.train.adam(1e-4) };
}

function logits(params: tf.Variable[], x: tf.Tensor2D): tf.Tensor {
  let h: tf.Tensor = x;
  for (let i = 0; i < params.length; i += 2) {
    h = tf.add(tf.matMul(h, params[i]!), params[i + 1]!);
    if (i + 2 < params.length) h = tf.relu(h);
  }
  return h;
}

/** One Adam step; returns the loss before the update (reading it back also waits for the step). */
function trainStep(mlp: Mlp, x: tf.Tensor2D, y: tf.Tensor2D): number {
  const loss = mlp.optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, logits(mlp.params, x)) as tf.Scalar, true);
  const value = loss!.dataSync()[0]!;
  loss!.dispose();
  return value;
}

/** Inputs N(0, 1); labels from a fixed random linear teacher, so the loss can go down. */
function makeBatch(seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const rng = new Rng(seed);
  const inputs = rng.normalArray(BATCH * LAYERS[0]!);
  const teacher = rng.normalArray(LAYERS[0]!);
  const labels = new Float32Array(BATCH);
  for (let r = 0; r < BATCH; r++) {
    let score = 0;
    for (let c = 0; c < LAYERS[0]!; c++) score += inputs[r * LAYERS[0]! + c]! * teacher[c]!;
    labels[r] = score > 0 ? 1 : 0;
  }
  return { x: tf.tensor2d(inputs, [BATCH, LAYERS[0]!]), y: tf.tensor2d(labels, [BATCH, 1]) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const gflops = (ms: number) => STEP_FLOPS / (ms * 1e6);

interface Path {
  label: string;
  threads: number;
  use: () => void;
  mlp: Mlp;
  losses: number[];
  ms: number[];
  kernels: string;
}

/** A python3 that imports torch ($W2S_BENCH_PYTHON, python3, /usr/bin/python3), or undefined. */
function findTorchPython(): string | undefined {
  const candidates = [process.env.W2S_BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  return candidates.find((python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

interface TorchResult {
  threads: number;
  ms: number;
  version: string;
}

/** Runs a bench/torch_*.py script with `threads` threads; its median ms per step. */
function runTorch(python: string, threads: number, script = 'torch_step.py', extraArgs: string[] = [], steps = TIMED_STEPS): TorchResult | string {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), script);
  const args = [file, ...extraArgs, '--threads', String(threads), '--warmup', String(WARMUP_STEPS), '--steps', String(steps)];
  // Pin every thread pool torch may use (its OpenMP pool and the OpenBLAS it links) to `threads`;
  // this process has set OPENBLAS_NUM_THREADS for itself, which the child would otherwise inherit.
  const pools = { OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const run = spawnSync(python, args, { encoding: 'utf8', env: { ...process.env, ...pools } });
  if (run.status !== 0) return `${script} failed: ${run.stderr.trim().split('\n').at(-1)}`;
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { torch: string; threads: number; ms: number[] };
  return { threads: result.threads, ms: median(result.ms), version: result.torch };
}

const TEXT_TIMED_STEPS = 8;
const TEXT_TRAJECTORY_TOLERANCE = 1e-4; // relative, over the first TRAJECTORY_STEPS losses
const TEXT_GOALS: Record<string, number> = { 'wasm+matmul-fix': 0.2, 'wasm+blas': 0.5 }; // × PyTorch, 1 thread

/**
 * The text transformer steps (text-step.ts) on the wasm path and on wasm+blas (1 thread),
 * interleaved step by step, and PyTorch with 1 thread before and after (its faster run counts).
 * Returns the goal checks.
 */
function textBench(python: string | undefined, blasAvailable: boolean): [boolean, string][] {
  const checks: [boolean, string][] = [];
  console.log(`\ntext train steps (TEXT_LADDER m: CBOW bag; l/xl: transformers, vocab 4000, d 64, 4 heads, T 64; median of ${TEXT_TIMED_STEPS}, 1 thread)`);
  for (const { size, step } of TEXT_CASES) {
    const label = `text-${size} ${step}`;
    const torchMs: TorchResult[] = [];
    const measureTorch = () => {
      if (!python) return;
      const result = runTorch(python, 1, 'torch_text_step.py', ['--size', size, '--step', step], TEXT_TIMED_STEPS);
      if (typeof result === 'string') console.log(result);
      else torchMs.push(result);
    };
    measureTorch();
    const paths = [{ kernels: 'wasm+matmul-fix', use: () => { uninstallBlasKernels(); installWasmMatMulFix(); } }];
    if (blasAvailable) paths.push({ kernels: 'wasm+blas', use: () => { installBlasKernels(); setBlasThreads(1); } });
    const runs = paths.map((p) => ({ ...p, stepper: makeTextStepper(size, step), ms: [] as number[], losses: [] as number[] }));
    for (let i = 0; i < WARMUP_STEPS + TEXT_TIMED_STEPS; i++) {
      for (const r of runs) {
        r.use();
        const start = performance.now();
        r.losses.push(r.stepper.step());
        if (i >= WARMUP_STEPS) r.ms.push(performance.now() - start);
      }
      if (process.stdout.isTTY) process.stdout.write(`\r${label}: step ${i + 1}/${WARMUP_STEPS + TEXT_TIMED_STEPS}`);
    }
    if (process.stdout.isTTY) process.stdout.write(`\r${' '.repeat(40)}\r`);
    measureTorch();
    const torch = torchMs.length ? torchMs.reduce((best, t) => (t.ms < best.ms ? t : best)) : undefined;
    for (const r of runs) {
      const ms = median(r.ms);
      const ratio = torch ? torch.ms / ms : undefined;
      console.log(`${label.padEnd(17)} ${r.kernels.padEnd(16)} ${ms.toFixed(1).padStart(8)} ms/step${ratio ? `  ${ratio.toFixed(2)}× PyTorch (1 thread)` : ''}`);
      // The goals are the transformers'; text-m's bag step is shown for the quickstart's other long pretraining.
      if (ratio !== undefined && step !== 'cbow') checks.push([ratio >= TEXT_GOALS[r.kernels]!, `${label} on ${r.kernels} ≥ ${TEXT_GOALS[r.kernels]}× PyTorch (${ratio.toFixed(2)}×)`]);
      r.stepper.dispose();
    }
    if (torch) console.log(`${label.padEnd(17)} ${`PyTorch ${torch.version}`.padEnd(16)} ${torch.ms.toFixed(1).padStart(8)} ms/step`);
    const ref = runs[0]!.losses.slice(0, TRAJECTORY_STEPS);
    const worst = Math.max(...runs.flatMap((r) => r.losses.slice(0, TRAJECTORY_STEPS).map((l, i) => Math.abs(l - ref[i]!) / Math.max(1, Math.abs(ref[i]!)))));
    console.log(`${label.padEnd(17)} losses ${ref.map((l) => l.toFixed(5)).join(' ')}; max relative difference between paths ${worst.toExponential(1)}`);
    checks.push([worst <= TEXT_TRAJECTORY_TOLERANCE, `${label}: same loss trajectory on both paths`]);
  }
  if (!python) console.log('PyTorch: not measured (no python3 with torch; on Debian: apt-get install python3-torch)');
  return checks;
}

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  const native = nativeBlasStatus();
  // Debian's PyTorch links the same OpenBLAS: it inherits the kernels @w2s/native asked for, so
  // both sides run the same BLAS kernels (libs/native/README.md, "Which OpenBLAS kernels").
  console.log(`PyTorch's OpenBLAS kernels: OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? '(unset: its own detection)'}`);
  if (process.argv.includes('--text-only')) {
    console.log(`machine: ${CORES} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const checks = textBench(findTorchPython(), native.available);
    console.log();
    for (const [ok, what] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}: ${what}`);
    if (checks.some(([ok]) => !ok)) process.exitCode = 1;
    return;
  }
  console.log(`train-step benchmark: MLP ${LAYERS.join('→')}, batch ${BATCH}, Adam, sigmoid cross-entropy`);
  console.log(`backend: ${backend.name} (default kernels here: ${backend.kernels})`);
  console.log(`native BLAS: ${native.available ? `${native.blas}${native.core ? ` ${native.core}` : ''}` : `not available (${native.reason})`}`);
  console.log(`machine: ${CORES} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`FLOPs per step: ${(STEP_FLOPS / 1e9).toFixed(3)} G (3 × forward, see the comment in bench/train-step.ts)\n`);

  // PyTorch runs before and after the tfjs steps; its faster run counts (conservative for the ratio).
  const python = findTorchPython();
  const torchRuns: TorchResult[] = [];
  const measureTorch = () => {
    if (!python) return;
    for (const threads of CORES > 1 ? [1, CORES] : [1]) {
      process.stdout.write(`\rPyTorch, ${threads} thread(s)…`);
      const result = runTorch(python, threads);
      if (typeof result === 'string') console.log(`\n${result}`);
      else torchRuns.push(result);
    }
    process.stdout.write('\n');
  };
  measureTorch();

  const { x, y } = makeBatch(1);
  const makePath = (label: string, threads: number, use: () => void): Path => ({ label, threads, use, mlp: makeMlp(7), losses: [], ms: [], kernels: '' });
  const paths: Path[] = [makePath('stock', 1, uninstallWasmMatMulFix), makePath('fix', 1, installWasmMatMulFix)];
  if (native.available) {
    const blas = (threads: number) => () => {
      installBlasKernels();
      setBlasThreads(threads);
    };
    paths.push(makePath('blas', 1, blas(1)));
    if (CORES > 1) paths.push(makePath(`blas×${CORES}`, CORES, blas(CORES)));
  }
  const steps = Math.max(WARMUP_STEPS + TIMED_STEPS, TRAJECTORY_STEPS);
  for (let step = 0; step < steps; step++) {
    for (const p of paths) {
      p.use();
      p.kernels = currentBackend()!.kernels;
      const start = performance.now();
      p.losses.push(trainStep(p.mlp, x, y));
      if (step >= WARMUP_STEPS) p.ms.push(performance.now() - start);
    }
    process.stdout.write(`\rstep ${step + 1}/${steps}`);
  }
  process.stdout.write('\n');
  await initBackend('wasm'); // leave the process as initBackend set it up

  measureTorch();
  const torch = [...new Set(torchRuns.map((t) => t.threads))].map((threads) =>
    torchRuns.filter((t) => t.threads === threads).reduce((best, t) => (t.ms < best.ms ? t : best)),
  );
  console.log();

  const torchWith = (threads: number) => torch.find((t) => t.threads === threads);
  const rows = [
    ...paths.map((p) => ({ label: p.label, kernels: p.kernels, threads: p.threads, ms: median(p.ms) })),
    ...torch.map((t) => ({ label: `torch${t.threads > 1 ? `×${t.threads}` : ''}`, kernels: `PyTorch ${t.version}`, threads: t.threads, ms: t.ms })),
  ];
  for (const row of rows) {
    const ref = torchWith(row.threads);
    const ratio = ref && !row.label.startsWith('torch') ? `  ${(ref.ms / row.ms).toFixed(2)}× PyTorch (${row.threads} thread${row.threads > 1 ? 's' : ''})` : '';
    console.log(
      `${row.label.padEnd(7)} ${row.kernels.padEnd(16)} ${row.ms.toFixed(1).padStart(8)} ms/step (median of ${TIMED_STEPS})` +
        `  ${gflops(row.ms).toFixed(2).padStart(6)} GFLOP/s${ratio}`,
    );
  }
  if (!python) console.log('PyTorch: not measured (no python3 with torch; on Debian: apt-get install python3-torch)');

  const byLabel = (label: string) => paths.find((p) => p.label === label);
  const [stock, fixed, blas] = [byLabel('stock')!, byLabel('fix')!, byLabel('blas')];
  const speedup = median(stock.ms) / median(fixed.ms);
  console.log(`\nspeed-up fix vs stock: ${speedup.toFixed(1)}x (required ≥ ${REQUIRED_SPEEDUP}x)`);
  if (blas) console.log(`speed-up blas vs fix: ${(median(fixed.ms) / median(blas.ms)).toFixed(1)}x`);

  const trajectoryDiff = (p: Path) => Math.max(...p.losses.slice(0, TRAJECTORY_STEPS).map((l, i) => Math.abs(l - stock.losses[i]!)));
  for (const p of paths) console.log(`loss trajectory (${p.label.padEnd(6)}): ${p.losses.slice(0, TRAJECTORY_STEPS).map((l) => l.toFixed(6)).join(' ')}`);
  const worst = Math.max(...paths.map(trajectoryDiff));
  console.log(`max |loss difference| to stock over the first ${TRAJECTORY_STEPS} steps: ${worst.toExponential(2)} (tolerance ${TRAJECTORY_TOLERANCE})`);

  const checks: [boolean, string][] = [
    [worst <= TRAJECTORY_TOLERANCE, 'same loss trajectory on every path'],
    [speedup >= REQUIRED_SPEEDUP, `fix ≥ ${REQUIRED_SPEEDUP}x faster than stock`],
  ];
  const torch1 = torchWith(1);
  if (blas && torch1) {
    const ratio = torch1.ms / median(blas.ms);
    checks.push([ratio >= REQUIRED_TORCH_RATIO, `wasm+blas ≥ ${REQUIRED_TORCH_RATIO}× PyTorch on one thread (${ratio.toFixed(2)}×; goal 0.8×)`]);
  }

  for (const p of paths) {
    tf.dispose(p.mlp.params);
    p.mlp.optimizer.dispose();
  }
  tf.dispose([x, y]);

  checks.push(...textBench(python, native.available));
  await initBackend('wasm');
  console.log();
  for (const [ok, what] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}: ${what}`);
  if (checks.some(([ok]) => !ok)) process.exitCode = 1;
}

await main();
