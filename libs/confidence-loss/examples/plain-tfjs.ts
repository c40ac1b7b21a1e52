// A linear student trained on noisy weak labels with the auxiliary confidence loss, in plain tfjs.
import * as tf from '@tensorflow/tfjs';
import { makeLoss } from '@w2s/confidence-loss';

// Toy task: 2-D points, true class 1 when x0 + x1 > 0; the weak labels are wrong on every 4th point.
const points = Array.from({ length: 200 }, (_, i) => [Math.sin(i * 1.7), Math.cos(i * 2.3)]);
const truth = points.map(([a, b]) => (a! + b! > 0 ? 1 : 0));
const weak = truth.map((c, i) => (i % 4 === 0 ? 1 - c : c));
const x = tf.tensor2d(points);
const weakLabels = tf.tensor2d(weak.map((c) => (c === 1 ? [0, 1] : [1, 0])));

const loss = makeLoss({ name: 'logconf', auxCoef: 0.75, warmup: 'linear', warmupFrac: 0.2 });
const w = tf.variable(tf.zeros([2, 2]));
const optimizer = tf.train.sgd(0.5);
const steps = 100;
for (let step = 0; step < steps; step++) {
  optimizer.minimize(() => loss(tf.matMul(x, w) as tf.Tensor2D, weakLabels, step / steps));
}

const predicted = tf.tidy(() => Array.from(tf.argMax(tf.matMul(x, w), 1).dataSync()));
export const studentAccuracy = predicted.filter((c, i) => c === truth[i]).length / truth.length;
export const weakAccuracy = weak.filter((c, i) => c === truth[i]).length / truth.length;
console.log(`student ${studentAccuracy.toFixed(3)} vs weak labels ${weakAccuracy.toFixed(3)} (accuracy on the truth)`);
tf.dispose([x, weakLabels, w]);
optimizer.dispose();
