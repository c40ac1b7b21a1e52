import { UserError, contentHash } from '@w2s/core/base';
import { CompletionCache } from './cache.js';
import { displayUrl, redactSecrets } from './redact.js';
import { RetryGate, type FailureKind } from './retry-gate.js';
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
  /** One line per retry wave (default: standard error). */
  log?: (line: string) => void;
}

/** What a client did, for progress lines and tests. */
export interface ChatStats {
  /** HTTP requests sent, retries included. */
  httpRequests: number;
  retries: number;
  cacheHits: number;
}

/** Why one attempt failed, and whether another attempt may succeed (see RetryGate). */
interface AttemptFailure {
  kind: FailureKind;
  problem: string;
  retryAfterMs?: number;
}

/** Network error codes meaning nothing answers at that address: retried briefly, then final. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** The name does not resolve: no retry. */
const NO_SUCH_HOST = new Set(['ENOTFOUND']);
/** Longest part of a server's reply quoted in a message (after redaction). */
const SNIPPET_CHARS = 200;

/**
 * A chat-completions client for any OpenAI-compatible endpoint: a timeout per attempt
 * (AbortController, covering the body too), a concurrency limit, a disk cache of completions keyed
 * by the request's content hash, and one shared RetryGate: timeouts, resets, HTTP 429 and 5xx
 * start a retry wave that every request waits out together (one probe, then the rest); a refused
 * connection gets a couple of quick waves; anything else — DNS, 401/403/404 and other 4xx, a body
 * that is not JSON, no `choices[0].message.content` string, empty content — fails every pending
 * request at once with one UserError naming the URL: a debate never continues with a made-up
 * argument. The API key (whole or any 8-character run of it) and anything that looks like a bearer
 * token are redacted from every error, log line, cached completion and returned text.
 */
export class ChatClient {
  readonly url: string;
  readonly stats: ChatStats = { httpRequests: 0, retries: 0, cacheHits: 0 };
  private readonly cache: CompletionCache | null;
  private readonly semaphore: Semaphore;
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly gate: RetryGate;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
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
    this.apiKeyEnv = options.apiKeyEnv ?? 'OPENAI_API_KEY';
    this.#env = options.env ?? process.env;
    const where = displayUrl(this.url);
    this.gate = new RetryGate({
      maxRetries: this.maxRetries,
      retryBaseMs: options.retryBaseMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
      errorOf: (problem) => new UserError(this.redact(problem), where),
    });
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
    const promise = this.gate.track(() => this.completeUncached(key, request)).finally(() => this.inFlight.delete(key));
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

  /**
   * Sends `request` until it succeeds, through the shared gate. A request gets at most
   * maxRetries + 1 attempts of its own, even while other requests succeed.
   */
  private async postWithRetries(request: ChatRequest): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const generation = await this.gate.enter();
      if (attempt > 1) this.stats.retries += 1;
      const outcome = await this.attempt(request);
      if (typeof outcome === 'string') {
        this.gate.succeeded();
        return outcome;
      }
      if (attempt > this.maxRetries && outcome.kind !== 'permanent') {
        this.gate.failed(generation, 'permanent', `no valid answer after ${attempt} attempt${attempt > 1 ? 's' : ''}; last: ${outcome.problem}`);
      }
      this.gate.failed(generation, outcome.kind, outcome.problem, outcome.retryAfterMs); // throws when given up
    }
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
    // The gate's signal aborts requests in flight once another request found the endpoint unusable.
    const signal = AbortSignal.any([controller.signal, this.gate.signal]);
    this.stats.httpRequests += 1;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(body), signal });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (e) {
      if (this.gate.signal.aborted) return { kind: 'permanent', problem: this.gate.error?.message ?? 'stopped' };
      if (controller.signal.aborted) return { kind: 'transient', problem: `no answer within timeoutMs = ${this.timeoutMs} ms` };
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const code = cause?.code ?? '';
      const kind: FailureKind = UNREACHABLE.has(code) ? 'unreachable' : NO_SUCH_HOST.has(code) ? 'permanent' : 'transient';
      const what = NO_SUCH_HOST.has(code) ? 'cannot resolve the host name' : 'cannot reach the endpoint';
      return { kind, problem: `${what} (${code || cause?.message || (e as Error).message})` };
    } finally {
      clearTimeout(timer);
    }
    const snippet = this.snippet(text);
    if (status === 429 || status >= 500) {
      return { kind: 'transient', problem: `HTTP ${status}: ${snippet}`, retryAfterMs: parseRetryAfter(retryAfter) };
    }
    if (status === 401 || status === 403) {
      const state = apiKey ? 'is set but was refused' : 'is not set';
      return { kind: 'permanent', problem: `HTTP ${status}: the API key in environment variable ${this.apiKeyEnv} ${state} (${snippet})` };
    }
    if (status < 200 || status >= 300) return { kind: 'permanent', problem: `HTTP ${status}: ${snippet}` };
    return this.parse(text, snippet);
  }

  /** The start of a server's reply for a message: redacted whole first, then cut. */
  private snippet(text: string): string {
    const clean = this.redact(text);
    return clean.length > SNIPPET_CHARS ? `${clean.slice(0, SNIPPET_CHARS)}…` : clean;
  }

  private parse(text: string, snippet: string): string | AttemptFailure {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: 'permanent', problem: `response is not valid JSON (model ${this.model}; body starts: ${JSON.stringify(snippet)})` };
    }
    const reply = json as { choices?: { message?: { content?: unknown } }[]; error?: { message?: unknown } };
    const content = reply?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      const serverError = typeof reply?.error?.message === 'string' ? ` (server says: ${this.redact(reply.error.message)})` : '';
      return { kind: 'permanent', problem: `response has no choices[0].message.content string${serverError}; body starts: ${JSON.stringify(snippet)}` };
    }
    if (content.trim() === '') return { kind: 'permanent', problem: `model ${this.model} returned empty content` };
    // A reply is cached and ends up in transcripts: it must not carry the key either.
    return this.redact(content);
  }

  /** Removes the API key (and token-like strings) from anything a server sent back. */
  private redact(text: string): string {
    return redactSecrets(text, this.#env[this.apiKeyEnv]);
  }
}

/** Retry-After in seconds (HTTP dates are ignored: the exponential backoff applies). */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value) * 1000;
}
