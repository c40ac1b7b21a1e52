import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { contentHash } from '@w2s/core';
import { loadManifest, type LoadedManifest } from './manifest.js';

/**
 * A manifest as sent to worker processes and recorded in shard results: its text, where it was
 * read (relative paths in it resolve against that directory) and the hash of its text. Sending
 * the text, not just the path, means every worker plans exactly what the orchestrator planned,
 * even if the file changes during the run or is not on the worker's disk.
 */
export interface ManifestSource {
  path: string;
  text: string;
  hash: string;
}

export function manifestSource(loaded: LoadedManifest): ManifestSource {
  const text = readFileSync(loaded.path, 'utf8');
  return { path: loaded.path, text, hash: contentHash(text) };
}

/** Loads a manifest from its text as if it were read at `source.path` (same name, same base dir). */
export function loadManifestSource(source: ManifestSource): LoadedManifest {
  try {
    if (readFileSync(source.path, 'utf8') === source.text) return loadManifest(source.path);
  } catch {
    // not on this machine: parse the text below
  }
  const dir = mkdtempSync(join(tmpdir(), 'w2s-manifest-'));
  try {
    const file = join(dir, basename(source.path));
    writeFileSync(file, source.text);
    const loaded = loadManifest(file);
    return { ...loaded, path: source.path, baseDir: dirname(source.path) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
