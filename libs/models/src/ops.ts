// Pure forward functions. Every op here has a gradient on tfjs-wasm 4.22 with @w2s/core's kernels:
// row gathers go through gatherRows (its gradient is UnsortedSegmentSum, which core registers for
// wasm), no conv2d filter gradient (Conv2DBackpropFilter), no einsum.
import * as tf from '@tensorflow/tfjs';

/** x @ w + b for x of shape [n, in]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x, w as tf.Tensor2D), b);
}

/** GELU, tanh-free sigmoid form x·σ(1.702x) (Hendrycks & Gimpel 2016); all its ops have gradients. */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))) as T;
}

/** Layer norm over the last axis with learned gain and bias. */
export function layerNorm<T extends tf.Tensor>(x: T, gain: tf.Tensor, bias: tf.Tensor, eps = 1e-5): T {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gain), bias) as T;
}

/**
 * 3×3 'same' convolution, stride 1, as a sum of nine shifted matrix products so the filter has a
 * gradient on wasm (no Conv2DBackpropFilter): out = b + Σ_{dy,dx} shift_{dy,dx}(x) @ W_{dy,dx},
 * where W [9·inC, outC] stacks the per-offset matrices offset-major (dy, dx, channel), the layout
 * of im2col3x3. Measured on wasm, this is 3× faster forward+backward than concatenating the nine
 * views and doing one product (concat and its gradient are slow there).
 */
export function conv3x3(x: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor): tf.Tensor4D {
  const [n, h, wd, c] = x.shape;
  const outC = w.shape[1]!;
  const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  let sum: tf.Tensor2D | null = null;
  for (let dy = 0; dy < 3; dy++) {
    for (let dx = 0; dx < 3; dx++) {
      const view = tf.reshape(tf.slice(padded, [0, dy, dx, 0], [n, h, wd, c]), [n * h * wd, c]) as tf.Tensor2D;
      const wOffset = tf.slice(w, [(dy * 3 + dx) * c, 0], [c, outC]) as tf.Tensor2D;
      const term = tf.matMul(view, wOffset) as tf.Tensor2D;
      sum = sum ? (tf.add(sum, term) as tf.Tensor2D) : term;
    }
  }
  return tf.reshape(tf.add(sum!, b), [n, h, wd, outC]);
}

/**
 * The 3×3 'same' patches of images given as JS rows (n × h·w·c, HWC order), built in JS:
 * [n·h·w, 9·c] with columns offset-major (dy, dx, channel), zero outside the image. A network's
 * first convolution is then one matMul with no op on the (non-differentiated) input, which on
 * wasm is far cheaper than slicing a tensor.
 */
export function im2col3x3(rows: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(n * h * w * 9 * c);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const base = i * h * w * c;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
              const from = base + (yy * w + xx) * c;
              for (let ch = 0; ch < c; ch++) out[o + ch] = rows[from + ch]!;
            }
            o += c;
          }
        }
      }
    }
  }
  return out;
}

/** 2×2 max pooling, stride 2 (odd trailing rows/columns are dropped). */
export function maxPool2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.maxPool(x, 2, 2, 'valid');
}


/**
 * Rows x[ids] → [ids.length, d] of a matrix x [n, d] (an embedding lookup, or picking positions
 * of a batch), with the gradient dx = Σ over the rows that read each row: one
 * UnsortedSegmentSum over dy (a wasm kernel from @w2s/core). It replaces products with
 * [ids.length, n] one-hot matrices: for 2048 tokens over a 4000-word vocabulary that product, its
 * one-hot and their casts and transposes were most of a transformer train step.
 */
export function gatherRows(x: tf.Tensor2D, ids: Int32Array): tf.Tensor2D {
  const rows = x.shape[0];
  const gather = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const index = tf.tensor1d(ids, 'int32');
    return {
      value: tf.gather(args[0] as tf.Tensor, index),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.unsortedSegmentSum(Array.isArray(dy) ? dy[0]! : dy, tf.tensor1d(ids, 'int32'), rows)],
    };
  });
  return gather(x) as tf.Tensor2D;
}

/** Embedding lookup E[ids] → [ids.length, d] (gatherRows of the table). */
export function embedLookup(table: tf.Tensor2D, ids: Int32Array): tf.Tensor2D {
  return gatherRows(table, ids);
}

/**
 * Mean embedding of each row of token ids → [rows.length, d] (an empty row gives zeros): the
 * table's rows gathered, scaled by 1/length and summed per row by UnsortedSegmentSum. The same
 * as the [rows, vocab] matrix of mean counts times E (the formulation before issue 17) without that count matrix and its two
 * products over the vocabulary; the gradient reaches only the rows read.
 */
export function meanEmbeddingBag(table: tf.Tensor2D, rows: ArrayLike<number>[]): tf.Tensor2D {
  const total = rows.reduce((n, r) => n + r.length, 0);
  const ids = new Int32Array(total);
  const owner = new Int32Array(total);
  const scale = new Float32Array(total);
  let k = 0;
  rows.forEach((r, i) => {
    for (let j = 0; j < r.length; j++, k++) {
      ids[k] = r[j]!;
      owner[k] = i;
      scale[k] = 1 / r.length;
    }
  });
  // Written with its gradient (dE = segment sums over ids of dy[owner]·scale): tfjs's own gradient
  // of unsortedSegmentSum masks negative ids with bool ops that are slow on wasm.
  const bag = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const weights = () => tf.tensor2d(scale, [total, 1]); // made again in gradFunc: the forward's tensors are freed
    const value = tf.unsortedSegmentSum(tf.mul(tf.gather(args[0] as tf.Tensor, tf.tensor1d(ids, 'int32')), weights()), tf.tensor1d(owner, 'int32'), rows.length);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const g = Array.isArray(dy) ? dy[0]! : dy;
        return [tf.unsortedSegmentSum(tf.mul(tf.gather(g, tf.tensor1d(owner, 'int32')), weights()), tf.tensor1d(ids, 'int32'), table.shape[0])];
      },
    };
  });
  return bag(table) as tf.Tensor2D;
}

/**
 * Multi-head self-attention over x [B, T, d] with a key-padding mask [B, T] (1 = real token).
 * Projections are one [d, 3d] matrix; heads are split by reshape/transpose (no einsum).
 */
export function selfAttention(
  x: tf.Tensor3D,
  mask: tf.Tensor2D,
  wQkv: tf.Tensor,
  bQkv: tf.Tensor,
  wOut: tf.Tensor,
  bOut: tf.Tensor,
  heads: number,
): tf.Tensor3D {
  const [bsz, t, d] = x.shape;
  const hd = d / heads;
  const qkv = dense(tf.reshape(x, [bsz * t, d]) as tf.Tensor2D, wQkv, bQkv); // [B·T, 3d]
  const split = (i: number) =>
    tf.transpose(tf.reshape(tf.slice(qkv, [0, i * d], [bsz * t, d]), [bsz, t, heads, hd]), [0, 2, 1, 3]) as tf.Tensor4D;
  const q = split(0);
  const k = split(1);
  const v = split(2);
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)); // [B, H, T, T]
  // Padded keys get -1e9 so softmax gives them ~0 weight.
  const keyBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [bsz, 1, 1, t]);
  const attn = tf.softmax(tf.add(scores, keyBias));
  const ctx = tf.reshape(tf.transpose(tf.matMul(attn, v), [0, 2, 1, 3]), [bsz * t, d]) as tf.Tensor2D;
  return tf.reshape(dense(ctx, wOut, bOut), [bsz, t, d]);
}

