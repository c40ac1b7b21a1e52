import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isUserError } from '@w2s/core/base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startScriptedServer, type Script, type ScriptedServer } from '../test-utils/scripted-server.js';
import { ChatClient, type ChatClientOptions, type ChatRequest } from './client.js';

const KEY = 'sk-test-7f3a9c-never-leak';
const env = { W2S_TEST_KEY: KEY };

let server: ScriptedServer | undefined;
let cacheDir: string;

beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'w2s-debate-client-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(cacheDir, { recursive: true, force: true });
});

async function serve(script: Script): Promise<ScriptedServer> {
  server = await startScriptedServer(script);
  return server;
}

/**
 * Test settings: no real backoff; a timeout long enough that a loaded machine never trips it
 * by accident (the timeout tests set a short one against a server that never answers).
 */
function client(baseUrl: string, options: Partial<ChatClientOptions> = {}): ChatClient {
  return new ChatClient({ baseUrl, model: 'test-model', apiKeyEnv: 'W2S_TEST_KEY', env, timeoutMs: 10_000, maxRetries: 2, retryBaseMs: 1, cacheDir, ...options });
}

const request = (text = 'Is 7 odd?', seed = 11): ChatRequest => ({
  messages: [
    { role: 'system', content: 'You are Debater A.' },
    { role: 'user', content: text },
  ],
  temperature: 0.7,
  seed,
  maxTokens: 50,
});

