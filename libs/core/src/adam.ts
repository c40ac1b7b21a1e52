import * as tf from '@tensorflow/tfjs';
import { fusedAdamUpdate, installFusedAdamKernels } from './kernels/fused-adam.js';

installFusedAdamKernels();

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW, Loshchilov & Hutter 2019): p -= lr * weightDecay * p each step. */
  weightDecay?: number;
}

/**
 * Adam with bias correction and decoupled weight decay (AdamW), written out so that the learning
 * rate of every step is passed in explicitly (the schedule lives in the training loop):
 *   m = b1 m + (1 - b1) g          v = b2 v + (1 - b2) g^2
 *   p = p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) - lr * weightDecay * p
 * A parameter whose gradient is null (not used by the loss) is left untouched, moments included.
 */
export class Adam {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  /** Steps taken per parameter (a parameter without a gradient does not advance, as in PyTorch). */
  private readonly t: number[];

  constructor(
    private readonly params: tf.Variable[],
    opts: AdamOptions = {},
  ) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    // tidy frees the zeros tensors; variables survive it.
    this.m = tf.tidy(() => params.map((p) => tf.variable(tf.zerosLike(p), false)));
    this.v = tf.tidy(() => params.map((p) => tf.variable(tf.zerosLike(p), false)));
    this.t = params.map(() => 0);
  }

  /** One update; `grads[i]` is the gradient of `params[i]` (the caller keeps ownership of grads). */
  step(grads: (tf.Tensor | null | undefined)[], lr: number): void {
    if (grads.length !== this.params.length) {
      throw new Error(`Adam.step: got ${grads.length} gradients for ${this.params.length} parameters`);
    }
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[i];
        if (g == null) return;
        const t = (this.t[i] += 1);
        const correction1 = 1 - this.beta1 ** t; // bias corrections: the moments start at 0
        const correction2 = 1 - this.beta2 ** t;
        // One kernel for the whole update where the backend has it (cpu, wasm): same bits as the ops below.
        const fused = fusedAdamUpdate(p, this.m[i]!, this.v[i]!, g, {
          beta1: this.beta1,
          beta2: this.beta2,
          eps: this.eps,
          lr,
          weightDecay: this.weightDecay,
          correction1,
          correction2,
        });
        if (fused) {
          const [newP, newM, newV] = fused as [tf.Tensor, tf.Tensor, tf.Tensor];
          this.m[i]!.assign(newM);
          this.v[i]!.assign(newV);
          p.assign(newP);
          return;
        }
        const m = this.m[i]!.mul(this.beta1).add(g.mul(1 - this.beta1));
        const v = this.v[i]!.mul(this.beta2).add(g.square().mul(1 - this.beta2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        const decayed = this.weightDecay > 0 ? p.mul(1 - lr * this.weightDecay) : p;
        const mHat = m.div(correction1);
        const vHat = v.div(correction2);
        p.assign(decayed.sub(mHat.div(vHat.sqrt().add(this.eps)).mul(lr)));
      });
    });
  }

  /** Frees the moment estimates (the parameters belong to the caller). */
  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
