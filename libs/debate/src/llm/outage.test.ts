// An LLM outage costs seconds and a bounded number of requests, whatever the number of examples.
import { createServer, type Server, type Socket } from 'node:net';
import { isUserError } from '@w2s/core/base';
import { describe, expect, it } from 'vitest';
import { parseDebateConfig } from '../config.js';
import { scriptedServerFixture, startScriptedServer, type Script } from '../test-utils/scripted-server.js';
import { llmClient, runLlmDebate } from './llm-debate.js';

const fixture = scriptedServerFixture('w2s-debate-outage-');

const serve = (script: Script) => fixture.serve(script);

/** A debate over `n` texts against `baseUrl` with the manifest defaults unless overridden. */
async function debate(baseUrl: string, n: number, debater: Record<string, unknown> = {}) {
  const config = parseDebateConfig({ turns: 3, debater: { kind: 'llm', baseUrl, model: 'm', apiKeyEnv: 'W2S_NO_SUCH_KEY', ...debater } });
  const client = llmClient(config.debater, fixture.cacheDir, fixture.log);
  const ids = Array.from({ length: n }, (_, i) => `q${i}`);
  const started = performance.now();
  const error = await runLlmDebate(config, { ids, texts: ids.map((id) => `Is ${id} odd?`), classNames: ['even', 'odd'], seed: 0, client }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  return { error, seconds: (performance.now() - started) / 1000, client };
}

/** A port with nothing listening: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = await startScriptedServer(() => ({ content: 'unused' }));
  const port = Number(new URL(s.baseUrl).port);
  await s.close();
  return port;
}

describe('LLM outages fail fast, with one message and bounded requests', () => {
  it('a closed port: 300 examples end with one message naming the URL within 10 s (default settings)', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const { error, seconds } = await debate(baseUrl, 300);
    expect(isUserError(error)).toBe(true);
    expect(error!.message).toBe(`${baseUrl}/chat/completions: no valid answer after 3 attempts; last: cannot reach the endpoint (ECONNREFUSED)`);
    expect(seconds).toBeLessThan(10);
    // Two quick retry waves, each announced once (not once per example).
    expect(fixture.logged).toHaveLength(2);
    expect(fixture.logged[0]).toMatch(/cannot reach the endpoint \(ECONNREFUSED\); retry 1 of 2 in 1\.0 s/);
  }, 20_000);

  it('a server answering 500: 30 examples send at most concurrency + maxRetries requests', async () => {
    const s = await serve(() => ({ status: 500, body: '{"error":{"message":"internal"}}' }));
    const concurrency = 4;
    const maxRetries = 4;
    const { error } = await debate(s.baseUrl, 30, { concurrency, maxRetries, retryBaseMs: 5 });
    expect(error!.message).toBe(`${s.baseUrl}/chat/completions: no valid answer after 5 attempts; last: HTTP 500: {"error":{"message":"internal"}}`);
    // The first wave: the requests in flight when the first 500 came back; then one probe per wave.
    expect(s.requests.length).toBeLessThanOrEqual(concurrency + maxRetries);
    expect(fixture.logged).toHaveLength(maxRetries);
    expect(fixture.logged.map((l) => /retry (\d) of 4/.exec(l)?.[1])).toEqual(['1', '2', '3', '4']);
  });

  it('a 429 storm: one shared wait honouring Retry-After, then everyone proceeds', async () => {
    const s = await serve((req, i) => (i < 2 ? { status: 429, body: 'slow down', headers: { 'retry-after': '1' } } : { content: `ok ${req.body.seed}` }));
    const { error, seconds } = await debate(s.baseUrl, 20, { concurrency: 2, retryBaseMs: 1 });
    expect(error).toBeUndefined();
    // 20 examples × 3 turns answered, plus the two 429s: nobody retried on their own.
    expect(s.requests).toHaveLength(62);
    expect(fixture.logged).toHaveLength(1);
    expect(fixture.logged[0]).toMatch(/HTTP 429: slow down; retry 1 of 4 in 1\.0 s/);
    expect(seconds).toBeGreaterThanOrEqual(0.95);
  });

  it('a permanent error (401) stops queued and in-flight requests at once', async () => {
    let first = true;
    const s = await serve(async () => {
      if (first) {
        first = false;
        return { status: 401, body: 'no' };
      }
      return { hang: true }; // the others would wait for the timeout without the shared failure
    });
    const { error, seconds } = await debate(s.baseUrl, 50, { concurrency: 4, timeoutMs: 30_000 });
    expect(error!.message).toMatch(/HTTP 401: the API key in environment variable W2S_NO_SUCH_KEY is not set/);
    expect(seconds).toBeLessThan(5);
    expect(s.requests.length).toBeLessThanOrEqual(4);
  });

  it('a port that accepts and never answers: the timeout message after the configured timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/v1`;
    try {
      const { error, seconds } = await debate(baseUrl, 40, { timeoutMs: 400, maxRetries: 1, retryBaseMs: 1 });
      expect(error!.message).toBe(`${baseUrl}/chat/completions: no valid answer after 2 attempts; last: no answer within timeoutMs = 400 ms`);
      // Two waves of one timeout each, not one timeout per example.
      expect(seconds).toBeGreaterThanOrEqual(0.8);
      expect(seconds).toBeLessThan(5);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
