import { UserError } from '@w2s/core/base';
import { z } from 'zod';

/**
 * Debate configuration: one zod schema is the single source of the config type.
 * `protocol` says who argues for what, `turns` how long, `debater` who the debaters are.
 */

export const PROTOCOLS = ['debate', 'consultancy', 'market-making'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The names a prompt template may use, each written `{name}` (see README, "Prompt templates"). */
export const PROMPT_VARIABLES = ['input', 'stance', 'other', 'answers', 'transcript', 'speaker', 'turn', 'turns'] as const;

const templateText = z.string().min(1).superRefine((text, ctx) => {
  for (const match of text.matchAll(/\{([A-Za-z_]+)\}/g)) {
    if (!(PROMPT_VARIABLES as readonly string[]).includes(match[1]!)) {
      ctx.addIssue({ code: 'custom', message: `unknown variable {${match[1]}}; known: ${PROMPT_VARIABLES.map((v) => `{${v}}`).join(', ')}` });
    }
  }
});

/** A chat prompt: a system message and a user message, both templates. */
export const PromptTemplateSchema = z.strictObject({ system: templateText, user: templateText });
export type PromptTemplate = z.infer<typeof PromptTemplateSchema>;

/** Offline evidence debaters: they reveal features of the input, judged by the strong model. */
export const EmbeddedDebaterSchema = z.strictObject({
  kind: z.literal('embedded'),
  /**
   * `one-shot`: each turn scores every unrevealed feature once and picks k (1 + F judge calls per turn).
   * `greedy`: picks one feature at a time and re-scores after each (k · (1 + F) calls per turn).
   */
  selection: z.enum(['one-shot', 'greedy']).default('one-shot'),
  /** Text inputs: only the first maxTextTokens words can be revealed (bounds the judge calls per turn). */
  maxTextTokens: z.int().min(1).default(64),
  /**
   * Where the debaters' beliefs come from (a head on the strong backbone, see @w2s/weak-teacher):
   * - `elicited` (default): trained on the plain weak model's held-out soft labels of the transfer
   *   split, cross-fitted over transfer folds: no task ground truth on the strong side;
   * - `zero-shot`: the pretraining concept (digit identity) mapped through the task's function;
   *   only for tasks defined from the pretraining labels (digits-parity, -gt4, -prime);
   * - `gt`: trained on weak-train ground truth, an ablation (result rows are flagged `strong_saw_gt`).
   */
  judge: z.enum(['elicited', 'zero-shot', 'gt']).default('elicited'),
});
export type EmbeddedDebaterConfig = z.infer<typeof EmbeddedDebaterSchema>;
export type JudgeKind = EmbeddedDebaterConfig['judge'];

/** LLM debaters behind any OpenAI-compatible chat-completions endpoint. */
export const LlmDebaterSchema = z.strictObject({
  kind: z.literal('llm'),
  /** e.g. http://127.0.0.1:8000/v1 (the client posts to `${baseUrl}/chat/completions`). */
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:8000/v1' }),
  model: z.string().min(1),
  /** Name of the environment variable holding the API key (unset: no Authorization header). */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').default('OPENAI_API_KEY'),
  /** Refuses a key written into the config: keys live only in the environment. */
  apiKey: z.undefined({ error: 'never write an API key into a config; put it in an environment variable and name that variable in apiKeyEnv' }).optional(),
  /** Per attempt, including reading the body. */
  timeoutMs: z.int().min(1).default(60_000),
  /** Extra attempts after a timeout, a network error, HTTP 429 or 5xx. */
  maxRetries: z.int().min(0).default(4),
  /** Backoff before retry r (0-based) is retryBaseMs · 2^r (a Retry-After header can lengthen it). */
  retryBaseMs: z.int().min(0).default(1000),
  /** Requests in flight at once. */
  concurrency: z.int().min(1).default(4),
  maxTokens: z.int().min(1).default(256),
  /** Send a per-turn `seed` (servers that support it then give reproducible samples). */
  sendSeed: z.boolean().default(true),
  /** Overrides the protocol's default prompt. */
  prompt: PromptTemplateSchema.optional(),
  /** Prompts per task name (runLlmDebate's `task`); a task not listed uses `prompt`, else the default. */
  prompts: z.record(z.string(), PromptTemplateSchema).optional(),
});
export type LlmDebaterConfig = z.infer<typeof LlmDebaterSchema>;

export const DebaterSchema = z.discriminatedUnion('kind', [EmbeddedDebaterSchema, LlmDebaterSchema]);
export type DebaterConfig = z.infer<typeof DebaterSchema>;

export const DebateConfigSchema = z.strictObject({
  protocol: z.enum(PROTOCOLS).default('debate'),
  /** Debate: A, B, A, … alternate. Consultancy and market-making: the one consultant speaks every turn. */
  turns: z.int().min(1).max(50).default(3),
  /** Embedded debaters: features revealed per turn (k). */
  featuresPerTurn: z.int().min(1).default(4),
  /**
   * Sampling temperature. Embedded: softmax over gains in log-odds (nats); 0 = deterministic argmax.
   * LLM: passed to the endpoint. Above 0, different debate seeds give different transcripts.
   */
  temperature: z.number().min(0).max(100).default(1),
  debater: DebaterSchema.prefault({ kind: 'embedded' }),
});
export type DebateConfig = z.infer<typeof DebateConfigSchema>;
export type DebateConfigInput = z.input<typeof DebateConfigSchema>;

/** Parses a debate config; every problem becomes one UserError listing `path: problem` lines. */
export function parseDebateConfig(raw: unknown, where = 'debate config'): DebateConfig {
  const parsed = DebateConfigSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`);
  throw new UserError(`invalid debate config:\n${lines.join('\n')}`, where);
}
