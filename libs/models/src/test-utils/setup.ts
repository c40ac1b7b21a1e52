import { ArtifactCache, initBackend } from '@w2s/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The wasm backend with core's kernel fixes (as in production). */
export async function useWasm(): Promise<void> {
  await initBackend('wasm');
}

/** A fresh artifact cache in a temp dir, and its cleanup. */
export function tempCache(): { cache: ArtifactCache; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'w2s-models-test-'));
  return { cache: new ArtifactCache(root), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
