import type { CurvePoint } from '@w2s/core';
import { agreement, auroc, bootstrapCell, ece, misfit } from '@w2s/metrics';
import { adaptationObjective, pretrainingDataOf } from '@w2s/models';
import type { Splits } from '@w2s/tasks';
import { labelsOf, strongSawGt } from '@w2s/weak-teacher';
import type { StageArtifact } from '../plan/artifacts.js';
import type { ColumnSpec } from './arrow.js';
import { modelLabel, type Cell, type Stage, type StageKind } from '../plan/plan.js';

/** One row of runs.arrow: everything measured for one cell. */
export interface RunRow {
  experiment: string;
  cell_id: string;
  task: string;
  weak_model: string;
  strong_model: string;
  method: string;
  weak_labels: string;
  loss_config: string;
  early_stopping: string;
  seed: number;
  backend: string;
  kernels: string;
  /** What the strong model pretrained on (never task labels; a numeric task may use its own weak-train + transfer inputs). */
  strong_pretrain_data: string;
  n_weak_train: number;
  n_transfer: number;
  n_val: number;
  n_test: number;
  weak_acc: number;
  weak_members_acc: string;
  /** With a method's `select`: the debate setting chosen on val, and every setting's val accuracy (JSON); else "". */
  weak_setting: string;
  weak_setting_val_acc: string;
  /**
   * Test accuracy of each intermediate model of a chain (`weak.chain`), smallest first, as JSON;
   * null without a chain. A chain cell's weak_acc and pgr are the plain weak model's (the first link).
   */
  chain_acc?: string | null;
  ceiling_acc: number;
  w2s_acc: number;
  weak_acc_lo: number;
  weak_acc_hi: number;
  ceiling_acc_lo: number;
  ceiling_acc_hi: number;
  w2s_acc_lo: number;
  w2s_acc_hi: number;
  pgr: number | null;
  pgr_lo: number | null;
  pgr_hi: number | null;
  pgr_reason: string | null;
  /**
   * Bootstrap resamples of this cell where PGR is undefined (ceiling ≤ weak on the resample),
   * dropped from [pgr_lo, pgr_hi]; many mean the test set does not resolve the weak–ceiling gap.
   */
  pgr_dropped_resamples: number;
  /**
   * Seeds of this row's (task, weak, strong, method) group whose PGR is null, left out of the
   * group's mean seed PGR in report.md; the same value on every row of the group.
   */
  pgr_dropped_seeds: number;
  /** Accuracy of the plain weak model (one model on ground truth: no ensemble, no debate). */
  plain_weak_acc: number;
  /**
   * PGR against the plain weak model instead of this method's own weak labels (Lang, Huang & Li
   * 2025 measure debate and ensembles this way); equals pgr for methods without weak config.
   */
  pgr_vs_plain: number | null;
  pgr_vs_plain_lo: number | null;
  pgr_vs_plain_hi: number | null;
  pgr_vs_plain_dropped_resamples: number;
  agreement: number;
  misfit: number;
  ece: number;
  auroc: number | null;
  uses_gt_for_selection: boolean;
  /**
   * The settings behind this row were chosen on test-split results (the manifest's method or
   * ladder says `tunedOnTest: true`): its numbers are optimistic until re-chosen on validation.
   */
  tuned_on_test: boolean;
  /** The strong side saw task ground truth outside the ceiling: debate judges trained on weak-train GT (`judge: gt`). */
  strong_saw_gt: boolean;
  seconds_weak: number;
  seconds_ceiling: number;
  seconds_transfer: number;
  hash_weak: string;
  hash_ceiling: string;
  hash_transfer: string;
}

