// @w2s/weak-teacher: the whole weak-label method: weak models trained on ground truth, their soft
// labels, ensembles, and debate-assisted labels (with @w2s/debate).
export { trainWeakTeacher, type WeakTeacherOptions, type WeakLabels } from './weak-teacher.js';
export { oneHotRows, labelsOf } from './labels.js';
export {
  aggregateProbs,
  bootstrapResample,
  DEFAULT_ENSEMBLE_SIZE,
  EnsembleConfigSchema,
  ensembleSize,
  MemberModelSchema,
  memberSpecs,
  type Aggregation,
  type EnsembleConfig,
  type MemberModel,
} from './ensemble.js';
export { parseWeakLabelsConfig, WeakLabelsSchema, type WeakLabelsConfig, type WeakLabelsConfigInput } from './weak-labels-config.js';
export { makeWeakLabels, type StoredTranscript, type WeakLabelsResult } from './make-weak-labels.js';
export { weakLabelsContext, type SimpleWeakLabelsOptions } from './weak-labels-context.js';
export {
  checkSelectionFor,
  DebateSelectionSchema,
  DebateSettingSchema,
  selectionCandidates,
  settingLabel,
  type DebateSelection,
  type DebateSelectionRecord,
} from './debate-selection.js';
export { checkDebateFor, strongSawGt, type WeakLabelsContext } from './debate/index.js';
export { ChainConfigSchema, chainSpecs, trainChainLink, type ChainConfig, type ChainLinkOptions } from './chain.js';
export {
  checkCosuperviseFor,
  CosuperviseConfigSchema,
  cosuperviseMismatch,
  kMeans,
  MIN_SPECIALIST_EXAMPLES,
  specialistParts,
  type CosuperviseConfig,
} from './cosupervise.js';
