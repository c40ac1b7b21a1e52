import { softCrossEntropy, UserError, type ArtifactCache, type LossFn } from '@w2s/core';
import { loadTask, makeSplits, type Dataset, type SplitOptions } from '@w2s/tasks';
import { trainClassifier } from './classifier.js';
import { CONTROL_GAP_POINTS, defaultModels, defaultTrainConfig, embeddingColumnsBySize } from './defaults.js';
import { hasVectorCorpus, pretrainsOnTaskInputs } from './pretraining-data.js';
import { families, familyOf, getBackbone, parseModelSpec } from './registry.js';
import type { ModelSpec } from './spec.js';
import { accuracyWithInterval } from './wilson.js';

/**
 * The split seed of the ladder report: one no experiment reports results on (they use seeds 0–2).
 * The report chooses things (default sizes, probe over finetune, control tasks, ensemble members),
 * so it must not measure on the test split the results are reported on (issue 21): before, seed 0
 * with nTest 1000 made its test set exactly the experiments' seed-0 test set. Another seed's test
 * set is a random draw from the same pool, so it still shares examples by chance with the
 * experiments' test sets (as any validation split would with other seeds'), but no choice is fit
 * to them.
 */
export const LADDER_SPLIT_SEED = 1000;

export interface LadderOptions {
  /** Built-in task names. */
  tasks: string[];
  /** Families to run (default: every built-in family that can read the task). */
  families?: string[];
  /** Only these sizes (default: the whole ladder). */
  sizes?: string[];
  /**
   * Training modes to compare (default: probe only). Finetune trains the backbone too; the
   * embedding family is a fixed column, so it runs in probe mode only.
   */
  modes?: LadderMode[];
  /** Seeds the pretraining and the probes (0 = the experiments' default pretrainSeed: the same backbones). */
  seed: number;
  /** Seeds the splits; default LADDER_SPLIT_SEED, held out from every experiment. */
  splitSeed?: number;
  cache: ArtifactCache;
  /** Split sizes (default nDocs 1000, nTest 1000): the models train on weak-train (nDocs/2 GT labels). */
  split?: Omit<SplitOptions, 'seed'>;
  onProgress?: (msg: string, frac: number) => void;
}

export type LadderMode = ModelSpec['mode'];
export const LADDER_MODES: readonly LadderMode[] = ['probe', 'finetune'];

export interface LadderRow {
  task: string;
  family: string;
  size: string;
  mode: ModelSpec['mode'];
  /** Backbone weights for this task's input (from the ladder table when the input is the reference). */
  params: number | null;
  pretrainBudget: string;
  nTrain: number;
  nTest: number;
  /** Seed of the splits the accuracy was measured on. */
  splitSeed: number;
  accuracy: number;
  /** 95 % Wilson interval over the test examples. */
  lo: number;
  hi: number;
  /** Whether this run pretrained the backbone (false: from the cache, or nothing to pretrain). */
  pretrainedNow: boolean;
  pretrainSeconds: number;
  trainSeconds: number;
}

/** Every (family, size, mode) the ladder runs on `task`, smallest first within a family and mode. */
export function ladderSpecs(task: Dataset, familyNames?: string[], sizes?: string[], modes: readonly LadderMode[] = ['probe']): ModelSpec[] {
  const specs: ModelSpec[] = [];
  for (const name of familyNames ?? Object.keys(families)) {
    const family = familyOf(name);
    if (!family.modalities.includes(task.modality)) continue;
    let ladderSizes: readonly string[];
    if (name === 'embedding') ladderSizes = embeddingColumnsBySize(task);
    else if (name === 'tfjs') continue; // no built-in model: a user names one by path
    // Built-in vector tasks have embedding columns for their ladder; mlp/cnn where pretraining data of their own exists.
    else if ((name === 'mlp' || name === 'cnn') && (!hasVectorCorpus(task) || pretrainsOnTaskInputs(task))) continue;
    else ladderSizes = family.sizes;
    for (const mode of name === 'embedding' ? modes.filter((m) => m === 'probe') : modes) {
      for (const size of ladderSizes) {
        if (sizes && !sizes.includes(size)) continue;
        specs.push(parseModelSpec({ family: name, size, mode, ...(name === 'embedding' && { column: size }) }));
      }
    }
  }
  return specs;
}

/**
 * Trains every size of every applicable family on the ground truth of each task's weak-train
 * split (in each mode asked for, default probe; linear head, cross-entropy, the default training config) and measures test
 * accuracy with a 95 % Wilson interval. Pretrained backbones come from (or go into) the cache.
 */
