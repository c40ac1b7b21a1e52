import { coordinateUnits, evidenceMask, maskedInputJudge, patchUnits, type DebateConfig, type FeatureUnits, type JudgeKind, type Transcript } from '@w2s/debate';
import { computeFeatures } from '@w2s/models';
import { allOf, concatColumns, derivedTask, rowsOf } from './columns.js';
import type { WeakLabelsContext } from './context.js';
import { crossFittedJudges, dispatchJudge, trainProbe } from './judges.js';
import { maskedCopies } from './masked-copies.js';
import { zeroShotJudge } from './zero-shot.js';
import { evidenceDebate, type DebateSource } from './source.js';

/**
 * Evidence debate over images (4×4 patches) and vectors (coordinates). The debaters' judgement:
 * the strong backbone with a head trained on full inputs and randomly masked copies (so that
 * partial reveals are in distribution), on the targets `judge` says (see judgeFolds and
 * zeroShotJudge). The weak model reads the signed evidence mask (+1 revealed for class 1, −1 for class 0).
 */
export async function inputEvidenceSource(ctx: WeakLabelsContext, config: DebateConfig, indices: Int32Array, judge: JudgeKind): Promise<DebateSource> {
  const { task } = ctx;
  const { shape, dim } = task.examples;
  // checkDebateFor made sure an image has a shape and a vector a dim.
  const units: FeatureUnits = task.modality === 'image' ? patchUnits(shape!, 4) : coordinateUnits(dim!);
  const d = dim!;
  const strongBackbone = () => ctx.backboneOf(ctx.strong);
  const judges = judge === 'zero-shot'
    ? await zeroShotJudge(ctx, units, strongBackbone)
    : await crossFittedJudges(ctx, indices, judge, async (base, targets, rng) => {
        const train = maskedCopies(rowsOf(task, base), targets, task.numClasses, units, rng);
        return trainProbe(await strongBackbone(), ctx.strong, derivedTask(task, `${task.name}/judge-train`, { x: train.x }), train.targets, ctx.strongTrain, ctx.seed);
      });
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
