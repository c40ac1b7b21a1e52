import type { Dataset, Modality } from '@w2s/tasks';
import type { Backbone, BackboneContext } from './backbone.js';
import type { ModelSpec } from './spec.js';

/** One rung of a size ladder, as `w2s models` prints it. */
export interface LadderEntry {
  size: string;
  /** Backbone weights (for the family's reference input, see `Family.reference`). */
  params: number;
  /** What pretraining this size gets, e.g. "4,000 ex × 12 ep (48,000)". */
  pretrainBudget: string;
  /** Architecture in a few words. */
  arch: string;
}

/**
 * A model family: an architecture with a size ladder and a pretraining recipe. `load` returns the
 * pretrained backbone for a task, pretraining it first if the cache does not hold it yet.
 */
export interface Family {
  name: ModelSpec['family'];
  description: string;
  /** Task modalities the family reads. */
  modalities: readonly Modality[];
  /** Ladder sizes, smallest first; empty for families whose size is a user label. */
  sizes: readonly string[];
  /** The input the ladder's parameter counts are given for. */
  reference: string;
  /** The ladder; `inputDim` (families over numeric rows): parameter counts for that input width. */
  ladder(inputDim?: number): LadderEntry[];
  load(spec: ModelSpec, task: Dataset, ctx: BackboneContext): Promise<Backbone>;
}
