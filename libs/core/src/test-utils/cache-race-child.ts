// Child process for cache.test.ts: publishes one artifact under a shared key, but only after the
// other child has also started producing (a file barrier), so both really race to publish.
// Usage: cache-race-child.ts <cacheRoot> <key> <writerId> <barrierDir> <writers>
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArtifactCache } from '../cache.js';

const [cacheRoot, key, writerId, barrierDir, writers] = process.argv.slice(2) as [string, string, string, string, string];
const cache = new ArtifactCache(cacheRoot);
const result = await cache.getOrCreate(key, async (tmpDir) => {
  writeFileSync(join(barrierDir, `started-${writerId}`), '');
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < Number(writers); i++) {
    while (!existsSync(join(barrierDir, `started-${i}`))) {
      if (Date.now() > deadline) throw new Error('barrier timeout');
      await sleep(10);
    }
  }
  // a multi-file artifact whose parts must agree
  writeFileSync(join(tmpDir, 'a.json'), JSON.stringify({ writer: writerId }));
  await sleep(20);
  writeFileSync(join(tmpDir, 'b.json'), JSON.stringify({ writer: writerId }));
});
process.stdout.write(JSON.stringify(result));
