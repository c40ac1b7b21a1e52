// POSTing JSON to an OpenAI-compatible endpoint (chat completions, embeddings): timeouts, a
// concurrency limit, one shared RetryGate, the API key from the environment only, and every
// byte a server sends back redacted before it reaches a message, a log line or a caller.
import { UserError } from '../errors.js';
import { displayUrl, redactSecrets } from './redact.js';
import { RetryGate, type FailureKind } from './retry-gate.js';
import { Semaphore } from './semaphore.js';

export interface JsonEndpointOptions {
  /** The full URL requests go to, e.g. http://127.0.0.1:8000/v1/embeddings. */
  url: string;
  /** Environment variable with the API key, read at each request; unset → no Authorization header. */
  apiKeyEnv?: string;
  /** Where the API key is read from (default process.env). */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Failed retry waves (timeouts, resets, 429, 5xx) before giving up; a request gets maxRetries + 1 attempts. */
  maxRetries?: number;
  retryBaseMs?: number;
  /** Upper bound of one backoff, also for a server's Retry-After. */
  maxBackoffMs?: number;
  concurrency?: number;
  /** One line per retry wave (default: standard error). */
  log?: (line: string) => void;
  /** What is asked, for messages about bad bodies, e.g. `model qwen-7b`. */
  label?: string;
}

/** What an endpoint did, for progress lines and tests. */
export interface EndpointStats {
  /** HTTP requests sent, retries included. */
  httpRequests: number;
  retries: number;
}

/** Why one attempt failed, and whether another attempt may succeed (see RetryGate). */
export interface AttemptFailure {
  kind: FailureKind;
  problem: string;
  retryAfterMs?: number;
}

/** A parsed 2xx body read as an answer, or why it is not a valid one. */
export type BodyReading<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Reads a parsed 2xx body. A problem is a permanent failure (the same request would get the same
 * answer). `snippet` is the redacted start of the body, for messages.
 */
export type ReadBody<T> = (json: unknown, snippet: string) => BodyReading<T>;

/** Network error codes meaning nothing answers at that address: retried briefly, then final. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** The name does not resolve: no retry. */
const NO_SUCH_HOST = new Set(['ENOTFOUND']);
/** Longest part of a server's reply quoted in a message (after redaction). */
const SNIPPET_CHARS = 200;

/**
 * One endpoint. Timeouts, resets, HTTP 429 and 5xx start a retry wave that every request waits
 * out together (one probe, then the rest); a refused connection gets a couple of quick waves;
 * anything else — DNS, 401/403/404 and other 4xx, a body that is not JSON or not a valid answer —
 * fails every pending request at once with one UserError naming the URL. The API key (whole or
 * any 8-character run of it) and anything that looks like a bearer token are redacted from every
 * error, log line and returned value.
 */
export class JsonEndpoint {
  readonly url: string;
  readonly stats: EndpointStats = { httpRequests: 0, retries: 0 };
  private readonly gate: RetryGate;
  private readonly semaphore: Semaphore;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly apiKeyEnv: string;
  private readonly label: string | undefined;
  /** A #private field: never shown by console.log or JSON.stringify (it holds the key). */
  readonly #env: Record<string, string | undefined>;

  constructor(options: JsonEndpointOptions) {
    this.url = options.url;
    this.semaphore = new Semaphore(options.concurrency ?? 4);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRetries = options.maxRetries ?? 4;
    this.apiKeyEnv = options.apiKeyEnv ?? 'OPENAI_API_KEY';
    this.label = options.label;
    this.#env = options.env ?? process.env;
    const where = displayUrl(this.url);
    this.gate = new RetryGate({
      maxRetries: this.maxRetries,
      retryBaseMs: options.retryBaseMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
      errorOf: (problem) => new UserError(this.redact(problem), where),
    });
  }

  /** The URL as messages show it (credentials redacted). */
  get where(): string {
    return displayUrl(this.url);
  }

  /**
   * Runs one logical request's whole life (cache lookups included) under the shared gate: a
   * permanent failure fails every request then pending, and lasts until they have all ended.
   */
  track<T>(request: () => Promise<T>): Promise<T> {
    return this.gate.track(request);
  }

  /** POSTs `body` until a valid answer comes back (see the class comment for failures). */
  post<T>(body: unknown, read: ReadBody<T>): Promise<T> {
    return this.semaphore.run(() => this.postWithRetries(body, read));
  }

  /** Removes the API key (and token-like strings) from anything a server sent back. */
  redact(text: string): string {
    return redactSecrets(text, this.#env[this.apiKeyEnv]);
  }

  /** A request gets at most maxRetries + 1 attempts of its own, even while other requests succeed. */
  private async postWithRetries<T>(body: unknown, read: ReadBody<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const generation = await this.gate.enter();
      if (attempt > 1) this.stats.retries += 1;
      const outcome = await this.attempt(body, read);
      if (!isFailure(outcome)) {
        this.gate.succeeded();
        return outcome.value;
      }
      if (attempt > this.maxRetries && outcome.kind !== 'permanent') {
        this.gate.failed(generation, 'permanent', `no valid answer after ${attempt} attempt${attempt > 1 ? 's' : ''}; last: ${outcome.problem}`);
      }
      this.gate.failed(generation, outcome.kind, outcome.problem, outcome.retryAfterMs); // throws when given up
    }
  }

  /** One HTTP request: the value, or why it failed. */
  private async attempt<T>(body: unknown, read: ReadBody<T>): Promise<{ value: T } | AttemptFailure> {
    const apiKey = this.#env[this.apiKeyEnv];
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
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
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: 'permanent', problem: `response is not valid JSON (${this.label ? `${this.label}; ` : ''}body starts: ${JSON.stringify(snippet)})` };
    }
    const reading = read(json, snippet);
    return reading.ok ? { value: reading.value } : { kind: 'permanent', problem: reading.problem };
  }

  /** The start of a server's reply for a message: redacted whole first, then cut. */
  private snippet(text: string): string {
    const clean = this.redact(text);
    return clean.length > SNIPPET_CHARS ? `${clean.slice(0, SNIPPET_CHARS)}…` : clean;
  }
}

function isFailure<T>(outcome: { value: T } | AttemptFailure): outcome is AttemptFailure {
  return !('value' in outcome);
}

/** Retry-After in seconds (HTTP dates are ignored: the exponential backoff applies). */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value) * 1000;
}
