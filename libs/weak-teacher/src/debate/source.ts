import { UserError } from '@w2s/core';
import { runEvidenceDebate, type DebateConfig, type EvidenceJudge, type Transcript } from '@w2s/debate';
import type { Backbone, ModelSpec } from '@w2s/models';
import type { Dataset } from '@w2s/tasks';
import type { Columns } from './columns.js';
import type { WeakLabelsContext } from './context.js';
import { checkZeroShotFor } from './zero-shot.js';

/**
 * What one kind of debate gives the weak models: the transcripts of a debate seed (for the
 * debated examples, in `indices` order), and the columns a weak model reads from them.
 */
export interface DebateSource {
  transcripts(debateSeed: number, weakPredictions?: Int32Array): Promise<Transcript[]>;
  /** Extra input columns (row-major, one row per transcript) for the weak model with `backbone`. */
  transcriptColumns(backbone: Backbone, transcripts: Transcript[]): Columns;
  /** What each turn of the transcript of debated example r says, as text (revealed patches, words, or the argument). */
  turnContents(transcript: Transcript, r: number): string[];
  dispose(): void;
}

/** Runs the evidence debate of one debate seed over the debated examples `indices`. */
export function evidenceDebate(ctx: WeakLabelsContext, config: DebateConfig, indices: Int32Array, judge: EvidenceJudge, seed: number, weakPredictions?: Int32Array) {
  return runEvidenceDebate(config, {
    ids: Array.from(indices, (i) => ctx.task.examples.ids[i]!),
    judge,
    seed,
    weakPredictions,
    onProgress: (done, total) => ctx.note?.(`debate seed ${seed}: ${done}/${total} examples`, done / total),
  });
}

/**
 * Refuses a debate the task cannot have, naming `where` (the method's weak config): debate needs
 * a binary task; LLM debaters argue about texts; embedded debaters reveal image patches, vector
 * coordinates or words, judged by a strong model that reads those inputs.
 */
export function checkDebateFor(config: DebateConfig, task: Dataset, strong: ModelSpec, where: string): void {
  if (task.numClasses !== 2) throw new UserError(`debate needs a binary task; "${task.name}" has ${task.numClasses} classes`, `${where}.debate`);
  const isText = task.modality === 'text' && task.examples.text !== undefined;
  if (config.debater.kind === 'llm' && !isText) {
    throw new UserError(`LLM debaters argue about texts; task "${task.name}" is ${task.modality} data (use debater.kind "embedded")`, `${where}.debate.debater.kind`);
  }
  const readable = isText || (task.modality === 'image' && task.examples.shape) || (task.modality === 'vector' && task.examples.dim);
  if (!readable) throw new UserError(`embedded debate reads images, vectors and texts; task "${task.name}" is ${task.modality} data`, `${where}.debate`);
  if (config.debater.kind === 'embedded' && config.debater.judge === 'zero-shot') checkZeroShotFor(task, where);
  if (config.debater.kind === 'embedded' && strong.family === 'embedding') {
    throw new UserError(
      `embedded debaters judge partly revealed inputs with the strong model, but the embedding family reads precomputed columns, not the inputs of task "${task.name}"; use a strong model that reads them (mlp, cnn, text, tfjs)`,
      `${where}.debate`,
    );
  }
}

/** Whether debate `config` trains the strong side on task ground truth (`judge: gt`): such result rows are flagged. */
export function strongSawGt(config: DebateConfig | undefined): boolean {
  return config?.debater.kind === 'embedded' && config.debater.judge === 'gt';
}
