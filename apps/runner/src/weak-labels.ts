// The weak-labels stage: one weak model trained on ground truth, or an ensemble of them, each
// optionally reading debate transcripts (Lang, Huang & Li 2025). The strong student later learns
// from these labels WITHOUT transcripts.
import { join } from 'node:path';
import { Rng, UserError, type ArtifactCache, type CurvePoint, type TrainConfig } from '@w2s/core';
import {
  coordinateUnits,
  evidenceMask,
  llmClient,
  maskedInputJudge,
  maskedTextJudge,
  patchUnits,
  revealedText,
  runEvidenceDebate,
  runLlmDebate,
  stanceTexts,
  wordTokens,
  type DebateConfig,
  type EvidenceJudge,
  type FeatureUnits,
  type Transcript,
} from '@w2s/debate';
import { makeLoss } from '@w2s/confidence-loss';
import { accuracy } from '@w2s/metrics';
import { cachedFeatures, computeFeatures, getBackbone, trainClassifier, type Backbone, type Classifier, type ModelSpec } from '@w2s/models';
import type { Dataset, Splits } from '@w2s/tasks';
import { aggregateProbs, bootstrapResample, ensembleSize, labelsOf, memberSpecs, oneHotRows, trainWeakTeacher, type WeakLabels } from '@w2s/weak-teacher';
import type { WeakLabelsConfig } from './manifest.js';

export interface WeakLabelsContext {
  task: Dataset;
  splits: Splits;
  seed: number;
  weak: ModelSpec;
  strong: ModelSpec;
  /** Training config of a weak model: the cell's weak model or an ensemble member. */
  weakTrainOf: (spec: ModelSpec) => TrainConfig;
  strongTrain: TrainConfig;
  backboneOf: (spec: ModelSpec) => Promise<Backbone>;
  cache: ArtifactCache;
  onProgress?: (step: number, total: number) => void;
  note?: (message: string, frac: number) => void;
  /** Where the method's weak config sits in the manifest (for errors), e.g. `methods[2].weak`. */
  where?: string;
}

/** One debated example's transcript as stored with the weak labels: each turn's argument as text. */
export interface StoredTranscript {
  /** The debate seed (one debate sample per seed). */
  seed: number;
  id: string;
  turns: { speaker: string; stance: number; content: string }[];
}

export interface WeakLabelsResult extends WeakLabels {
  /** Test accuracy of every ensemble member (one entry for a single weak model). */
  memberTestAcc: number[];
  /** Every debate sample the weak models read (empty without debate). */
  transcripts: StoredTranscript[];
}

const allOf = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Examples a debate covers: every split (the weak model reads transcripts everywhere). */
function debatedIndices(splits: Splits): Int32Array {
  return Int32Array.from(new Set([...splits['weak-train'], ...splits.transfer, ...splits.val, ...splits.test])).sort();
}

/** Row-major columns: `values` holds rows of `dim` values each. */
interface Columns {
  dim: number;
  values: Float32Array;
}

/** The rows of several column blocks (each n rows) side by side: n rows of Σ dim values. */
function concatColumns(blocks: Columns[], n: number): Columns {
  const dim = blocks.reduce((sum, b) => sum + b.dim, 0);
  const values = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    let at = r * dim;
    for (const b of blocks) {
      values.set(b.values.subarray(r * b.dim, (r + 1) * b.dim), at);
      at += b.dim;
    }
  }
  return { dim, values };
}

/** Rows of x for `indices`, row-major. */
function rowsOf(task: Dataset, indices: Int32Array): Float32Array {
  const { x, dim } = task.examples;
  const out = new Float32Array(indices.length * dim!);
  indices.forEach((i, r) => out.set(x!.subarray(i * dim!, (i + 1) * dim!), r * dim!));
  return out;
}

/** A dataset with the task's classes and other inputs: for judges and for derived features. */
function derivedTask(task: Dataset, name: string, inputs: { x: Float32Array } | { text: string[] }, labels?: Int32Array): Dataset {
  const n = 'x' in inputs ? inputs.x.length / task.examples.dim! : inputs.text.length;
  const examples = 'x' in inputs ? { x: inputs.x, dim: task.examples.dim, shape: task.examples.shape } : { text: inputs.text };
  return {
    name,
    modality: task.modality,
    numClasses: task.numClasses,
    classNames: task.classNames,
    examples: { ids: Array.from({ length: n }, (_, i) => `${name}/${i}`), labels: labels ?? new Int32Array(n), ...examples },
  };
}

