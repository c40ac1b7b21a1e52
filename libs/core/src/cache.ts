import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { publishDirAtomic } from './atomic.js';
import { UserError } from './errors.js';
import { contentHash } from './hash.js';
import { acquireLease } from './lease.js';
import { processAlive } from './process-alive.js';
import { findWorkspaceRoot } from './workspace.js';

/**
 * Written last inside an artifact dir, just before it is published: only complete artifacts have
 * it. It records the size and sha256 of every other file of the artifact (see ArtifactRecord).
 */
export const ARTIFACT_MARKER = '.w2s-complete';

/** Where artifacts that failed verification are moved (inside the cache root), kept for inspection. */
export const CORRUPT_DIR = 'corrupt';

/** The content of an artifact's marker file: its key and a checksum of each of its files. */
export interface ArtifactRecord {
  key: string;
  /** Path relative to the artifact dir ('/'-separated) → size and sha256 of its content. */
  files: Record<string, { bytes: number; sha256: string }>;
}

const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** Temp dirs made by publishDirAtomic: `.<key>.tmp-<host>.<pid>.<8 hex>`. */
const TEMP_NAME = /^\.(.+)\.tmp-(.+)\.(\d+)\.[0-9a-f]{8}$/;

/**
 * Content-addressed store of stage outputs. An artifact is a directory `<root>/<key>` whose key is
 * the hash of the stage's config and its input artifacts' keys, so equal work maps to one dir and
 * a rerun finds everything already done. Artifacts are built in a private temp dir and published
 * by one rename: a reader never sees half an artifact, and a crashed writer leaves only a hidden
 * temp dir, which is ignored (cleanStaleTemps removes it).
 */
export class ArtifactCache {
  readonly root: string;
  private readonly log: (line: string) => void;
  /**
   * Artifacts verified by this process, with the size and mtime of their files at that moment:
   * a stage's artifact is looked up many times (scheduling, its dependents), and hashing it again
   * is only needed when a file changed since.
   */
  private readonly verified = new Map<string, string>();

  /**
   * `root` defaults to $W2S_CACHE_DIR, else `<workspace root>/.w2s-cache`; `log` receives the one
   * line written when a corrupt artifact is moved aside (default: stderr).
   */
  constructor(root?: string, opts: { log?: (line: string) => void } = {}) {
    this.root = resolve(root ?? process.env.W2S_CACHE_DIR ?? join(findWorkspaceRoot(), '.w2s-cache'));
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** `${stage}-${first 20 hex of contentHash({stage, config, inputKeys})}`; key order in config is irrelevant. */
  key(stage: string, config: unknown, inputKeys?: string[]): string {
    if (!SAFE_NAME.test(stage)) throw new Error(`ArtifactCache.key: stage name "${stage}" is not a safe file name`);
    return `${stage}-${contentHash({ stage, config, inputKeys }).slice(0, 20)}`;
  }

  dir(key: string): string {
    if (!SAFE_NAME.test(key)) throw new Error(`ArtifactCache: "${key}" is not a valid artifact key`);
    return join(this.root, key);
  }

  /**
   * Whether a complete, intact artifact is stored under `key`: every file its marker records has
   * the recorded size and sha256. A damaged one (truncated, altered, missing files or marker) is
   * moved aside to `<root>/corrupt/` with one line to the log, and counts as absent, so the caller
   * recomputes it. Every read of an artifact goes through here (or getOrCreate, which calls it).
   */
  has(key: string): boolean {
    const problem = this.check(key);
    if (problem === 'absent') return false;
    if (problem === undefined) return true;
    this.moveAside(key, problem);
    return false;
  }

  /**
   * Verifies the artifact under `key` without changing anything: undefined if it is intact,
   * 'absent' if there is none, else what is wrong with it.
   */
  check(key: string): string | undefined {
    const dir = this.dir(key);
    if (!existsSync(dir)) return 'absent';
    const problem = verifyArtifactDir(dir, key, this.verified.get(key));
    if (typeof problem === 'string') return problem;
    if (problem.signature !== undefined) this.verified.set(key, problem.signature);
    return undefined;
  }

  /** Moves a damaged artifact to `<root>/corrupt/<key>.<time>.<pid>` and says so in one line. */
  private moveAside(key: string, problem: string): void {
    const dir = this.dir(key);
    const to = join(this.root, CORRUPT_DIR, `${key}.${Date.now()}.${process.pid}`);
    this.verified.delete(key);
    try {
      mkdirSync(join(this.root, CORRUPT_DIR), { recursive: true });
      renameSync(dir, to);
    } catch (e) {
      // Another process moved it first (and said so): nothing left to do here.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    this.log(`w2s: corrupt artifact ${dir} (${problem}): moved to ${to}, recomputing`);
  }

  /**
   * If the artifact exists, returns it (hit). Otherwise calls produce(tmpDir) to fill a private temp
   * dir and publishes it atomically by rename. If another process published the same key first,
   * keeps theirs and discards ours. If produce throws, nothing appears under the key.
   */
  async getOrCreate(key: string, produce: (tmpDir: string) => Promise<void>): Promise<{ dir: string; hit: boolean }> {
    const dir = this.dir(key);
    if (this.has(key)) return { dir, hit: true };
    // Another process computing the same artifact: wait for it rather than compute it twice.
    const release = await this.lease(key);
    if (!release) return { dir, hit: true };
    try {
      const { published } = await publishDirAtomic(dir, async (tmpDir) => {
        await produce(tmpDir);
        const record: ArtifactRecord = { key, files: checksumFiles(tmpDir) };
        await writeFile(join(tmpDir, ARTIFACT_MARKER), `${JSON.stringify(record)}\n`);
      });
      if (!published && !this.has(key)) {
        throw new UserError('exists but is not an intact artifact; delete it and rerun', dir);
      }
    } finally {
      release();
    }
    return { dir, hit: false };
  }

  /**
   * The right to compute `key` across every process sharing this cache: a release function, or
   * undefined once another process has published the artifact (read it instead). Re-entrant
   * within a process; a dead holder's lease is taken over (see lease.ts).
   */
  lease(key: string): Promise<(() => void) | undefined> {
    this.dir(key); // validates the key: it names the lease dir too
    return acquireLease(this.root, key, () => this.has(key), (holder) => this.log(`  waiting for ${key}: being computed by ${holder}`));
  }

  /** Parses `<artifact dir>/<file>` as JSON; a missing or corrupt file is a UserError naming it. */
  readJson<T>(key: string, file: string): T {
    const path = join(this.dir(key), file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new UserError('artifact file not found', path);
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new UserError(`artifact file is not valid JSON (${(e as Error).message})`, path);
    }
  }

  /**
   * Removes temp dirs left by crashed writers: those of a dead process on this host, and any
   * older than `olderThanMs` (other hosts sharing the cache cannot be checked for liveness).
   * Returns how many were removed.
   */
  async cleanStaleTemps(olderThanMs = 24 * 3600_000): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return 0; // no cache yet
    }
    let removed = 0;
    for (const name of names) {
      const match = TEMP_NAME.exec(name);
      if (!match) continue;
      const path = join(this.root, name);
      const [, , host, pid] = match;
      const deadHere = host === hostname() && !processAlive(Number(pid));
      const old = Date.now() - (await stat(path)).mtimeMs > olderThanMs;
      if (deadHere || old) {
        await rm(path, { recursive: true, force: true });
        removed += 1;
      }
    }
    return removed;
  }
}

