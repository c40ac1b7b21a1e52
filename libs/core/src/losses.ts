// Entry `@w2s/core/losses`: plain tfjs, no backend registered, so @w2s/confidence-loss can use it
// in any tfjs program (re-exported by the main entry too).
import * as tf from '@tensorflow/tfjs';

/**
 * The shape every training loss has: logits and target probability rows [B, K], and the fraction
 * of training done (for losses that warm up). Defined here, below both @w2s/models (which trains
 * with any loss) and @w2s/confidence-loss (which makes them), so neither depends on the other.
 */
export interface LossFn {
  (logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number): tf.Scalar;
  /**
   * Only on losses whose target depends on statistics of the batch (logconf's threshold τ). A
   * training loop that accumulates gradients over several minibatches calls it once per optimizer
   * step, before the minibatches' loss calls, with the logits and targets of ALL the step's
   * examples: the statistics are computed there, once, and every loss call of the step uses them,
   * so the step's target is the same as without accumulation. Called without arguments (a step
   * of one minibatch), it forgets them and each call computes its own, as before.
   */
  beginStep?(logits?: tf.Tensor2D, targets?: tf.Tensor2D): void;
}

/**
 * Per-example cross-entropy with soft targets: CE_i = −Σ_c t_ic · log softmax(z_i)_c.
 * log softmax is tfjs's stable form (z − max − log Σ exp(z − max)), so logits of ±50 or more stay
 * finite. Differentiable in `logits` (and in `targets`, which every loss here passes stop-grad).
 */
export function perExampleCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)) as tf.Tensor1D);
}

/**
 * Cross-entropy with soft targets, averaged over the batch:
 * CE(z, t) = −(1/B) Σ_i Σ_c t_ic · log softmax(z_i)_c.
 * With t held constant and rows of t summing to 1, ∂CE/∂z_i = (softmax(z_i) − t_i) / B.
 * The one implementation: the transfer losses, pretraining and the plain xent of ladders use it.
 */
export function softCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(perExampleCrossEntropy(logits, targets)) as tf.Scalar);
}

/**
 * softCrossEntropy with one-hot targets given as class ids: −(1/B) Σ_i log softmax(z_i)[ids_i].
 * The same value, computed with the same ops as softCrossEntropy (its forward pass is bit-equal),
 * but with no [B, K] one-hot matrix and with one exp over the logits instead of two: the gradient
 * (softmax(z_i) − onehot(ids_i)) / B reuses the forward pass's exponentials (autodiff of
 * logSoftmax takes them again). For a large K (a vocabulary), that exp is most of the loss's cost.
 */
export function classIdCrossEntropy(logits: tf.Tensor2D, ids: Int32Array): tf.Scalar {
  const [rows, classes] = logits.shape;
  if (ids.length !== rows) throw new Error(`classIdCrossEntropy: ${ids.length} class ids for ${rows} rows of logits`);
  const flat = Int32Array.from(ids, (c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new Error(`classIdCrossEntropy: class id ${c} (row ${i}) is outside [0, ${classes})`);
    return i * classes + c;
  });
  if (hasFusedXent()) return fusedClassIdCrossEntropy(logits, ids);
  // The op sequence the fused kernels reproduce bit for bit (on backends without them).
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    // tf.logSoftmax's forward pass, written out so that exp(shifted) and its row sums are kept.
    const shifted = tf.sub(z, tf.max(z, 1, true));
    const e = tf.exp(shifted);
    const sums = tf.sum(e, 1, true);
    const picked = tf.sub(tf.gather(tf.reshape(shifted, [-1]), tf.tensor1d(flat, 'int32')), tf.reshape(tf.log(sums), [-1]));
    save([e, sums]);
    return {
      value: tf.mean(tf.neg(picked)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [ex, s] = saved as [tf.Tensor2D, tf.Tensor2D];
        const targets = new Float32Array(rows * classes);
        for (const f of flat) targets[f] = 1;
        const g = Array.isArray(dy) ? dy[0]! : dy;
        return [tf.mul(tf.sub(tf.div(ex, s), tf.tensor2d(targets, [rows, classes])), tf.div(g, rows))];
      },
    };
  });
  return loss(logits) as tf.Scalar;
}

/**
 * The fused class-id cross-entropy kernels (forward and gradient), registered for cpu and wasm by
 * kernels/fused-xent.ts when @w2s/core's main entry loads; this entry only looks them up by name
 * (it registers no backend).
 */
export const W2S_SOFTMAX_XENT = 'W2sSoftmaxXent';
export const W2S_SOFTMAX_XENT_GRAD = 'W2sSoftmaxXentGrad';

/** Whether the active backend has both kernels. */
function hasFusedXent(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(W2S_SOFTMAX_XENT, backend) !== undefined && tf.getKernel(W2S_SOFTMAX_XENT_GRAD, backend) !== undefined;
}

/**
 * classIdCrossEntropy by the fused kernels of kernels/fused-xent.ts (cpu, wasm): the same bits as
 * the op sequence above on the same backend, without the [rows, classes] one-hot and with one
 * pass over the logits each way. The ops on [rows] (log, sub, mean) stay ops, so that they round
 * exactly as above.
 */
function fusedClassIdCrossEntropy(logits: tf.Tensor2D, ids: Int32Array): tf.Scalar {
  const rows = logits.shape[0];
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const idTensor = tf.tensor1d(ids, 'int32');
    const [e, sums, shiftedAtId] = tf.engine().runKernel(W2S_SOFTMAX_XENT, { logits: z, ids: idTensor }) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const picked = tf.sub(shiftedAtId, tf.reshape(tf.log(sums), [-1]));
    save([e, sums, idTensor]);
    return {
      value: tf.mean(tf.neg(picked)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [ex, s, savedIds] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const g = Array.isArray(dy) ? dy[0]! : dy;
        return [tf.engine().runKernel(W2S_SOFTMAX_XENT_GRAD, { e: ex, sums: s, ids: savedIds, scale: tf.div(g, rows) }) as tf.Tensor2D];
      },
    };
  });
  return loss(logits) as tf.Scalar;
}