export const runColumns: ColumnSpec<RunRow> = {
  experiment: 'string', cell_id: 'string', task: 'string', weak_model: 'string', strong_model: 'string',
  method: 'string', weak_labels: 'string', loss_config: 'string', early_stopping: 'string', seed: 'int', backend: 'string',
  kernels: 'string', strong_pretrain_data: 'string', n_weak_train: 'int', n_transfer: 'int', n_val: 'int', n_test: 'int',
  weak_acc: 'float', weak_members_acc: 'string', weak_setting: 'string', weak_setting_val_acc: 'string', chain_acc: 'string', ceiling_acc: 'float', w2s_acc: 'float',
  weak_acc_lo: 'float', weak_acc_hi: 'float', ceiling_acc_lo: 'float', ceiling_acc_hi: 'float',
  w2s_acc_lo: 'float', w2s_acc_hi: 'float',
  pgr: 'float', pgr_lo: 'float', pgr_hi: 'float', pgr_reason: 'string', pgr_dropped_resamples: 'int', pgr_dropped_seeds: 'int',
  plain_weak_acc: 'float', pgr_vs_plain: 'float', pgr_vs_plain_lo: 'float', pgr_vs_plain_hi: 'float',
  pgr_vs_plain_dropped_resamples: 'int',
  agreement: 'float', misfit: 'float', ece: 'float', auroc: 'float', uses_gt_for_selection: 'bool', tuned_on_test: 'bool', strong_saw_gt: 'bool',
  seconds_weak: 'float', seconds_ceiling: 'float', seconds_transfer: 'float',
  hash_weak: 'string', hash_ceiling: 'string', hash_transfer: 'string',
};

export interface PredictionRow {
  cell_id: string;
  stage: string;
  split: string;
  example_id: string;
  gt: number;
  pred: number;
  probs: Float32Array;
}
export const predictionColumns: ColumnSpec<PredictionRow> = {
  cell_id: 'string', stage: 'string', split: 'string', example_id: 'string', gt: 'int', pred: 'int', probs: 'floatList',
};

export interface CurveRow {
  cell_id: string;
  stage: string;
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  /** The checkpoint-selection metric (weak-val: agreement with weak val labels; gt-val: val accuracy). */
  eval_metric: number | null;
  /** Ceiling and w2s, at each evaluation: test accuracy so far. For analysis only: it selects nothing. */
  test_acc: number | null;
  /** w2s, at each evaluation: argmax agreement with the weak labels of transfer (the labels it learns from). */
  weak_agreement: number | null;
  /** w2s with a val split, at each evaluation: val accuracy (what gt-val selects by). For analysis only. */
  val_acc: number | null;
  /** w2s with a val split, at each evaluation: argmax agreement with the weak labels of val (what weak-val selects by). */
  val_weak_agreement: number | null;
}
export const curveColumns: ColumnSpec<CurveRow> = {
  cell_id: 'string', stage: 'string', step: 'int', epoch: 'int', loss: 'float', lr: 'float', eval_metric: 'float',
  test_acc: 'float', weak_agreement: 'float', val_acc: 'float', val_weak_agreement: 'float',
};

/** One turn of one debated example (transcripts.arrow). */
export interface TranscriptRow {
  cell_id: string;
  debate_seed: number;
  example_id: string;
  split: string;
  gt: string;
  turn: number;
  speaker: string;
  stance: string;
  content: string;
}
export const transcriptColumns: ColumnSpec<TranscriptRow> = {
  cell_id: 'string', debate_seed: 'int', example_id: 'string', split: 'string', gt: 'string',
  turn: 'int', speaker: 'string', stance: 'string', content: 'string',
};

export interface CellArtifacts {
  stages: Record<StageKind, Stage>;
  weak: StageArtifact;
  /** The plain weak model's labels (the same artifact as `weak` for a method without weak config). */
  plainWeak: StageArtifact;
  ceiling: StageArtifact;
  transfer: StageArtifact;
  /** The links of a chain, smallest first (the student learned from the last one's labels). */
  chain?: StageArtifact[];
}

/** The labels the student learned from: the last link's for a chain, else the weak labels. */
function studentLabels(a: CellArtifacts): StageArtifact {
  return a.chain?.at(-1) ?? a.weak;
}

/**
 * What the cell's stages recorded about where they were computed: one value, or the distinct
 * values joined by "|" when cached stages of several kernel paths met in one cell (stages cached
 * before w2s recorded it say `unknown`).
 */
function stagesSay(a: CellArtifacts, field: 'backend' | 'kernels'): string {
  return [...new Set([a.weak, a.plainWeak, a.ceiling, a.transfer].map((s) => s[field] ?? 'unknown'))].sort().join('|');
}