/**
 * Verifies an artifact dir (in a cache, or copied elsewhere with its marker, e.g. a shard) against
 * the checksums its marker records for `key`. Returns what is wrong, or `{ signature }` when intact:
 * the files' size, mtime and inode, which lets a caller that passes it back as `knownGood` skip
 * hashing files that have not changed since.
 */
export function verifyArtifactDir(dir: string, key: string, knownGood?: string): string | { signature?: string } {
  let record: ArtifactRecord;
  try {
    record = JSON.parse(readFileSync(join(dir, ARTIFACT_MARKER), 'utf8')) as ArtifactRecord;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'it has no completion marker' : 'its completion marker is unreadable';
  }
  if (record.key !== key || typeof record.files !== 'object' || record.files === null) {
    return 'its completion marker records no checksums (written by an older w2s, or damaged)';
  }
  const signature = statSignature(dir, Object.keys(record.files));
  if (signature !== undefined && signature === knownGood) return { signature };
  for (const [file, want] of Object.entries(record.files)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, file));
    } catch {
      return `${file} is missing`;
    }
    if (bytes.byteLength !== want.bytes) return `${file} holds ${bytes.byteLength} bytes, its checksum record says ${want.bytes}`;
    if (sha256(bytes) !== want.sha256) return `${file} does not match its checksum`;
  }
  return { signature };
}

/** Size and sha256 of every file under `dir` except the marker, by '/'-separated relative path. */
export function checksumFiles(dir: string): ArtifactRecord['files'] {
  const files: ArtifactRecord['files'] = {};
  for (const path of filesUnder(dir)) {
    const name = relative(dir, path).split(sep).join('/');
    if (name === ARTIFACT_MARKER) continue;
    const bytes = readFileSync(path);
    files[name] = { bytes: bytes.byteLength, sha256: sha256(bytes) };
  }
  return files;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? filesUnder(path) : e.isFile() ? [path] : [];
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Size, mtime and inode of the marker and the given files, or undefined if one is missing. */
function statSignature(dir: string, files: string[]): string | undefined {
  try {
    return [ARTIFACT_MARKER, ...files]
      .map((f) => {
        const s = statSync(join(dir, f));
        return `${f}:${s.size}:${s.mtimeMs}:${s.ino}`;
      })
      .join('|');
  } catch {
    return undefined;
  }
}
