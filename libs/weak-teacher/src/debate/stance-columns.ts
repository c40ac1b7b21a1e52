import { stanceTexts, type Transcript } from '@w2s/debate';
import { computeFeatures, type Backbone } from '@w2s/models';
import { allOf, concatColumns, derivedTask } from './columns.js';
import type { WeakLabelsContext } from './context.js';

/**
 * A weak text model reads a text transcript as two more texts through its own backbone: the
 * arguments for class 1 and those for class 0 (see stanceTexts), so that even a bag-of-words
 * model knows which side argued what. Columns: [features(for class 1), features(for class 0)].
 */
export function stanceTextColumns(ctx: WeakLabelsContext, backbone: Backbone, transcripts: Transcript[], tokens?: (r: number) => string[]) {
  const sides = transcripts.map((t, r) => stanceTexts(t, tokens?.(r)));
  const n = transcripts.length;
  const D = backbone.featureDim;
  const forOne = computeFeatures(backbone, derivedTask(ctx.task, `${ctx.task.name}/for-1`, { text: sides.map((s) => s[1]) }), allOf(n));
  const forZero = computeFeatures(backbone, derivedTask(ctx.task, `${ctx.task.name}/for-0`, { text: sides.map((s) => s[0]) }), allOf(n));
  return concatColumns([{ dim: D, values: forOne }, { dim: D, values: forZero }], n);
}
