// @w2s/debate: debate protocols, evidence and LLM debaters, transcripts as weak-model context.
export {
  DebateConfigSchema,
  DebaterSchema,
  EmbeddedDebaterSchema,
  LlmDebaterSchema,
  PromptTemplateSchema,
  PROTOCOLS,
  PROMPT_VARIABLES,
  parseDebateConfig,
} from './config.js';
export type { DebateConfig, DebateConfigInput, DebaterConfig, EmbeddedDebaterConfig, JudgeKind, LlmDebaterConfig, PromptTemplate, Protocol } from './config.js';
export type { EvidenceTranscript, EvidenceTurn, Speaker, Stance, TextTranscript, TextTurn, Transcript } from './transcript.js';
export { exampleRng, planTurns, type TurnPlan } from './protocol.js';
export { pickTopK } from './sampling.js';
export { runEvidenceDebate, type EvidenceDebateInput, type EvidenceJudge } from './evidence-debate.js';
export { coordinateUnits, patchUnits, wordTokens, type FeatureUnits } from './units.js';
export {
  maskedInputJudge,
  maskedTextJudge,
  revealedText,
  type MaskedInputJudgeOptions,
  type MaskedTextJudgeOptions,
  type PredictRows,
  type PredictTexts,
  type TextEvidenceJudge,
} from './judges.js';
export {
  appendTranscript,
  encodeEvidence,
  evidenceInputs,
  evidenceMask,
  evidenceText,
  stanceTexts,
  transcriptText,
  TRANSCRIPT_SEPARATOR,
  type EvidenceInputs,
} from './encoding.js';
export { ChatClient, type ChatClientOptions, type ChatMessage, type ChatRequest, type ChatStats } from './llm/client.js';
export { DEFAULT_PROMPTS, fillTemplate, renderPrompt, type PromptValues } from './llm/prompts.js';
export { defaultCompletionCacheDir, llmClient, runLlmDebate, type LlmDebateInput } from './llm/llm-debate.js';
