import { contentHash, UserError } from '@w2s/core';
import { parseModelSpec, type ModelSpec } from '@w2s/models';
import { loadTask, type Dataset } from '@w2s/tasks';
import type { Ladder, LoadedManifest, Manifest, Method } from './manifest.js';
import { datasetKey } from './fingerprint.js';

/** Bumped when a stage's computation changes meaning, so old cache entries are not reused. */
export const STAGE_VERSION = 1;

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
}

export type StageKind = 'weak-gt' | 'ceiling' | 'transfer';

/** A training stage, keyed by the hash of its config and its inputs' keys. */
export interface Stage {
  kind: StageKind;
  key: string;
  cell: Cell;
  /** Keys of the stages it reads (transfer reads its weak-gt). */
  inputs: string[];
  label: string;
}

export interface Plan {
  manifest: Manifest;
  tasks: PlannedTask[];
  cells: Cell[];
  /** Unique stages in execution order (a weak model or ceiling shared by cells appears once). */
  stages: Stage[];
  stagesOf(cell: Cell): Record<StageKind, Stage>;
}

function modelSpec(ladder: Ladder, size: string, where: string): ModelSpec {
  return parseModelSpec(
    {
      family: ladder.family,
      size,
      mode: ladder.mode,
      head: ladder.head,
      ...(ladder.family === 'embedding' && { column: size }),
      ...(ladder.path !== undefined && { path: ladder.path }),
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

/** Expands a manifest into cells (task × pair × method × seed) and the stage DAG. */
export function planExperiment({ manifest, baseDir }: LoadedManifest): Plan {
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
    return { index, dataset, key: datasetKey(dataset), ladder };
  });

  const cells: Cell[] = [];
  for (const task of tasks) {
    const where = `ladders.${task.dataset.modality}`;
    const pairs = pairsOf(task.ladder);
    if (pairs.length === 0) throw new UserError('no (weak, strong) pair is left: check weak, strong and pairs', where);
    for (const [w, s] of pairs) {
      const weak = modelSpec(task.ladder, w, `${where}.weak`);
      const strong = modelSpec(task.ladder, s, `${where}.strong`);
      for (const method of manifest.methods) {
        for (const seed of manifest.seeds) {
          const id = `${task.dataset.name}/${modelLabel(weak)}->${modelLabel(strong)}/${method.name}/seed${seed}`;
          cells.push({ id, task, weak, strong, method, seed });
        }
      }
    }
  }

  const splitConfig = (seed: number) => ({ ...manifest.splits, seed });
  const stageKeys = new Map<Cell, Record<StageKind, Stage>>();
  const stages = new Map<string, Stage>();
  const add = (stage: Stage) => {
    if (!stages.has(stage.key)) stages.set(stage.key, stage);
    return stages.get(stage.key)!;
  };
  for (const cell of cells) {
    const common = { v: STAGE_VERSION, task: cell.task.key, splits: splitConfig(cell.seed), seed: cell.seed, pretrainSeed: manifest.pretrainSeed };
    // Plain weak labels depend on the weak model only (shared by every method); an ensemble or
    // debate makes them depend on the method, and debate on the strong model that argues.
    const weakMethod = cell.method.weak;
    const weakKey = `weak-gt-${contentHash({
      ...common,
      model: cell.weak,
      train: manifest.train.weak,
      ...(weakMethod && { weakMethod, ...(weakMethod.debate && { debater: cell.strong, strongTrain: manifest.train.strong }) }),
    }).slice(0, 24)}`;
    const ceilingKey = `ceiling-${contentHash({ ...common, model: cell.strong, train: manifest.train.strong }).slice(0, 24)}`;
    const transferKey = `transfer-${contentHash({ ...common, weakStage: weakKey, model: cell.strong, train: manifest.train.strong, method: { loss: cell.method.loss, earlyStopping: cell.method.earlyStopping } }).slice(0, 24)}`;
    const t = cell.task.dataset.name;
    stageKeys.set(cell, {
      'weak-gt': add({
        kind: 'weak-gt',
        key: weakKey,
        cell,
        inputs: [],
        label: `weak-gt  ${t} ${modelLabel(cell.weak)}${weakMethod ? ` (${cell.method.name} labels)` : ''} seed ${cell.seed}`,
      }),
      ceiling: add({ kind: 'ceiling', key: ceilingKey, cell, inputs: [], label: `ceiling  ${t} ${modelLabel(cell.strong)} seed ${cell.seed}` }),
      transfer: add({
        kind: 'transfer',
        key: transferKey,
        cell,
        inputs: [weakKey],
        label: `transfer ${t} ${modelLabel(cell.weak)}->${modelLabel(cell.strong)} ${cell.method.name} seed ${cell.seed}`,
      }),
    });
  }
  return { manifest, tasks, cells, stages: [...stages.values()], stagesOf: (cell) => stageKeys.get(cell)! };
}
