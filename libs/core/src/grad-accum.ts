import * as tf from '@tensorflow/tfjs';

/**
 * Loss and gradients of a mean-reduced loss over the union of `batches`, computed one batch at a
 * time (gradient accumulation). Each batch is weighted by its share of the examples, so the result
 * equals the loss and gradient of one big batch even when the last batch is short.
 * `grads[i]` belongs to `params[i]`; it is null if no batch's loss depends on that parameter.
 * The caller owns and disposes `loss` and `grads`.
 */
export function accumulateGradients(
  params: tf.Variable[],
  batches: Int32Array[],
  lossOf: (indices: Int32Array) => tf.Scalar,
): { loss: tf.Scalar; grads: (tf.Tensor | null)[] } {
  const total = batches.reduce((n, b) => n + b.length, 0);
  if (total === 0) throw new Error('accumulateGradients: no examples in the batches');
  let loss: tf.Scalar | null = null;
  const grads: (tf.Tensor | null)[] = params.map(() => null);
  for (const batch of batches) {
    const weight = batch.length / total;
    // variableGrads runs lossOf inside its own tidy: only the value and the gradients survive.
    const { value, grads: named } = tf.variableGrads(() => lossOf(batch), params);
    loss = addWeighted(loss, value, weight);
    params.forEach((p, i) => {
      const g = named[p.name];
      if (g) grads[i] = addWeighted(grads[i] ?? null, g, weight);
    });
  }
  return { loss: loss!, grads };
}

/** acc + weight * x, consuming (disposing) both inputs. */
function addWeighted<T extends tf.Tensor>(acc: T | null, x: T, weight: number): T {
  if (acc === null && weight === 1) return x;
  const out = tf.tidy(() => {
    const scaled = x.mul(weight) as T;
    return acc === null ? scaled : (acc.add(scaled) as T);
  });
  x.dispose();
  acc?.dispose();
  return out;
}
