import { contentHash, TrainConfigSchema, UserError, type TrainConfig } from '@w2s/core';
import { resolve } from 'node:path';
import { checkAdaptFor, checkModelFor, defaultTrainConfig, ladder as sizeLadder, modelDirFingerprint, parseModelSpec, PRETRAIN_RECIPE_VERSION, pretrainSource, pretrainWork, type ModelSpec } from '@w2s/models';
import { chainSpecs, checkCosuperviseFor, checkDebateFor, checkSelectionFor, memberSpecs } from '@w2s/weak-teacher';
import { loadTask, makeSplits, type Dataset } from '@w2s/tasks';
import type { Ladder, LoadedManifest, Manifest, Method } from '../manifest/manifest.js';
import { datasetKey } from './fingerprint.js';

/** Bumped when a stage's computation changes meaning, so old cache entries are not reused. */
export const STAGE_VERSION = 1;
/**
 * Bumped for ceiling and transfer stages only: 2 = their curves record test accuracy and weak
 * agreement at every evaluation (older artifacts lack them; weak-gt stages are unchanged).
 */
const STRONG_CURVE_VERSION = 2;

export interface PlannedTask {
  index: number;
  dataset: Dataset;
  /** Content key of the dataset (inputs and labels). */
  key: string;
  ladder: Ladder;
}

/** One result row: a task, a (weak, strong) pair, a method and a seed. */
export interface Cell {
  id: string;
  task: PlannedTask;
  weak: ModelSpec;
  strong: ModelSpec;
  method: Method;
  seed: number;
  /** Weak ensemble members' models, when the method's ensemble varies by model. */
  members?: ModelSpec[];
  /** The intermediate models of a method's chain (`weak.chain`), smallest first. */
  links?: ModelSpec[];
}

export type StageKind = 'weak-gt' | 'ceiling' | 'transfer';
/**
 * Every stage kind: a cell's three, the links of a chain between its weak and strong model, and
 * `pretrain`: a backbone the training stages read (pretrained once, cached by @w2s/models).
 */
export type AnyStageKind = StageKind | 'weak-link' | 'pretrain';

/** A stage of the DAG, keyed by the hash of its config and its inputs' keys. */
export interface Stage {
  kind: AnyStageKind;
  key: string;
  /** The cell it belongs to (a pretrain stage: the first cell that reads the backbone). */
  cell: Cell;
  /** Keys of the stages it reads (transfer reads its weak-gt; training stages their backbones' pretrain stages). */
  inputs: string[];
  /** A pretrain stage's model. */
  model?: ModelSpec;
  /** A pretrain stage's estimated work (pretrainWork), so the scheduler starts the longest first. */
  cost?: number;
  /** Probe stages reading the same features (backbone, seed's splits): the scheduler spreads the groups over workers. */
  shares?: string;
  label: string;
  /** A weak-gt stage of the plain weak model (no ensemble, no debate), whatever its cell's method. */
  plain?: boolean;
  /** A link of a chain (kind `weak-link`): its model and the stage whose labels it learns from. */
  link?: { spec: ModelSpec; previous: Stage };
}

/**
 * A cell's stages, the plain weak model's stage (the baseline of `pgr_vs_plain`), and the links of
 * its chain, if its method has one (the transfer stage then reads the last link's labels).
 */
export type CellStages = Record<StageKind, Stage> & { plainWeak: Stage; chain?: Stage[] };

export interface Plan {
  manifest: Manifest;
  tasks: PlannedTask[];
  cells: Cell[];
  /** Unique stages in execution order (a weak model or ceiling shared by cells appears once). */
  stages: Stage[];
  stagesOf(cell: Cell): CellStages;
}

/** The training config a stage really uses: the family/size defaults, then the manifest's overrides. */
export function resolvedTrainConfig(manifest: Manifest, spec: ModelSpec, role: 'weak' | 'strong'): TrainConfig {
  return TrainConfigSchema.parse({ ...defaultTrainConfig(spec), ...manifest.train[role] });
}

