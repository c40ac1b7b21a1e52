import * as tf from '@tensorflow/tfjs';
import type { LossFn } from '@w2s/core/losses';
import { UserError } from './errors.js';
import { z } from 'zod';
import { AdaptconfOptionsSchema, adaptconfParsed } from './adaptconf.js';
import { BootstrapOptionsSchema, bootstrapParsed } from './bootstrap.js';
import { CosuperviseOptionsSchema, cosuperviseParsed } from './cosupervise.js';
import { EntropyOptionsSchema, entropyParsed } from './entropy.js';
import { LogconfOptionsSchema, logconfParsed, logconfThreshold } from './logconf.js';
import { DEFAULT_WHERE, parseOptions } from './options.js';
import { ProductOptionsSchema, productParsed } from './product.js';
import { RollingBuffer } from './quantile.js';
import { WindowOptionsSchema, windowParsed } from './window.js';
import { XentOptionsSchema, xentParsed } from './xent.js';

/**
 * A ready-to-use loss: logits [B, K] and weak-label probability rows [B, K] plus training progress
 * stepFrac ∈ [0, 1] → scalar, differentiable in `logits` (use it inside `tf.variableGrads` or
 * `optimizer.minimize`). Runs inside `tf.tidy`: only the returned scalar is left for the caller.
 */
export type { LossFn };

/** One registry entry: the options schema and a factory from parsed options to a LossFn. */
export interface LossEntry<S extends z.ZodType = z.ZodType> {
  description: string;
  schema: S;
  /** `where` prefixes the errors the loss can raise at call time (e.g. `loss.threshold`). */
  create(options: z.output<S>, where: string): LossFn;
}

function entry<S extends z.ZodType>(e: LossEntry<S>): LossEntry<S> {
  return e;
}

/** Every loss by name. Plain map: read it to list losses, their options and defaults. */
export const lossRegistry = {
  xent: entry({
    description: 'cross-entropy on the weak labels: CE(z, y)',
    schema: XentOptionsSchema,
    create: (_options, where) => (z, y, s) => xentParsed(z, y, s, where),
  }),
  logconf: entry({
    description: 'auxiliary confidence loss: CE(z, (1 − c)·y + c·ŷ), ŷ the hardened student prediction',
    schema: LogconfOptionsSchema,
    // The rolling policy's buffer and the step's threshold live in this closure: one per makeLoss call.
    create: (options, where) => {
      const buffer = options.threshold === 'rolling' ? new RollingBuffer(options.bufferSize) : undefined;
      let stepThreshold: number | undefined;
      const loss: LossFn = (z, y, s) => logconfParsed(z, y, s, options, buffer, where, stepThreshold);
      loss.beginStep = (logits, targets) => {
        const policy = options.threshold;
        stepThreshold =
          logits && targets && policy !== 'fixed'
            ? tf.tidy(() => logconfThreshold(tf.softmax(logits) as tf.Tensor2D, targets, policy, buffer, where))
            : undefined;
      };
      return loss;
    },
  }),
  product: entry({
    description: 'product loss: CE(z, t), t ∝ p^β · y^α',
    schema: ProductOptionsSchema,
    create: (options, where) => (z, y, s) => productParsed(z, y, s, options, where),
  }),
  bootstrap: entry({
    description: 'bootstrapping (Reed et al. 2015): CE(z, β·y + (1 − β)·p) (soft) or with onehot(argmax p) (hard)',
    schema: BootstrapOptionsSchema,
    create: (options, where) => (z, y, s) => bootstrapParsed(z, y, s, options, where),
  }),
  window: entry({
    description: 'cross-entropy only on examples with max p < 0.5 + radius, divided by the batch size',
    schema: WindowOptionsSchema,
    create: (options, where) => (z, y, s) => windowParsed(z, y, s, options, where),
  }),
  entropy: entry({
    description: 'entropy minimization (Grandvalet & Bengio 2004): (1 − c)·CE(z, y) + c·mean H(p), gradient through p',
    schema: EntropyOptionsSchema,
    create: (options, where) => (z, y, s) => entropyParsed(z, y, s, options, where),
  }),
  adaptconf: entry({
    description: 'adaptive confidence distillation (Guo et al. 2024): CE(z, (1 − β)·y + β·ŝ), β per example from the student\'s CE to its own and the teacher\'s hard label',
    schema: AdaptconfOptionsSchema,
    create: (options, where) => (z, y, s) => adaptconfParsed(z, y, s, options, where),
  }),
  cosupervise: entry({
    description: 'co-supervision by M specialised teachers (Liu & Alahi 2024): each example learns from the teacher whose label is most likely under the student, examples the student disagrees with dropped; targets [B, M·K] (needs weak.cosupervise)',
    schema: CosuperviseOptionsSchema,
    create: (options, where) => (z, y, s) => cosuperviseParsed(z, y, s, options, where),
  }),
};

export type LossName = keyof typeof lossRegistry;
export const LOSS_NAMES = Object.keys(lossRegistry) as LossName[];

/**
 * A loss as a manifest writes it: `{ name, ...options }`, e.g.
 * `{ name: 'logconf', auxCoef: 0.75, warmup: 'linear', warmupFrac: 0.2 }`. Unknown options are errors.
 */
export const LossConfigSchema = z.discriminatedUnion('name', [
  XentOptionsSchema.extend({ name: z.literal('xent') }),
  LogconfOptionsSchema.extend({ name: z.literal('logconf') }),
  ProductOptionsSchema.extend({ name: z.literal('product') }),
  BootstrapOptionsSchema.extend({ name: z.literal('bootstrap') }),
  WindowOptionsSchema.extend({ name: z.literal('window') }),
  EntropyOptionsSchema.extend({ name: z.literal('entropy') }),
  AdaptconfOptionsSchema.extend({ name: z.literal('adaptconf') }),
  CosuperviseOptionsSchema.extend({ name: z.literal('cosupervise') }),
]);
export type LossConfig = z.output<typeof LossConfigSchema>;
export type LossConfigInput = z.input<typeof LossConfigSchema>;

/**
 * Builds a loss from its config: a name (`'xent'`) or `{ name, ...options }`. Options are
 * validated and defaulted; the first problem throws one UserError naming it under `where`
 * (e.g. `loss.auxCoef: must be ≥ 0`, `loss.name: unknown loss "foo" (...)`).
 * Every call returns a fresh function; only logconf with `threshold: 'rolling'` has state
 * (its buffer of recent predictions, pushed on every call), so build one loss per training run
 * and call it once per step.
 */
export function makeLoss(config: unknown, where: string = DEFAULT_WHERE): LossFn {
  const raw = typeof config === 'string' ? { name: config } : config;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError(`must be a loss name or an object like { name: 'xent' }`, where);
  }
  const { name, ...options } = raw as Record<string, unknown>;
  if (typeof name !== 'string' || !Object.hasOwn(lossRegistry, name)) {
    const given = name === undefined ? 'missing' : `unknown loss ${JSON.stringify(name)}`;
    throw new UserError(`${given} (expected one of: ${LOSS_NAMES.join(', ')})`, `${where}.name`);
  }
  const lossEntry = lossRegistry[name as LossName] as LossEntry;
  return lossEntry.create(parseOptions(lossEntry.schema, options, where), where);
}
