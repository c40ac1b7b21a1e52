import { maskedTextJudge, revealedText, wordTokens, type DebateConfig, type JudgeKind } from '@w2s/debate';
import { allOf, derivedTask } from './columns.js';
import type { WeakLabelsContext } from './context.js';
import { crossFittedJudges, dispatchJudge, trainProbe, type TrainJudge } from './judges.js';
import { evidenceDebate, type DebateSource } from './source.js';
import { stanceTextColumns } from './stance-columns.js';

/**
 * Evidence debate over texts: a feature is a word (the first `maxTextTokens` of each text). The
 * judge is the strong text backbone with a head trained on the targets `judge` says (see
 * judgeFolds), on full texts and on copies keeping a random 10–70 % of those words, so that partial
 * reveals are in distribution.
 */
export async function textEvidenceSource(ctx: WeakLabelsContext, config: DebateConfig, indices: Int32Array, maxTextTokens: number, judge: Exclude<JudgeKind, 'zero-shot'>): Promise<DebateSource> {
  const { task } = ctx;
  const texts = task.examples.text!;
  const copies = 4;
  const trainJudge: TrainJudge = async (base, targets, rng) => {
    const judgeTexts: string[] = [];
    const k = task.numClasses;
    const copiedTargets = new Float32Array(base.length * (copies + 1) * k);
    for (let c = 0; c <= copies; c++) {
      copiedTargets.set(targets, c * base.length * k);
      base.forEach((i) => {
        if (c === 0) return void judgeTexts.push(texts[i]!);
        const words = wordTokens(texts[i]!);
        const keep = 0.1 + 0.6 * rng.uniform();
        const mask = Uint8Array.from({ length: Math.min(words.length, maxTextTokens) }, () => (rng.uniform() < keep ? 1 : 0));
        judgeTexts.push(revealedText(words, mask));
      });
    }
    return trainProbe(await ctx.backboneOf(ctx.strong), ctx.strong, derivedTask(task, `${task.name}/judge-train`, { text: judgeTexts }), copiedTargets, ctx.strongTrain, ctx.seed);
  };
  const judges = await crossFittedJudges(ctx, indices, judge, trainJudge);
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
