import type * as tf from '@tensorflow/tfjs';
import type { ArtifactCache } from '@w2s/core';
import type { Dataset, Splits } from '@w2s/tasks';
import type { TextCorpus, VectorCorpus } from './corpus.js';
import type { Params } from './init.js';
import type { ModelSpec } from './spec.js';

/** What getBackbone needs besides the spec and task. */
export interface BackboneContext {
  cache: ArtifactCache;
  /** Seeds pretraining (weight init, batch order, noise); part of the pretraining cache key. */
  seed: number;
  /** Progress of long work (pretraining), frac in [0, 1]. */
  onProgress?: (msg: string, frac: number) => void;
  /**
   * Pretraining data to use instead of the task's built-in one (e.g. unlabelled vectors for the
   * mlp family's denoising recipe, or a user's text corpus). It must not contain task examples.
   */
  pretrainCorpus?: VectorCorpus | TextCorpus;
  /**
   * The cell's splits. A numeric task with no pretraining data of its own pretrains on its
   * weak-train and transfer inputs, labels removed (pretrainsOnTaskInputs); without splits it has none.
   */
  splits?: Partial<Splits>;
}

/**
 * A pretrained feature extractor. `encode` is a pure forward pass: given parameters (the
 * backbone's own, or a finetuning copy of them) and examples of a task, it returns their
 * features [n, featureDim], differentiable in the parameters.
 */
export interface Backbone {
  /** Cache key of the pretrained weights (or of the user's embedding column / model files). */
  readonly key: string;
  readonly spec: Pick<ModelSpec, 'family' | 'size'>;
  readonly featureDim: number;
  /** The pretrained weights; empty for families that only probe (embedding, tfjs). */
  readonly params: Params;
  /** Whether `finetune` can train the weights (false for embedding and tfjs backbones). */
  readonly finetunable: boolean;
  /** Whether this run pretrained it (false: loaded from the cache, or nothing to pretrain). */
  readonly pretrainedNow: boolean;
  /** What pretraining recorded (objective, first/final loss, ...); {} when nothing was pretrained. */
  readonly pretraining: Record<string, unknown>;
  /**
   * Backbones over numeric inputs (mlp, cnn): the input width, the input normalization and the
   * forward pass on normalized rows, for continued self-supervised training (adapt.ts).
   */
  readonly vectorInput?: { dim: number; forward: (params: Params, rows: Float32Array, n: number) => tf.Tensor2D; normalize: (rows: Float32Array) => Float32Array };
  encode(params: Params, task: Dataset, indices: Int32Array): tf.Tensor2D;
  /** Features with the backbone's own weights: encode(this.params, ...). */
  features(task: Dataset, indices: Int32Array): tf.Tensor2D;
  dispose(): void;
}

/** A backbone with no weights of its own (embedding columns, a user's frozen tfjs model): probe only. */
export function frozenBackbone(opts: {
  key: string;
  spec: Pick<ModelSpec, 'family' | 'size'>;
  featureDim: number;
  features: (task: Dataset, indices: Int32Array) => tf.Tensor2D;
  dispose?: () => void;
}): Backbone {
  return {
    key: opts.key,
    spec: opts.spec,
    featureDim: opts.featureDim,
    params: new Map(),
    finetunable: false,
    pretrainedNow: false,
    pretraining: {},
    encode: (_params, task, indices) => opts.features(task, indices),
    features: opts.features,
    dispose: opts.dispose ?? (() => undefined),
  };
}
