// The whole weak-label method of one cell: one weak model trained on ground truth, or an
// ensemble of them, each optionally reading debate transcripts (Lang, Huang & Li 2025). The strong
// student later learns from these labels WITHOUT transcripts.
import { Rng, UserError, type CurvePoint } from '@w2s/core';
import { makeLoss } from '@w2s/confidence-loss';
import type { Transcript } from '@w2s/debate';
import { accuracy } from '@w2s/metrics';
import { cachedFeatures, computeFeatures, trainClassifier, type ModelSpec } from '@w2s/models';
import type { Dataset, Splits } from '@w2s/tasks';
import { debateSource, weakWithTranscripts, type WeakLabelsContext } from './debate/index.js';
import { selectionCandidates, selectOnVal, type DebateSelectionRecord } from './debate-selection.js';
import { aggregateProbs, bootstrapResample, ensembleSize, memberSpecs, type Aggregation } from './ensemble.js';
import { specialistParts } from './cosupervise.js';
import { labelsOf, oneHotRows } from './labels.js';
import { parseWeakLabelsConfig, type WeakLabelsConfigInput } from './weak-labels-config.js';
import { trainWeakTeacher, type WeakLabels } from './weak-teacher.js';

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
  /** With `select`: each debate setting's val accuracy and the one used. */
  selection?: DebateSelectionRecord;
  /** With `cosupervise`: each specialist's probability rows of transfer [n × K] (the student's loss picks among them). */
  teacherTransfer?: Float32Array[];
  /** With `cosupervise`: how many weak-train examples each specialist trained on. */
  teacherTrainSizes?: number[];
}

/** Member m's training seed: the cell's own for the first member (so it is the plain weak model), a fork for the others. */
function memberSeed(seed: number, m: number): number {
  return m === 0 ? seed : new Rng(seed).fork(`ensemble-member/${m}`).int(2 ** 31);
}

/** Members' soft labels combined (`how`), their test accuracy and each member's; the first member's curve. */
function combineMembers(task: Dataset, splits: Splits, members: WeakLabels[], how: Aggregation): WeakLabels & { memberTestAcc: number[] } {
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
}

/** Examples a debate covers: every split (the weak model reads transcripts everywhere). */
function debatedIndices(splits: Splits): Int32Array {
  return Int32Array.from(new Set([...splits['weak-train'], ...splits.transfer, ...splits.val, ...splits.test])).sort();
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

/**
 * Weak labels for one (task, splits, weak, strong, seed): plain (no config), an ensemble (of
 * seeds, bootstrap resamples or models), debate-assisted (each weak model also reads the
 * transcripts of a debate between two strong debaters), or a debate ensemble (members read
 * different debate seeds). Soft labels on transfer, val and test, every member's test accuracy,
 * and the transcripts the weak models read. `rawConfig` is validated (a UserError naming
 * `ctx.where` otherwise); defaults are filled in as in a manifest.
 */
export async function makeWeakLabels(ctx: WeakLabelsContext, rawConfig: WeakLabelsConfigInput | undefined): Promise<WeakLabelsResult> {
  const { task, splits } = ctx;
  const config = rawConfig === undefined ? undefined : parseWeakLabelsConfig(rawConfig, ctx.where ?? 'weak');
  if (config?.chain) {
    throw new UserError('a chain is trained link by link from the plain weak labels: call trainChainLink per link', `${ctx.where ?? 'weak'}.chain`);
  }
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
  if (config.cosupervise) {
    const cosupervise = config.cosupervise;
    const weakTrain = splits['weak-train'];
    const backbone = await ctx.backboneOf(ctx.weak);
    // Inputs only: the features of weak-train decide the parts, no label is read here.
    const features = cosupervise.partition === 'cluster' ? (ctx.cache ? await cachedFeatures(backbone, task, weakTrain, ctx.cache) : computeFeatures(backbone, task, weakTrain)) : undefined;
    const parts = specialistParts(cosupervise, weakTrain, features, backbone.featureDim, ctx.seed, `${ctx.where ?? 'weak'}.cosupervise`);
    const members: WeakLabels[] = [];
    for (const [m, part] of parts.entries()) {
      const seed = memberSeed(ctx.seed, m);
      members.push(await plainMember(ctx.weak, seed, { ...splits, 'weak-train': part }));
    }
    return { ...combineMembers(task, splits, members, 'mean-prob'), transcripts: [], teacherTransfer: members.map((m) => m.transfer), teacherTrainSizes: parts.map((p) => p.length) };
  }
  if (config.select && config.debate) {
    const { select, ...rest } = config;
    const candidates = selectionCandidates(config.debate, select);
    const { best, record } = await selectOnVal(task, splits, candidates, (debate) => makeWeakLabels(ctx, { ...rest, debate }));
    return { ...best, selection: record };
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
      const seed = memberSeed(ctx.seed, m);
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
    return { ...combineMembers(task, splits, members, ensemble?.aggregate ?? 'mean-prob'), transcripts: stored };
  } finally {
    source?.dispose();
  }
}