/** Trains a probe of `backbone` on every example of `judgeTask` (cross-entropy on its labels). */
async function trainProbe(backbone: Backbone, spec: ModelSpec, judgeTask: Dataset, train: TrainConfig, seed: number): Promise<Classifier> {
  const all = allOf(judgeTask.examples.labels.length);
  const { classifier } = await trainClassifier({
    backbone,
    spec: { ...spec, mode: 'probe' },
    task: judgeTask,
    indices: all,
    targets: oneHotRows(judgeTask.examples.labels, all, judgeTask.numClasses),
    loss: makeLoss({ name: 'xent' }),
    train,
    seed,
  });
  return classifier;
}

/**
 * What one kind of debate gives the weak models: the transcripts of a debate seed (for the
 * debated examples, in `indices` order), and the columns a weak model reads from them.
 */
interface DebateSource {
  transcripts(debateSeed: number, weakPredictions?: Int32Array): Promise<Transcript[]>;
  /** Extra input columns (row-major, one row per transcript) for the weak model with `backbone`. */
  transcriptColumns(backbone: Backbone, transcripts: Transcript[]): Columns;
  /** What each turn of the transcript of debated example r says, as text (revealed patches, words, or the argument). */
  turnContents(transcript: Transcript, r: number): string[];
  dispose(): void;
}

/**
 * The debaters' judges, cross-fitted: weak-train is shuffled into two folds and one judge is
 * trained on each (`train(fold, rng)`). A weak-train example is debated under the judge that never
 * saw its label, any other example under the mean of both. Without this, weak-train transcripts
 * would come from a judge that knows their labels: cleaner than those of transfer and test, so the
 * weak model would learn to trust transcripts more than it should.
 */
async function crossFittedJudges(ctx: WeakLabelsContext, indices: Int32Array, train: (fold: Int32Array, rng: Rng) => Promise<Classifier>) {
  const rng = new Rng(ctx.seed).fork('debate-judge');
  const shuffled = rng.fork('folds').shuffle(Array.from(ctx.splits['weak-train']));
  const half = shuffled.length >> 1;
  const folds = [Int32Array.from(shuffled.slice(0, half)).sort(), Int32Array.from(shuffled.slice(half)).sort()];
  const foldOf = new Map<number, number>();
  folds.forEach((fold, k) => fold.forEach((i) => foldOf.set(i, k)));
  const judges: Classifier[] = [];
  try {
    for (const [k, fold] of folds.entries()) judges.push(await train(fold, rng.fork(`fold-${k}`)));
  } catch (e) {
    for (const j of judges) j.dispose();
    throw e;
  }
  /** Which judge scores debated example r: 0 or 1 (the other fold's), or 2 (the mean of both). */
  const judgeOf = (r: number) => {
    const fold = foldOf.get(indices[r]!);
    return fold === undefined ? 2 : 1 - fold;
  };
  /** The three predictors (judge 0, judge 1, their mean) given how to predict with one judge. */
  const predictors = <A extends unknown[]>(predict: (judge: Classifier, ...args: A) => Float32Array) => [
    (...args: A) => predict(judges[0]!, ...args),
    (...args: A) => predict(judges[1]!, ...args),
    (...args: A) => {
      const a = predict(judges[0]!, ...args);
      const b = predict(judges[1]!, ...args);
      return a.map((v, i) => (v + b[i]!) / 2);
    },
  ];
  return { judgeOf, predictors, dispose: () => judges.forEach((j) => j.dispose()) };
}

/** An evidence judge that hands each example to judges[judgeOf(example)]. */
function dispatchJudge(judges: EvidenceJudge[], judgeOf: (example: number) => number): EvidenceJudge {
  return {
    numFeatures: (example) => judges[judgeOf(example)]!.numFeatures(example),
    scoreReveals: (example, masks) => judges[judgeOf(example)]!.scoreReveals(example, masks),
  };
}

/**
 * Evidence debate over images (4×4 patches) and vectors (coordinates). The debaters' judgement:
 * the strong backbone with a head trained on the ground truth of weak-train only (never transfer
 * or test labels), on full inputs and on randomly masked copies, so that partial reveals are in
 * distribution. The weak model reads the signed evidence mask (+1 revealed for class 1, −1 for class 0).
 */
