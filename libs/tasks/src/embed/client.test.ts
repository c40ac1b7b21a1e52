// EmbeddingsClient against a local OpenAI-compatible /v1/embeddings server whose answers the
// test scripts: batches, order by `index`, the cache, retries, and every bad answer named.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserError, leaksSecret } from '@w2s/core/base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddingsClient, type EmbeddingsClientOptions } from './client.js';

type Reply = { status?: number; body: string; headers?: Record<string, string> } | 'hang';
interface Received {
  model: string;
  input: string[];
  authorization?: string;
}

let server: Server | undefined;
let received: Received[];
let cacheDir: string;

/** Deterministic embedding of a text: its length, its vowel count, and a dimension-filler. */
const vectorOf = (text: string, dim = 3) => [text.length, (text.match(/[aeiou]/g) ?? []).length, ...Array(dim - 2).fill(0.5)];
const answer = (input: string[], dim = 3, reversed = true) => {
  const data = input.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text, dim) }));
  return JSON.stringify({ object: 'list', data: reversed ? data.reverse() : data, model: 'm' });
};

async function serve(script: (r: Received, i: number) => Reply): Promise<string> {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received;
      const r = { model: body.model, input: body.input, authorization: req.headers.authorization };
      const reply = script(r, received.push(r) - 1);
      if (reply === 'hang') return; // closed with the server
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1`;
}

beforeEach(() => {
  received = [];
  cacheDir = mkdtempSync(join(tmpdir(), 'w2s-embed-'));
});
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  rmSync(cacheDir, { recursive: true, force: true });
});

const client = (baseUrl: string, options: Partial<EmbeddingsClientOptions> = {}) =>
  new EmbeddingsClient({ baseUrl, model: 'small-embed', cacheDir, batchSize: 3, retryBaseMs: 1, maxRetries: 2, timeoutMs: 5000, log: () => undefined, ...options });

const texts = ['a cat', 'the dog', 'an emu', 'owl', 'bee', 'quite a long sentence', 'x'];

async function failure(promise: Promise<unknown>): Promise<Error> {
  const e = await promise.then(
    () => new Error('expected a rejection'),
    (x: unknown) => x as Error,
  );
  expect(isUserError(e), String(e)).toBe(true);
  return e;
}

describe('EmbeddingsClient', () => {
  it('embeds in batches, puts answers in input order by index, and a rerun reads the cache', async () => {
    const url = await serve((r) => ({ body: answer(r.input) }));
    const first = client(url);
    const got = await first.embed(texts);
    expect(got.dim).toBe(3);
    expect(Array.from(got.values)).toEqual(texts.flatMap((t) => vectorOf(t)));
    expect(received.map((r) => r.input.length)).toEqual([3, 3, 1]);
    expect(received.every((r) => r.model === 'small-embed')).toBe(true);
    const rerun = client(url);
    expect(Array.from((await rerun.embed([...texts, 'new one'])).values)).toEqual([...texts, 'new one'].flatMap((t) => vectorOf(t)));
    expect(received).toHaveLength(4); // only 'new one' was asked
    expect(rerun.stats.cacheHits).toBe(texts.length);
  });

  it('retries 429, 500 and a timeout in shared waves, then succeeds', async () => {
    const url = await serve((r, i) =>
      i === 0 ? { status: 429, body: 'slow down', headers: { 'retry-after': '0' } } : i === 1 ? { status: 500, body: 'oops' } : i === 2 ? 'hang' : { body: answer(r.input) },
    );
    const got = await client(url, { batchSize: 10, timeoutMs: 300, maxRetries: 3 }).embed(texts);
    expect(Array.from(got.values)).toEqual(texts.flatMap((t) => vectorOf(t)));
    expect(received).toHaveLength(4);
  });

  it('gives up after maxRetries + 1 attempts, naming the URL', async () => {
    const url = await serve(() => ({ status: 503, body: 'down' }));
    const e = await failure(client(url, { batchSize: 10 }).embed(texts));
    expect(e.message).toBe(`${url}/embeddings: no valid answer after 3 attempts; last: HTTP 503: down`);
  });

  const badAnswers: [string, (r: Received, i: number) => Reply, RegExp][] = [
    ['HTML instead of JSON', () => ({ body: '<html><body>Bad gateway</body></html>' }), /response is not valid JSON \(model small-embed; body starts: "<html><body>Bad gateway/],
    ['no data array', () => ({ body: '{"error": "nope"}' }), /model small-embed: response has no data array/],
    ['items missing', (r) => ({ body: answer(r.input.slice(1)) }), /model small-embed returned 2 embeddings for 3 inputs/],
    ['a NaN (null in JSON)', (r) => ({ body: answer(r.input).replace(/\[(\d+),/, '[null,') }), /model small-embed: item \d holds a value that is not a finite number/],
    ['a dimension change across batches', (r, i) => ({ body: answer(r.input, i === 0 ? 3 : 4) }), /model small-embed returned a 4-dimensional embedding after 3-dimensional ones/],
  ];
  for (const [what, script, pattern] of badAnswers) {
    it(`${what}: one message naming the URL and the model, no retry`, async () => {
      const url = await serve(script);
      const e = await failure(client(url, { concurrency: 1 }).embed(texts));
      expect(e.message.startsWith(`${url}/embeddings: `)).toBe(true);
      expect(e.message).toMatch(pattern);
    });
  }

  it('sends the key from the environment only, and never shows it', async () => {
    const key = 'sk-embed-0123456789abcdefghijklmnop';
    const url = await serve((r) => ({ status: 401, body: `{"error":"bad token ${r.authorization}"}` }));
    const e = await failure(client(url, { apiKeyEnv: 'EMBED_KEY', env: { EMBED_KEY: key } }).embed(texts));
    expect(received[0]!.authorization).toBe(`Bearer ${key}`);
    expect(e.message).toContain('HTTP 401: the API key in environment variable EMBED_KEY is set but was refused');
    expect(leaksSecret(`${e.message}\n${e.stack}`, key)).toBe(false);
  });
});
