// Child process for cache.test.ts: asks for one artifact under a shared key while another child
// does the same. Producing takes a while and records who produced, so the test sees whether the
// second process computed it again or waited for the first one's artifact.
// Usage: cache-race-child.ts <cacheRoot> <key> <writerId> <producersDir>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArtifactCache } from '../cache.js';

const [cacheRoot, key, writerId, producersDir] = process.argv.slice(2) as [string, string, string, string];
const cache = new ArtifactCache(cacheRoot, { log: () => undefined });
const result = await cache.getOrCreate(key, async (tmpDir) => {
  writeFileSync(join(producersDir, `produced-${writerId}`), '');
  // a multi-file artifact whose parts must agree, slow enough that the other child is waiting
  writeFileSync(join(tmpDir, 'a.json'), JSON.stringify({ writer: writerId }));
  await sleep(1500);
  writeFileSync(join(tmpDir, 'b.json'), JSON.stringify({ writer: writerId }));
});
process.stdout.write(JSON.stringify(result));
