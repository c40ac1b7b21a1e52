import { z } from 'zod';

/**
 * How a model is trained: the single source of the training config type.
 * `epochs` passes over the data in minibatches of `batchSize`; every `gradAccumSteps` minibatches
 * make one optimizer step (their gradients are averaged), so one epoch is
 * ceil(ceil(numExamples / batchSize) / gradAccumSteps) optimizer steps.
 */
export const TrainConfigSchema = z.object({
  epochs: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  lr: z.number().positive(),
  schedule: z.enum(['constant', 'cosine']).default('cosine'),
  /** Linear LR warm-up over this fraction of the total optimizer steps. */
  warmupFrac: z.number().min(0).max(1).default(0),
  /** Decoupled weight decay (AdamW): every step multiplies each parameter by (1 - lr * weightDecay). */
  weightDecay: z.number().min(0).default(0),
  gradAccumSteps: z.number().int().positive().default(1),
});
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/** Optimizer steps in one epoch: minibatches per epoch, grouped by gradAccumSteps (last group may be short). */
export function stepsPerEpoch(numExamples: number, config: Pick<TrainConfig, 'batchSize' | 'gradAccumSteps'>): number {
  return Math.ceil(Math.ceil(numExamples / config.batchSize) / config.gradAccumSteps);
}

/** Total optimizer steps of a training run: epochs * stepsPerEpoch. */
export function totalSteps(numExamples: number, config: Pick<TrainConfig, 'epochs' | 'batchSize' | 'gradAccumSteps'>): number {
  return config.epochs * stepsPerEpoch(numExamples, config);
}

/**
 * Learning rate of optimizer step `step` (0-based, 0 <= step < totalSteps).
 *
 * Warm-up: the first W = round(warmupFrac * totalSteps) steps ramp linearly, step s gets
 * lr * (s + 1) / W (so the first step already moves and step W - 1 reaches the full lr).
 * After warm-up, `constant` keeps lr; `cosine` decays over the remaining R = totalSteps - W steps
 * as lr * (1 + cos(pi * (step - W) / R)) / 2: the first post-warm-up step has the full lr and
 * the curve would reach 0 at step totalSteps, one past the last step (no step is wasted at lr 0).
 */
export function learningRate(config: TrainConfig, step: number, totalSteps: number): number {
  if (!(totalSteps > 0) || step < 0 || step >= totalSteps) {
    throw new Error(`learningRate: step ${step} is outside [0, ${totalSteps})`);
  }
  const warmup = Math.round(config.warmupFrac * totalSteps);
  if (step < warmup) return (config.lr * (step + 1)) / warmup;
  if (config.schedule === 'constant') return config.lr;
  const progress = (step - warmup) / (totalSteps - warmup);
  return (config.lr * (1 + Math.cos(Math.PI * progress))) / 2;
}
