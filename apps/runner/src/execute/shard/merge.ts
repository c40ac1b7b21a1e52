import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ArtifactCache, UserError, verifyArtifactDir } from '@w2s/core';
import { z } from 'zod';
import { loadManifestSource } from '../../manifest/manifest-source.js';
import { planExperiment } from '../../plan/plan.js';
import { runExperiment, type RunOutcome } from '../run.js';
import { partitionStages, SHARD_FILE, type ShardRecord } from './shard.js';

const ShardRecordSchema = z.object({
  format: z.literal('w2s-shard'),
  version: z.literal(1),
  experiment: z.string(),
  shard: z.object({ index: z.int().min(0), count: z.int().min(1) }),
  manifest: z.object({ path: z.string(), text: z.string(), hash: z.string() }),
  backend: z.string(),
  stages: z.array(z.object({ key: z.string(), label: z.string() })),
});

interface ShardDir {
  dir: string;
  record: ShardRecord;
}

/** Shard directories named by `paths`: each is a shard dir (has shard.json) or holds shard dirs. */
export function findShardDirs(paths: string[]): ShardDir[] {
  const dirs: string[] = [];
  for (const p of paths) {
    const path = resolve(p);
    if (!existsSync(path) || !statSync(path).isDirectory()) throw new UserError('not a directory', p);
    if (existsSync(join(path, SHARD_FILE))) {
      dirs.push(path);
      continue;
    }
    const inside = readdirSync(path)
      .map((name) => join(path, name))
      .filter((d) => existsSync(join(d, SHARD_FILE)))
      .sort();
    if (inside.length === 0) throw new UserError(`no ${SHARD_FILE} in it or in its subdirectories: not a shard result of \`w2s run --shard\``, p);
    dirs.push(...inside);
  }
  return dirs.map((dir) => {
    const file = join(dir, SHARD_FILE);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UserError(`not valid JSON (${(e as Error).message})`, file);
    }
    const parsed = ShardRecordSchema.safeParse(raw);
    if (!parsed.success) throw new UserError(`not a w2s shard record (${parsed.error.issues[0]?.message})`, file);
    return { dir, record: parsed.data as ShardRecord };
  });
}

/**
 * `w2s merge <shard dirs…>`: checks that the shards are all N shards of one manifest, imports
 * their artifacts into the cache, and writes the tables and report exactly as `w2s run` does
 * (same assembly code, same cell order), so merged tables equal a single-machine run's.
 */
export async function mergeShards(paths: string[], opts: { cacheDir?: string; output?: string } = {}): Promise<RunOutcome> {
  const shards = findShardDirs(paths);
  const first = shards[0]!.record;
  for (const { dir, record } of shards) {
    if (record.manifest.hash !== first.manifest.hash) {
      throw new UserError(`comes from a different manifest (or version of it) than ${shards[0]!.dir}`, dir);
    }
    if (record.shard.count !== first.shard.count) {
      throw new UserError(`is shard ${record.shard.index}/${record.shard.count} but ${shards[0]!.dir} is one of ${first.shard.count}`, dir);
    }
  }
  const count = first.shard.count;
  const byIndex = new Map(shards.map((s) => [s.record.shard.index, s]));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new UserError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: pass all ${count} shard directories`, 'w2s merge');
  }

  const loaded = loadManifestSource(first.manifest);
  const plan = planExperiment(loaded);
  const expected = partitionStages(plan.stages, count);
  for (const [index, { dir, record }] of byIndex) {
    const want = expected[index]!.map((s) => s.key).join(',');
    if (record.stages.map((s) => s.key).join(',') !== want) {
      throw new UserError('its stages are not the ones this manifest plans for that shard (different data files or w2s version?)', dir);
    }
  }

  // Every shard artifact is checked against the checksums it carries before any is imported.
  const imports = [...byIndex.values()].flatMap(({ dir, record }) =>
    record.stages.map(({ key }) => {
      const from = join(dir, 'stages', key);
      if (!existsSync(from)) throw new UserError(`the artifact of stage ${key} is missing`, dir);
      const problem = verifyArtifactDir(from, key);
      if (typeof problem === 'string') throw new UserError(`is damaged (${problem}); rerun that shard`, from);
      return { key, from };
    }),
  );
  const cache = new ArtifactCache(opts.cacheDir);
  for (const { key, from } of imports) await cache.getOrCreate(key, (tmp) => cp(from, tmp, { recursive: true }));
  return runExperiment(loaded, {
    backend: first.backend,
    cacheDir: cache.root,
    output: opts.output,
    computeStages: async ({ plan: p, cache: c }) => {
      const absent = p.stages.filter((s) => !c.has(s.key));
      if (absent.length > 0) throw new Error(`merge: ${absent.length} stages have no artifact after import (first: ${absent[0]!.key})`);
    },
  });
}
