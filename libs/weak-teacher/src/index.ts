// @w2s/weak-teacher: ground-truth training of weak models and their soft labels.
export { trainWeakTeacher, type WeakTeacherOptions, type WeakLabels } from './weak-teacher.js';
export { oneHotRows, labelsOf } from './labels.js';
