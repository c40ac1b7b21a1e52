// Every path that prints or stores a server's response, against servers that echo the API key.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isUserError, leaksSecret as leaksKey } from '@w2s/core/base';
import { describe, expect, it } from 'vitest';
import { scriptedServerFixture, type Script } from '../test-utils/scripted-server.js';
import { fakeKey } from '../test-utils/fake-key.js';
import { ChatClient, type ChatClientOptions } from './client.js';

const fixture = scriptedServerFixture('w2s-debate-secrets-');

const serve = (script: Script) => fixture.serve(script);

function client(baseUrl: string, key: string, options: Partial<ChatClientOptions> = {}): ChatClient {
  return new ChatClient({
    baseUrl,
    model: 'm',
    apiKeyEnv: 'W2S_TEST_KEY',
    env: { W2S_TEST_KEY: key },
    timeoutMs: 10_000,
    maxRetries: 1,
    retryBaseMs: 1,
    cacheDir: fixture.cacheDir,
    log: fixture.log,
    ...options,
  });
}

const request = { messages: [{ role: 'user' as const, content: 'Is 7 odd?' }], temperature: 0 };

async function failure(c: ChatClient): Promise<Error> {
  const e = await c.complete(request).then(
    () => new Error('expected a rejection'),
    (x: unknown) => x as Error,
  );
  expect(isUserError(e), String(e)).toBe(true);
  return e;
}

/** Everything a user could see of a failure: message, stack, inspected error, retry lines. */
function shown(e: Error): string {
  return [e.message, String(e.stack), JSON.stringify(e), ...fixture.logged].join('\n');
}

const authorization = (headers: Record<string, unknown>) => String(headers.authorization);

describe('the API key never leaves the client', () => {
  it('a 168-character key echoed in a 401 body (the reported case: the cut used to split the key)', async () => {
    const key = fakeKey(168);
    const s = await serve((req) => ({ status: 401, body: JSON.stringify({ error: { message: `Invalid token: ${authorization(req.headers)}` } }) }));
    const e = await failure(client(s.baseUrl, key));
    expect(e.message).toContain('HTTP 401: the API key in environment variable W2S_TEST_KEY is set but was refused');
    expect(e.message).toContain('Invalid token: Bearer [redacted]');
    expect(leaksKey(shown(e), key)).toBe(false);
  });

  it('keys that straddle the 200-character cut, at every offset around it', async () => {
    for (const length of [12, 20, 48]) {
      const key = fakeKey(length);
      for (const at of [185, 190, 195, 199]) {
        const s = await serve(() => ({ status: 400, body: `${'x'.repeat(at)}${key} trailing` }));
        const e = await failure(client(s.baseUrl, key));
        expect(leaksKey(shown(e), key), `key of ${length} at ${at}: ${e.message}`).toBe(false);
        await fixture.closeServer();
      }
    }
  });

  it('a server that echoes only a cut prefix of the key, or the request headers as JSON', async () => {
    const key = fakeKey(64);
    const s = await serve((req, i) =>
      i === 0
        ? { status: 403, body: `bad key ${authorization(req.headers).slice(7, 7 + 30)}...` }
        : { status: 503, body: JSON.stringify({ received: req.headers }) },
    );
    const first = await failure(client(s.baseUrl, key));
    expect(leaksKey(shown(first), key)).toBe(false);
    const second = await failure(client(s.baseUrl, key, { maxRetries: 1 }));
    // The 503 went through a retry wave: its log line is checked too.
    expect(fixture.logged.length).toBeGreaterThan(0);
    expect(leaksKey(shown(second), key)).toBe(false);
  });

  it('a key inside a URL of the reply, and credentials in the configured base URL', async () => {
    const key = fakeKey(40);
    const s = await serve(() => ({ status: 404, body: `no route; try https://gateway.example/v1?api_key=${key}&v=2` }));
    const e = await failure(client(s.baseUrl, key));
    expect(leaksKey(shown(e), key)).toBe(false);
    const withCredentials = s.baseUrl.replace('http://', `http://user:${key}@`);
    const e2 = await failure(client(withCredentials, 'unrelated-key-value'));
    expect(e2.message).toContain('http://user:[redacted]@127.0.0.1');
    expect(leaksKey(shown(e2), key)).toBe(false);
  });

  it('a successful reply that echoes the key: not in the returned text, not in the cache file', async () => {
    const key = fakeKey(56);
    const s = await serve((req) => ({ content: `you sent ${authorization(req.headers)} and ${key.slice(0, 20)}` }));
    const content = await client(s.baseUrl, key).complete(request);
    expect(content).toBe('you sent Bearer [redacted] and [redacted]');
    const files = readdirSync(fixture.cacheDir, { recursive: true, encoding: 'utf8' })
      .map((f) => join(fixture.cacheDir, f))
      .filter((f) => statSync(f).isFile());
    expect(files).toHaveLength(1);
    expect(leaksKey(readFileSync(files[0]!, 'utf8'), key)).toBe(false);
  });
});
