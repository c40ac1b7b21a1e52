import { TrainConfigSchema, UserError, type TrainConfig } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';
import { TEXT_LADDER } from './families/text.js';
import { parseModelSpec } from './registry.js';
import type { ModelSpec, ModelSpecInput } from './spec.js';

/**
 * Training defaults per family, size and mode (a manifest can override any field).
 * probe: the head is cheap (features are cached), so many epochs at a high lr;
 * finetune: fewer epochs at a low lr, lower still and with warm-up for transformers.
 */
export function defaultTrainConfig(spec: ModelSpecInput): TrainConfig {
  const s = parseModelSpec(spec);
  if (s.mode === 'probe') {
    return TrainConfigSchema.parse({ epochs: 40, batchSize: 64, lr: s.head === 'mlp' ? 5e-3 : 1e-2, schedule: 'cosine' });
  }
  if (s.family === 'text' && TEXT_LADDER[s.size]?.kind === 'transformer') {
    return TrainConfigSchema.parse({ epochs: 4, batchSize: 16, lr: 5e-4, schedule: 'cosine', warmupFrac: 0.1 });
  }
  return TrainConfigSchema.parse({ epochs: 8, batchSize: 32, lr: 1e-3, schedule: 'cosine', warmupFrac: 0.05 });
}

/** The default weak model, the default strong model, and the quickstart's second strong model. */
export interface DefaultModels {
  weak: ModelSpec;
  strong: ModelSpec;
  /** One weak, two strong: the quickstart's models (small pretraining budget). */
  quickstart: { weak: ModelSpec; strong: [ModelSpec, ModelSpec] };
}

/**
 * Default weak/strong pairs by what a task's examples are: images → mlp xs vs l; text → text xs
 * vs l; vectors with embedding columns (the synthetic tasks, user files) → the smallest column vs
 * the largest. Measured gaps are in the README's ladder table.
 */
export function defaultModels(task: Dataset): DefaultModels {
  const of = (s: ModelSpecInput) => parseModelSpec(s);
  if (task.modality === 'image') {
    return { weak: of({ family: 'mlp', size: 'xs' }), strong: of({ family: 'mlp', size: 'l' }), quickstart: { weak: of({ family: 'mlp', size: 'xs' }), strong: [of({ family: 'mlp', size: 'm' }), of({ family: 'mlp', size: 'l' })] } };
  }
  if (task.modality === 'text') {
    return { weak: of({ family: 'text', size: 'xs' }), strong: of({ family: 'text', size: 'l' }), quickstart: { weak: of({ family: 'text', size: 'xs' }), strong: [of({ family: 'text', size: 'm' }), of({ family: 'text', size: 'l' })] } };
  }
  const columns = embeddingColumnsBySize(task);
  if (columns.length < 2) {
    throw new UserError(`task "${task.name}" (${task.modality}) needs at least two embedding columns for default weak/strong models; name the models explicitly`, 'models');
  }
  const col = (c: string) => of({ family: 'embedding', size: c, column: c });
  const weak = col(columns[0]!);
  const strong = col(columns.at(-1)!);
  const middle = columns.length > 2 ? col(columns.at(-2)!) : strong;
  return { weak, strong, quickstart: { weak, strong: [middle, strong] } };
}

/** A task's embedding columns, smallest dimension first (ties by name): the embedding family's ladder. */
export function embeddingColumnsBySize(task: Dataset): string[] {
  return Object.entries(task.examples.embeddings ?? {})
    .sort((a, b) => a[1].dim - b[1].dim || (a[0] < b[0] ? -1 : 1))
    .map(([name]) => name);
}

/** Default weak → strong gap (accuracy points) below which a task is only a control. */
export const CONTROL_GAP_POINTS = 8;

/**
 * Built-in tasks whose default weak → strong gap in the measured ladder (README, held-out split seed 1000) is under
 * CONTROL_GAP_POINTS. They stay available as controls but are left out of the default
 * experiments' PGR medians: PGR over a gap of a few points is noise (one accuracy point moves it
 * by tens of points). Value: why, for the task's card.
 */
export const CONTROL_TASKS: Record<string, string> = {
  'sotu-party': 'control task: default weak text-xs 57.4 % and strong text-l 59.0 % (gap 1.6 points < 8; finetuned 60.5 and 63.6 %, gap 3.1); no text model here beats the majority class by much, so PGR on it is noise',
};
