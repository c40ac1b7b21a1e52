import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const workspaceRoot = fileURLToPath(new URL('..', import.meta.url));
export const w2sBin = join(workspaceRoot, 'apps/runner/bin/w2s.js');

export function tempDir(prefix = 'w2s-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the real `w2s` command (as a user would) and captures its output. */
export function w2s(args: string[], env: Record<string, string> = {}, cwd = workspaceRoot) {
  const result = spawnSync(process.execPath, [w2sBin, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', ...env },
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
