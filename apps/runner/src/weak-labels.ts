// The weak-labels stage: one weak model trained on ground truth, or an ensemble of them, each
// optionally reading debate transcripts (Lang, Huang & Li 2025). The strong student later learns
// from these labels WITHOUT transcripts.
import * as tf from '@tensorflow/tfjs';
import { Rng, UserError, type ArtifactCache, type CurvePoint, type TrainConfig } from '@w2s/core';
import { patchUnits, coordinateUnits, evidenceMask, maskedInputJudge, runEvidenceDebate, type DebateConfig, type EvidenceTranscript, type FeatureUnits } from '@w2s/debate';
import { makeLoss } from '@w2s/confidence-loss';
import { accuracy } from '@w2s/metrics';
import { getBackbone, trainClassifier, type Backbone, type ModelSpec } from '@w2s/models';
import type { Dataset, Splits } from '@w2s/tasks';
import { aggregateProbs, bootstrapResample, labelsOf, oneHotRows, trainWeakTeacher, type WeakLabels } from '@w2s/weak-teacher';
import type { WeakLabelsConfig } from './manifest.js';

export interface WeakLabelsContext {
  task: Dataset;
  splits: Splits;
  seed: number;
  weak: ModelSpec;
  strong: ModelSpec;
  weakTrain: TrainConfig;
  strongTrain: TrainConfig;
  backboneOf: (spec: ModelSpec) => Promise<Backbone>;
  cache: ArtifactCache;
  onProgress?: (step: number, total: number) => void;
  note?: (message: string, frac: number) => void;
}

export interface WeakLabelsResult extends WeakLabels {
  /** Test accuracy of every ensemble member (one entry for a single weak model). */
  memberTestAcc: number[];
}

/** Examples a debate covers: every split (the weak model reads transcripts everywhere). */
function debatedIndices(splits: Splits): Int32Array {
  return Int32Array.from(new Set([...splits['weak-train'], ...splits.transfer, ...splits.val, ...splits.test])).sort();
}

/** Feature units a debater reveals: 4×4 patches of an image, single coordinates of a vector. */
function featureUnits(task: Dataset): FeatureUnits {
  const { shape, dim } = task.examples;
  if (task.modality === 'image' && shape) return patchUnits(shape, 4);
  if (task.modality === 'vector' && dim) return coordinateUnits(dim);
  throw new UserError(
    `embedded debate needs image or vector inputs; task "${task.name}" is ${task.modality} (use an LLM debater for text)`,
    'methods[].weak.debate',
  );
}

/** Rows of x for `indices`, row-major. */
function rowsOf(task: Dataset, indices: Int32Array): Float32Array {
  const { x, dim } = task.examples;
  const out = new Float32Array(indices.length * dim!);
  indices.forEach((i, r) => out.set(x!.subarray(i * dim!, (i + 1) * dim!), r * dim!));
  return out;
}

/** A dataset with the same labels and other inputs: for judges and for derived features. */
function withRows(task: Dataset, name: string, x: Float32Array, labels: Int32Array): Dataset {
  const n = labels.length;
  return {
    name,
    modality: task.modality,
    numClasses: task.numClasses,
    classNames: task.classNames,
    examples: { ids: Array.from({ length: n }, (_, i) => `${name}/${i}`), labels, x, dim: task.examples.dim, shape: task.examples.shape },
  };
}

/**
 * The debaters' judgement: the strong backbone with a head trained on the ground truth of
 * weak-train only (never transfer or test labels), on full inputs and on randomly masked copies,
 * so that partial reveals are in distribution.
 */
