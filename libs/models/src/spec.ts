import { z } from 'zod';

/**
 * Which model to use: a family, a size on its ladder, and how it is trained on a task.
 * `probe` freezes the pretrained backbone and trains a head on cached features; `finetune`
 * trains every weight. `column` names the embedding column (family `embedding`); `path` is the
 * directory of a user's tfjs LayersModel (family `tfjs`). For those two families `size` is a
 * free label (e.g. the LLM the embeddings came from), used in reports and cache keys.
 */
export const ModelSpecSchema = z.object({
  family: z.enum(['mlp', 'cnn', 'text', 'embedding', 'tfjs']),
  size: z.string(),
  mode: z.enum(['probe', 'finetune']).default('probe'),
  column: z.string().optional(),
  path: z.string().optional(),
  /** tfjs family: take this layer's output as the features (default: the model's output). */
  layer: z.string().optional(),
  head: z.enum(['linear', 'mlp']).default('linear'),
  /**
   * `none`: no pretraining (mlp family): random initial weights, so capacity alone separates weak
   * and strong; use with mode finetune (a probe on random features learns little).
   */
  pretrain: z.literal('none').optional(),
});
export type ModelSpec = z.infer<typeof ModelSpecSchema>;
export type ModelSpecInput = z.input<typeof ModelSpecSchema>;

/** Short human label of a spec, e.g. `mlp-l (probe)`. */
export function specLabel(spec: ModelSpec): string {
  const what = spec.family === 'embedding' ? `:${spec.column ?? '?'}` : '';
  return `${spec.family}-${spec.size}${what} (${spec.mode}${spec.head === 'mlp' ? ', mlp head' : ''}${spec.pretrain === 'none' ? ', not pretrained' : ''})`;
}
