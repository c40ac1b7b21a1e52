import { UserError, contentHash } from '@w2s/core/base';
import { CompletionCache } from './cache.js';
import { Semaphore } from './semaphore.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature: number;
  /** Sent as `seed` when the client's sendSeed is on; always part of the cache key. */
  seed?: number;
  maxTokens?: number;
}

export interface ChatClientOptions {
  /** e.g. http://127.0.0.1:8000/v1; requests go to `${baseUrl}/chat/completions`. */
  baseUrl: string;
  model: string;
  /** Environment variable with the API key, read at each request; unset → no Authorization header. */
  apiKeyEnv?: string;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  /** Upper bound of one backoff, also for a server's Retry-After. */
  maxBackoffMs?: number;
  concurrency?: number;
  sendSeed?: boolean;
  /** Directory of cached completions; null disables the cache (then reruns query again). */
  cacheDir: string | null;
  /** Where the API key is read from (default process.env). */
  env?: Record<string, string | undefined>;
}

/** What a client did, for progress lines and tests. */
export interface ChatStats {
  /** HTTP requests sent, retries included. */
  httpRequests: number;
  retries: number;
  cacheHits: number;
}

/** Why one attempt failed; `retry` says whether another attempt may succeed. */
interface AttemptFailure {
  retry: boolean;
  problem: string;
  retryAfterMs?: number;
}

/**
 * A chat-completions client for any OpenAI-compatible endpoint: a timeout per attempt
 * (AbortController, covering the body too), bounded retries with exponential backoff on timeouts,
 * network errors, HTTP 429 and 5xx, a concurrency limit, and a disk cache of completions keyed by
 * the request's content hash. Anything else — another 4xx, a body that is not JSON, no
 * `choices[0].message.content` string, empty content — is a UserError naming the URL: a debate
 * never continues with a made-up argument. The API key appears in no error, cache file or key.
 */
export class ChatClient {
  readonly url: string;
  readonly stats: ChatStats = { httpRequests: 0, retries: 0, cacheHits: 0 };
  private readonly cache: CompletionCache | null;
  private readonly semaphore: Semaphore;
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly apiKeyEnv: string;
  private readonly model: string;
  private readonly sendSeed: boolean;
  /** A #private field: never shown by console.log or JSON.stringify of the client (it holds the key). */
  readonly #env: Record<string, string | undefined>;

  constructor(options: ChatClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.cache = options.cacheDir === null ? null : new CompletionCache(options.cacheDir);
    this.semaphore = new Semaphore(options.concurrency ?? 4);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRetries = options.maxRetries ?? 4;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.apiKeyEnv = options.apiKeyEnv ?? 'OPENAI_API_KEY';
    this.#env = options.env ?? process.env;
    this.model = options.model;
    this.sendSeed = options.sendSeed ?? true;
  }

  /** The cache key of a request: endpoint, model and sampling parameters, not the API key. */
  cacheKey(request: ChatRequest): string {
    return contentHash(this.describe(request));
  }

  /** The assistant's reply to `request`, from the cache when this exact request was answered before. */
  async complete(request: ChatRequest): Promise<string> {
    const key = this.cacheKey(request);
    const running = this.inFlight.get(key);
    if (running) return running;
    const promise = this.completeUncached(key, request).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private describe(request: ChatRequest) {
    return {
      url: this.url,
      model: this.model,
      messages: request.messages,
      temperature: request.temperature,
      seed: request.seed,
      maxTokens: request.maxTokens,
    };
  }

  private async completeUncached(key: string, request: ChatRequest): Promise<string> {
    const cached = await this.cache?.get(key);
    if (cached !== undefined) {
      this.stats.cacheHits += 1;
      return cached;
    }
    const content = await this.semaphore.run(() => this.postWithRetries(request));
    await this.cache?.put(key, this.describe(request), content);
    return content;
  }

  private async postWithRetries(request: ChatRequest): Promise<string> {
    let last: AttemptFailure | undefined;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (attempt > 0) {
        this.stats.retries += 1;
        const backoff = this.retryBaseMs * 2 ** (attempt - 1);
        await sleep(Math.min(Math.max(backoff, last?.retryAfterMs ?? 0), this.maxBackoffMs));
      }
      const outcome = await this.attempt(request);
      if (typeof outcome === 'string') return outcome;
      last = outcome;
      if (!outcome.retry) throw new UserError(outcome.problem, this.url);
    }
    const attempts = this.maxRetries + 1;
    throw new UserError(`no valid answer after ${attempts} attempt${attempts > 1 ? 's' : ''}; last: ${last!.problem}`, this.url);
  }

  /** One HTTP request: the content, or why it failed. */
  private async attempt(request: ChatRequest): Promise<string | AttemptFailure> {
    const apiKey = this.#env[this.apiKeyEnv];
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const body = {
      model: this.model,
      messages: request.messages,
      temperature: request.temperature,
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(this.sendSeed && request.seed !== undefined ? { seed: request.seed } : {}),
    };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    this.stats.httpRequests += 1;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (e) {
      if (controller.signal.aborted) return { retry: true, problem: `no answer within timeoutMs = ${this.timeoutMs} ms` };
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      return { retry: true, problem: `cannot reach the endpoint (${cause?.code ?? cause?.message ?? (e as Error).message})` };
    } finally {
      clearTimeout(timer);
    }
    const snippet = this.redact(text.slice(0, 200));
    if (status === 429 || status >= 500) {
      return { retry: true, problem: `HTTP ${status}: ${snippet}`, retryAfterMs: parseRetryAfter(retryAfter) };
    }
    if (status === 401 || status === 403) {
      const state = apiKey ? 'is set but was refused' : 'is not set';
      return { retry: false, problem: `HTTP ${status}: the API key in environment variable ${this.apiKeyEnv} ${state} (${snippet})` };
    }
    if (status < 200 || status >= 300) return { retry: false, problem: `HTTP ${status}: ${snippet}` };
    return this.parse(text, snippet);
  }

  private parse(text: string, snippet: string): string | AttemptFailure {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { retry: false, problem: `response is not valid JSON (model ${this.model}; body starts: ${JSON.stringify(snippet)})` };
    }
    const reply = json as { choices?: { message?: { content?: unknown } }[]; error?: { message?: unknown } };
    const content = reply?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      const serverError = typeof reply?.error?.message === 'string' ? ` (server says: ${this.redact(reply.error.message)})` : '';
      return { retry: false, problem: `response has no choices[0].message.content string${serverError}; body starts: ${JSON.stringify(snippet)}` };
    }
    if (content.trim() === '') return { retry: false, problem: `model ${this.model} returned empty content` };
    return content;
  }

  /** Removes the API key from anything a server sent back before it goes into an error. */
  private redact(text: string): string {
    const apiKey = this.#env[this.apiKeyEnv];
    return apiKey ? text.split(apiKey).join('[redacted]') : text;
  }
}

/** Retry-After in seconds (HTTP dates are ignored: the exponential backoff applies). */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value) * 1000;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
