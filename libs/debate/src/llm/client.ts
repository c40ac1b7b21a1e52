import { contentHash, JsonEndpoint, type BodyReading, type EndpointStats } from '@w2s/core/base';
import { CompletionCache } from './cache.js';

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
export interface ChatStats extends EndpointStats {
  cacheHits: number;
}

/**
 * A chat-completions client for any OpenAI-compatible endpoint: the shared JsonEndpoint of
 * @w2s/core (timeouts, a concurrency limit, retry waves shared by all requests, one error for
 * every pending request when no retry can help, the API key redacted from everything a server
 * sends back) plus a disk cache of completions keyed by the request's content hash. A body without
 * a `choices[0].message.content` string, or with empty content, is a UserError naming the URL: a
 * debate never continues with a made-up argument.
 */
export class ChatClient {
  readonly url: string;
  private readonly endpoint: JsonEndpoint;
  private cacheHits = 0;
  private readonly cache: CompletionCache | null;
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly model: string;
  private readonly sendSeed: boolean;

  constructor(options: ChatClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.endpoint = new JsonEndpoint({ ...options, url: this.url, label: `model ${options.model}` });
    this.cache = options.cacheDir === null ? null : new CompletionCache(options.cacheDir);
    this.model = options.model;
    this.sendSeed = options.sendSeed ?? true;
  }

  get stats(): ChatStats {
    return { ...this.endpoint.stats, cacheHits: this.cacheHits };
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
    const promise = this.endpoint.track(() => this.completeUncached(key, request)).finally(() => this.inFlight.delete(key));
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
      this.cacheHits += 1;
      return cached;
    }
    const body = {
      model: this.model,
      messages: request.messages,
      temperature: request.temperature,
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(this.sendSeed && request.seed !== undefined ? { seed: request.seed } : {}),
    };
    const content = await this.endpoint.post(body, (json, snippet) => this.readReply(json, snippet));
    await this.cache?.put(key, this.describe(request), content);
    return content;
  }

  private readReply(json: unknown, snippet: string): BodyReading<string> {
    const reply = json as { choices?: { message?: { content?: unknown } }[]; error?: { message?: unknown } };
    const content = reply?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      const serverError = typeof reply?.error?.message === 'string' ? ` (server says: ${this.endpoint.redact(reply.error.message)})` : '';
      return { ok: false, problem: `response has no choices[0].message.content string${serverError}; body starts: ${JSON.stringify(snippet)}` };
    }
    if (content.trim() === '') return { ok: false, problem: `model ${this.model} returned empty content` };
    // A reply is cached and ends up in transcripts: it must not carry the key either.
    return { ok: true, value: this.endpoint.redact(content) };
  }
}
