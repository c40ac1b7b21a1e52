import { Rng, UserError } from '@w2s/core';
import { ModelSpecSchema, parseModelSpec, type ModelSpec } from '@w2s/models';
import { z } from 'zod';

/**
 * An ensemble member's model: a size of the cell's weak family (`"s"`), or a model of any family
 * (`{ family: cnn, size: xs }`; mode and head default to the weak model's).
 */
export const MemberModelSchema = z.union([
  z.string().min(1),
  z.strictObject({
    family: ModelSpecSchema.shape.family,
    size: z.string().min(1),
    mode: ModelSpecSchema.shape.mode.unwrap().optional(),
    head: ModelSpecSchema.shape.head.unwrap().optional(),
    column: z.string().optional(),
    path: z.string().optional(),
  }),
]);
export type MemberModel = z.infer<typeof MemberModelSchema>;

/** Members when neither `size` nor `models` says (the paper uses 4). */
export const DEFAULT_ENSEMBLE_SIZE = 4;

/**
 * A weak ensemble: members that differ by training seed (`seed`), by a bootstrap resample of
 * weak-train (`bootstrap`), by debate sample (`debate-seed`: member i is trained with the
 * transcripts of debate seed i, as in Lang, Huang & Li 2025), or by model (`model`: member i is
 * `models[i]`, e.g. other sizes or families of weak model). `size` members (default 4; with
 * `vary: model`, one per entry of `models`).
 */
export const EnsembleConfigSchema = z
  .strictObject({
    size: z.int().min(1).max(64).optional(),
    vary: z.enum(['seed', 'bootstrap', 'debate-seed', 'model']).default('seed'),
    models: z.array(MemberModelSchema).min(1).max(64).optional(),
    aggregate: z.enum(['mean-prob', 'mean-logit', 'median', 'vote']).default('mean-prob'),
  })
  .superRefine((e, ctx) => {
    if (e.vary === 'model' && !e.models) ctx.addIssue({ code: 'custom', path: ['models'], message: 'vary "model" needs models: the members\' models, e.g. [xs, s, m]' });
    if (e.vary !== 'model' && e.models) ctx.addIssue({ code: 'custom', path: ['models'], message: `models are only read with vary "model" (vary is "${e.vary}")` });
    if (e.models && e.size !== undefined && e.size !== e.models.length) {
      ctx.addIssue({ code: 'custom', path: ['size'], message: `size ${e.size} does not match the ${e.models.length} models (leave size out)` });
    }
  });
export type EnsembleConfig = z.infer<typeof EnsembleConfigSchema>;

/** How many members an ensemble config has. */
export function ensembleSize(config: EnsembleConfig): number {
  return config.models?.length ?? config.size ?? DEFAULT_ENSEMBLE_SIZE;
}

/**
 * Each member's model spec: `weak` for every member, except with `vary: model`, where member i is
 * `models[i]` (a bare size keeps the weak model's family, mode and head; an object overrides them).
 * `where` names the config in errors (e.g. `methods[2].weak.ensemble`).
 */
export function memberSpecs(config: EnsembleConfig, weak: ModelSpec, where = 'ensemble'): ModelSpec[] {
  if (config.vary !== 'model') return Array.from({ length: ensembleSize(config) }, () => weak);
  return config.models!.map((ref, i) => {
    const { column: _column, path: _path, ...inherited } = weak;
    const spec = typeof ref === 'string' ? { ...weak, size: ref, ...(weak.family === 'embedding' && { column: ref }) } : { ...inherited, ...ref };
    return parseModelSpec(spec, `${where}.models[${i}]`);
  });
}
export type Aggregation = EnsembleConfig['aggregate'];

/** Keeps logs finite for probabilities of exactly 0. */
const EPS = 1e-7;

/**
 * Combines members' probability rows [n × K] into one set of soft labels:
 * - `mean-prob`: p = (1/M) Σ_m p_m;
 * - `mean-logit`: p = softmax((1/M) Σ_m log p_m) (a normalized geometric mean);
 * - `median`: p_c ∝ median_m p_m,c, renormalized per row;
 * - `vote`: p_c = fraction of members whose argmax is c (ties in a member's argmax → lowest class).
 */
export function aggregateProbs(members: readonly Float32Array[], numClasses: number, how: Aggregation): Float32Array {
  if (members.length === 0) throw new UserError('needs at least one member', 'ensemble');
  const len = members[0]!.length;
  if (len % numClasses !== 0 || members.some((m) => m.length !== len)) {
    throw new UserError(`members must all have n × ${numClasses} probabilities`, 'ensemble');
  }
  const n = len / numClasses;
  const out = new Float32Array(len);
  const column = new Float64Array(members.length);
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    if (how === 'vote') {
      for (const m of members) {
        let best = 0;
        for (let c = 1; c < numClasses; c++) if (m[row + c]! > m[row + best]!) best = c;
        out[row + best]! += 1 / members.length;
      }
      continue;
    }
    let total = 0;
    const values = new Float64Array(numClasses);
    for (let c = 0; c < numClasses; c++) {
      members.forEach((m, j) => (column[j] = m[row + c]!));
      if (how === 'mean-prob') values[c] = column.reduce((s, v) => s + v, 0) / members.length;
      else if (how === 'mean-logit') values[c] = column.reduce((s, v) => s + Math.log(Math.max(v, EPS)), 0) / members.length;
      else values[c] = median(column);
    }
    if (how === 'mean-logit') {
      const max = Math.max(...values);
      for (let c = 0; c < numClasses; c++) values[c] = Math.exp(values[c]! - max);
    }
    for (let c = 0; c < numClasses; c++) total += values[c]!;
    for (let c = 0; c < numClasses; c++) out[row + c] = values[c]! / total;
  }
  return out;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A bootstrap resample of `indices` (same size, with replacement), sorted, from `rng`. */
export function bootstrapResample(indices: Int32Array, rng: Rng): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = indices[rng.int(indices.length)]!;
  return out.sort();
}
