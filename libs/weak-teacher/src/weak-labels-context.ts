import { TrainConfigSchema, type ArtifactCache, type TrainConfig } from '@w2s/core';
import { defaultTrainConfig, getBackbone, parseModelSpec, type Backbone, type ModelSpec, type ModelSpecInput } from '@w2s/models';
import type { Dataset, Splits } from '@w2s/tasks';
import type { WeakLabelsContext } from './debate/context.js';

export interface SimpleWeakLabelsOptions {
  task: Dataset;
  splits: Splits;
  seed: number;
  weak: ModelSpecInput;
  strong: ModelSpecInput;
  cache: ArtifactCache;
  /** Overrides on top of each model's default training config (`defaultTrainConfig`). */
  train?: { weak?: Partial<TrainConfig>; strong?: Partial<TrainConfig> };
  /** Seed of backbone pretraining (default 0). */
  pretrainSeed?: number;
}

/**
 * A WeakLabelsContext with the defaults the runner also uses: each model's default training
 * config plus overrides, and backbones loaded (pretrained or read from `cache`) once each.
 * `dispose()` frees those backbones.
 */
export function weakLabelsContext(opts: SimpleWeakLabelsOptions): WeakLabelsContext & { dispose(): void } {
  const weak = parseModelSpec(opts.weak, 'weak');
  const strong = parseModelSpec(opts.strong, 'strong');
  const backbones = new Map<string, Promise<Backbone>>();
  const backboneOf = (spec: ModelSpec) => {
    const key = JSON.stringify(spec);
    if (!backbones.has(key)) backbones.set(key, getBackbone(spec, opts.task, { cache: opts.cache, seed: opts.pretrainSeed ?? 0, splits: opts.splits }));
    return backbones.get(key)!;
  };
  const trainOf = (spec: ModelSpec, role: 'weak' | 'strong') => TrainConfigSchema.parse({ ...defaultTrainConfig(spec), ...opts.train?.[role] });
  return {
    task: opts.task,
    splits: opts.splits,
    seed: opts.seed,
    weak,
    strong,
    weakTrainOf: (spec) => trainOf(spec, 'weak'),
    strongTrain: trainOf(strong, 'strong'),
    backboneOf,
    cache: opts.cache,
    dispose: () => {
      for (const b of backbones.values()) void b.then((backbone) => backbone.dispose(), () => undefined);
      backbones.clear();
    },
  };
}