/** The error `promise` rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

describe('ChatClient against a scripted OpenAI-compatible server', () => {
  it('posts model, messages, temperature, seed and max_tokens with the key, and returns the content', async () => {
    const s = await serve(() => ({ content: 'Seven is odd: 7 = 2·3 + 1.' }));
    const content = await client(s.baseUrl).complete(request());
    expect(content).toBe('Seven is odd: 7 = 2·3 + 1.');
    expect(s.requests).toHaveLength(1);
    const [received] = s.requests;
    expect(received!.method).toBe('POST');
    expect(received!.url).toBe('/v1/chat/completions');
    expect(received!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(received!.body).toEqual({ model: 'test-model', messages: request().messages, temperature: 0.7, seed: 11, max_tokens: 50 });
  });

  it('sends no Authorization header when the key variable is unset, and no seed when sendSeed is off', async () => {
    const s = await serve(() => ({ content: 'ok' }));
    await client(s.baseUrl, { env: {}, sendSeed: false }).complete(request());
    expect(s.requests[0]!.headers.authorization).toBeUndefined();
    expect(s.requests[0]!.body.seed).toBeUndefined();
  });

  it('retries after HTTP 500 and succeeds', async () => {
    const s = await serve((_, i) => (i === 0 ? { status: 500, body: '{"error":{"message":"overloaded"}}' } : { content: 'second try' }));
    const c = client(s.baseUrl);
    expect(await c.complete(request())).toBe('second try');
    expect(s.requests).toHaveLength(2);
    expect(c.stats).toEqual({ httpRequests: 2, retries: 1, cacheHits: 0 });
  });

  it('retries after HTTP 429 (honouring a Retry-After of 0 s)', async () => {
    const s = await serve((_, i) => (i < 2 ? { status: 429, body: 'slow down', headers: { 'retry-after': '0' } } : { content: 'third try' }));
    expect(await client(s.baseUrl).complete(request())).toBe('third try');
    expect(s.requests).toHaveLength(3);
  });

  it('gives up after maxRetries + 1 attempts with a UserError naming the URL and the last status', async () => {
    const s = await serve(() => ({ status: 503, body: 'down for maintenance' }));
    const e = await rejection(client(s.baseUrl).complete(request()));
    expect(isUserError(e)).toBe(true);
    expect(e.message).toBe(`${s.baseUrl}/chat/completions: no valid answer after 3 attempts; last: HTTP 503: down for maintenance`);
    expect(s.requests).toHaveLength(3);
  });

  it('times out a server that never answers, retries, then fails clearly', async () => {
    const s = await serve(() => ({ hang: true }));
    const e = await rejection(client(s.baseUrl, { maxRetries: 1, timeoutMs: 200 }).complete(request()));
    expect(isUserError(e)).toBe(true);
    expect(e.message).toBe(`${s.baseUrl}/chat/completions: no valid answer after 2 attempts; last: no answer within timeoutMs = 200 ms`);
    expect(s.requests).toHaveLength(2);
  });

  it('recovers when only the first attempt times out', async () => {
    const s = await serve((_, i) => (i === 0 ? { hang: true } : { content: 'late but fine' }));
    expect(await client(s.baseUrl, { timeoutMs: 1000 }).complete(request())).toBe('late but fine');
    expect(s.requests).toHaveLength(2);
  });

  it('fails on malformed JSON without retrying, naming the URL (never a default answer)', async () => {
    const s = await serve(() => ({ status: 200, body: '{"choices": [{"message": {"content": "truncated' }));
    const e = await rejection(client(s.baseUrl).complete(request()));
    expect(isUserError(e)).toBe(true);
    expect(e.message).toMatch(new RegExp(`^${escape(s.baseUrl)}/chat/completions: response is not valid JSON \\(model test-model; body starts: `));
    expect(s.requests).toHaveLength(1);
  });

  it('fails on JSON without choices[0].message.content, quoting a server error message', async () => {
    const s = await serve((_, i) =>
      i === 0 ? { status: 200, body: '{"choices": []}' } : { status: 200, body: '{"error": {"message": "model not loaded"}}' },
    );
    const c = client(s.baseUrl);
    const first = await rejection(c.complete(request('one')));
    expect(first.message).toContain('response has no choices[0].message.content string; body starts: "{\\"choices\\": []}"');
    const second = await rejection(c.complete(request('two')));
    expect(second.message).toContain('(server says: model not loaded)');
  });

  it('fails on empty content', async () => {
    const s = await serve(() => ({ content: '   ' }));
    const e = await rejection(client(s.baseUrl).complete(request()));
    expect(e.message).toBe(`${s.baseUrl}/chat/completions: model test-model returned empty content`);
  });

  it('does not retry HTTP 400, and explains HTTP 401 by the variable name only', async () => {
    const s = await serve((_, i) => (i === 0 ? { status: 400, body: 'bad request: unknown model' } : { status: 401, body: 'invalid key' }));
    const c = client(s.baseUrl);
    expect((await rejection(c.complete(request('a')))).message).toBe(`${s.baseUrl}/chat/completions: HTTP 400: bad request: unknown model`);
    const unauthorized = await rejection(c.complete(request('b')));
    expect(unauthorized.message).toBe(
      `${s.baseUrl}/chat/completions: HTTP 401: the API key in environment variable W2S_TEST_KEY is set but was refused (invalid key)`,
    );
    expect(s.requests).toHaveLength(2);
  });

  it('reports an unreachable endpoint after its retries', async () => {
    const s = await serve(() => ({ content: 'unused' }));
    const { baseUrl } = s;
    await s.close();
    server = undefined;
    const e = await rejection(client(baseUrl).complete(request()));
    expect(isUserError(e)).toBe(true);
    expect(e.message).toBe(`${baseUrl}/chat/completions: no valid answer after 3 attempts; last: cannot reach the endpoint (ECONNREFUSED)`);
  });

  it('never puts the API key into errors, cache files or cache keys, even when a server echoes it', async () => {
    const echo: Script = (req) => ({ status: 500, body: `auth was ${String(req.headers.authorization)}` });
    const s = await serve(echo);
    const e = await rejection(client(s.baseUrl, { maxRetries: 0 }).complete(request()));
    expect(e.message).toBe(`${s.baseUrl}/chat/completions: no valid answer after 1 attempt; last: HTTP 500: auth was Bearer [redacted]`);
    expect(String(e.stack)).not.toContain(KEY);

    await s.close();
    const ok = await serve((req) => ({ content: `saw ${String(req.headers.authorization)}` }));
    const c = client(ok.baseUrl);
    await c.complete(request());
    const files = filesUnder(cacheDir);
    expect(files).toHaveLength(1);
    // The reply itself contains the key (this server echoes it); the request part of the file must not.
    const stored = JSON.parse(readFileSync(files[0]!, 'utf8')) as { key: string; request: unknown };
    expect(JSON.stringify(stored.request)).not.toContain(KEY);
    expect(stored.key).toBe(c.cacheKey(request()));
    // The key is the same whatever the API key: it is not an input of the hash.
    expect(client(ok.baseUrl, { env: { W2S_TEST_KEY: 'another' } }).cacheKey(request())).toBe(stored.key);
    // Logging the client shows no key either.
    expect(inspect(c, { depth: 5 })).not.toContain(KEY);
    expect(JSON.stringify(c)).not.toContain(KEY);
  });

  it('answers a repeated request from the disk cache, also in a new client (a rerun)', async () => {
    const s = await serve((_, i) => ({ content: `answer ${i}` }));
    const first = client(s.baseUrl);
    expect(await first.complete(request())).toBe('answer 0');
    expect(await first.complete(request())).toBe('answer 0');
    const rerun = client(s.baseUrl);
    expect(await rerun.complete(request())).toBe('answer 0');
    expect(s.requests).toHaveLength(1);
    expect(rerun.stats).toEqual({ httpRequests: 0, retries: 0, cacheHits: 1 });
    // Another seed or another message is another request.
    expect(await rerun.complete(request('Is 7 odd?', 12))).toBe('answer 1');
    expect(await rerun.complete(request('Is 8 odd?'))).toBe('answer 2');
    expect(s.requests).toHaveLength(3);
  });

  it('queries again when the cache is disabled', async () => {
    const s = await serve((_, i) => ({ content: `answer ${i}` }));
    const c = client(s.baseUrl, { cacheDir: null });
    await c.complete(request());
    expect(await c.complete(request())).toBe('answer 1');
  });

  it('sends identical concurrent requests once', async () => {
    const s = await serve(() => ({ content: 'shared' }));
    const c = client(s.baseUrl);
    expect(await Promise.all([c.complete(request()), c.complete(request())])).toEqual(['shared', 'shared']);
    expect(s.requests).toHaveLength(1);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    // The server holds each reply until two requests are waiting: with concurrency 2 every pair
    // is released together; a third concurrent request would show up in maxInFlight.
    let release: (() => void) | undefined;
    let waiting = 0;
    const s = await serve(async (req) => {
      waiting += 1;
      if (waiting % 2 === 1) await new Promise<void>((resolve) => (release = resolve));
      else release!();
      return { content: `re: ${req.body.messages![1]!.content}` };
    });
    const c = client(s.baseUrl, { concurrency: 2 });
    const texts = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'];
    expect(await Promise.all(texts.map((t) => c.complete(request(t))))).toEqual(texts.map((t) => `re: ${t}`));
    expect(s.maxInFlight).toBe(2);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