export async function runLadder(opts: LadderOptions): Promise<LadderRow[]> {
  const plan = opts.tasks.map((name) => {
    const task = loadTask(name);
    const specs = ladderSpecs(task, opts.families, opts.sizes, opts.modes);
    if (specs.length === 0) throw new UserError(`no model family of ${opts.families?.join(', ') ?? 'the built-in ones'} applies to task "${name}"`, 'ladder');
    return { task, specs };
  });
  const total = plan.reduce((n, p) => n + p.specs.length, 0);
  const rows: LadderRow[] = [];
  // Plain cross-entropy on ground truth (the xent of @w2s/confidence-loss, which sits beside this lib, not below it).
  const xent: LossFn = (logits, targets) => softCrossEntropy(logits, targets);
  for (const { task, specs } of plan) {
    const splitSeed = opts.splitSeed ?? LADDER_SPLIT_SEED;
    const splits = makeSplits(task, { nDocs: 1000, nTest: 1000, ...opts.split, seed: splitSeed });
    const train = splits['weak-train'];
    const test = splits.test;
    const k = task.numClasses;
    const targets = new Float32Array(train.length * k);
    train.forEach((row, i) => (targets[i * k + task.examples.labels[row]!] = 1));
    const testLabels = Int32Array.from(test, (row) => task.examples.labels[row]!);
    for (const spec of specs) {
      const label = `${task.name} ${spec.family}-${spec.size}${spec.mode === 'probe' ? '' : ` ${spec.mode}`}`;
      const frac = rows.length / total;
      opts.onProgress?.(`${label}: backbone`, frac);
      let t0 = performance.now();
      const backbone = await getBackbone(spec, task, {
        cache: opts.cache,
        seed: opts.seed,
        splits,
        onProgress: opts.onProgress && ((msg, f) => opts.onProgress!(`${label}: ${msg}`, frac + f / total)),
      });
      const pretrainSeconds = (performance.now() - t0) / 1000;
      try {
        t0 = performance.now();
        opts.onProgress?.(`${label}: ${spec.mode}`, frac);
        const { classifier } = await trainClassifier({
          backbone, spec, task, indices: train, targets, loss: xent, train: defaultTrainConfig(spec), seed: opts.seed, cache: opts.cache,
        });
        const probs = classifier.predict(task, test);
        classifier.dispose();
        const acc = accuracyWithInterval(probs, testLabels, k);
        const entry = familyOf(spec.family).ladder(task.examples.dim).find((e) => e.size === spec.size);
        rows.push({
          task: task.name,
          family: spec.family,
          size: spec.size,
          mode: spec.mode,
          params: spec.family === 'embedding' ? null : (entry?.params ?? null),
          pretrainBudget: entry?.pretrainBudget ?? (spec.family === 'embedding' ? `column ${spec.column} (${backbone.featureDim}-d)` : ''),
          nTrain: train.length,
          nTest: test.length,
          splitSeed,
          accuracy: acc.accuracy,
          lo: acc.lo,
          hi: acc.hi,
          pretrainedNow: backbone.pretrainedNow,
          pretrainSeconds,
          trainSeconds: (performance.now() - t0) / 1000,
        });
      } finally {
        backbone.dispose();
      }
    }
  }
  opts.onProgress?.('ladder done', 1);
  return rows;
}

const pct = (x: number) => (100 * x).toFixed(1);

/** Within one family, whether every size is at least as good as the one below it, within its interval (hi ≥ previous accuracy). */
export function risesWithSize(rows: LadderRow[]): { ok: boolean; violations: string[] } {
  const violations: string[] = [];
  for (let i = 1; i < rows.length; i++) {
    const prev = rows[i - 1]!;
    const cur = rows[i]!;
    if (cur.hi < prev.accuracy) violations.push(`${cur.size} (${pct(cur.accuracy)}, CI up to ${pct(cur.hi)}) < ${prev.size} (${pct(prev.accuracy)})`);
  }
  return { ok: violations.length === 0, violations };
}

/** Default weak → strong accuracy gap (points) of a task in ladder rows, in one mode, if both models are there. */
export function defaultGap(rows: LadderRow[], task: Dataset, mode: LadderMode = 'probe'): { weak: LadderRow; strong: LadderRow; gapPoints: number } | undefined {
  const { weak, strong } = defaultModels(task);
  const find = (s: ModelSpec) => rows.find((r) => r.task === task.name && r.family === s.family && r.size === s.size && r.mode === mode);
  const w = find(weak);
  const s = find(strong);
  return w && s ? { weak: w, strong: s, gapPoints: 100 * (s.accuracy - w.accuracy) } : undefined;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => r.map((c, j) => (j === r.length - 1 ? c : c.padEnd(widths[j]!))).join('  ').trimEnd()).join('\n');
}

