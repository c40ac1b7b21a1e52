/**
 * Train-step benchmark: stock tfjs-wasm matMul kernels vs the @w2s/core transposed-matMul fix.
 *
 *   npm run bench
 *
 * A 3-layer MLP (256 → 512 → 512 → 1, relu, sigmoid cross-entropy, Adam) takes full-batch steps
 * on a fixed batch of 1024 examples. Two copies of the model start from the same seeded weights;
 * each step, copy A runs with the stock wasm kernels and copy B with the fix, alternating, so a
 * change in machine load hits both alike. Printed: ms per step (median after warm-up), GFLOP/s,
 * the speed-up, and whether both copies follow the same loss trajectory.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { Rng, currentBackend, initBackend, installWasmMatMulFix, uninstallWasmMatMulFix } from '@w2s/core';

const BATCH = 1024;
const LAYERS = [256, 512, 512, 1];
const WARMUP_STEPS = 2;
const TIMED_STEPS = 12;
const TRAJECTORY_STEPS = 5; // the loss trajectories must agree over these first steps
const TRAJECTORY_TOLERANCE = 1e-5;
const REQUIRED_SPEEDUP = 5;

// FLOPs per step. A dense layer n_in → n_out on B rows costs 2·B·n_in·n_out in its forward matMul
// (one multiply and one add per weight per row). Backward needs two products of the same size
// (dW = xᵀ·dy and dx = dy·Wᵀ), so it counts as 2 × forward:
//   forward  = 2·B·(256·512 + 512·512 + 512·1)
//   step     = 3 × forward  (≈ 2.42 GFLOP for B = 1024)
// Element-wise work (bias, relu, loss, Adam) is not counted. The first layer's dx is never
// computed (the input is not trained), so the true matMul count is 11 % lower than this.
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

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  console.log(`train-step benchmark: MLP ${LAYERS.join('→')}, batch ${BATCH}, Adam, sigmoid cross-entropy`);
  console.log(`backend: ${backend.name} (kernels with the fix: ${backend.kernels}), single-threaded`);
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`FLOPs per step: ${(STEP_FLOPS / 1e9).toFixed(3)} G (3 × forward, see the comment in bench/train-step.ts)\n`);

  const { x, y } = makeBatch(1);
  const paths = [
    { label: 'stock', mlp: makeMlp(7), use: uninstallWasmMatMulFix, losses: [] as number[], ms: [] as number[], kernels: '' },
    { label: 'fixed', mlp: makeMlp(7), use: installWasmMatMulFix, losses: [] as number[], ms: [] as number[], kernels: '' },
  ];
  const steps = Math.max(WARMUP_STEPS + TIMED_STEPS, TRAJECTORY_STEPS);
  for (let step = 0; step < steps; step++) {
    for (const path of paths) {
      path.use();
      path.kernels = currentBackend()!.kernels;
      const start = performance.now();
      path.losses.push(trainStep(path.mlp, x, y));
      if (step >= WARMUP_STEPS) path.ms.push(performance.now() - start);
    }
    process.stdout.write(`\rstep ${step + 1}/${steps}`);
  }
  process.stdout.write('\n\n');
  installWasmMatMulFix(); // leave the process as initBackend set it up

  for (const path of paths) {
    const ms = median(path.ms);
    console.log(
      `${path.label.padEnd(6)} kernels=${path.kernels.padEnd(16)} ${ms.toFixed(1).padStart(8)} ms/step (median of ${path.ms.length})` +
        `  ${(STEP_FLOPS / (ms * 1e6)).toFixed(2).padStart(6)} GFLOP/s`,
    );
  }
  const [stock, fixed] = paths as [(typeof paths)[0], (typeof paths)[0]];
  const speedup = median(stock.ms) / median(fixed.ms);
  console.log(`speed-up: ${speedup.toFixed(1)}x (required ≥ ${REQUIRED_SPEEDUP}x)`);

  const diffs = stock.losses.map((l, i) => Math.abs(l - fixed.losses[i]!));
  const trajectoryDiff = Math.max(...diffs.slice(0, TRAJECTORY_STEPS));
  console.log(`loss trajectory (stock): ${stock.losses.slice(0, TRAJECTORY_STEPS).map((l) => l.toFixed(6)).join(' ')}`);
  console.log(`loss trajectory (fixed): ${fixed.losses.slice(0, TRAJECTORY_STEPS).map((l) => l.toFixed(6)).join(' ')}`);
  console.log(
    `max |loss difference|: ${trajectoryDiff.toExponential(2)} over the first ${TRAJECTORY_STEPS} steps` +
      ` (tolerance ${TRAJECTORY_TOLERANCE}), ${Math.max(...diffs).toExponential(2)} over all ${diffs.length}`,
  );

  const trajectoryOk = trajectoryDiff <= TRAJECTORY_TOLERANCE;
  const speedOk = speedup >= REQUIRED_SPEEDUP;
  console.log(`\n${trajectoryOk ? 'PASS' : 'FAIL'}: same loss trajectory`);
  console.log(`${speedOk ? 'PASS' : 'FAIL'}: fix ≥ ${REQUIRED_SPEEDUP}x faster than stock`);
  if (!trajectoryOk || !speedOk) process.exitCode = 1;

  for (const path of paths) {
    tf.dispose(path.mlp.params);
    path.mlp.optimizer.dispose();
  }
  tf.dispose([x, y]);
}

await main();
