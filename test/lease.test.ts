// One computation per stage across processes: two `w2s run`s of one manifest on one cache, each
// with 2 worker processes, compute every stage (and pretrain every backbone) once in total; the
// other run waits for the artifact and reads it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { runsWithoutTimings, startW2s, writeManifest } from './scale-helpers.js';

const dir = tempDir('w2s-lease-');
// 2 seeds × (weak-gt, ceiling, 2 transfers) = 8 training stages, and 2 pretrain stages (mlp-xs, mlp-s).
const manifest = writeManifest(dir, 'lease', { seeds: [0, 1], nDocs: 600, nTest: 200 });
const cache = join(dir, 'cache');

describe('two runs sharing a cache', () => {
  it('compute each stage and pretrain each backbone once in total, and write the same tables', async () => {
    const runs = [0, 1].map((i) => startW2s(['run', manifest, '--workers', '2', '--cache', cache, '--out', join(dir, `out-${i}`)]));
    const ended = await Promise.all(runs.map((r) => r.exited));
    const outputs = runs.map((r) => r.output());
    for (const [i, e] of ended.entries()) expect(e.status, outputs[i]!.stderr).toBe(0);
    const stderr = outputs.map((o) => o.stderr).join('\n');
    const computed = stderr.match(/^done {3}.*$/gm) ?? [];
    const cached = stderr.match(/^cached .*$/gm) ?? [];
    expect(computed, stderr).toHaveLength(10);
    expect(new Set(computed.map((l) => l.replace(/ \(\d+\.\d s\)$/, ''))).size).toBe(10);
    expect(computed.filter((l) => l.includes('pretrain mlp-'))).toHaveLength(2);
    expect(cached).toHaveLength(10); // every stage the other run did not compute, it read
    for (const size of ['xs', 's']) {
      expect(stderr.match(new RegExp(`pretrain mlp-${size}: step (\\d+)/\\1 .*\\(100%\\)`, 'g')), `mlp-${size} pretrained once`).toHaveLength(1);
    }
    expect(runsWithoutTimings(join(dir, 'out-0', 'runs.arrow'))).toEqual(runsWithoutTimings(join(dir, 'out-1', 'runs.arrow')));
  }, 300_000);
});
