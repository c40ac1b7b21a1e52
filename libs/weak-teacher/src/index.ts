// @w2s/weak-teacher: ground-truth training of weak models, their soft labels, ensembles.
export { trainWeakTeacher, type WeakTeacherOptions, type WeakLabels } from './weak-teacher.js';
export { oneHotRows, labelsOf } from './labels.js';
export { aggregateProbs, bootstrapResample, EnsembleConfigSchema, type EnsembleConfig, type Aggregation } from './ensemble.js';
