import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The workspace root: the nearest ancestor of `from` (default: the current directory) that holds
 * nx.json; if there is none, `from` itself. Caches and results live under it.
 */
export function findWorkspaceRoot(from: string = process.cwd()): string {
  const start = resolve(from);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
