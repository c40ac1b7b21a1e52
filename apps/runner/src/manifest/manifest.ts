import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { BackendNameSchema, TrainConfigSchema, UserError } from '@w2s/core';
import { LossConfigSchema } from '@w2s/confidence-loss';
import { AdaptConfigSchema, ModelSpecSchema } from '@w2s/models';
import { EarlyStoppingModeSchema } from '@w2s/strong-student';
import { cosuperviseMismatch, WeakLabelsSchema } from '@w2s/weak-teacher';
import { TaskSpecSchema } from '@w2s/tasks';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { zodUserError } from './zod-errors.js';

/**
 * A ladder: which models of one family play weak teacher and strong student for the tasks of
 * one modality. Every (weak, strong) pair is a cell; with `pairs: weak-below-strong` only pairs
 * where the weak size comes strictly before the strong size in `sizes` order (the paper's grid).
 */
export const LadderSchema = z.strictObject({
  family: ModelSpecSchema.shape.family,
  mode: ModelSpecSchema.shape.mode,
  head: ModelSpecSchema.shape.head,
  /** `none`: train from scratch (mlp family): capacity alone separates weak and strong. */
  pretrain: ModelSpecSchema.shape.pretrain,
  /** tfjs family: the user's LayersModel directory. */
  path: z.string().optional(),
  weak: z.array(z.string()).min(1),
  strong: z.array(z.string()).min(1),
  pairs: z.enum(['all', 'weak-below-strong']).default('all'),
  /** Ladder order for `weak-below-strong` (default: weak sizes then strong sizes as listed). */
  order: z.array(z.string()).optional(),
  /**
   * This ladder's choices (family, mode, sizes) were made by looking at test-split results: every
   * row it produces gets `tuned_on_test`, until they are re-chosen on a validation split or a
   * held-out seed. Only a label: it changes no computation and no stage key.
   */
  tunedOnTest: z.boolean().default(false),
});
export type Ladder = z.infer<typeof LadderSchema>;

/** A method: how the weak labels are made and how the student learns from them. */
export const MethodSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only'),
  loss: LossConfigSchema.default({ name: 'xent' }),
  earlyStopping: EarlyStoppingModeSchema.default('none'),
  weak: WeakLabelsSchema.optional(),
  /**
   * Strong-model adaptation (Burns et al. 2023 §5.2.2): before the ceiling and the student train,
   * the strong backbone continues its self-supervised (denoising) training for `epochs` on the
   * unlabelled inputs of weak-train and transfer (never val or test); both use the adapted backbone.
   */
  adapt: AdaptConfigSchema.optional(),
  /**
   * This method's settings were chosen by looking at test-split results (e.g. a sweep on the
   * seeds and splits it is reported on): its rows get `tuned_on_test`, until re-chosen on a
   * validation split or a held-out seed. Only a label: it changes no computation and no stage key.
   */
  tunedOnTest: z.boolean().default(false),
});
export type Method = z.infer<typeof MethodSchema>;

const TrainOverrideSchema = TrainConfigSchema.partial().strict();

export const ManifestSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Names the results folder (results/<name>): so never ".", ".." or hidden (a leading dot). */
  name: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/, 'letters, digits, ".", "_" and "-" only, not starting with "." (it names the results folder)'),
  description: z.string().optional(),
  /** Tensor backend; W2S_BACKEND or --backend override it. */
  backend: BackendNameSchema.default('auto'),
  /** Results directory, relative to the manifest's folder (default: results/<name> in the workspace). */
  output: z.string().optional(),
  /** One cell per seed: the seed fixes splits, weight init, batch order and bootstrap. */
  seeds: z.array(z.int().min(0)).min(1).default([0]),
  /** Seed of backbone pretraining, shared by every cell (a pretrained model is fixed, as in the paper). */
  pretrainSeed: z.int().min(0).default(0),
  splits: z
    .strictObject({
      nDocs: z.int().min(2).default(1000),
      nTest: z.int().min(1).default(500),
      nVal: z.int().min(0).default(0),
      balance: z.boolean().default(false),
    })
    .prefault({}),
  tasks: z.array(z.union([z.string(), TaskSpecSchema])).min(1),
  /** The ladder of each modality used by the tasks (image, vector, text, embedding). */
  ladders: z.partialRecord(z.enum(['image', 'vector', 'text', 'embedding']), LadderSchema),
  methods: z.array(MethodSchema).min(1),
  /** Training overrides on top of each family/size's defaults. */
  train: z.strictObject({ weak: TrainOverrideSchema.optional(), strong: TrainOverrideSchema.optional() }).prefault({}),
  /** Bootstrap resamples for the intervals. */
  bootstrap: z.strictObject({ resamples: z.int().min(100).default(1000) }).prefault({}),
}).superRefine((m, ctx) => {
  const names = new Set<string>();
  m.methods.forEach((method, i) => {
    if (names.has(method.name)) ctx.addIssue({ code: 'custom', path: ['methods', i, 'name'], message: `duplicate method name "${method.name}"` });
    names.add(method.name);
    if (method.weak?.ensemble?.vary === 'debate-seed' && !method.weak.debate) {
      ctx.addIssue({ code: 'custom', path: ['methods', i, 'weak', 'ensemble', 'vary'], message: '"debate-seed" needs weak.debate' });
    }
    const mismatch = cosuperviseMismatch(method.weak, method.loss.name);
    if (mismatch) ctx.addIssue({ code: 'custom', path: ['methods', i, mismatch.path, ...(mismatch.path === 'weak' ? ['cosupervise'] : ['name'])], message: mismatch.message });
  });
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** The manifest schema as JSON Schema, for editor completion (`w2s schema`). */
export function manifestJsonSchema(): unknown {
  return z.toJSONSchema(ManifestSchema, { io: 'input', unrepresentable: 'any' });
}

export interface LoadedManifest {
  manifest: Manifest;
  path: string;
  /** Directory that relative paths in the manifest are resolved against. */
  baseDir: string;
}

/** Reads, parses and validates a manifest file (YAML or JSON); every problem is a UserError. */
export function loadManifest(file: string): LoadedManifest {
  const path = resolve(file);
  if (!existsSync(path)) throw new UserError('manifest file not found', file);
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new UserError(`not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`, file);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UserError('a manifest must be a mapping (name, tasks, ladders, methods, ...)', file);
  if (!('name' in raw)) (raw as Record<string, unknown>).name = basename(path).replace(/\.(ya?ml|json)$/, '');
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) throw zodUserError(parsed.error, file);
  return { manifest: parsed.data, path, baseDir: dirname(path) };
}
