// Helpers for the scale-out tests: the CLI as a background process (to kill it), Arrow tables
// compared cell by cell, and a private redis-server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { w2sBin, workspaceRoot } from './helpers.js';

/** A small manifest: digits parity, mlp xs -> s, `seeds` × 2 methods (4 stages per seed). */
export function writeManifest(dir: string, name: string, opts: { seeds: number[]; nDocs?: number; nTest?: number; nVal?: number; methods?: string }): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
backend: wasm
seeds: [${opts.seeds.join(', ')}]
splits: { nDocs: ${opts.nDocs ?? 200}, nTest: ${opts.nTest ?? 100}, nVal: ${opts.nVal ?? 40} }
tasks: [digits-parity]
ladders:
  image: { family: mlp, mode: probe, weak: [xs], strong: [s] }
methods:
${opts.methods ?? `  - name: naive
  - name: logconf
    loss: { name: logconf, auxCoef: 0.5 }`}
bootstrap: { resamples: 100 }
`,
  );
  return file;
}

/** Rows of runs.arrow (read with apache-arrow) as plain objects. */
export function readRuns(path: string): Record<string, unknown>[] {
  const table = tableFromIPC(readFileSync(path));
  return table.toArray().map((row) => ({ ...(row.toJSON() as Record<string, unknown>) }));
}

/**
 * runs.arrow without the seconds_* columns: those are wall-clock costs measured when a stage was
 * computed, so two independent runs never agree on them; every other column must be equal.
 */
export function runsWithoutTimings(path: string): Record<string, unknown>[] {
  return readRuns(path).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('seconds_'))));
}

export interface Background {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first match of `pattern` in stderr (checked as output arrives). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Signals the whole process group: the CLI and its worker processes. */
  killGroup(signal?: NodeJS.Signals): void;
}

/** Starts `w2s <args>` in its own process group and returns at once. */
export function startW2s(args: string[], env: Record<string, string> = {}): Background {
  const child = spawn(process.execPath, [w2sBin, ...args], {
    cwd: workspaceRoot,
    env: { ...process.env, CI: 'true', W2S_FROM_SOURCE: '1', ...env }, // the sources, as helpers.w2s
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: (() => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...watchers]) w();
  });
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close': the process ended and its output is all read.
    child.on('close', (status, signal) => resolve({ status, signal })),
  );
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in stderr within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
        timer.unref();
        const check = () => {
          const m = stderr.match(pattern);
          if (m) {
            clearTimeout(timer);
            watchers.splice(watchers.indexOf(check), 1);
            resolve(m);
          }
        };
        watchers.push(check);
        check();
      });
    },
    killGroup(signal = 'SIGKILL') {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

export interface RedisUnderTest {
  /** redis://:password@127.0.0.1:port */
  url: string;
  password: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The Redis the distributed tests use: $W2S_TEST_REDIS_URL if set (.ci/run starts one, with a
 * password), else a private redis-server on a free loopback port with a password, in memory only.
 */
export async function startRedis(): Promise<RedisUnderTest> {
  const given = process.env.W2S_TEST_REDIS_URL;
  if (given) {
    const u = new URL(given);
    return { url: given, password: decodeURIComponent(u.password), port: Number(u.port || 6379), stop: async () => undefined };
  }
  return startRedisServer([]);
}

export function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}

/**
 * A private redis-server speaking only TLS, with a self-signed certificate for "localhost" (made
 * with openssl) and a password. `caFile` is the certificate clients must trust.
 */
export async function startTlsRedis(): Promise<RedisUnderTest & { caFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'w2s-redis-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', key, '-out', cert], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  const server = await startRedisServer(['--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', cert, '--tls-auth-clients', 'no'], true);
  return { ...server, url: server.url.replace(/^redis:\/\/(.*)@127\.0\.0\.1:/, 'rediss://$1@localhost:'), caFile: cert };
}

async function startRedisServer(extra: string[], tls = false): Promise<RedisUnderTest> {
  const port = await freePort();
  const password = 'w2s-test-secret';
  const dir = mkdtempSync(join(tmpdir(), 'w2s-redis-'));
  const ports = tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  const server = spawn('redis-server', [...ports, '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 20_000);
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.on('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${out}`)));
  });
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    password,
    port,
    stop: () =>
      new Promise((resolve) => {
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}
