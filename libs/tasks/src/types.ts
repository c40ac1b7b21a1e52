/**
 * The plain data a task is. Every consumer (models, weak teacher, strong student, runner) reads
 * these fields and nothing else. Treat a loaded Dataset as read-only: built-in tasks are cached
 * per process and the same object is handed to every caller.
 */

export type Modality = 'image' | 'vector' | 'text' | 'embedding';

/** One precomputed representation of every example (row-major, n × dim). */
export interface EmbeddingColumn {
  dim: number;
  values: Float32Array;
}

export interface Examples {
  /** Unique, opaque ids (never a model input; built-in ids do not reveal the label). */
  ids: string[];
  /** Class index in 0..numClasses-1 for every example. */
  labels: Int32Array;
  /** Numeric inputs, row-major n × dim (images: dim = 28·28·1, see `shape`). */
  x?: Float32Array;
  dim?: number;
  /** Shape of one example's x, e.g. [28, 28, 1] for images, [dim] for vectors. */
  shape?: number[];
  /** Raw strings (tokenization belongs to the models lib). */
  text?: string[];
  /** Precomputed representations, one per column (e.g. one per model of an embedding family). */
  embeddings?: Record<string, EmbeddingColumn>;
  /** Real-valued target behind the label, where a generator has one (synthetic-linear). */
  targets?: Float32Array;
  /** Metadata for analysis (speech, sub-corpus, example type); never a model input. */
  groups?: string[];
  /** A split fixed by the data itself: 'train' | 'val' | 'test' for each example. */
  fixedSplit?: FixedSplit[];
}

export type FixedSplit = 'train' | 'val' | 'test';

export interface Dataset {
  name: string;
  modality: Modality;
  numClasses: number;
  classNames: string[];
  examples: Examples;
  /** Things about the data a user should know but that do not stop a run (e.g. empty texts). */
  warnings?: string[];
  /**
   * Unlabelled inputs of the same kind (a file task's `unlabeled:` files): pretraining data for
   * models that read `examples.x`. Never task examples, never labels.
   */
  unlabeled?: UnlabeledRows;
}

/** Numeric rows without labels, row-major n × dim. */
export interface UnlabeledRows {
  /** e.g. the file names they came from. */
  name: string;
  ids: string[];
  x: Float32Array;
  dim: number;
}

export type SplitName = 'weak-train' | 'transfer' | 'val' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['weak-train', 'transfer', 'val', 'test'];

/** Indices into `dataset.examples`, ascending, pairwise disjoint. */
export type Splits = Record<SplitName, Int32Array>;

/** The rows a labelled pretraining set holds (digit identity for the image backbones). */
export interface LabelledPretrainSet {
  name: string;
  ids: string[];
  x: Float32Array;
  dim: number;
  shape: number[];
  labels: Int32Array;
  numClasses: number;
  classNames: string[];
}