async function trainJudge(ctx: WeakLabelsContext, units: FeatureUnits) {
  const { task, splits } = ctx;
  const rng = new Rng(ctx.seed).fork('debate-judge');
  const base = splits['weak-train'];
  const copies = 4;
  const dim = task.examples.dim!;
  const x = new Float32Array(base.length * (copies + 1) * dim);
  const labels = new Int32Array(base.length * (copies + 1));
  const full = rowsOf(task, base);
  for (let c = 0; c <= copies; c++) {
    for (let r = 0; r < base.length; r++) {
      const row = (c * base.length + r) * dim;
      labels[c * base.length + r] = task.examples.labels[base[r]!]!;
      if (c === 0) {
        x.set(full.subarray(r * dim, (r + 1) * dim), row);
        continue;
      }
      const keep = 0.1 + 0.6 * rng.uniform(); // reveal 10–70 % of the features
      for (const coords of units.members) {
        if (rng.uniform() >= keep) continue;
        for (const j of coords) x[row + j] = full[r * dim + j]!;
      }
    }
  }
  const judgeTask = withRows(task, `${task.name}/judge-train`, x, labels);
  const backbone = await ctx.backboneOf(ctx.strong);
  const { classifier } = await trainClassifier({
    backbone,
    spec: { ...ctx.strong, mode: 'probe' },
    task: judgeTask,
    indices: Int32Array.from({ length: labels.length }, (_, i) => i),
    targets: oneHotRows(labels, Int32Array.from({ length: labels.length }, (_, i) => i), task.numClasses),
    loss: makeLoss({ name: 'xent' }),
    train: ctx.strongTrain,
    seed: ctx.seed,
  });
  return classifier;
}

/** Transcripts of one debate sample for the debated examples (in `indices` order). */
async function debateTranscripts(
  ctx: WeakLabelsContext,
  config: DebateConfig,
  debateSeed: number,
  indices: Int32Array,
  units: FeatureUnits,
  judge: Awaited<ReturnType<typeof trainJudge>>,
  weakPredictions?: Int32Array,
): Promise<EvidenceTranscript[]> {
  const { task } = ctx;
  const debated = withRows(task, `${task.name}/debated`, rowsOf(task, indices), labelsOf(task.examples.labels, indices));
  const evidenceJudge = maskedInputJudge({
    x: debated.examples.x!,
    units,
    baseline: 0,
    predict: (rows, n) => {
      const probe = withRows(task, `${task.name}/reveal`, rows, new Int32Array(n));
      return judge.predict(probe, Int32Array.from({ length: n }, (_, i) => i));
    },
  });
  return runEvidenceDebate(config, {
    ids: indices.length ? Array.from(indices, (i) => task.examples.ids[i]!) : [],
    judge: evidenceJudge,
    seed: debateSeed,
    weakPredictions,
    onProgress: (done, total) => ctx.note?.(`debate seed ${debateSeed}: ${done}/${total} examples`, done / total),
  });
}

/**
 * The weak model with the transcript as extra context: its frozen backbone's features of the
 * input, concatenated with the signed evidence mask (+1 revealed for class 1, −1 for class 0),
 * read by a head trained on weak-train ground truth. Exposed as an `embedding` column so the
 * ordinary probe training applies.
 */
async function weakWithTranscripts(
  ctx: WeakLabelsContext,
  indices: Int32Array,
  transcripts: EvidenceTranscript[],
  units: FeatureUnits,
): Promise<{ task: Dataset; spec: ModelSpec; backbone: Backbone }> {
  const { task } = ctx;
  const weakBackbone = await ctx.backboneOf(ctx.weak);
  const features = tf.tidy(() => weakBackbone.features(task, indices));
  const featureDim = features.shape[1];
  const featureValues = features.dataSync() as Float32Array;
  features.dispose();
  const F = units.members.length;
  const dim = featureDim + F;
  const n = task.examples.labels.length;
  const values = new Float32Array(n * dim);
  indices.forEach((i, r) => {
    values.set(featureValues.subarray(r * featureDim, (r + 1) * featureDim), i * dim);
    values.set(evidenceMask(transcripts[r]!, F), i * dim + featureDim);
  });
  const column = 'weak+debate';
  const derived: Dataset = {
    name: `${task.name}+debate`,
    modality: 'embedding',
    numClasses: task.numClasses,
    classNames: task.classNames,
    examples: { ids: task.examples.ids, labels: task.examples.labels, embeddings: { [column]: { dim, values } } },
  };
  const spec: ModelSpec = { family: 'embedding', size: column, column, mode: 'probe', head: ctx.weak.head };
  const backbone = await getBackbone(spec, derived, { cache: ctx.cache, seed: ctx.seed });
  return { task: derived, spec, backbone };
}

