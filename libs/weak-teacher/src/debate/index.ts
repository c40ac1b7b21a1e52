import type { DebateConfig } from '@w2s/debate';
import type { WeakLabelsContext } from './context.js';
import { inputEvidenceSource } from './input-evidence.js';
import { llmSource } from './llm-source.js';
import { checkDebateFor, type DebateSource } from './source.js';
import { textEvidenceSource } from './text-evidence.js';

export { checkDebateFor, strongSawGt, type DebateSource } from './source.js';
export type { WeakLabelsContext } from './context.js';
export { weakWithTranscripts } from './weak-with-transcripts.js';

/** The debate source for `config` on the context's task: LLM debaters, or evidence debate over words or inputs. */
export async function debateSource(ctx: WeakLabelsContext, config: DebateConfig, indices: Int32Array): Promise<DebateSource> {
  checkDebateFor(config, ctx.task, ctx.strong, ctx.where ?? 'methods[]');
  if (config.debater.kind === 'llm') return llmSource(ctx, config, indices);
  const { judge } = config.debater;
  // checkDebateFor refused zero-shot for every task that is not a digit (image) task.
  if (ctx.task.modality === 'text' && judge !== 'zero-shot') return textEvidenceSource(ctx, config, indices, config.debater.maxTextTokens, judge);
  return inputEvidenceSource(ctx, config, indices, judge);
}
