// `w2s embed`: a text task plus one embedding column per model, as an Arrow file that the
// `embedding` family reads (weak = a probe on a small model's embeddings, strong = on a large one's).
import { Field, Float32, List, Table, tableToIPC, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { UserError, writeFileAtomic } from '@w2s/core/base';
import type { Dataset } from '../types.js';
import { EmbeddingsClient, type EmbeddingsClientOptions } from './client.js';

export interface EmbedTaskOptions extends Omit<EmbeddingsClientOptions, 'model'> {
  /** Model names as the server knows them; each becomes a column of that name. */
  models: readonly string[];
  /** The Arrow file to write (atomically, once every model has answered). */
  out: string;
  onProgress?: (message: string, frac: number) => void;
}

/**
 * Embeds every text of `task` with each model and writes `out`: columns id, text, label (class
 * name), group and split when the task has them, and one list<float32> column per model. Returns
 * the columns' dimensions. Nothing is written unless every text got every embedding.
 */
export async function embedTask(task: Dataset, opts: EmbedTaskOptions): Promise<Record<string, number>> {
  const texts = task.examples.text;
  if (!texts) throw new UserError(`task "${task.name}" is ${task.modality} data; w2s embed embeds the texts of a text task`, 'task');
  if (new Set(opts.models).size !== opts.models.length) throw new UserError('each model once', 'models');
  const columns: Record<string, Vector> = {
    id: vectorFromArray(task.examples.ids, new Utf8()),
    text: vectorFromArray(texts, new Utf8()),
    label: vectorFromArray(Array.from(task.examples.labels, (l) => task.classNames[l]!), new Utf8()),
  };
  if (task.examples.groups) columns.group = vectorFromArray(task.examples.groups, new Utf8());
  if (task.examples.fixedSplit) columns.split = vectorFromArray(task.examples.fixedSplit, new Utf8());
  const dims: Record<string, number> = {};
  for (const [m, model] of opts.models.entries()) {
    if (model in columns) throw new UserError(`model name "${model}" clashes with an output column of that name (id, text, label, group, split)`, 'models');
    const client = new EmbeddingsClient({ ...opts, model });
    const { dim, values } = await client.embed(texts, (done, total) => opts.onProgress?.(`${model}: ${done}/${total} texts`, (m + done / total) / opts.models.length));
    const rows = Array.from({ length: texts.length }, (_, i) => values.subarray(i * dim, (i + 1) * dim));
    columns[model] = vectorFromArray(rows.map((r) => Array.from(r)), new List(new Field('item', new Float32(), false)));
    dims[model] = dim;
  }
  await writeFileAtomic(opts.out, tableToIPC(new Table(columns), 'file'));
  return dims;
}
