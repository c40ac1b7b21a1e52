// The label helpers moved down to @w2s/tasks (strong-student needs them too and must not import
// this lib); re-exported here so @w2s/weak-teacher's API is unchanged.
export { labelsOf, oneHotRows } from '@w2s/tasks';