/**
 * What a stage key says about a model: its spec, its size's rung of the family ladder (parameter
 * count, architecture and pretraining budget), the training config after defaults, and its
 * backbone: the key of its pretrain stage (corpus, recipe version, seed), or the content of a
 * user's tfjs model directory. Keys used to hash the spec and the manifest's overrides only, so a
 * changed default or ladder reused stale weak, ceiling and transfer artifacts (issue 21).
 */
function resolvedModel(manifest: Manifest, spec: ModelSpec, role: 'weak' | 'strong', backbone: string | undefined) {
  return {
    spec,
    rung: sizeLadder(spec.family).find((e) => e.size === spec.size) ?? null,
    train: resolvedTrainConfig(manifest, spec, role),
    backbone: backbone ?? null,
  };
}

function modelSpec(ladder: Ladder, size: string, where: string, baseDir: string): ModelSpec {
  return parseModelSpec(
    {
      family: ladder.family,
      size,
      mode: ladder.mode,
      head: ladder.head,
      ...(ladder.family === 'embedding' && { column: size }),
      // Relative to the manifest's folder, like every path in a manifest.
      ...(ladder.path !== undefined && { path: resolve(baseDir, ladder.path) }),
      ...(ladder.pretrain !== undefined && { pretrain: ladder.pretrain }),
    },
    where,
  );
}

function pairsOf(ladder: Ladder): [string, string][] {
  const order = ladder.order ?? [...new Set([...ladder.weak, ...ladder.strong])];
  const rank = (s: string) => order.indexOf(s);
  const pairs: [string, string][] = [];
  for (const w of ladder.weak) {
    for (const s of ladder.strong) {
      if (ladder.pairs === 'weak-below-strong' && !(rank(w) < rank(s))) continue;
      pairs.push([w, s]);
    }
  }
  return pairs;
}

function modelLabel(m: ModelSpec): string {
  return `${m.family}-${m.size}${m.mode === 'finetune' ? '-ft' : ''}${m.head === 'mlp' ? '-mlphead' : ''}`;
}
export { modelLabel };

/** The models of a method's weak ensemble members (the weak model for each, unless it varies by model). */
function ensembleModels(method: Method, methodIndex: number, weak: ModelSpec, dataset: Dataset): ModelSpec[] | undefined {
  const ensemble = method.weak?.ensemble;
  if (ensemble?.vary !== 'model') return undefined;
  const where = `methods[${methodIndex}].weak.ensemble`;
  const specs = memberSpecs(ensemble, weak, where);
  specs.forEach((spec, i) => checkModelFor(spec, dataset, `${where}.models[${i}]`));
  return specs;
}

/**
 * The models of a method's chain for one (weak, strong) pair, checked against the ladder's order
 * (`order`, else the family's size ladder): refused here, so `plan` refuses what `run` would.
 */
function chainModels(method: Method, methodIndex: number, weak: ModelSpec, strong: ModelSpec, task: PlannedTask): ModelSpec[] | undefined {
  const chain = method.weak?.chain;
  if (!chain) return undefined;
  const where = `methods[${methodIndex}].weak.chain`;
  const order = task.ladder.order ?? sizeLadder(weak.family).map((e) => e.size);
  const specs = chainSpecs(chain, weak, strong, order, where);
  specs.forEach((spec, i) => checkModelFor(spec, task.dataset, `${where}[${i}]`));
  return specs;
}

