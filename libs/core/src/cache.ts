import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { publishDirAtomic } from './atomic.js';
import { UserError } from './errors.js';
import { contentHash } from './hash.js';
import { findWorkspaceRoot } from './workspace.js';

/** Written last inside an artifact dir, just before it is published: only complete artifacts have it. */
export const ARTIFACT_MARKER = '.w2s-complete';

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

  /** `root` defaults to $W2S_CACHE_DIR, else `<workspace root>/.w2s-cache`. */
  constructor(root?: string) {
    this.root = resolve(root ?? process.env.W2S_CACHE_DIR ?? join(findWorkspaceRoot(), '.w2s-cache'));
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

  /** Whether a complete artifact is stored under `key`. */
  has(key: string): boolean {
    return existsSync(join(this.dir(key), ARTIFACT_MARKER));
  }

  /**
   * If the artifact exists, returns it (hit). Otherwise calls produce(tmpDir) to fill a private temp
   * dir and publishes it atomically by rename. If another process published the same key first,
   * keeps theirs and discards ours. If produce throws, nothing appears under the key.
   */
  async getOrCreate(key: string, produce: (tmpDir: string) => Promise<void>): Promise<{ dir: string; hit: boolean }> {
    const dir = this.dir(key);
    if (this.has(key)) return { dir, hit: true };
    const { published } = await publishDirAtomic(dir, async (tmpDir) => {
      await produce(tmpDir);
      await writeFile(join(tmpDir, ARTIFACT_MARKER), `${JSON.stringify({ key })}\n`);
    });
    if (!published && !this.has(key)) {
      throw new UserError('exists but is not a complete artifact (no marker file); delete it and rerun', dir);
    }
    return { dir, hit: false };
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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
