import { ArtifactCache, currentBackend, stableStringify, type TrainConfig } from '@w2s/core';
import { adaptationIndices, adaptBackbone, getBackbone, pretrainsOnTaskInputs, type Backbone, type ModelSpec } from '@w2s/models';
import { trainCeiling, trainStudent } from '@w2s/strong-student';
import { makeSplits, type Splits } from '@w2s/tasks';
import { makeWeakLabels, trainChainLink } from '@w2s/weak-teacher';
import { readArtifact, teacherTransferKey, teacherTransfers, writeArtifact, type StageArtifact } from '../plan/artifacts.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvedTrainConfig, type Cell, type Plan, type Stage } from '../plan/plan.js';
import type { Progress } from './progress.js';

/** What a pretrain stage stores: which backbone it made ready, and whether it pretrained it. */
export interface PretrainRecord {
  /** The @w2s/models cache key of the pretrained weights. */
  backbone: string;
  pretrainedNow: boolean;
  pretraining: Record<string, unknown>;
  seconds: number;
}

const PRETRAIN_FILE = 'pretrain.json';

export interface StageExecutor {
  /** Runs a training stage (and the stages it reads), or reads it from the cache. */
  run(stage: Stage): Promise<StageArtifact>;
  /** Runs any stage of the plan (a pretrain stage included), or finds it in the cache. */
  complete(stage: Stage): Promise<{ seconds: number }>;
  splitsOf(cell: Cell): Splits;
  /** Frees every backbone this executor loaded. */
  dispose(): void;
}

/**
 * Runs the stages of a plan one after another. Every stage result goes to the artifact cache
 * under its content key, so a rerun (or another experiment sharing a stage) reads it back; the
 * pretrained backbones live in the cache too (see @w2s/models) and in memory while a run lasts.
 */
