// Which splits' ground-truth labels each stage reads, for every weak-label scheme and every student
// stage: a task's label array is replaced by a recorder that notes, for each label read, the split
// of the example and which side read it (the strong model's debate judges, or anything else: the
// weak models and evaluation). A scheme that reads labels it should not fails here.
import { ArtifactCache, expectNoTensorLeak, initBackend, TrainConfigSchema } from '@w2s/core';
import { EmbeddedDebaterSchema, PROTOCOLS } from '@w2s/debate';
import { getBackbone, parseModelSpec } from '@w2s/models';
import { EarlyStoppingModeSchema, trainCeiling, trainStudent } from '@w2s/strong-student';
import { loadTask, makeSplits, SPLIT_NAMES, type Dataset, type Splits } from '@w2s/tasks';
import { EnsembleConfigSchema, makeWeakLabels, trainChainLink, trainWeakTeacher, weakLabelsContext, type WeakLabelsConfigInput } from '@w2s/weak-teacher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

/** A read by the strong side: inside the debate sources of @w2s/weak-teacher, but not while training a weak model there. */
function sideOf(stack: string): 'strong' | 'weak' {
  if (/\btrainWeakTeacher\b|\bplainWeakPredictions\b/.test(stack)) return 'weak';
  return /[/\\]weak-teacher[/\\]src[/\\]debate[/\\]/.test(stack) ? 'strong' : 'weak';
}

/**
 * Swaps `task.examples.labels` for a recording proxy while `fn` runs (built-in tasks are shared
 * objects, so the swap is undone afterwards) and returns the reads as sorted `side:split` strings.
 * Element reads record their example's split; any other use of the array (iteration, subarray, …)
 * hands out many labels at once and records `side:*` (every split).
 */
