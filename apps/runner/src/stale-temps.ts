import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Temp files of writeFileAtomic: `.<name>.tmp-<host>.<pid>.<8 hex>`. */
const TEMP_NAME = /^\..+\.tmp-(.+)\.(\d+)\.[0-9a-f]{8}$/;

/**
 * Removes the temp files that writers on this host which are no longer alive left in `dir`
 * (a runner killed while writing a table). They never had a final name, so this is tidiness,
 * not repair. Returns how many were removed.
 */
export async function removeDeadWritersTemps(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match || match[1] !== hostname() || alive(Number(match[2]))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