async function inputEvidenceSource(ctx: WeakLabelsContext, config: DebateConfig, indices: Int32Array): Promise<DebateSource> {
  const { task } = ctx;
  const { shape, dim } = task.examples;
  // checkDebateFor made sure an image has a shape and a vector a dim.
  const units: FeatureUnits = task.modality === 'image' ? patchUnits(shape!, 4) : coordinateUnits(dim!);
  const d = dim!;
  const copies = 4;
  const trainJudge = async (base: Int32Array, rng: Rng) => {
    const x = new Float32Array(base.length * (copies + 1) * d);
    const labels = new Int32Array(base.length * (copies + 1));
    const full = rowsOf(task, base);
    for (let c = 0; c <= copies; c++) {
      for (let r = 0; r < base.length; r++) {
        const row = (c * base.length + r) * d;
        labels[c * base.length + r] = task.examples.labels[base[r]!]!;
        if (c === 0) {
          x.set(full.subarray(r * d, (r + 1) * d), row);
          continue;
        }
        const keep = 0.1 + 0.6 * rng.uniform(); // reveal 10–70 % of the features
        for (const coords of units.members) {
          if (rng.uniform() >= keep) continue;
          for (const j of coords) x[row + j] = full[r * d + j]!;
        }
      }
    }
    return trainProbe(await ctx.backboneOf(ctx.strong), ctx.strong, derivedTask(task, `${task.name}/judge-train`, { x }, labels), ctx.strongTrain, ctx.seed);
  };
  const judges = await crossFittedJudges(ctx, indices, trainJudge);
  const debatedX = rowsOf(task, indices);
  const evidenceJudge = dispatchJudge(
    judges.predictors((judge, rows: Float32Array, n: number) => judge.predict(derivedTask(task, `${task.name}/reveal`, { x: rows }), allOf(n))).map((predict) =>
      maskedInputJudge({ x: debatedX, units, baseline: 0, predict }),
    ),
    judges.judgeOf,
  );
  const F = units.members.length;
  // Patches are numbered row by row over a grid ceil(width / 4) wide (see patchUnits).
  const gridWidth = task.modality === 'image' ? Math.ceil(shape![1]! / 4) : 0;
  const featureName = (f: number) => (task.modality === 'image' ? `patch r${Math.floor(f / gridWidth)}c${f % gridWidth}` : `x${f}`);
  return {
    transcripts: (debateSeed, weakPredictions) => evidenceDebate(ctx, config, indices, evidenceJudge, debateSeed, weakPredictions),
    turnContents: (t) => t.turns.map((turn) => ('features' in turn ? turn.features.map(featureName).join(', ') : turn.text)),
    transcriptColumns: (backbone, transcripts) => {
      // Per example: the signed mask, then the weak backbone's features of the input with only
      // the evidence for class 1 shown, and with only the evidence for class 0 shown.
      const n = transcripts.length;
      const shown = [new Float32Array(n * d), new Float32Array(n * d)];
      const masks = new Float32Array(n * F);
      transcripts.forEach((t, r) => {
        const mask = evidenceMask(t as Extract<Transcript, { kind: 'evidence' }>, F);
        masks.set(mask, r * F);
        mask.forEach((sign, f) => {
          if (sign === 0) return;
          for (const j of units.members[f]!) shown[sign > 0 ? 1 : 0]![r * d + j] = debatedX[r * d + j]!;
        });
      });
      const D = backbone.featureDim;
      const [forZero, forOne] = shown.map((x, c) => computeFeatures(backbone, derivedTask(task, `${task.name}/for-${c}`, { x }), allOf(n)));
      return concatColumns([{ dim: F, values: masks }, { dim: D, values: forOne! }, { dim: D, values: forZero! }], n);
    },
    dispose: judges.dispose,
  };
}

function evidenceDebate(ctx: WeakLabelsContext, config: DebateConfig, indices: Int32Array, judge: EvidenceJudge, seed: number, weakPredictions?: Int32Array) {
  return runEvidenceDebate(config, {
    ids: Array.from(indices, (i) => ctx.task.examples.ids[i]!),
    judge,
    seed,
    weakPredictions,
    onProgress: (done, total) => ctx.note?.(`debate seed ${seed}: ${done}/${total} examples`, done / total),
  });
}

