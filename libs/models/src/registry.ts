import { UserError } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';
import type { Backbone, BackboneContext } from './backbone.js';
import type { Family, LadderEntry } from './family.js';
import { hasVectorCorpus, noVectorCorpusMessage } from './pretraining-data.js';
import { cnnFamily } from './families/cnn.js';
import { embeddingColumn, embeddingColumnName, embeddingFamily } from './families/embedding.js';
import { mlpFamily } from './families/mlp.js';
import { textFamily } from './families/text.js';
import { tfjsFamily } from './families/tfjs.js';
import { ModelSpecSchema, type ModelSpec, type ModelSpecInput } from './spec.js';

/** Every model family by name (plain map). */
export const families: Record<string, Family> = {
  mlp: mlpFamily,
  cnn: cnnFamily,
  text: textFamily,
  embedding: embeddingFamily,
  tfjs: tfjsFamily,
};

export function familyOf(name: string): Family {
  const family = families[name];
  if (!family) throw new UserError(`unknown model family "${name}"; families: ${Object.keys(families).join(', ')}`, 'model.family');
  return family;
}

/** A family's size ladder, smallest first (empty for embedding and tfjs, whose size is a label). */
export function ladder(family: string): LadderEntry[] {
  return familyOf(family).ladder();
}

/** Parses a model spec (defaults filled in), with a UserError naming the bad field. */
export function parseModelSpec(spec: ModelSpecInput | unknown, where = 'model'): ModelSpec {
  const parsed = ModelSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(issue.message, `${where}${issue.path.length ? `.${issue.path.join('.')}` : ''}`);
  }
  return parsed.data;
}

/**
 * The pretrained backbone of `spec` for `task`: loaded from the cache, or pretrained now and
 * cached (a stage keyed by family, size, architecture, pretraining corpus and seed). The caller
 * owns it: dispose() it after the classifiers that use it.
 */
export async function getBackbone(spec: ModelSpecInput, task: Dataset, ctx: BackboneContext): Promise<Backbone> {
  const s = parseModelSpec(spec);
  // With a corpus of the caller's, whether the task has pretraining data of its own does not matter.
  checkModelFor(s, ctx.pretrainCorpus ? { name: task.name, modality: task.modality } : task);
  return familyOf(s.family).load(s, task, ctx);
}

/**
 * Refuses a model whose family cannot read the task's modality, or a size its family does not
 * have (a UserError at `where`; default `model.family` / `model.size`).
 */
export function checkModelFor(spec: ModelSpec, task: Pick<Dataset, 'name' | 'modality'> | Dataset, where?: string): void {
  const family = familyOf(spec.family);
  if (!family.modalities.includes(task.modality)) {
    throw new UserError(`the ${spec.family} family cannot read task "${task.name}" (${task.modality}); it reads ${family.modalities.join(', ')}`, where ?? 'model.family');
  }
  if (family.sizes.length > 0 && !family.sizes.includes(spec.size)) {
    throw new UserError(`unknown ${spec.family} size "${spec.size}"; sizes: ${family.sizes.join(', ')}`, where ?? 'model.size');
  }
  if (spec.pretrain === 'none' && spec.family !== 'mlp') {
    throw new UserError(`pretrain: none is for the mlp family (the ${spec.family} family's models come pretrained)`, where ?? 'model.pretrain');
  }
  // An embedding column the task lacks, or (mlp, cnn) no pretraining rows: refused here, so
  // `w2s plan` says it before any training.
  if (spec.family === 'embedding' && 'examples' in task) embeddingColumn(task, embeddingColumnName(spec), where ?? 'model.column');
  if ((spec.family === 'mlp' || spec.family === 'cnn') && 'examples' in task && !hasVectorCorpus(task)) {
    throw new UserError(noVectorCorpusMessage(task), where ?? 'model.family');
  }
}
