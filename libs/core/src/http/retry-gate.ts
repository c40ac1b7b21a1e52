// One shared view of an endpoint's health for all of a client's requests (a circuit breaker).
// Without it every queued request discovers an outage on its own: 30 examples against a server
// answering 500 sent 150 requests, and a closed port took minutes to report.

/** Why a request failed, as the client classifies it. */
export type FailureKind =
  /** Another attempt may succeed: timeouts, resets, HTTP 429 and 5xx. */
  | 'transient'
  /** Nothing listens (connection refused): a couple of quick retries, then permanent. */
  | 'unreachable'
  /** No retry can help: DNS, 401/403/404 and other 4xx, a body that is not a completion. */
  | 'permanent';

export interface RetryGateOptions {
  /** Failed waves in a row before the endpoint is given up (the first wave is attempt 1). */
  maxRetries: number;
  retryBaseMs: number;
  maxBackoffMs: number;
  /** Waves a refused connection gets before it is final, and their longest wait. */
  unreachableRetries?: number;
  unreachableBackoffMs?: number;
  /** One line per retry wave. */
  log?: (line: string) => void;
  /** The error requests reject with, from the problem (e.g. a UserError naming the URL). */
  errorOf: (problem: string) => Error;
}

/**
 * The gate every request passes before it is sent.
 * - closed: requests go through.
 * - open: a transient failure started a retry wave; everyone waits out one shared backoff
 *   (exponential in the wave number, at least the server's Retry-After).
 * - half-open: after the backoff one request probes the endpoint; its success closes the gate
 *   and releases the others, its failure opens the next wave.
 * - failed: a permanent failure, or too many waves; every waiting and later request rejects with
 *   that one error at once, and requests in flight are aborted.
 * Failures of requests sent before the current wave began belong to that wave and open no other,
 * so a wave costs one request once the first one has failed.
 */
export class RetryGate {
  private state: 'closed' | 'open' | 'half-open' = 'closed';
  private failure: Error | undefined;
  private probeOut = false;
  /** Failed waves in a row (0 while healthy). */
  private waves = 0;
  /** Incremented when a wave starts: a request remembers the generation it was sent in. */
  private generation = 0;
  private reopenAt = 0;
  private wakeUp: (() => void)[] = [];
  private abort = new AbortController();
  /** Requests between track()'s start and end: a failure lasts until they have all ended. */
  private active = 0;

  constructor(private readonly opts: RetryGateOptions) {}

  /** Aborted when the endpoint is given up: requests in flight pass it to fetch. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** The error every request now gets, once the endpoint is given up. */
  get error(): Error | undefined {
    return this.failure;
  }

  /**
   * Runs one request's whole life (cache lookup, queueing, attempts) under the gate. A permanent
   * failure fails every request then pending; once they have all ended the gate starts afresh,
   * so a long-lived client can be used again after, say, a bad request.
   */
  async track<T>(request: () => Promise<T>): Promise<T> {
    this.active += 1;
    try {
      return await request();
    } finally {
      this.active -= 1;
      if (this.active === 0 && this.failure) this.reset();
    }
  }

  private reset(): void {
    this.state = 'closed';
    this.failure = undefined;
    this.probeOut = false;
    this.waves = 0;
    this.abort = new AbortController();
  }

  /** Waits until a request may be sent; returns the generation to report its outcome with. */
  async enter(): Promise<number> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.state === 'closed') return this.generation;
      if (this.state === 'open') {
        const wait = this.reopenAt - Date.now();
        if (wait > 0) {
          await this.sleepOrWake(wait);
          continue;
        }
        this.state = 'half-open';
      }
      if (!this.probeOut) {
        this.probeOut = true;
        return this.generation;
      }
      await new Promise<void>((resolve) => this.wakeUp.push(resolve));
    }
  }

  succeeded(): void {
    this.probeOut = false;
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.waves = 0;
      this.wake();
    }
  }

  /**
   * Records a failed request sent in `generation`. Returns normally if the request may try again
   * (through enter()); throws the shared error if the endpoint is now given up.
   */
  failed(generation: number, kind: FailureKind, problem: string, retryAfterMs?: number): void {
    if (this.failure) throw this.failure;
    if (kind === 'permanent') this.giveUp(problem);
    if (generation !== this.generation) return; // this wave is already under way
    this.probeOut = false;
    this.generation += 1;
    this.waves += 1;
    const limit = kind === 'unreachable' ? Math.min(this.opts.maxRetries, this.opts.unreachableRetries ?? 2) : this.opts.maxRetries;
    if (this.waves > limit) this.giveUp(`no valid answer after ${this.waves} attempt${this.waves > 1 ? 's' : ''}; last: ${problem}`);
    const cap = kind === 'unreachable' ? Math.min(this.opts.maxBackoffMs, this.opts.unreachableBackoffMs ?? 1000) : this.opts.maxBackoffMs;
    const backoff = Math.min(Math.max(this.opts.retryBaseMs * 2 ** (this.waves - 1), retryAfterMs ?? 0), cap);
    this.state = 'open';
    this.reopenAt = Date.now() + backoff;
    this.opts.log?.(`${this.opts.errorOf(problem).message}; retry ${this.waves} of ${limit} in ${formatSeconds(backoff)} (one shared wait for all requests)`);
    this.wake();
  }

  private giveUp(problem: string): never {
    this.failure = this.opts.errorOf(problem);
    this.abort.abort(this.failure);
    this.wake();
    throw this.failure;
  }

  private wake(): void {
    for (const resolve of this.wakeUp.splice(0)) resolve();
  }

  private sleepOrWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp.push(done);
    });
  }
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
