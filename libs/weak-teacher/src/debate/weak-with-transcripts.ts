import type { Transcript } from '@w2s/debate';
import { cachedFeatures, getBackbone, type ModelSpec } from '@w2s/models';
import type { Dataset } from '@w2s/tasks';
import { concatColumns } from './columns.js';
import type { WeakLabelsContext } from './context.js';
import type { DebateSource } from './source.js';

/**
 * The weak model `spec` with the transcript as extra context: its frozen backbone's features of
 * the input, concatenated with the transcript's columns, read by a head trained on weak-train
 * ground truth. Exposed as an `embedding` column so the ordinary probe training applies.
 */
export async function weakWithTranscripts(ctx: WeakLabelsContext, spec: ModelSpec, source: DebateSource, indices: Int32Array, transcripts: Transcript[]) {
  const { task } = ctx;
  const weakBackbone = await ctx.backboneOf(spec);
  // The input's features are the same for every member with this backbone: cached on disk once.
  const features = await cachedFeatures(weakBackbone, task, indices, ctx.cache);
  const joined = concatColumns([{ dim: weakBackbone.featureDim, values: features }, source.transcriptColumns(weakBackbone, transcripts)], indices.length);
  const dim = joined.dim;
  const values = new Float32Array(task.examples.labels.length * dim);
  indices.forEach((i, r) => values.set(joined.values.subarray(r * dim, (r + 1) * dim), i * dim));
  const column = 'weak+debate';
  const withDebate: Dataset = {
    name: `${task.name}+debate`,
    modality: 'embedding',
    numClasses: task.numClasses,
    classNames: task.classNames,
    examples: { ids: task.examples.ids, labels: task.examples.labels, embeddings: { [column]: { dim, values } } },
  };
  const columnSpec: ModelSpec = { family: 'embedding', size: column, column, mode: 'probe', head: spec.head };
  const backbone = await getBackbone(columnSpec, withDebate, { cache: ctx.cache, seed: ctx.seed });
  return { task: withDebate, spec: columnSpec, backbone };
}