/** Expands a manifest into cells (task × pair × method × seed) and the stage DAG. */
export function planExperiment({ manifest, baseDir }: LoadedManifest): Plan {
  const splitSizes = new Map<Dataset, { val: number; weakTrain: number }>();
  const tasks: PlannedTask[] = manifest.tasks.map((spec, index) => {
    let dataset: Dataset;
    try {
      dataset = loadTask(spec, { baseDir });
    } catch (e) {
      if (e instanceof UserError) throw new UserError(e.message, `tasks[${index}]`);
      throw e;
    }
    const ladder = manifest.ladders[dataset.modality];
    if (!ladder) {
      throw new UserError(
        `task "${dataset.name}" is ${dataset.modality} data but the manifest has no ladders.${dataset.modality}`,
        `tasks[${index}]`,
      );
    }
    // The split sizes must fit the data. Checked while planning, so `plan` refuses what `run`
    // would and a run is refused before it creates anything. Sizes do not depend on the seed.
    try {
      const splits = makeSplits(dataset, { ...manifest.splits, seed: manifest.seeds[0] });
      splitSizes.set(dataset, { val: splits.val.length, weakTrain: splits['weak-train'].length });
    } catch (e) {
      if (e instanceof UserError) throw new UserError(e.message, 'splits');
      throw e;
    }
    return { index, dataset, key: datasetKey(dataset), ladder };
  });

  const cells: Cell[] = [];
  for (const task of tasks) {
    const where = `ladders.${task.dataset.modality}`;
    const pairs = pairsOf(task.ladder);
    if (pairs.length === 0) throw new UserError('no (weak, strong) pair is left: check weak, strong and pairs', where);
    for (const [w, s] of pairs) {
      const weak = modelSpec(task.ladder, w, `${where}.weak`, baseDir);
      const strong = modelSpec(task.ladder, s, `${where}.strong`, baseDir);
      checkModelFor(weak, task.dataset, `${where}.weak`);
      checkModelFor(strong, task.dataset, `${where}.strong`);
      for (const [methodIndex, method] of manifest.methods.entries()) {
        const members = ensembleModels(method, methodIndex, weak, task.dataset);
        if (method.weak?.debate) checkDebateFor(method.weak.debate, task.dataset, strong, `methods[${methodIndex}].weak`);
        if (method.weak?.select) checkSelectionFor(splitSizes.get(task.dataset)!.val, `methods[${methodIndex}].weak`);
        const links = chainModels(method, methodIndex, weak, strong, task);
        if (method.adapt) checkAdaptFor(strong, `methods[${methodIndex}].adapt`);
        if (method.weak?.cosupervise) checkCosuperviseFor(method.weak.cosupervise, splitSizes.get(task.dataset)!.weakTrain, `methods[${methodIndex}].weak.cosupervise`);
        for (const seed of manifest.seeds) {
          const id = `${task.dataset.name}/${modelLabel(weak)}->${modelLabel(strong)}/${method.name}/seed${seed}`;
          cells.push({ id, task, weak, strong, method, seed, ...(members && { members }), ...(links && { links }) });
        }
      }
    }
  }

  const splitConfig = (seed: number) => ({ ...manifest.splits, seed });
  const stageKeys = new Map<Cell, CellStages>();
  const stages = new Map<string, Stage>();
  const add = (stage: Stage) => {
    if (!stages.has(stage.key)) stages.set(stage.key, stage);
    return stages.get(stage.key)!;
  };
  // Weak-label stages whose LLM debaters send the same requests (same task, split seed and debate
  // config: e.g. "debate" and a "debate-ensemble" whose first sample is the same) run one after
  // another, so the later one reads the earlier one's cached completions instead of two worker
  // processes paying for the same completions at once. The order is an input only: keys are unchanged.
  const lastOfLlmChain = new Map<string, string>();
  const llmChainInputs = (cell: Cell, weakKey: string): string[] => {
    const debate = cell.method.weak?.debate;
    if (debate?.debater.kind !== 'llm' || stages.has(weakKey)) return [];
    const chain = contentHash({ task: cell.task.key, splits: splitConfig(cell.seed), seed: cell.seed, debate });
    const previous = lastOfLlmChain.get(chain);
    lastOfLlmChain.set(chain, weakKey);
    return previous ? [previous] : [];
  };
  // A backbone is a stage of its own, read by every training stage of its model: pretrained once
  // whatever the number of workers, shown by `w2s plan`. Probe and finetune share it. Its key
  // names what @w2s/models pretrains on (pretrainSource); a user's tfjs model has no pretrain
  // stage, its files' content goes into the keys of the stages that read it.
  const tfjsFiles = new Map<string, string>();
  const backboneOf = (spec: ModelSpec, cell: Cell): { key: string; stage?: Stage } | undefined => {
    if (spec.family === 'tfjs' && spec.path !== undefined) {
      if (!tfjsFiles.has(spec.path)) tfjsFiles.set(spec.path, `tfjs-files-${modelDirFingerprint(spec.path)}`);
      return { key: tfjsFiles.get(spec.path)! };
    }
    const source = pretrainSource(spec, cell.task.dataset);
    if (!source) return undefined;
    const backbone = { family: spec.family, size: spec.size, pretrain: spec.pretrain };
    const key = `backbone-${contentHash({
      v: STAGE_VERSION,
      backbone,
      rung: sizeLadder(spec.family).find((e) => e.size === spec.size) ?? null,
      recipe: PRETRAIN_RECIPE_VERSION,
      pretrainSeed: manifest.pretrainSeed,
      corpus: source.corpus,
      ...(source.fromTask && { task: cell.task.key }),
      ...(source.perSeed && { splits: splitConfig(cell.seed) }),
    }).slice(0, 24)}`;
    const label = `pretrain ${spec.family}-${spec.size} on ${source.corpus}${source.perSeed ? ` seed ${cell.seed}` : ''}`;
    return { key, stage: add({ kind: 'pretrain', key, cell, inputs: [], label, model: spec, cost: pretrainWork(spec, cell.task.dataset) }) };
  };
  const backboneKeys = (specs: ModelSpec[], cell: Cell) => specs.map((spec) => backboneOf(spec, cell));
  const pretrainInputs = (backbones: ({ stage?: Stage } | undefined)[]) => [...new Set(backbones.flatMap((b) => (b?.stage ? [b.stage.key] : [])))];
  for (const cell of cells) {
    const common = { v: STAGE_VERSION, task: cell.task.key, splits: splitConfig(cell.seed), seed: cell.seed, pretrainSeed: manifest.pretrainSeed };
    // Plain weak labels depend on the weak model only (shared by every method); an ensemble or
    // debate makes them depend on the method, and debate on the strong model that argues.
    // A chain starts from the plain weak model: its weak-gt stage is the plain one.
    const weakMethod = cell.method.weak?.chain ? undefined : cell.method.weak;
    const [weakBackbone, strongBackbone] = backboneKeys([cell.weak, cell.strong], cell);
    const memberBackbones = cell.members ? backboneKeys(cell.members, cell) : [];
    const weakModel = resolvedModel(manifest, cell.weak, 'weak', weakBackbone?.key);
    const strongModel = resolvedModel(manifest, cell.strong, 'strong', strongBackbone?.key);
    const plainWeakKey = `weak-gt-${contentHash({ ...common, model: weakModel }).slice(0, 24)}`;
    const weakKey = weakMethod
      ? `weak-gt-${contentHash({
          ...common,
          model: weakModel,
          weakMethod,
          ...(cell.members && { members: cell.members.map((m, i) => resolvedModel(manifest, m, 'weak', memberBackbones[i]?.key)) }),
          // debateArtifact 3: the artifact stores the transcripts; judges are cross-fitted.
          ...(weakMethod.debate && { debater: strongModel, debateArtifact: 3 }),
          // specialists 2: balanced k-means (version 1 let an outlier make a part of its own).
          ...(weakMethod.cosupervise && { specialists: 2 }),
        }).slice(0, 24)}`
      : plainWeakKey;
    // An adapted strong backbone (method.adapt) makes its own ceiling, so PGR compares like with like.
    const adapt = cell.method.adapt;
    const ceilingKey = `ceiling-${contentHash({ ...common, model: strongModel, curve: STRONG_CURVE_VERSION, ...(adapt && { adapt }) }).slice(0, 24)}`;
    const t = cell.task.dataset.name;
    // The strong model's probe features on this seed's splits: computed by the first stage that
    // needs them, under a lease, so the scheduler starts another seed's stage beside it rather than a waiter.
    const strongFeatures = cell.strong.mode === 'probe' && strongBackbone ? { shares: `features ${strongBackbone.key} ${adapt ? contentHash(adapt) : ''} ${contentHash(splitConfig(cell.seed))}` } : {};
    // Every cell also gets the plain weak model, the baseline Lang et al. measure PGR against
    // (for a cell without ensemble or debate it is its own weak-gt stage).
    const plainWeak = add({ kind: 'weak-gt', key: plainWeakKey, cell, inputs: pretrainInputs([weakBackbone]), label: `weak-gt  ${t} ${modelLabel(cell.weak)} seed ${cell.seed}`, plain: true });
    // Each link learns from the previous one's labels of transfer (the first from the plain weak
    // model's), with the method's loss, as the student does; links shared by cells run once.
    const chain: Stage[] = [];
    for (const spec of cell.links ?? []) {
      const previous = chain.at(-1) ?? plainWeak;
      const [linkBackbone] = backboneKeys([spec], cell);
      const key = `weak-link-${contentHash({ ...common, model: resolvedModel(manifest, spec, 'strong', linkBackbone?.key), previous: previous.key, loss: cell.method.loss }).slice(0, 24)}`;
      chain.push(add({ kind: 'weak-link', key, cell, inputs: [...pretrainInputs([linkBackbone]), previous.key], label: `link     ${t} ${modelLabel(spec)} (${cell.method.name} chain) seed ${cell.seed}`, link: { spec, previous } }));
    }
    const studentReads = chain.at(-1)?.key ?? weakKey;
    // valCurve 1: with a val split a student's curve also records val accuracy and weak agreement (without one, nothing changed).
    const transferKey = `transfer-${contentHash({ ...common, curve: STRONG_CURVE_VERSION, ...(manifest.splits.nVal > 0 && { valCurve: 1 }), weakStage: studentReads, model: strongModel, ...(adapt && { adapt }), method: { loss: cell.method.loss, earlyStopping: cell.method.earlyStopping } }).slice(0, 24)}`;
    stageKeys.set(cell, {
      plainWeak,
      ...(chain.length > 0 && { chain }),
      'weak-gt': add({
        kind: 'weak-gt',
        key: weakKey,
        cell,
        inputs: [
          ...pretrainInputs([weakBackbone, ...memberBackbones, ...(weakMethod?.debate ? [strongBackbone] : [])]),
          ...llmChainInputs(cell, weakKey),
        ],
        label: `weak-gt  ${t} ${modelLabel(cell.weak)}${weakMethod ? ` (${cell.method.name} labels)` : ''} seed ${cell.seed}`,
      }),
      ceiling: add({ kind: 'ceiling', key: ceilingKey, cell, inputs: pretrainInputs([strongBackbone]), ...strongFeatures, label: `ceiling  ${t} ${modelLabel(cell.strong)}${adapt ? ` (adapted ${adapt.epochs} ep)` : ''} seed ${cell.seed}` }),
      transfer: add({
        kind: 'transfer',
        key: transferKey,
        cell,
        inputs: [...pretrainInputs([strongBackbone]), studentReads],
        ...strongFeatures,
        label: `transfer ${t} ${modelLabel(cell.weak)}->${modelLabel(cell.strong)} ${cell.method.name} seed ${cell.seed}`,
      }),
    });
  }
  return { manifest, tasks, cells, stages: [...stages.values()], stagesOf: (cell) => stageKeys.get(cell)! };
}

/** What a user should know about the tasks' data that does not stop a run (shown by `run` and `plan`). */
export function dataWarnings(plan: Plan): string[] {
  return plan.tasks.flatMap((task) => (task.dataset.warnings ?? []).map((warning) => `w2s: warning: tasks[${task.index}]: ${warning}`));
}
