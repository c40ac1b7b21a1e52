// @w2s/weak-teacher: ground-truth training of weak models, their soft labels, ensembles.
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