/** The metrics row of one cell, with 95 % bootstrap intervals over its test examples. */
export function runRow(
  experiment: string,
  cell: Cell,
  splits: Splits,
  a: CellArtifacts,
  resamples: number,
): RunRow {
  const k = cell.task.dataset.numClasses;
  const flat = (values: Float32Array) => ({ values, numClasses: k });
  const testLabels = labelsOf(cell.task.dataset.examples.labels, splits.test);
  const boot = bootstrapCell(
    { labels: testLabels, weak: flat(a.weak.probs.test!), ceiling: flat(a.ceiling.probs.test!), w2s: flat(a.transfer.probs.test!) },
    { seed: cell.seed, resamples },
  );
  const plainBoot = a.plainWeak === a.weak
    ? boot
    : bootstrapCell({ labels: testLabels, weak: flat(a.plainWeak.probs.test!), ceiling: flat(a.ceiling.probs.test!), w2s: flat(a.transfer.probs.test!) }, { seed: cell.seed, resamples });
  const w2sAuroc = k === 2 ? auroc(flat(a.transfer.probs.test!), testLabels) : { value: null };
  return {
    experiment,
    cell_id: cell.id,
    task: cell.task.dataset.name,
    weak_model: modelLabel(cell.weak),
    strong_model: modelLabel(cell.strong),
    method: cell.method.name,
    weak_labels: cell.method.weak ? JSON.stringify(cell.method.weak) : 'single',
    loss_config: JSON.stringify(cell.method.loss),
    early_stopping: cell.method.earlyStopping,
    seed: cell.seed,
    backend: stagesSay(a, 'backend'),
    kernels: stagesSay(a, 'kernels'),
    strong_pretrain_data: pretrainingDataOf(cell.strong, cell.task.dataset) +
      (cell.method.adapt ? `; then adapted (${adaptationObjective(cell.strong)}, ${cell.method.adapt.epochs} epochs) on the weak-train and transfer inputs, labels unread` : ''),
    n_weak_train: splits['weak-train'].length,
    n_transfer: splits.transfer.length,
    n_val: splits.val.length,
    n_test: splits.test.length,
    weak_acc: boot.weakAcc.value,
    weak_members_acc: JSON.stringify(a.weak.memberTestAcc ?? [a.weak.testAcc]),
    weak_setting: a.weak.selection?.chosen ?? '',
    weak_setting_val_acc: a.weak.selection ? JSON.stringify(Object.fromEntries(a.weak.selection.candidates.map((c) => [c.setting, c.valAcc]))) : '',
    chain_acc: a.chain ? JSON.stringify(a.chain.map((link) => link.testAcc)) : null,
    ceiling_acc: boot.ceilingAcc.value,
    w2s_acc: boot.w2sAcc.value,
    weak_acc_lo: boot.weakAcc.low,
    weak_acc_hi: boot.weakAcc.high,
    ceiling_acc_lo: boot.ceilingAcc.low,
    ceiling_acc_hi: boot.ceilingAcc.high,
    w2s_acc_lo: boot.w2sAcc.low,
    w2s_acc_hi: boot.w2sAcc.high,
    pgr: boot.pgr.value,
    pgr_lo: boot.pgr.low,
    pgr_hi: boot.pgr.high,
    pgr_reason: boot.pgr.reason ?? null,
    pgr_dropped_resamples: boot.pgr.undefinedResamples,
    pgr_dropped_seeds: 0, // a group count: set by fillDroppedSeeds once the group's rows are known
    plain_weak_acc: plainBoot.weakAcc.value,
    pgr_vs_plain: plainBoot.pgr.value,
    pgr_vs_plain_lo: plainBoot.pgr.low,
    pgr_vs_plain_hi: plainBoot.pgr.high,
    pgr_vs_plain_dropped_resamples: plainBoot.pgr.undefinedResamples,
    agreement: agreement(flat(a.transfer.probs.test!), flat(studentLabels(a).probs.test!)),
    misfit: misfit(flat(a.transfer.probs.transfer!), flat(studentLabels(a).probs.transfer!)),
    ece: ece(flat(a.transfer.probs.test!), testLabels),
    auroc: w2sAuroc.value,
    uses_gt_for_selection: Boolean(a.transfer.usesGtForSelection),
    tuned_on_test: cell.method.tunedOnTest || cell.task.ladder.tunedOnTest,
    strong_saw_gt: strongSawGt(cell.method.weak?.debate),
    seconds_weak: a.weak.seconds,
    seconds_ceiling: a.ceiling.seconds,
    seconds_transfer: a.transfer.seconds,
    hash_weak: a.stages['weak-gt'].key,
    hash_ceiling: a.stages.ceiling.key,
    hash_transfer: a.stages.transfer.key,
  };
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
  return best;
}

