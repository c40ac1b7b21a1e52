import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** One request the server received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: {
    model?: string;
    messages?: { role: string; content: string }[];
    temperature?: number;
    seed?: number;
    max_tokens?: number;
  };
}

/** What the script answers: a chat completion with this content, or a raw HTTP reply. */
export type ScriptedReply =
  | { content: string }
  | { status: number; body: string; headers?: Record<string, string> }
  | { hang: true };

export type Script = (request: ReceivedRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedServer {
  /** http://127.0.0.1:<port>/v1 */
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Most requests the server was answering at one time. */
  maxInFlight: number;
  close(): Promise<void>;
}

/** A chat-completions reply in the OpenAI format. */
export function completion(content: string): string {
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  });
}

/**
 * A local OpenAI-compatible endpoint on 127.0.0.1 whose answers come from `script`
 * (scripted answers, 500s, 429s, malformed JSON, or hanging past the client's timeout).
 */
export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const state = { requests: [] as ReceivedRequest[], inFlight: 0, maxInFlight: 0 };
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      const text = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : {} };
      const index = state.requests.push(received) - 1;
      const reply = await script(received, index);
      state.inFlight -= 1;
      if ('hang' in reply) {
        hanging.push(res); // never answered; closed with the server
      } else if ('content' in reply) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(completion(reply.content));
      } else {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: state.requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A test file's fixture: before each test a fresh cache dir and an empty log; after it, the
 * scripted server (if one was started with `serve`) closed and the dir removed.
 */
export function scriptedServerFixture(prefix: string) {
  const state = { cacheDir: '', logged: [] as string[], server: undefined as ScriptedServer | undefined };
  beforeEach(() => {
    state.cacheDir = mkdtempSync(join(tmpdir(), prefix));
    state.logged = [];
  });
  afterEach(async () => {
    await state.server?.close();
    state.server = undefined;
    rmSync(state.cacheDir, { recursive: true, force: true });
  });
  return {
    get cacheDir() {
      return state.cacheDir;
    },
    /** Lines the client logged (pass `log` to it). */
    get logged() {
      return state.logged;
    },
    log: (line: string) => void state.logged.push(line),
    async serve(script: Script): Promise<ScriptedServer> {
      state.server = await startScriptedServer(script);
      return state.server;
    },
    /** Closes the running server now (a test of an endpoint that went away). */
    async closeServer(): Promise<void> {
      await state.server?.close();
      state.server = undefined;
    },
  };
}