async function labelReads(task: Dataset, splits: Splits, fn: () => Promise<unknown>): Promise<string[]> {
  const splitOf = new Map<number, string>();
  for (const name of SPLIT_NAMES) splits[name].forEach((i) => splitOf.set(i, name));
  const reads = new Set<string>();
  const original = task.examples.labels;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  task.examples.labels = new Proxy(original, {
    get(target, prop) {
      if (prop === 'length') return target.length;
      if (typeof prop === 'string' && /^\d+$/.test(prop)) {
        reads.add(`${sideOf(new Error().stack ?? '')}:${splitOf.get(Number(prop)) ?? 'outside splits'}`);
        return target[Number(prop)];
      }
      reads.add(`${sideOf(new Error().stack ?? '')}:*`);
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  try {
    await fn();
  } finally {
    task.examples.labels = original;
    Error.stackTraceLimit = limit;
  }
  return [...reads].sort();
}

const cacheDir = tempDir('w2s-label-access-');
const cache = new ArtifactCache(cacheDir);

beforeAll(async () => {
  await initBackend('wasm');
});

describe('weak-label schemes: the weak models read weak-train, evaluation reads test, the strong side reads nothing (except judge: gt)', () => {
  const task = loadTask('digits-parity');
  const splits = makeSplits(task, { seed: 0, nDocs: 160, nTest: 60, nVal: 20 });
  const ctx = weakLabelsContext({
    task, splits, seed: 0, cache,
    weak: { family: 'mlp', size: 'xs' },
    strong: { family: 'mlp', size: 'xs' },
    train: { weak: { epochs: 2 }, strong: { epochs: 2 } },
  });
  // Backbones are loaded once and kept (not a leak of the scheme under test).
  beforeAll(async () => {
    for (const size of ['xs', 's']) await ctx.backboneOf(parseModelSpec({ ...ctx.weak, size }));
  }, 300_000);
  afterAll(() => ctx.dispose());
  const weakSide = ['weak:test', 'weak:weak-train'];
  const debate = (protocol: string, judge?: string) => ({ protocol, turns: 2, featuresPerTurn: 2, debater: { kind: 'embedded', ...(judge && { judge }) } });
  const schemes: [string, WeakLabelsConfigInput | undefined, string[]][] = [['plain', undefined, weakSide]];
  for (const vary of EnsembleConfigSchema.shape.vary.unwrap().options) {
    const ensemble = { size: 2, vary, ...(vary === 'model' && { models: ['xs', 's'], size: undefined }) };
    schemes.push([`ensemble ${vary}`, { ensemble, ...(vary === 'debate-seed' && { debate: debate('debate') }) }, weakSide]);
  }
  // The default judge (elicited) for every protocol; every judge with the debate protocol.
  for (const protocol of PROTOCOLS) schemes.push([`${protocol}, default judge`, { debate: debate(protocol) }, weakSide]);
  for (const judge of EmbeddedDebaterSchema.shape.judge.unwrap().options) {
    schemes.push([`debate, judge ${judge}`, { debate: debate('debate', judge) }, judge === 'gt' ? ['strong:weak-train', ...weakSide] : weakSide]);
  }
  // Co-supervision: specialists on parts of weak-train (k-means on the weak backbone's features, or chunks).
  for (const partition of ['cluster', 'chunk'] as const) schemes.push([`cosupervise ${partition}`, { cosupervise: { teachers: 2, partition } }, weakSide]);
  // Debate settings chosen on val: the weak side also reads val labels (to score each setting).
  schemes.push(['debate, settings selected on val', { debate: debate('debate'), select: [{ featuresPerTurn: 1 }, { featuresPerTurn: 2 }] }, ['weak:test', 'weak:val', 'weak:weak-train']]);

  it.each(schemes)('%s', async (_name, config, expected) => {
    const reads = await labelReads(task, splits, () => expectNoTensorLeak(() => makeWeakLabels(ctx, config)));
    expect(reads).toEqual(expected);
  }, 300_000);
});

describe('student stages: the ceiling reads transfer, a student reads no transfer label (val only with gt-val, or to record it in the analysis curve)', () => {
  const task = loadTask({ name: 'synthetic-linear', n: 400, seed: 5 });
  const splits = makeSplits(task, { seed: 1, nDocs: 200, nTest: 100, nVal: 40 });
  const spec = { family: 'embedding' as const, size: 'strong', column: 'strong', mode: 'probe' as const, head: 'linear' as const };
  const train = TrainConfigSchema.parse({ epochs: 2, batchSize: 32, lr: 0.05 });
  const common = async () => ({ task, splits, spec, backbone: await getBackbone(spec, task, { cache, seed: 0 }), train, seed: 0, cache });

  it('ceiling', async () => {
    expect(await labelReads(task, splits, async () => trainCeiling(await common()))).toEqual(['weak:test', 'weak:transfer']);
  });

  it('a chain of two links: no link reads a transfer (or weak-train, val) label', async () => {
    const base = await common();
    const weakSpec = { ...spec, size: 'weak', column: 'weak' };
    const weak = await trainWeakTeacher({ ...base, spec: weakSpec, backbone: await getBackbone(weakSpec, task, { cache, seed: 0 }) });
    const reads = await labelReads(task, splits, async () => {
      const first = await expectNoTensorLeak(() => trainChainLink({ ...base, targets: weak.transfer, loss: { name: 'logconf' } }));
      await trainChainLink({ ...base, seed: 1, targets: first.transfer, loss: { name: 'xent' } });
    });
    expect(reads).toEqual(['weak:test']); // test only, for the link's reported accuracy
  });

  it('transfer with co-supervision: the student reads no transfer label while picking among its teachers', async () => {
    const base = await common();
    const weakSpec = { ...spec, size: 'weak', column: 'weak' };
    const backbone = await getBackbone(weakSpec, task, { cache, seed: 0 });
    const halves = [splits['weak-train'].subarray(0, 50), splits['weak-train'].subarray(50)];
    const teachers = [];
    for (const [m, part] of halves.entries()) teachers.push(await trainWeakTeacher({ ...base, seed: m, splits: { ...splits, 'weak-train': part }, spec: weakSpec, backbone }));
    const reads = await labelReads(task, splits, () =>
      expectNoTensorLeak(() => trainStudent({ ...base, targets: teachers[0]!.transfer, teacherTargets: teachers.map((t) => t.transfer), loss: { name: 'cosupervise', warmupFrac: 0.2 }, recordCurve: false })),
    );
    expect(reads).toEqual(['weak:test']);
  });

  it.each(EarlyStoppingModeSchema.options)('transfer, early stopping %s', async (mode) => {
    const base = await common();
    const weak = await trainWeakTeacher({ ...base, spec: { ...spec, size: 'weak', column: 'weak' }, backbone: await getBackbone({ ...spec, size: 'weak', column: 'weak' }, task, { cache, seed: 0 }) });
    // The analysis curve (test accuracy, and val accuracy for the overfitting figure) reads test and
    // val labels whatever the rule; without it only gt-val reads val.
    const reads = await labelReads(task, splits, () => trainStudent({ ...base, targets: weak.transfer, loss: { name: 'xent' }, earlyStopping: mode, weakVal: weak.val }));
    expect(reads).toEqual(['weak:test', 'weak:val']);
    const unrecorded = await labelReads(task, splits, () => trainStudent({ ...base, targets: weak.transfer, loss: { name: 'xent' }, earlyStopping: mode, weakVal: weak.val, recordCurve: false }));
    expect(unrecorded).toEqual(mode === 'gt-val' ? ['weak:test', 'weak:val'] : ['weak:test']);
  });

  it('val labels choose nothing under weak-val, though the curve records val accuracy', async () => {
    const base = await common();
    const weakSpec = { ...spec, size: 'weak', column: 'weak' };
    const weak = await trainWeakTeacher({ ...base, spec: weakSpec, backbone: await getBackbone(weakSpec, task, { cache, seed: 0 }) });
    const student = () => trainStudent({ ...base, targets: weak.transfer, loss: { name: 'xent' }, earlyStopping: 'weak-val', weakVal: weak.val, evalsPerEpoch: 3 });
    const honest = await student();
    const original = task.examples.labels;
    const flipped = original.slice();
    for (const i of splits.val) flipped[i] = 1 - flipped[i]!;
    task.examples.labels = flipped;
    let flippedRun;
    try {
      flippedRun = await student();
    } finally {
      task.examples.labels = original;
    }
    expect(flippedRun.selectedStep).toBe(honest.selectedStep);
    expect(Array.from(flippedRun.test)).toEqual(Array.from(honest.test));
    // …while the recorded val accuracy does follow the labels (it is read, for analysis).
    const valAcc = (r: typeof honest) => r.curve.flatMap((p) => (p.metrics?.val_acc === undefined ? [] : [p.metrics.val_acc]));
    expect(valAcc(honest).length).toBeGreaterThan(1);
    valAcc(honest).forEach((a, i) => expect(a + valAcc(flippedRun)[i]!).toBeCloseTo(1, 6));
    // What weak-val selects by is recorded too, and reads no label.
    const valWeak = (r: typeof honest) => r.curve.flatMap((p) => (p.metrics?.val_weak_agreement === undefined ? [] : [p.metrics.val_weak_agreement]));
    expect(valWeak(honest)).toHaveLength(valAcc(honest).length);
    expect(valWeak(flippedRun)).toEqual(valWeak(honest));
  });
});
