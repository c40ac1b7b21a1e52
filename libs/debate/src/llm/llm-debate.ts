import { join } from 'node:path';
import { ArtifactCache, UserError } from '@w2s/core/base';
import type { DebateConfig, DebaterConfig } from '../config.js';
import { transcriptText } from '../encoding.js';
import { checkExamples, exampleRng, planTurns } from '../protocol.js';
import type { TextTranscript, TextTurn } from '../transcript.js';
import { ChatClient } from './client.js';
import { DEFAULT_PROMPTS, renderPrompt } from './prompts.js';

/** Default home of cached completions: `<artifact cache root>/llm-completions` ($W2S_CACHE_DIR or .w2s-cache). */
export function defaultCompletionCacheDir(): string {
  return join(new ArtifactCache().root, 'llm-completions');
}

/**
 * A client for the config's endpoint (`config.debater`), caching completions in `cacheDir`
 * (null: no cache). Share one client between debate runs to share its concurrency limit and its
 * retry waves; `log` gets one line per retry wave (default: standard error).
 */
export function llmClient(debater: DebaterConfig, cacheDir: string | null = defaultCompletionCacheDir(), log?: (line: string) => void): ChatClient {
  if (debater.kind !== 'llm') throw new UserError(`an LLM client needs debater.kind "llm", got "${debater.kind}"`, 'debater.kind');
  const { baseUrl, model, apiKeyEnv, timeoutMs, maxRetries, retryBaseMs, concurrency, sendSeed } = debater;
  return new ChatClient({ baseUrl, model, apiKeyEnv, timeoutMs, maxRetries, retryBaseMs, concurrency, sendSeed, cacheDir, log });
}

export interface LlmDebateInput {
  /** Example ids, unique; transcripts come back in this order. */
  ids: readonly string[];
  /** The examples' texts (the `{input}` of the prompts). */
  texts: readonly string[];
  /** The two answers, class 0 then class 1 (what the debaters argue for). */
  classNames: readonly string[];
  /** The debate seed: one debate sample per seed. */
  seed: number;
  /** market-making only: the plain weak model's predicted class (0 or 1) per example. */
  weakPredictions?: ArrayLike<number>;
  /** The task's name: picks debater.prompts[task] when given. */
  task?: string;
  /** Default: a client from config.debater caching under defaultCompletionCacheDir(). */
  client?: ChatClient;
  onProgress?: (done: number, total: number) => void;
}

const NO_ARGUMENTS = '(no arguments yet)';

/**
 * Text debate with LLM debaters. Each turn's speaker gets the protocol's prompt with its stance and
 * the transcript so far; turns of one example run in order, examples run concurrently (bounded by
 * the client's concurrency). Each turn sends a seed drawn from (debate seed, example id), so a
 * debate sample is reproducible and cached; another debate seed gives other samples. The first
 * error stops the run (examples not yet finished send no further requests) and is rethrown once
 * the requests in flight have settled.
 */
export async function runLlmDebate(config: DebateConfig, input: LlmDebateInput): Promise<TextTranscript[]> {
  const debater = config.debater;
  if (debater.kind !== 'llm') {
    throw new UserError(`runLlmDebate needs debater.kind "llm", got "${debater.kind}" (use runEvidenceDebate)`, 'debater.kind');
  }
  const { ids, texts, classNames, seed } = input;
  if (classNames.length !== 2) throw new UserError(`debate supports binary tasks: expected 2 class names, got ${classNames.length}`, 'classNames');
  if (texts.length !== ids.length) throw new UserError(`has ${texts.length} entries, expected ${ids.length} (one per id)`, 'texts');
  checkExamples(ids, config.protocol, input.weakPredictions);
  const client = input.client ?? llmClient(debater);
  const template = (input.task !== undefined ? debater.prompts?.[input.task] : undefined) ?? debater.prompt ?? DEFAULT_PROMPTS[config.protocol];
  const answers = `"${classNames[0]}" or "${classNames[1]}"`;
  let failed = false;
  let firstError: unknown;
  let done = 0;

  const debateOne = async (i: number): Promise<TextTranscript> => {
    const id = ids[i]!;
    const rng = exampleRng(seed, id);
    const plan = planTurns(config.protocol, config.turns, rng, input.weakPredictions?.[i]);
    const transcript: TextTranscript = { kind: 'text', id, protocol: config.protocol, seed, turns: [] };
    for (const [t, { speaker, stance }] of plan.entries()) {
      const turnSeed = rng.int(2 ** 31 - 1); // drawn even when cached, so later turns keep their seeds
      if (failed) break;
      const messages = renderPrompt(template, {
        input: texts[i]!,
        stance: classNames[stance]!,
        other: classNames[1 - stance]!,
        answers,
        transcript: transcript.turns.length ? transcriptText(transcript, classNames) : NO_ARGUMENTS,
        speaker,
        turn: String(t + 1),
        turns: String(plan.length),
      });
      const text = await client.complete({ messages, temperature: config.temperature, seed: turnSeed, maxTokens: debater.maxTokens });
      const turn: TextTurn = { speaker, stance, text: text.trim() };
      transcript.turns.push(turn);
    }
    done += 1;
    input.onProgress?.(done, ids.length);
    return transcript;
  };

  // On the first error the others stop before their next request; requests already in flight
  // finish (and are cached) before the error is rethrown, so nothing runs on after the call returns.
  const settled = await Promise.allSettled(
    ids.map((_, i) =>
      debateOne(i).catch((e: unknown) => {
        if (!failed) firstError = e;
        failed = true;
        throw e;
      }),
    ),
  );
  if (failed) throw firstError;
  return settled.map((r) => (r as PromiseFulfilledResult<TextTranscript>).value);
}