/**
 * A weak text model reads a text transcript as two more texts through its own backbone: the
 * arguments for class 1 and those for class 0 (see stanceTexts), so that even a bag-of-words
 * model knows which side argued what. Columns: [features(for class 1), features(for class 0)].
 */
function stanceTextColumns(ctx: WeakLabelsContext, backbone: Backbone, transcripts: Transcript[], tokens?: (r: number) => string[]) {
  const sides = transcripts.map((t, r) => stanceTexts(t, tokens?.(r)));
  const n = transcripts.length;
  const D = backbone.featureDim;
  const forOne = computeFeatures(backbone, derivedTask(ctx.task, `${ctx.task.name}/for-1`, { text: sides.map((s) => s[1]) }), allOf(n));
  const forZero = computeFeatures(backbone, derivedTask(ctx.task, `${ctx.task.name}/for-0`, { text: sides.map((s) => s[0]) }), allOf(n));
  return concatColumns([{ dim: D, values: forOne }, { dim: D, values: forZero }], n);
}

/**
 * Evidence debate over texts: a feature is a word (the first `maxTextTokens` of each text). The
 * judge is the strong text backbone with a head trained on weak-train ground truth, on full texts
 * and on copies keeping a random 10–70 % of those words, so that partial reveals are in distribution.
 */
async function textEvidenceSource(ctx: WeakLabelsContext, config: DebateConfig, indices: Int32Array, maxTextTokens: number): Promise<DebateSource> {
  const { task } = ctx;
  const texts = task.examples.text!;
  const copies = 4;
  const trainJudge = async (base: Int32Array, rng: Rng) => {
    const judgeTexts: string[] = [];
    const labels = new Int32Array(base.length * (copies + 1));
    for (let c = 0; c <= copies; c++) {
      base.forEach((i, r) => {
        labels[c * base.length + r] = task.examples.labels[i]!;
        if (c === 0) return void judgeTexts.push(texts[i]!);
        const words = wordTokens(texts[i]!);
        const keep = 0.1 + 0.6 * rng.uniform();
        const mask = Uint8Array.from({ length: Math.min(words.length, maxTextTokens) }, () => (rng.uniform() < keep ? 1 : 0));
        judgeTexts.push(revealedText(words, mask));
      });
    }
    return trainProbe(await ctx.backboneOf(ctx.strong), ctx.strong, derivedTask(task, `${task.name}/judge-train`, { text: judgeTexts }, labels), ctx.strongTrain, ctx.seed);
  };
  const judges = await crossFittedJudges(ctx, indices, trainJudge);
  const debatedTexts = Array.from(indices, (i) => texts[i]!);
  const textJudges = judges
    .predictors((judge, reveals: string[]) => judge.predict(derivedTask(task, `${task.name}/reveal`, { text: reveals }), allOf(reveals.length)))
    .map((predictTexts) => maskedTextJudge({ texts: debatedTexts, maxFeatures: maxTextTokens, predictTexts }));
  const textJudge = { ...dispatchJudge(textJudges, judges.judgeOf), tokens: textJudges[0]!.tokens };
  return {
    transcripts: (debateSeed, weakPredictions) => evidenceDebate(ctx, config, indices, textJudge, debateSeed, weakPredictions),
    transcriptColumns: (backbone, transcripts) => stanceTextColumns(ctx, backbone, transcripts, (r) => textJudge.tokens[r]!),
    turnContents: (t, r) => t.turns.map((turn) => ('features' in turn ? turn.features.map((f) => textJudge.tokens[r]![f]!).join(' ') : turn.text)),
    dispose: judges.dispose,
  };
}

/**
 * LLM debaters (any OpenAI-compatible endpoint) argue each text; completions are cached under
 * `<cache>/llm-completions`, so a rerun never queries the endpoint again.
 */
