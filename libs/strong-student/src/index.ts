// @w2s/strong-student: ceilings and weak-to-strong transfer training.
export {
  trainStudent,
  trainCeiling,
  sideBySide,
  EarlyStoppingModeSchema,
  type EarlyStoppingMode,
  type StudentOptions,
  type StudentResult,
} from './student.js';