const signed = (points: number) => `${points >= 0 ? '+' : ''}${points.toFixed(1)}`;

/**
 * The ladder report: per task, one line per model with accuracy and its 95 % interval, then checks:
 * accuracy rises with size in each family and mode, and the default weak → strong gap in each mode.
 * With both modes, it says which mode leaves the larger gap (the experiments' default mode is
 * chosen for a gap PGR can be measured on).
 */
export function formatLadderReport(rows: LadderRow[]): string {
  const out: string[] = [];
  const tasks = [...new Set(rows.map((r) => r.task))];
  for (const name of tasks) {
    const taskRows = rows.filter((r) => r.task === name);
    const first = taskRows[0]!;
    const modes = [...new Set(taskRows.map((r) => r.mode))];
    const manyModes = modes.length > 1;
    out.push(`## ${name}  (${modes.join(' and ')} on ${first.nTrain} ground-truth labels, ${first.nTest} test examples of split seed ${first.splitSeed})`, '');
    out.push(table([
      ['family', 'size', ...(manyModes ? ['mode'] : []), 'params', 'pretraining', 'accuracy', '95% CI'],
      ...taskRows.map((r) => [
        r.family, r.size, ...(manyModes ? [r.mode] : []), r.params === null ? '-' : r.params.toLocaleString('en-US'), r.pretrainBudget, pct(r.accuracy), `[${pct(r.lo)}, ${pct(r.hi)}]`,
      ]),
    ]));
    out.push('');
    const groups = [...new Set(taskRows.map((r) => `${r.family}\t${r.mode}`))].map((g) => g.split('\t') as [string, LadderMode]);
    for (const [family, mode] of groups) {
      const check = risesWithSize(taskRows.filter((r) => r.family === family && r.mode === mode));
      out.push(`- ${family}${manyModes ? ` ${mode}` : ''}: ${check.ok ? 'accuracy rises with size (within the 95% interval)' : `NOT monotone: ${check.violations.join('; ')}`}`);
    }
    const task = loadTask(name);
    const gaps = modes.map((mode) => ({ mode, gap: defaultGap(taskRows, task, mode) })).filter((g) => g.gap !== undefined);
    for (const { mode, gap } of gaps) {
      const control = mode === 'probe' && gap!.gapPoints < CONTROL_GAP_POINTS;
      out.push(
        `- default weak ${gap!.weak.family}-${gap!.weak.size} ${pct(gap!.weak.accuracy)} → strong ${gap!.strong.family}-${gap!.strong.size} ${pct(gap!.strong.accuracy)}` +
          `${manyModes ? ` (${mode})` : ''}: gap ${signed(gap!.gapPoints)} points${control ? ` (< ${CONTROL_GAP_POINTS}: control task)` : ''}`,
      );
    }
    if (gaps.length > 1) {
      const larger = gaps.reduce((a, b) => (b.gap!.gapPoints > a.gap!.gapPoints ? b : a));
      out.push(`- larger default gap: ${larger.mode} (${gaps.map((g) => `${g.mode} ${signed(g.gap!.gapPoints)}`).join(', ')})`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd() + '\n';
}

/** `w2s models`: every family's ladder with parameter counts, architecture and pretraining budget. */
export function formatLadderTable(tasks: readonly Dataset[] = []): string {
  const out: string[] = [];
  for (const family of Object.values(families)) {
    out.push(`${family.name}: ${family.description}`);
    const entries = family.ladder();
    if (entries.length === 0) {
      out.push(`  (no ladder: the size is a label of ${family.reference})`, '');
      continue;
    }
    out.push(
      table([
        ['  size', 'params', 'architecture', 'pretraining budget'],
        ...entries.map((e) => [`  ${e.size}`, e.params.toLocaleString('en-US'), e.arch, e.pretrainBudget]),
      ]),
      `  (parameter counts for ${family.reference})`,
      '',
    );
    // The same ladder at each numeric task's real input width (the reference is a 28×28 digit).
    for (const task of tasks) {
      if (family.name !== 'mlp' || !family.modalities.includes(task.modality) || !task.examples.dim || task.examples.dim === 28 * 28) continue;
      const sized = family.ladder(task.examples.dim);
      out.push(
        table([['  size', 'params', 'architecture'], ...sized.map((e) => [`  ${e.size}`, e.params.toLocaleString('en-US'), e.arch])]),
        `  (parameter counts for task "${task.name}", ${task.examples.dim} inputs)`,
        '',
      );
    }
  }
  return out.join('\n').trimEnd() + '\n';
}
