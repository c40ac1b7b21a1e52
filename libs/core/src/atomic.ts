import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { withPath } from './errors.js';

/**
 * Crash-safe writes: data goes to a temp file (or dir) beside the target, is fsynced, then renamed
 * over the target. rename() within one directory is atomic on POSIX file systems, so a reader sees
 * the old content or the new, never a half-written file.
 */

/** A name for a temp sibling of `target`: hidden, unique, and naming its writer (host and pid). */
export function tempSiblingPath(target: string): string {
  const tag = `${hostname()}.${process.pid}.${randomBytes(4).toString('hex')}`;
  return join(dirname(target), `.${basename(target)}.tmp-${tag}`);
}

/** Writes `data` to `path` atomically (temp file in the same dir + fsync + rename), creating parent dirs. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempSiblingPath(path);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw withPath(e, path); // ENOSPC on write names no file: say which
  }
  await fsyncDir(dirname(path));
}

/** Writes `value` as pretty JSON (with a final newline) atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export interface PublishOptions {
  /** If `finalDir` already exists: true = replace it, false (default) = keep it and discard ours. */
  replace?: boolean;
}

/**
 * Builds a whole directory atomically: `fill(tmpDir)` writes into a fresh temp dir beside
 * `finalDir`; its files are fsynced and the dir is renamed to `finalDir`. If `fill` throws, the
 * temp dir is removed and nothing appears at `finalDir`. Returns whether our dir was published
 * (false when `finalDir` already existed and `replace` is off: someone else published first).
 * With `replace`, the old dir is moved aside and then deleted, so readers briefly see no dir, never a mix.
 */
export async function publishDirAtomic(
  finalDir: string,
  fill: (tmpDir: string) => Promise<void>,
  opts: PublishOptions = {},
): Promise<{ published: boolean }> {
  await mkdir(dirname(finalDir), { recursive: true });
  const tmp = tempSiblingPath(finalDir);
  await mkdir(tmp);
  try {
    await fill(tmp);
    await fsyncTree(tmp);
    return { published: await renameDirInto(tmp, finalDir, opts.replace ?? false) };
  } catch (e) {
    throw withPath(e, finalDir);
  } finally {
    await rm(tmp, { recursive: true, force: true }); // no-op once renamed
  }
}

/** Renames the complete dir `from` to `to`; if `to` exists (non-empty), replaces it or leaves it. */
async function renameDirInto(from: string, to: string, replace: boolean): Promise<boolean> {
  try {
    await rename(from, to); // also succeeds over an existing *empty* dir
    await fsyncDir(dirname(to));
    return true;
  } catch (e) {
    if (!isExistsError(e)) throw e;
  }
  if (!replace) return false;
  const old = tempSiblingPath(to);
  await rename(to, old);
  await rename(from, to);
  await fsyncDir(dirname(to));
  await rm(old, { recursive: true, force: true });
  return true;
}

function isExistsError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}

/** fsyncs every file under `dir` and the dirs themselves, so a rename publishes durable content. */
async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(path);
    else if (entry.isFile()) await fsyncPath(path);
  }
  await fsyncDir(dir);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename durable; some file systems refuse to fsync a dir, which only loses durability. */
async function fsyncDir(dir: string): Promise<void> {
  try {
    await fsyncPath(dir);
  } catch {
    // ignored on purpose: atomicity does not depend on it
  }
}
