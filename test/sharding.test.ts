// Static sharding for batch schedulers: `w2s run --shard i/N` on separate machines (here: separate
// caches), then `w2s merge` assembles tables equal to a single-machine run's.
import { cpSync, existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, w2s } from './helpers.js';
import { readRuns, runsWithoutTimings, writeManifest } from './scale-helpers.js';

const dir = tempDir('w2s-shard-');
// 2 seeds × (weak-gt, ceiling, 2 transfers) = 8 training stages, 4 cells; each shard also
// pretrains the backbones its stages read.
const manifest = writeManifest(dir, 'sharded', { seeds: [0, 1] });
const shardsOut = join(dir, 'out-shards');

let ref: ReturnType<typeof w2s>;
const shards: ReturnType<typeof w2s>[] = [];
beforeAll(() => {
  // The reference runs in the runner's own process (--workers 0), the in-process path.
  ref = w2s(['run', manifest, '--workers', '0', '--cache', join(dir, 'cache-ref'), '--out', join(dir, 'out-ref')]);
  for (const i of [0, 1]) {
    shards.push(w2s(['run', manifest, '--shard', `${i}/2`, '--workers', '1', '--cache', join(dir, `cache-shard${i}`), '--out', shardsOut]));
  }
}, 600_000);

describe('w2s run --shard i/N and w2s merge', () => {
  it('each shard computes its own half of the stages and writes a shard directory', () => {
    expect(ref.status).toBe(0);
    for (const [i, r] of shards.entries()) {
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.status).toBe(0);
      // 4 training stages and the 2 backbones (mlp-xs, mlp-s) they read.
      expect(r.stdout).toMatch(new RegExp(`shard ${i}/2: 6 stages \\(6 computed, 0 from cache\\)`));
      const record = JSON.parse(readFileSync(join(shardsOut, 'shards', `${i}-of-2`, 'shard.json'), 'utf8')) as { stages: { key: string }[] };
      expect(record.stages).toHaveLength(6);
      for (const { key } of record.stages) {
        expect(existsSync(join(shardsOut, 'shards', `${i}-of-2`, 'stages', key, key.startsWith('backbone-') ? 'pretrain.json' : 'stage.json'))).toBe(true);
      }
    }
    // The shards do not overlap and together cover the plan.
    const keys = [0, 1]
      .flatMap((i) => (JSON.parse(readFileSync(join(shardsOut, 'shards', `${i}-of-2`, 'shard.json'), 'utf8')) as { stages: { key: string }[] }).stages.map((s) => s.key))
      .filter((key) => !key.startsWith('backbone-'));
    expect(keys).toHaveLength(8);
    const refHashes = readRuns(join(dir, 'out-ref', 'runs.arrow')).flatMap((r) => [r.hash_weak, r.hash_ceiling, r.hash_transfer]);
    expect(new Set(keys)).toEqual(new Set(refHashes));
  });

  it('merge refuses an incomplete set of shards, naming the missing one', () => {
    const r = w2s(['merge', join(shardsOut, 'shards', '0-of-2'), '--cache', join(dir, 'cache-partial'), '--out', join(dir, 'out-partial')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('w2s: w2s merge: shard 1/2 missing: pass all 2 shard directories');
    expect(existsSync(join(dir, 'out-partial', 'runs.arrow'))).toBe(false);
  });

  it('merge assembles the same tables as a single-machine run: no duplicate, no missing row', () => {
    const r = w2s(['merge', join(shardsOut, 'shards'), '--cache', join(dir, 'cache-merge'), '--out', join(dir, 'out-merged')]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/4 cells merged/);
    const merged = runsWithoutTimings(join(dir, 'out-merged', 'runs.arrow'));
    expect(merged.map((row) => row.cell_id)).toEqual(runsWithoutTimings(join(dir, 'out-ref', 'runs.arrow')).map((row) => row.cell_id));
    expect(merged).toEqual(runsWithoutTimings(join(dir, 'out-ref', 'runs.arrow')));
    expect(readFileSync(join(dir, 'out-merged', 'predictions.arrow')).equals(readFileSync(join(dir, 'out-ref', 'predictions.arrow')))).toBe(true);
    expect(readFileSync(join(dir, 'out-merged', 'report.md'), 'utf8')).toContain('| digits-parity | mlp-xs | mlp-s | naive |');
  });

  it('merge refuses a shard whose artifact is damaged, in one message naming it, and imports nothing', () => {
    const damaged = join(dir, 'shards-damaged');
    cpSync(join(shardsOut, 'shards'), damaged, { recursive: true });
    const record = JSON.parse(readFileSync(join(damaged, '1-of-2', 'shard.json'), 'utf8')) as { stages: { key: string }[] };
    const trained = record.stages.find((st) => !st.key.startsWith('backbone-'))!;
    const artifact = join(damaged, '1-of-2', 'stages', trained.key);
    truncateSync(join(artifact, 'stage.json'), 100);
    const r = w2s(['merge', damaged, '--cache', join(dir, 'cache-damaged'), '--out', join(dir, 'out-damaged')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`w2s: ${artifact}: is damaged (stage.json holds 100 bytes, its checksum record says ${statSync(join(shardsOut, 'shards', '1-of-2', 'stages', trained.key, 'stage.json')).size}); rerun that shard`);
    expect(existsSync(join(dir, 'out-damaged'))).toBe(false);
    expect(existsSync(join(dir, 'cache-damaged'))).toBe(false);
  });

  it('rejects a malformed --shard with one message', () => {
    const r = w2s(['run', manifest, '--shard', '2/2']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('w2s: --shard: shard index 2 is out of range: with 2 shards the indices are 0..1');
  });
});
