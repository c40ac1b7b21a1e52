// @w2s/tasks: built-in offline data sets, user data files, paper-style splits.
export type {
  Dataset,
  EmbeddingColumn,
  Examples,
  FixedSplit,
  LabelledPretrainSet,
  Modality,
  SplitName,
  Splits,
  UnlabeledRows,
} from './types.js';
export { SPLIT_NAMES } from './types.js';
export { taskRegistry, loadTask, TaskSpecSchema } from './registry.js';
export type { TaskDef, TaskSpec, LoadTaskOptions } from './registry.js';
export { FileTaskSpecSchema } from './files/file-task.js';
export type { FileTaskSpec } from './files/file-task.js';
export { SyntheticLinearSpecSchema } from './builtin/synthetic-linear.js';
export type { SyntheticLinearSpec } from './builtin/synthetic-linear.js';
export { SyntheticOverlapSpecSchema, OVERLAP_TYPES } from './builtin/synthetic-overlap.js';
export type { SyntheticOverlapSpec } from './builtin/synthetic-overlap.js';
export { DIGIT_CONCEPTS } from './builtin/digits.js';
export { makeSplits, SplitOptionsSchema } from './splits.js';
export { labelsOf, oneHotRows } from './labels.js';
export type { SplitOptions } from './splits.js';
export { digitPretrainSet, textPretrainCorpus, TEXT_CORPORA, TEXT_TASK_CORPORA } from './pretrain.js';
export type { TextCorpus } from './pretrain.js';
export { listTasks, formatTaskTable, classCounts } from './list.js';
export type { TaskInfo } from './list.js';
export { parseCsv } from './files/csv.js';
export { EmbeddingsClient, type EmbeddingsClientOptions, type Embeddings } from './embed/client.js';
export { embedTask, type EmbedTaskOptions } from './embed/embed-task.js';