/** Weak labels for one cell: plain, ensemble, debate, or debate ensemble. */
export async function computeWeakLabels(ctx: WeakLabelsContext, config: WeakLabelsConfig | undefined): Promise<WeakLabelsResult> {
  const { task, splits } = ctx;
  const plainMember = async (seed: number, memberSplits: Splits) =>
    trainWeakTeacher({
      task,
      splits: memberSplits,
      spec: ctx.weak,
      backbone: await ctx.backboneOf(ctx.weak),
      train: ctx.weakTrain,
      seed,
      cache: ctx.cache,
      onProgress: ctx.onProgress,
    });
  if (!config) {
    const weak = await plainMember(ctx.seed, splits);
    return { ...weak, memberTestAcc: [weak.testAcc] };
  }
  const size = config.ensemble?.size ?? 1;
  const vary = config.ensemble?.vary ?? 'seed';
  const debate = config.debate;
  if (debate && debate.debater.kind !== 'embedded') {
    throw new UserError('LLM debaters are not wired into experiments yet: use debater.kind "embedded"', 'methods[].weak.debate.debater');
  }
  if (debate && task.numClasses !== 2) throw new UserError(`debate needs a binary task; "${task.name}" has ${task.numClasses} classes`, 'methods[].weak.debate');

  let units: FeatureUnits | undefined;
  let judge: Awaited<ReturnType<typeof trainJudge>> | undefined;
  let weakPredictions: Int32Array | undefined;
  const indices = debatedIndices(splits);
  if (debate) {
    units = featureUnits(task);
    judge = await trainJudge(ctx, units);
    if (debate.protocol === 'market-making') {
      // The consultant argues against the plain weak model's own prediction.
      const weakBackbone = await ctx.backboneOf(ctx.weak);
      const { classifier } = await trainClassifier({
        backbone: weakBackbone,
        spec: ctx.weak,
        task,
        indices: splits['weak-train'],
        targets: oneHotRows(task.examples.labels, splits['weak-train'], task.numClasses),
        loss: makeLoss({ name: 'xent' }),
        train: ctx.weakTrain,
        seed: ctx.seed,
        cache: ctx.cache,
      });
      const probs = classifier.predict(task, indices);
      classifier.dispose();
      weakPredictions = Int32Array.from({ length: indices.length }, (_, r) => (probs[2 * r + 1]! > probs[2 * r]! ? 1 : 0));
    }
  }
  try {
    const members: WeakLabels[] = [];
    for (let m = 0; m < size; m++) {
      const seed = m === 0 ? ctx.seed : new Rng(ctx.seed).fork(`ensemble-member/${m}`).int(2 ** 31);
      const memberSplits = vary === 'bootstrap' && m > 0
        ? { ...splits, 'weak-train': bootstrapResample(splits['weak-train'], new Rng(seed).fork('bootstrap')) }
        : splits;
      if (!debate) {
        members.push(await plainMember(seed, memberSplits));
        continue;
      }
      const debateSeed = vary === 'debate-seed' ? ctx.seed * 1000 + m : ctx.seed * 1000;
      const transcripts = await debateTranscripts(ctx, debate, debateSeed, indices, units!, judge!, weakPredictions);
      const withDebate = await weakWithTranscripts(ctx, indices, transcripts, units!);
      try {
        members.push(
          await trainWeakTeacher({
            task: withDebate.task,
            splits: memberSplits,
            spec: withDebate.spec,
            backbone: withDebate.backbone,
            train: ctx.weakTrain,
            seed,
            onProgress: ctx.onProgress,
          }),
        );
      } finally {
        withDebate.backbone.dispose();
      }
    }
    const how = config.ensemble?.aggregate ?? 'mean-prob';
    const k = task.numClasses;
    const combine = (split: 'transfer' | 'val' | 'test') => aggregateProbs(members.map((m) => m[split]), k, how);
    const test = combine('test');
    const curve: CurvePoint[] = members[0]!.curve;
    return {
      numClasses: k,
      transfer: combine('transfer'),
      val: splits.val.length ? combine('val') : new Float32Array(0),
      test,
      testAcc: accuracy({ values: test, numClasses: k }, labelsOf(task.examples.labels, splits.test)),
      curve,
      memberTestAcc: members.map((m) => m.testAcc),
    };
  } finally {
    judge?.dispose();
  }
}
