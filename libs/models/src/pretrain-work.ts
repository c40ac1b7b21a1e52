import type { Dataset } from '@w2s/tasks';
import { CNN_LADDER } from './families/cnn.js';
import { MLP_LADDER } from './families/mlp.js';
import { TEXT_LADDER } from './families/text.js';
import type { ModelSpec } from './spec.js';

const MASK_SHARE = 0.15;

/**
 * Rough multiply-adds of one size's whole pretraining (forward pass, every step): for a scheduler
 * only, so that the longest pretraining starts first instead of ending a run alone. Only ratios
 * matter, and only roughly (per-op overheads are not counted); no key or table reads it. 0 for
 * what has no pretraining of ours (embedding columns, a user's tfjs model, `pretrain: none`).
 * `task` gives a numeric task's input width or image shape; default a 28×28 digit.
 */
export function pretrainWork(spec: Pick<ModelSpec, 'family' | 'size' | 'pretrain'>, task?: Dataset): number {
  if (spec.pretrain === 'none') return 0;
  if (spec.family === 'mlp') {
    const size = MLP_LADDER[spec.size];
    if (!size) return 0;
    let width = task?.examples.dim ?? 28 * 28;
    let perExample = 0;
    for (const h of size.hidden) {
      perExample += width * h;
      width = h;
    }
    return size.budget.examples * size.budget.epochs * perExample;
  }
  if (spec.family === 'cnn') {
    const size = CNN_LADDER[spec.size];
    if (!size) return 0;
    let [h, w, c] = (task?.examples.shape ?? [28, 28, 1]) as [number, number, number];
    let perExample = 0;
    for (const out of size.channels) {
      perExample += h * w * 9 * c * out; // a 3×3 convolution at every position, then a 2×2 pool
      [h, w, c] = [Math.floor(h / 2), Math.floor(w / 2), out];
    }
    perExample += h * w * c * size.hidden;
    return size.budget.examples * size.budget.epochs * perExample;
  }
  if (spec.family === 'text') {
    const size = TEXT_LADDER[spec.size];
    if (!size) return 0;
    const { vocab, dim: d } = size;
    let perExample: number;
    if (size.kind === 'bag') {
      // The context's count row times the embedding table, the optional layer, the output over the vocabulary.
      const feature = size.hidden ?? d;
      perExample = vocab * d + (size.hidden ? d * size.hidden : 0) + feature * vocab;
    } else {
      // Per token and layer: the q/k/v/o and MLP products (12 d²) and attention over the sequence; then the masked tokens' output.
      const t = size.seqLen!;
      perExample = t * size.layers! * (12 * d * d + 2 * t * d) + MASK_SHARE * t * d * vocab;
    }
    return size.budget.examples * size.budget.epochs * perExample;
  }
  return 0;
}
