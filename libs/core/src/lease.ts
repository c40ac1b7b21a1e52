// One computation per artifact across processes sharing a cache (worker processes, two `w2s run`s,
// machines on a shared file system): before computing `key`, a process takes its lease — a
// directory `<cache>/.leases/<key>` made by mkdir, which only one process can create — and the
// others wait for the artifact instead of computing it again. A lease whose holder died (same
// host: its pid is gone; another host: no heartbeat for HEARTBEAT_STALE_MS) is taken over.
import { mkdirSync, readFileSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './process-alive.js';

export const LEASES_DIR = '.leases';
const OWNER_FILE = 'owner.json';
const HEARTBEAT_MS = 5_000;
/** Another host's lease without a heartbeat for this long is taken over. */
const HEARTBEAT_STALE_MS = 120_000;
const POLL_MS = 200;

interface Owner {
  host: string;
  pid: number;
}

/** Leases this process holds: a nested request for the same key (e.g. publishing a stage it computes) goes through. */
const held = new Map<string, number>();
/** The heartbeat timer of each lease this process holds. */
const heartbeats = new Map<string, NodeJS.Timeout>();

/**
 * Waits until this process may compute `key`: returns a release function, or undefined if the
 * artifact appeared meanwhile (`done()` became true: another process computed it). `onWait` is
 * called once when another live process holds the lease.
 */
export async function acquireLease(
  root: string,
  key: string,
  done: () => boolean,
  onWait?: (holder: string) => void,
): Promise<(() => void) | undefined> {
  const dir = join(root, LEASES_DIR, key);
  const mine = held.get(dir);
  if (mine !== undefined) {
    held.set(dir, mine + 1);
    return () => release(dir);
  }
  let announced = false;
  for (;;) {
    if (done()) return undefined;
    if (tryCreate(dir)) break;
    const holder = holderOf(dir);
    if (holder.state === 'gone') continue; // released between our mkdir and read: try again at once
    if (holder.state === 'dead') {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (!announced && holder.state === 'alive') {
      onWait?.(`${holder.owner.host} pid ${holder.owner.pid}`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (done()) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  held.set(dir, 1);
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(join(dir, OWNER_FILE), now, now);
    } catch {
      // the lease dir was taken away (e.g. the cache was deleted): nothing to keep alive
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  heartbeats.set(dir, heartbeat);
  return () => release(dir);
}


function release(dir: string): void {
  const count = (held.get(dir) ?? 1) - 1;
  if (count > 0) {
    held.set(dir, count);
    return;
  }
  held.delete(dir);
  clearInterval(heartbeats.get(dir));
  heartbeats.delete(dir);
  rmSync(dir, { recursive: true, force: true });
  // The last lease out removes the folder, so a cache at rest holds artifacts only.
  try {
    rmdirSync(join(dir, '..'));
  } catch {
    // not empty (other leases) or already gone
  }
}

/** mkdir is atomic: exactly one process creates the lease dir; it then writes who it is. */
function tryCreate(dir: string): boolean {
  for (let attempt = 0; ; attempt++) {
    mkdirSync(join(dir, '..'), { recursive: true });
    try {
      mkdirSync(dir);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // The leases folder was removed by a releasing holder between our two mkdirs: again.
      if (code !== 'ENOENT' || attempt >= 5) throw e;
    }
  }
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ host: hostname(), pid: process.pid } satisfies Owner));
  return true;
}

type Holder = { state: 'alive'; owner: Owner } | { state: 'starting' } | { state: 'dead' } | { state: 'gone' };

/** Who holds the lease at `dir`, and whether it is still alive. */
function holderOf(dir: string): Holder {
  let owner: Owner;
  try {
    owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Owner;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { state: 'dead' }; // died while writing it
    try {
      // A lease dir without its owner file: being created this instant, or its creator died.
      return Date.now() - statSync(dir).mtimeMs < 2_000 ? { state: 'starting' } : { state: 'dead' };
    } catch {
      return { state: 'gone' };
    }
  }
  if (owner.host === hostname()) return processAlive(owner.pid) ? { state: 'alive', owner } : { state: 'dead' };
  try {
    return Date.now() - statSync(join(dir, OWNER_FILE)).mtimeMs > HEARTBEAT_STALE_MS ? { state: 'dead' } : { state: 'alive', owner };
  } catch {
    return { state: 'gone' };
  }
}