/** One row per (stage, split, example) of a cell. */
export function predictionRows(cell: Cell, splits: Splits, a: CellArtifacts): PredictionRow[] {
  const { ids, labels } = cell.task.dataset.examples;
  const k = cell.task.dataset.numClasses;
  const rows: PredictionRow[] = [];
  const emit = (stage: string, artifact: StageArtifact, split: 'transfer' | 'test') => {
    const indices = splits[split];
    const probs = artifact.probs[split]!;
    for (let i = 0; i < indices.length; i++) {
      const p = probs.subarray(i * k, (i + 1) * k);
      rows.push({ cell_id: cell.id, stage, split, example_id: ids[indices[i]!]!, gt: labels[indices[i]!]!, pred: argmax(p), probs: p });
    }
  };
  emit('weak', a.weak, 'transfer');
  emit('weak', a.weak, 'test');
  a.chain?.forEach((link, i) => {
    emit(linkStageName(cell, i), link, 'transfer');
    emit(linkStageName(cell, i), link, 'test');
  });
  emit('ceiling', a.ceiling, 'test');
  emit('w2s', a.transfer, 'transfer');
  emit('w2s', a.transfer, 'test');
  return rows;
}

/**
 * One row per turn of every debate the cell's weak models read: who spoke, for which class, and
 * what they argued (the revealed patches or words, or an LLM's text). Empty without debate.
 */
export function transcriptRows(cell: Cell, splits: Splits, a: CellArtifacts): TranscriptRow[] {
  if (!a.weak.transcripts) return [];
  const { ids, labels } = cell.task.dataset.examples;
  const { classNames } = cell.task.dataset;
  const where = new Map<string, { split: string; index: number }>();
  for (const split of ['weak-train', 'transfer', 'val', 'test'] as const) for (const i of splits[split]) where.set(ids[i]!, { split, index: i });
  const rows: TranscriptRow[] = [];
  for (const t of a.weak.transcripts) {
    const at = where.get(t.id)!;
    t.turns.forEach((turn, k) => {
      rows.push({
        cell_id: cell.id,
        debate_seed: t.seed,
        example_id: t.id,
        split: at.split,
        gt: classNames[labels[at.index]!]!,
        turn: k + 1,
        speaker: turn.speaker,
        stance: classNames[turn.stance]!,
        content: turn.content,
      });
    });
  }
  return rows;
}

/** A chain link's stage name in predictions.arrow and curves.arrow: `link-<model>`. */
function linkStageName(cell: Cell, i: number): string {
  return `link-${modelLabel(cell.links![i]!)}`;
}

export function curveRows(cell: Cell, a: CellArtifacts): CurveRow[] {
  const rows: CurveRow[] = [];
  const emit = (stage: string, curve: CurvePoint[]) => {
    for (const p of curve) {
      const m = p.metrics;
      rows.push({
        cell_id: cell.id, stage, step: p.step, epoch: p.epoch, loss: p.loss, lr: p.lr,
        eval_metric: m?.select ?? null, test_acc: m?.test_acc ?? null, weak_agreement: m?.weak_agreement ?? null,
        val_acc: m?.val_acc ?? null, val_weak_agreement: m?.val_weak_agreement ?? null,
      });
    }
  };
  emit('weak', a.weak.curve);
  a.chain?.forEach((link, i) => emit(linkStageName(cell, i), link.curve));
  emit('ceiling', a.ceiling.curve);
  emit('w2s', a.transfer.curve);
  return rows;
}
