import type { ArtifactCache, TrainConfig } from '@w2s/core';
import type { Backbone, ModelSpec } from '@w2s/models';
import type { Dataset, Splits } from '@w2s/tasks';

/** What making the weak labels of one (task, weak, strong, seed) needs; see makeWeakLabels. */
export interface WeakLabelsContext {
  task: Dataset;
  splits: Splits;
  seed: number;
  weak: ModelSpec;
  strong: ModelSpec;
  /** Training config of a weak model: the cell's weak model or an ensemble member. */
  weakTrainOf: (spec: ModelSpec) => TrainConfig;
  strongTrain: TrainConfig;
  backboneOf: (spec: ModelSpec) => Promise<Backbone>;
  cache: ArtifactCache;
  onProgress?: (step: number, total: number) => void;
  note?: (message: string, frac: number) => void;
  /** Where the method's weak config sits in the manifest (for errors), e.g. `methods[2].weak`. */
  where?: string;
}
