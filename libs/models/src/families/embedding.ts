import * as tf from '@tensorflow/tfjs';
import { UserError } from '@w2s/core';
import type { Dataset, EmbeddingColumn } from '@w2s/tasks';
import { frozenBackbone, type Backbone, type BackboneContext } from '../backbone.js';
import type { Family } from '../family.js';
import { memoHash } from '../fingerprint.js';
import type { ModelSpec } from '../spec.js';
import { gatherRows } from '../vectors.js';

/** The column a spec reads: `column`, else the size label. */
export function embeddingColumnName(spec: Pick<ModelSpec, 'size' | 'column'>): string {
  return spec.column ?? spec.size;
}

export function embeddingColumn(task: Dataset, name: string, where = 'model.column'): EmbeddingColumn {
  const columns = task.examples.embeddings ?? {};
  const column = columns[name];
  if (!column) {
    const known = Object.keys(columns);
    throw new UserError(
      `task "${task.name}" has no embedding column "${name}"${known.length ? `; columns: ${known.join(', ')}` : ' (it has no embedding columns)'}`,
      where,
    );
  }
  if (column.values.length !== column.dim * task.examples.ids.length) {
    throw new UserError(`embedding column "${name}" of task "${task.name}" holds ${column.values.length} values, not ${task.examples.ids.length} rows × ${column.dim}`, 'model.column');
  }
  return column;
}

/**
 * A model that *is* a column of precomputed embeddings (e.g. made elsewhere by LLMs of several
 * sizes): its features are the column, nothing is pretrained here, only a head is trained.
 */
export async function loadEmbedding(spec: Pick<ModelSpec, 'family' | 'size' | 'column'>, task: Dataset, ctx: BackboneContext): Promise<Backbone> {
  const name = embeddingColumnName(spec);
  const column = embeddingColumn(task, name);
  const key = ctx.cache.key('embedding', { task: task.name, column: name, values: memoHash(column, () => [task.examples.ids, column.dim, column.values]) });
  const features = (t: Dataset, indices: Int32Array) => {
    const c = embeddingColumn(t, name);
    return tf.tensor2d(gatherRows(c.values, c.dim, indices), [indices.length, c.dim]);
  };
  return frozenBackbone({ key, spec: { family: 'embedding', size: spec.size }, featureDim: column.dim, features });
}

export const embeddingFamily: Family = {
  name: 'embedding',
  description: "a precomputed embedding column of the task's data file (spec.column, default = size); probe only",
  modalities: ['image', 'vector', 'text', 'embedding'],
  sizes: [],
  reference: 'the column',
  ladder: () => [],
  load: loadEmbedding,
};