function llmSource(ctx: WeakLabelsContext, config: DebateConfig, indices: Int32Array): DebateSource {
  const { task } = ctx;
  const client = llmClient(config.debater, join(ctx.cache.root, 'llm-completions'));
  return {
    transcripts: (debateSeed, weakPredictions) =>
      runLlmDebate(config, {
        ids: Array.from(indices, (i) => task.examples.ids[i]!),
        texts: Array.from(indices, (i) => task.examples.text![i]!),
        classNames: task.classNames,
        seed: debateSeed,
        weakPredictions,
        task: task.name,
        client,
        onProgress: (done, total) => ctx.note?.(`LLM debate seed ${debateSeed}: ${done}/${total} examples`, done / total),
      }),
    transcriptColumns: (backbone, transcripts) => stanceTextColumns(ctx, backbone, transcripts),
    turnContents: (t) => t.turns.map((turn) => ('text' in turn ? turn.text : '')),
    dispose: () => {},
  };
}

/**
 * Refuses a debate the task cannot have, naming `where` (the method's weak config): debate needs
 * a binary task; LLM debaters argue about texts; embedded debaters reveal image patches, vector
 * coordinates or words, judged by a strong model that reads those inputs.
 */
export function checkDebateFor(config: DebateConfig, task: Dataset, strong: ModelSpec, where: string): void {
  if (task.numClasses !== 2) throw new UserError(`debate needs a binary task; "${task.name}" has ${task.numClasses} classes`, `${where}.debate`);
  const isText = task.modality === 'text' && task.examples.text !== undefined;
  if (config.debater.kind === 'llm' && !isText) {
    throw new UserError(`LLM debaters argue about texts; task "${task.name}" is ${task.modality} data (use debater.kind "embedded")`, `${where}.debate.debater.kind`);
  }
  const readable = isText || (task.modality === 'image' && task.examples.shape) || (task.modality === 'vector' && task.examples.dim);
  if (!readable) throw new UserError(`embedded debate reads images, vectors and texts; task "${task.name}" is ${task.modality} data`, `${where}.debate`);
  if (config.debater.kind === 'embedded' && strong.family === 'embedding') {
    throw new UserError(
      `embedded debaters judge partly revealed inputs with the strong model, but the embedding family reads precomputed columns, not the inputs of task "${task.name}"; use a strong model that reads them (mlp, cnn, text, tfjs)`,
      `${where}.debate`,
    );
  }
}

async function debateSource(ctx: WeakLabelsContext, config: DebateConfig, indices: Int32Array): Promise<DebateSource> {
  checkDebateFor(config, ctx.task, ctx.strong, ctx.where ?? 'methods[]');
  if (config.debater.kind === 'llm') return llmSource(ctx, config, indices);
  if (ctx.task.modality === 'text') return textEvidenceSource(ctx, config, indices, config.debater.maxTextTokens);
  return inputEvidenceSource(ctx, config, indices);
}

/**
 * The weak model `spec` with the transcript as extra context: its frozen backbone's features of
 * the input, concatenated with the transcript's columns, read by a head trained on weak-train
 * ground truth. Exposed as an `embedding` column so the ordinary probe training applies.
 */
async function weakWithTranscripts(ctx: WeakLabelsContext, spec: ModelSpec, source: DebateSource, indices: Int32Array, transcripts: Transcript[]) {
  const { task } = ctx;
  const weakBackbone = await ctx.backboneOf(spec);
  // The input's features are the same for every member with this backbone: cached on disk once.
  const features = await cachedFeatures(weakBackbone, task, indices, ctx.cache);
  const joined = concatColumns([{ dim: weakBackbone.featureDim, values: features }, source.transcriptColumns(weakBackbone, transcripts)], indices.length);
  const dim = joined.dim;
  const values = new Float32Array(task.examples.labels.length * dim);
  indices.forEach((i, r) => values.set(joined.values.subarray(r * dim, (r + 1) * dim), i * dim));
  const column = 'weak+debate';
  const withDebate: Dataset = {
    name: `${task.name}+debate`,
    modality: 'embedding',
    numClasses: task.numClasses,
    classNames: task.classNames,
    examples: { ids: task.examples.ids, labels: task.examples.labels, embeddings: { [column]: { dim, values } } },
  };
  const columnSpec: ModelSpec = { family: 'embedding', size: column, column, mode: 'probe', head: spec.head };
  const backbone = await getBackbone(columnSpec, withDebate, { cache: ctx.cache, seed: ctx.seed });
  return { task: withDebate, spec: columnSpec, backbone };
}