export function createStageExecutor(plan: Plan, cache: ArtifactCache, progress: Progress): StageExecutor {
  const { manifest } = plan;
  const backbones = new Map<string, Promise<Backbone>>();
  const splits = new Map<string, Splits>();
  const results = new Map<string, Promise<StageArtifact>>();

  const splitsOf = (cell: Cell): Splits => {
    const key = `${cell.task.key}/${cell.seed}`;
    let s = splits.get(key);
    if (!s) {
      s = makeSplits(cell.task.dataset, { ...manifest.splits, seed: cell.seed });
      splits.set(key, s);
    }
    return s;
  };

  const backboneOf = (spec: ModelSpec, cell: Cell): Promise<Backbone> => {
    // A numeric task without pretraining data of its own pretrains on its cell's weak-train and
    // transfer inputs: one backbone per seed.
    const perSeed = pretrainsOnTaskInputs(cell.task.dataset);
    const key = `${stableStringify(spec)}|${cell.task.key}${perSeed ? `|seed ${cell.seed}` : ''}`;
    let b = backbones.get(key);
    if (!b) {
      b = getBackbone(spec, cell.task.dataset, {
        cache,
        seed: manifest.pretrainSeed,
        onProgress: (msg, frac) => progress.note(msg, frac),
        splits: splitsOf(cell),
      });
      backbones.set(key, b);
    }
    return b;
  };

  // The strong backbone of a method with `adapt`: adapted on the unlabelled inputs of weak-train and
  // transfer (never val or test) of the cell's seed; shared by its ceiling and transfer stages.
  const strongBackboneOf = (cell: Cell): Promise<Backbone> => {
    const adapt = cell.method.adapt;
    if (!adapt) return backboneOf(cell.strong, cell);
    const key = `${stableStringify(cell.strong)}|${cell.task.key}|seed ${cell.seed}|adapt ${stableStringify(adapt)}`;
    let b = backbones.get(key);
    if (!b) {
      b = backboneOf(cell.strong, cell).then((base) =>
        adaptBackbone(base, cell.task.dataset, adaptationIndices(splitsOf(cell)), adapt, { cache, seed: cell.seed, onProgress: (msg, frac) => progress.note(msg, frac) }),
      );
      backbones.set(key, b);
    }
    return b;
  };

  // The same resolution the stage keys hash (plan.ts).
  const trainConfig = (spec: ModelSpec, role: 'weak' | 'strong'): TrainConfig => resolvedTrainConfig(manifest, spec, role);

  const onStep = (step: number, total: number) => progress.step(step, total);

  async function compute(stage: Stage): Promise<Omit<StageArtifact, 'seconds'>> {
    const { cell } = stage;
    const common = { task: cell.task.dataset, splits: splitsOf(cell), seed: cell.seed, cache, onProgress: onStep };
    if (stage.kind === 'weak-gt') {
      await backboneOf(cell.weak, cell);
      progress.stageStart(stage);
      const weak = await makeWeakLabels(
        {
          task: cell.task.dataset,
          splits: common.splits,
          seed: cell.seed,
          weak: cell.weak,
          strong: cell.strong,
          weakTrainOf: (spec) => trainConfig(spec, 'weak'),
          strongTrain: trainConfig(cell.strong, 'strong'),
          backboneOf: (spec) => backboneOf(spec, cell),
          cache,
          onProgress: onStep,
          note: (message, frac) => progress.note(message, frac),
          where: `methods[${manifest.methods.indexOf(cell.method)}].weak`,
        },
        stage.plain ? undefined : cell.method.weak,
      );
      return {
        probs: {
          transfer: weak.transfer,
          val: weak.val,
          test: weak.test,
          ...Object.fromEntries((weak.teacherTransfer ?? []).map((rows, m) => [teacherTransferKey(m), rows])),
        },
        numClasses: weak.numClasses,
        testAcc: weak.testAcc,
        curve: weak.curve,
        memberTestAcc: weak.memberTestAcc,
        ...(weak.teacherTrainSizes && { teacherTrainSizes: weak.teacherTrainSizes }),
        ...(weak.transcripts.length > 0 && { transcripts: weak.transcripts }),
        ...(weak.selection && { selection: weak.selection }),
      };
    }
    if (stage.kind === 'weak-link') {
      const { spec, previous } = stage.link!;
      const teacher = await run(previous);
      const backbone = await backboneOf(spec, cell);
      progress.stageStart(stage);
      const link = await trainChainLink({ ...common, spec, backbone, train: trainConfig(spec, 'strong'), targets: teacher.probs.transfer!, loss: cell.method.loss });
      return {
        probs: { transfer: link.transfer, val: link.val, test: link.test },
        numClasses: link.numClasses,
        testAcc: link.testAcc,
        curve: link.curve,
      };
    }
    const backbone = await strongBackboneOf(cell);
    const train = trainConfig(cell.strong, 'strong');
    if (stage.kind === 'ceiling') {
      progress.stageStart(stage);
      // Last step, whatever the method's rule: one ceiling for all methods (why: strong-student README).
      const ceiling = await trainCeiling({ ...common, spec: cell.strong, backbone, train, earlyStopping: 'none' });
      return {
        probs: { test: ceiling.test, transfer: ceiling.transfer },
        numClasses: cell.task.dataset.numClasses,
        testAcc: ceiling.testAcc,
        curve: ceiling.curve,
        usesGtForSelection: false,
        selectedStep: ceiling.selectedStep,
      };
    }
    // The labels the student learns from: its weak-gt stage's, or the last link's of a chain.
    const stages = plan.stagesOf(cell);
    const weak = await run(stages.chain?.at(-1) ?? stages['weak-gt']);
    progress.stageStart(stage);
    const student = await trainStudent({
      ...common,
      spec: cell.strong,
      backbone,
      train,
      targets: weak.probs.transfer!,
      // Co-supervision: every specialist's labels of transfer; the loss picks per example.
      teacherTargets: teacherTransfers(weak),
      loss: cell.method.loss,
      earlyStopping: cell.method.earlyStopping,
      weakVal: weak.probs.val,
    });
    return {
      probs: { test: student.test, transfer: student.transfer },
      numClasses: cell.task.dataset.numClasses,
      testAcc: student.testAcc,
      curve: student.curve,
      usesGtForSelection: student.usesGtForSelection,
      selectedStep: student.selectedStep,
    };
  }

  const stageByKey = new Map(plan.stages.map((s) => [s.key, s]));
  const pretrained = new Map<string, Promise<PretrainRecord>>();

  /** A pretrain stage: the backbone loaded (pretrained if the cache lacks it), and a record of it. */
  function pretrain(stage: Stage): Promise<PretrainRecord> {
    let result = pretrained.get(stage.key);
    if (!result) {
      result = once(stage, async () => {
        const started = performance.now();
        progress.stageStart(stage);
        const backbone = await backboneOf(stage.model!, stage.cell);
        return { backbone: backbone.key, pretrainedNow: backbone.pretrainedNow, pretraining: backbone.pretraining, seconds: (performance.now() - started) / 1000 };
      }, (dir, record) => writeFileSync(join(dir, PRETRAIN_FILE), JSON.stringify(record)), () => JSON.parse(readFileSync(join(cache.dir(stage.key), PRETRAIN_FILE), 'utf8')) as PretrainRecord);
      pretrained.set(stage.key, result);
    }
    return result;
  }

  function run(stage: Stage): Promise<StageArtifact> {
    if (stage.kind === 'pretrain') throw new Error(`run() is for training stages; ${stage.key} is a pretrain stage`);
    let result = results.get(stage.key);
    if (!result) {
      result = (async () => {
        if (!cache.has(stage.key)) for (const input of stage.inputs) await complete(stageByKey.get(input)!);
        return once(
        stage,
        async () => {
          const started = performance.now();
          const computed = await compute(stage);
          const backend = currentBackend();
          return { ...computed, seconds: (performance.now() - started) / 1000, backend: backend?.name, kernels: backend?.kernels };
        },
        writeArtifact,
        // Read back what the cache holds, so a fresh run and a cached rerun give identical tables.
        () => readArtifact(cache, stage.key),
      );
      })();
      results.set(stage.key, result);
    }
    return result;
  }

  /**
   * A stage computed at most once across processes: read from the cache, or, under the stage's
   * lease, computed, written and read back. Another process (a second `w2s run`, a worker)
   * computing it meanwhile: wait for its lease and read its result.
   */
  async function once<T extends { seconds: number }>(stage: Stage, computeIt: () => Promise<T>, write: (dir: string, value: T) => void, read: () => T): Promise<T> {
    const cached = () => {
      progress.stageDone(stage, { seconds: 0, cached: true });
      return read();
    };
    if (cache.has(stage.key)) return cached();
    const release = await cache.lease(stage.key);
    if (!release) return cached();
    let value: T;
    try {
      value = await computeIt();
      await cache.getOrCreate(stage.key, async (dir) => write(dir, value));
    } finally {
      release();
    }
    progress.stageDone(stage, { seconds: value.seconds, cached: false });
    return read();
  }

  const complete = (stage: Stage): Promise<{ seconds: number }> => (stage.kind === 'pretrain' ? pretrain(stage) : run(stage));

  return {
    run,
    complete,
    splitsOf,
    dispose() {
      for (const b of backbones.values()) void b.then((backbone) => backbone.dispose(), () => undefined);
      backbones.clear();
    },
  };
}
