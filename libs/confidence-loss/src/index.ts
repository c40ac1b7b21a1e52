// @w2s/confidence-loss: weak-to-strong transfer losses as pure tfjs functions.
// Every loss: (logits [B,K], targets [B,K] probability rows, stepFrac ∈ [0,1], options) → scalar,
// differentiable in logits, computed inside tf.tidy. See README.md for the formulas.
export { makeLoss, lossRegistry, LossConfigSchema, LOSS_NAMES } from './registry.js';
export type { LossFn, LossEntry, LossName, LossConfig, LossConfigInput } from './registry.js';

export { softCrossEntropy, perExampleCrossEntropy, stopGradient } from './tensor-ops.js';
export { quantile, RollingBuffer } from './quantile.js';
export { UserError } from './errors.js';

export { xent, XentOptionsSchema } from './xent.js';
export type { XentOptions } from './xent.js';
export {
  logconf,
  logconfTarget,
  confidenceCoef,
  hardenPredictions,
  LogconfOptionsSchema,
  WARMUP_SCHEDULES,
  THRESHOLD_POLICIES,
} from './logconf.js';
export type { LogconfOptions, LogconfOptionsInput } from './logconf.js';
export { product, productTarget, ProductOptionsSchema } from './product.js';
export type { ProductOptions, ProductOptionsInput } from './product.js';
export { bootstrap, bootstrapTarget, BootstrapOptionsSchema, BOOTSTRAP_MODES, BOOTSTRAP_DEFAULT_BETA } from './bootstrap.js';
export type { BootstrapOptions, BootstrapOptionsInput } from './bootstrap.js';
export { windowLoss, windowMask, WindowOptionsSchema } from './window.js';
export type { WindowOptions, WindowOptionsInput } from './window.js';
export { entropyLoss, EntropyOptionsSchema } from './entropy.js';
export type { EntropyOptions, EntropyOptionsInput } from './entropy.js';
export { adaptconf, adaptconfTarget, adaptconfWeights, AdaptconfOptionsSchema } from './adaptconf.js';
export type { AdaptconfOptions, AdaptconfOptionsInput } from './adaptconf.js';
export { cosupervise, cosuperviseAssignment, CosuperviseOptionsSchema } from './cosupervise.js';
export type { CosuperviseAssignment, CosuperviseOptions, CosuperviseOptionsInput } from './cosupervise.js';