/** The plain weak model's predicted class on `indices` (market-making argues against it). */
async function plainWeakPredictions(ctx: WeakLabelsContext, indices: Int32Array): Promise<Int32Array> {
  const { task, splits } = ctx;
  const { classifier } = await trainClassifier({
    backbone: await ctx.backboneOf(ctx.weak),
    spec: ctx.weak,
    task,
    indices: splits['weak-train'],
    targets: oneHotRows(task.examples.labels, splits['weak-train'], task.numClasses),
    loss: makeLoss({ name: 'xent' }),
    train: ctx.weakTrainOf(ctx.weak),
    seed: ctx.seed,
    cache: ctx.cache,
  });
  try {
    const probs = classifier.predict(task, indices);
    return Int32Array.from({ length: indices.length }, (_, r) => (probs[2 * r + 1]! > probs[2 * r]! ? 1 : 0));
  } finally {
    classifier.dispose();
  }
}

/** Weak labels for one cell: plain, ensemble (of seeds, resamples or models), debate, or debate ensemble. */
export async function computeWeakLabels(ctx: WeakLabelsContext, config: WeakLabelsConfig | undefined): Promise<WeakLabelsResult> {
  const { task, splits } = ctx;
  const plainMember = async (spec: ModelSpec, seed: number, memberSplits: Splits) =>
    trainWeakTeacher({
      task,
      splits: memberSplits,
      spec,
      backbone: await ctx.backboneOf(spec),
      train: ctx.weakTrainOf(spec),
      seed,
      cache: ctx.cache,
      onProgress: ctx.onProgress,
    });
  if (!config) {
    const weak = await plainMember(ctx.weak, ctx.seed, splits);
    return { ...weak, memberTestAcc: [weak.testAcc], transcripts: [] };
  }
  const ensemble = config.ensemble;
  const vary = ensemble?.vary ?? 'seed';
  const specs = ensemble ? memberSpecs(ensemble, ctx.weak, `${ctx.where ?? 'methods[]'}.ensemble`) : [ctx.weak];
  const size = ensemble ? ensembleSize(ensemble) : 1;
  const debate = config.debate;
  const indices = debatedIndices(splits);
  const source = debate ? await debateSource(ctx, debate, indices) : undefined;
  try {
    const weakPredictions = debate?.protocol === 'market-making' ? await plainWeakPredictions(ctx, indices) : undefined;
    // One debate sample per debate seed, shared by the members that read it.
    const samples = new Map<number, Promise<Transcript[]>>();
    const transcriptsOf = (debateSeed: number) => {
      if (!samples.has(debateSeed)) samples.set(debateSeed, source!.transcripts(debateSeed, weakPredictions));
      return samples.get(debateSeed)!;
    };
    const members: WeakLabels[] = [];
    for (let m = 0; m < size; m++) {
      const spec = specs[m]!;
      const seed = m === 0 ? ctx.seed : new Rng(ctx.seed).fork(`ensemble-member/${m}`).int(2 ** 31);
      const memberSplits = vary === 'bootstrap' && m > 0
        ? { ...splits, 'weak-train': bootstrapResample(splits['weak-train'], new Rng(seed).fork('bootstrap')) }
        : splits;
      if (!source) {
        members.push(await plainMember(spec, seed, memberSplits));
        continue;
      }
      const debateSeed = vary === 'debate-seed' ? ctx.seed * 1000 + m : ctx.seed * 1000;
      const withDebate = await weakWithTranscripts(ctx, spec, source, indices, await transcriptsOf(debateSeed));
      try {
        members.push(
          await trainWeakTeacher({
            task: withDebate.task,
            splits: memberSplits,
            spec: withDebate.spec,
            backbone: withDebate.backbone,
            train: ctx.weakTrainOf(spec),
            seed,
            onProgress: ctx.onProgress,
          }),
        );
      } finally {
        withDebate.backbone.dispose();
      }
    }
    const stored: StoredTranscript[] = [];
    for (const [debateSeed, sample] of samples) {
      (await sample).forEach((t, r) => {
        const contents = source!.turnContents(t, r);
        stored.push({ seed: debateSeed, id: t.id, turns: t.turns.map((turn, k) => ({ speaker: turn.speaker, stance: turn.stance, content: contents[k]! })) });
      });
    }
    const how = ensemble?.aggregate ?? 'mean-prob';
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
      transcripts: stored,
    };
  } finally {
    source?.dispose();
  }
}
