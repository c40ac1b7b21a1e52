import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARTIFACT_MARKER, ArtifactCache, CORRUPT_DIR } from './cache.js';
import { isUserError } from './errors.js';
import { findWorkspaceRoot } from './workspace.js';

let root: string;
let cache: ArtifactCache;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'w2s-cache-'));
  cache = new ArtifactCache(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const write = (dir: string, file: string, value: unknown) => writeFileSync(join(dir, file), JSON.stringify(value));

describe('ArtifactCache.key', () => {
  it('is stage + 20 hex of the content hash, stable under key order, sensitive to values and inputs', () => {
    const k = cache.key('weak-gt', { lr: 0.1, model: { size: 'xs', family: 'mlp' } }, ['dataset-abc']);
    expect(k).toMatch(/^weak-gt-[0-9a-f]{20}$/);
    expect(cache.key('weak-gt', { model: { family: 'mlp', size: 'xs' }, lr: 0.1 }, ['dataset-abc'])).toBe(k);
    expect(cache.key('weak-gt', { lr: 0.2, model: { size: 'xs', family: 'mlp' } }, ['dataset-abc'])).not.toBe(k);
    expect(cache.key('weak-gt', { lr: 0.1, model: { size: 'xs', family: 'mlp' } }, ['dataset-xyz'])).not.toBe(k);
    expect(cache.key('ceiling', { lr: 0.1, model: { size: 'xs', family: 'mlp' } }, ['dataset-abc'])).not.toMatch(/^weak-gt/);
    expect(cache.key('s', { a: 1 })).toBe(cache.key('s', { a: 1 }, undefined));
    expect(() => cache.key('../evil', {})).toThrow(/safe file name/);
    expect(() => cache.dir('../x')).toThrow(/not a valid artifact key/);
  });
});

describe('ArtifactCache.getOrCreate', () => {
  it('produces on a miss and returns the stored artifact on a hit', async () => {
    const key = cache.key('stage', { x: 1 });
    let calls = 0;
    const produce = async (tmp: string) => {
      calls += 1;
      write(tmp, 'out.json', { answer: 42 });
    };
    expect(cache.has(key)).toBe(false);
    const miss = await cache.getOrCreate(key, produce);
    expect(miss).toEqual({ dir: join(root, key), hit: false });
    expect(cache.has(key)).toBe(true);
    const hit = await cache.getOrCreate(key, produce);
    expect(hit).toEqual({ dir: join(root, key), hit: true });
    expect(calls).toBe(1);
    expect(cache.readJson<{ answer: number }>(key, 'out.json')).toEqual({ answer: 42 });
    expect(readdirSync(root)).toEqual([key]);
    expect(readdirSync(join(root, key)).sort()).toEqual([ARTIFACT_MARKER, 'out.json']);
  });

  it('leaves nothing under the key when produce throws, and a later call can succeed', async () => {
    const key = cache.key('stage', { x: 2 });
    await expect(
      cache.getOrCreate(key, async (tmp) => {
        write(tmp, 'partial.json', {});
        throw new Error('out of memory');
      }),
    ).rejects.toThrow('out of memory');
    expect(cache.has(key)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
    const ok = await cache.getOrCreate(key, async (tmp) => write(tmp, 'out.json', 1));
    expect(ok.hit).toBe(false);
    expect(cache.readJson(key, 'out.json')).toBe(1);
  });

  it('two overlapping async producers leave exactly one complete artifact', async () => {
    const key = cache.key('stage', { x: 3 });
    let started = 0;
    let release!: () => void;
    const bothStarted = new Promise<void>((r) => (release = r));
    const producer = (id: string) => async (tmp: string) => {
      if (++started === 2) release();
      await bothStarted; // both are inside produce before either publishes
      write(tmp, 'a.json', id);
      write(tmp, 'b.json', id);
    };
    const [r1, r2] = await Promise.all([cache.getOrCreate(key, producer('one')), cache.getOrCreate(key, producer('two'))]);
    expect(r1.dir).toBe(r2.dir);
    expect([r1.hit, r2.hit]).toEqual([false, false]);
    const a = cache.readJson<string>(key, 'a.json');
    expect(['one', 'two']).toContain(a);
    expect(cache.readJson<string>(key, 'b.json')).toBe(a); // never a mix of the two
    expect(readdirSync(root)).toEqual([key]); // the loser's temp dir is gone
  });

  it('two concurrent processes compute an artifact once: the second waits for the first one\'s (lease)', async () => {
    const key = cache.key('race', { x: 4 });
    const producers = join(root, 'producers');
    mkdirSync(producers);
    const cacheRoot = join(root, 'cache');
    const child = join(import.meta.dirname, 'test-utils', 'cache-race-child.ts');
    const repo = findWorkspaceRoot(import.meta.dirname);
    const runChild = (id: number) =>
      new Promise<{ dir: string; hit: boolean }>((resolve, reject) => {
        const p = spawn(process.execPath, ['--conditions=w2s-source', '--import', 'tsx', child, cacheRoot, key, String(id), producers], {
          cwd: repo,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('error', reject);
        p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child ${id} exited ${code}: ${err}`))));
      });
    const results = await Promise.all([runChild(0), runChild(1)]);
    // One produced it; the other found it (it waited on the lease while the first was producing).
    expect(results.map((r) => r.hit).sort()).toEqual([false, true]);
    expect(readdirSync(producers)).toHaveLength(1);
    expect(results[0]!.dir).toBe(join(cacheRoot, key));
    expect(results[1]!.dir).toBe(join(cacheRoot, key));
    const readBack = new ArtifactCache(cacheRoot);
    expect(readBack.has(key)).toBe(true);
    const a = readBack.readJson<{ writer: string }>(key, 'a.json');
    expect(readdirSync(producers)).toEqual([`produced-${a.writer}`]);
    expect(readBack.readJson<{ writer: string }>(key, 'b.json')).toEqual(a);
    expect(readdirSync(cacheRoot)).toEqual([key]); // no lease left behind
  });

  it('takes over the lease of a holder that died', async () => {
    const key = cache.key('orphan', { x: 9 });
    // A lease written by a process that no longer exists (pid far above any live one here).
    const lease = join(root, '.leases', key);
    mkdirSync(lease, { recursive: true });
    write(lease, 'owner.json', { host: hostname(), pid: 2 ** 22 + 12345 });
    const made = await cache.getOrCreate(key, async (tmp) => write(tmp, 'out.json', 7));
    expect(made.hit).toBe(false);
    expect(cache.readJson(key, 'out.json')).toBe(7);
    expect(existsSync(lease)).toBe(false);
  });

  it('moves an incomplete dir at the final name aside and recomputes it', async () => {
    const key = cache.key('stage', { x: 5 });
    mkdirSync(join(root, key));
    write(join(root, key), 'junk.json', 1);
    expect(cache.check(key)).toBe('it has no completion marker');
    const lines: string[] = [];
    const logged = new ArtifactCache(root, { log: (l) => lines.push(l) });
    const made = await logged.getOrCreate(key, async (tmp) => write(tmp, 'out.json', 1));
    expect(made.hit).toBe(false);
    expect(logged.readJson(key, 'out.json')).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(join(root, key));
    const [aside] = readdirSync(join(root, CORRUPT_DIR));
    expect(readdirSync(join(root, CORRUPT_DIR, aside!))).toEqual(['junk.json']);
  });
});

describe('ArtifactCache integrity', () => {
  const lines: string[] = [];
  const logged = () => new ArtifactCache(root, { log: (l) => lines.push(l) });
  beforeEach(() => lines.splice(0));

  async function stored(x: number): Promise<{ key: string; dir: string }> {
    const key = cache.key('stage', { x });
    const { dir } = await cache.getOrCreate(key, async (tmp) => {
      write(tmp, 'a.json', { values: [1, 2, 3, 4, 5, 6, 7, 8] });
      mkdirSync(join(tmp, 'sub'));
      writeFileSync(join(tmp, 'sub', 'w.bin'), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    });
    return { key, dir };
  }

  it('records the size and sha256 of every file in the marker', async () => {
    const { key, dir } = await stored(1);
    const record = JSON.parse(readFileSync(join(dir, ARTIFACT_MARKER), 'utf8'));
    expect(record.key).toBe(key);
    expect(Object.keys(record.files).sort()).toEqual(['a.json', 'sub/w.bin']);
    expect(record.files['sub/w.bin'].bytes).toBe(8);
    expect(record.files['sub/w.bin'].sha256).toBe(createHash('sha256').update(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])).digest('hex'));
    expect(cache.check(key)).toBeUndefined();
  });

  const damages: [string, (dir: string) => void, RegExp][] = [
    ['a truncated file', (dir) => truncateSync(join(dir, 'sub', 'w.bin'), 3), /sub\/w\.bin holds 3 bytes/],
    ['an altered byte (same size)', (dir) => writeFileSync(join(dir, 'a.json'), readFileSync(join(dir, 'a.json'), 'utf8').replace('5', '9')), /a\.json does not match its checksum/],
    ['a deleted file', (dir) => rmSync(join(dir, 'a.json')), /a\.json is missing/],
    ['a truncated marker', (dir) => truncateSync(join(dir, ARTIFACT_MARKER), 10), /marker is unreadable/],
    ['a marker without checksums (older w2s)', (dir) => writeFileSync(join(dir, ARTIFACT_MARKER), '{"key":"x"}'), /records no checksums/],
  ];
  it.each(damages)('detects %s even after an earlier check, moves it aside in one line, and recomputes', async (_, damage, problem) => {
    const { key, dir } = await stored(2);
    const reader = logged();
    expect(reader.has(key)).toBe(true); // verified once: the memo must not hide a later change
    damage(dir);
    expect(reader.check(key)).toMatch(problem);
    expect(existsSync(dir)).toBe(true); // check alone changes nothing
    expect(reader.has(key)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(dir);
    expect(lines[0]).toMatch(problem);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(join(root, CORRUPT_DIR))).toHaveLength(1);
    let produced = 0;
    const again = await reader.getOrCreate(key, async (tmp) => {
      produced++;
      write(tmp, 'a.json', { values: [1, 2, 3, 4, 5, 6, 7, 8] });
    });
    expect(again.hit).toBe(false);
    expect(produced).toBe(1);
    expect(reader.has(key)).toBe(true);
    expect(lines).toHaveLength(1);
  });

  it('a damaged artifact moved aside by another process is simply absent here (no second line)', async () => {
    const { key, dir } = await stored(3);
    truncateSync(join(dir, 'a.json'), 1);
    const first = logged();
    const second = logged();
    expect(second.check(key)).toMatch(/holds 1 bytes/);
    expect(first.has(key)).toBe(false);
    expect(second.has(key)).toBe(false);
    expect(lines).toHaveLength(1);
  });
});

describe('ArtifactCache housekeeping', () => {
  it('ignores temp dirs of crashed writers and cleans them up', async () => {
    const key = cache.key('stage', { x: 6 });
    // pid 999999999 is above Linux's pid_max (2^22), so that writer is certainly dead
    const dead = join(root, `.${key}.tmp-${hostname()}.999999999.deadbeef`);
    const alive = join(root, `.${key}.tmp-${hostname()}.${process.pid}.cafef00d`);
    const oldOtherHost = join(root, `.${key}.tmp-elsewhere.123.0badf00d`);
    const freshOtherHost = join(root, `.${key}.tmp-elsewhere.124.00c0ffee`);
    for (const d of [dead, alive, oldOtherHost, freshOtherHost]) {
      mkdirSync(d);
      write(d, 'half.json', 'half');
    }
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    utimesSync(oldOtherHost, twoDaysAgo, twoDaysAgo);
    expect(cache.has(key)).toBe(false);
    const r = await cache.getOrCreate(key, async (tmp) => write(tmp, 'out.json', 'ok'));
    expect(r.hit).toBe(false);
    expect(await cache.cleanStaleTemps()).toBe(2);
    expect(readdirSync(root).sort()).toEqual([alive, freshOtherHost].map((d) => d.slice(root.length + 1)).concat(key).sort());
  });

  it('reports a missing or corrupt artifact file as a UserError naming it', async () => {
    const key = cache.key('stage', { x: 7 });
    await cache.getOrCreate(key, async (tmp) => writeFileSync(join(tmp, 'bad.json'), '{oops'));
    for (const file of ['bad.json', 'missing.json']) {
      const err = (() => {
        try {
          cache.readJson(key, file);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(isUserError(err)).toBe(true);
      expect(err!.message).toContain(join(root, key, file));
    }
  });

  it('defaults to $W2S_CACHE_DIR, else <workspace root>/.w2s-cache', () => {
    const saved = process.env.W2S_CACHE_DIR;
    try {
      process.env.W2S_CACHE_DIR = join(root, 'from-env');
      expect(new ArtifactCache().root).toBe(join(root, 'from-env'));
      delete process.env.W2S_CACHE_DIR;
      expect(new ArtifactCache().root).toBe(join(findWorkspaceRoot(), '.w2s-cache'));
    } finally {
      if (saved === undefined) delete process.env.W2S_CACHE_DIR;
      else process.env.W2S_CACHE_DIR = saved;
    }
  });
});
