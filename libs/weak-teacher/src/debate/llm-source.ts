import { join } from 'node:path';
import { llmClient, runLlmDebate, type DebateConfig } from '@w2s/debate';
import type { WeakLabelsContext } from './context.js';
import type { DebateSource } from './source.js';
import { stanceTextColumns } from './stance-columns.js';

/**
 * LLM debaters (any OpenAI-compatible endpoint) argue each text; completions are cached under
 * `<cache>/llm-completions`, so a rerun never queries the endpoint again.
 */
export function llmSource(ctx: WeakLabelsContext, config: DebateConfig, indices: Int32Array): DebateSource {
  const { task } = ctx;
  const client = llmClient(config.debater, join(ctx.cache.root, 'llm-completions'));
  return {
    transcripts: (debateSeed, weakPredictions) =>
      runLlmDebate(config, {
        ids: Array.from(indices, (i) => task.examples.ids[i]!),
        texts: Array.from(indices, (i) => task.examples.text![i]!),
        classNames: task.classNames,
        seed: debateSeed,
        weakPredictions,
        task: task.name,
        client,
        onProgress: (done, total) => ctx.note?.(`LLM debate seed ${debateSeed}: ${done}/${total} examples`, done / total),
      }),
    transcriptColumns: (backbone, transcripts) => stanceTextColumns(ctx, backbone, transcripts),
    turnContents: (t) => t.turns.map((turn) => ('text' in turn ? turn.text : '')),
    dispose: () => {},
  };
}
