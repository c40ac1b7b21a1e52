import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactCache, initBackend, publishDirAtomic, UserError } from '@w2s/core';
import { createStageExecutor } from '../stage-executor.js';
import type { LoadedManifest } from '../../manifest/manifest.js';
import { manifestSource, type ManifestSource } from '../../manifest/manifest-source.js';
import { planExperiment, type Stage } from '../../plan/plan.js';
import { runStagesInWorkers } from '../pool/pool.js';
import { createProgress } from '../progress.js';
import { resultsDir } from '../run.js';
import { removeDeadWritersTemps } from '../stale-temps.js';

/** Shard `index` (0-based) of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Parses `i/N` (0 ≤ i < N): `--shard $JOB_COMPLETION_INDEX/4` or `--shard $SLURM_ARRAY_TASK_ID/4`. */
export function parseShard(text: string, where = '--shard'): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UserError(`expected i/N, e.g. 0/4 (shard indices start at 0), got "${text}"`, where);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UserError(`the shard count must be at least 1, got ${count}`, where);
  if (index >= count) throw new UserError(`shard index ${index} is out of range: with ${count} shards the indices are 0..${count - 1}`, where);
  return { index, count };
}

/**
 * The stages of one shard. Stages that read one another (a weak teacher and its transfers) form
 * a group that stays in one shard, so a shard never needs another's output; groups are dealt to
 * the least loaded shard, largest first, ties to the lowest index. A pretrain stage is read by
 * many groups: it joins none, and every shard that needs it computes its own copy (shards share
 * no cache). Pure and deterministic: every shard of a job array computes the same partition from
 * the same plan.
 */
export function shardStages<S extends ShardableStage>(stages: readonly S[], shard: ShardSpec): S[] {
  return partitionStages(stages, shard.count)[shard.index]!;
}

type ShardableStage = { key: string; inputs: readonly string[]; kind?: string };
const isShared = (s: ShardableStage) => s.kind === 'pretrain';

/** All `count` shards (each in plan order). */
export function partitionStages<S extends ShardableStage>(stages: readonly S[], count: number): S[][] {
  const owned = stages.filter((s) => !isShared(s));
  const parent = new Map(owned.map((s) => [s.key, s.key]));
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(k, root);
    return root;
  };
  for (const s of owned) {
    for (const input of s.inputs) if (parent.has(input)) parent.set(find(s.key), find(input));
  }
  const groups = new Map<string, number[]>(); // root -> indices in owned, in plan order
  owned.forEach((s, i) => {
    const root = find(s.key);
    groups.set(root, [...(groups.get(root) ?? []), i]);
  });
  const ordered = [...groups.values()].sort((a, b) => b.length - a.length || a[0]! - b[0]!);
  const load = new Array<number>(count).fill(0);
  const owner = new Map<string, number>();
  for (const group of ordered) {
    const target = load.indexOf(Math.min(...load));
    load[target]! += group.length;
    for (const i of group) owner.set(owned[i]!.key, target);
  }
  return Array.from({ length: count }, (_, shard) => {
    const needed = new Set(owned.filter((s) => owner.get(s.key) === shard).flatMap((s) => s.inputs));
    return stages.filter((s) => (isShared(s) ? needed.has(s.key) : owner.get(s.key) === shard));
  });
}

/** What a shard directory holds besides its artifacts (shard.json). */
export interface ShardRecord {
  format: 'w2s-shard';
  version: 1;
  experiment: string;
  shard: ShardSpec;
  manifest: ManifestSource;
  backend: string;
  stages: { key: string; label: string }[];
}

export const SHARD_FILE = 'shard.json';

export function shardDirName(shard: ShardSpec): string {
  return `${shard.index}-of-${shard.count}`;
}

export interface ShardOutcome {
  dir: string;
  stages: number;
  computed: number;
  cached: number;
}

/**
 * `w2s run --shard i/N`: computes this shard's stages (in `workers` processes, by default one per
 * core or GPU, or in this one with 0) and publishes them atomically as `<results>/shards/<i>-of-<N>/` (shard.json and one
 * directory per stage artifact) for `w2s merge`.
 */
export async function runShard(
  loaded: LoadedManifest,
  shard: ShardSpec,
  opts: { backend?: string; cacheDir?: string; output?: string; workers?: number },
): Promise<ShardOutcome> {
  const backend = await initBackend(opts.backend ?? process.env.W2S_BACKEND ?? loaded.manifest.backend);
  const plan = planExperiment(loaded);
  const cache = new ArtifactCache(opts.cacheDir);
  await cache.cleanStaleTemps();
  const mine = shardStages(plan.stages, shard);
  const progress = createProgress(mine.length);
  let computed = 0;
  let cached = 0;
  const counted = new Set<string>(); // stages computed by workers are read back below: count once
  const counting = {
    ...progress,
    stageDone: (stage: Stage, info: { seconds: number; cached: boolean }) => {
      if (counted.has(stage.key)) return;
      counted.add(stage.key);
      if (info.cached) cached++;
      else computed++;
      progress.stageDone(stage, info);
    },
  };
  process.stderr.write(
    `w2s: ${loaded.manifest.name}: shard ${shard.index}/${shard.count}: ${mine.length} of ${plan.stages.length} stages · backend ${backend.name} (${backend.kernels}) · cache ${cache.root}\n`,
  );
  try {
    if (opts.workers !== 0) {
      await runStagesInWorkers(mine, { source: manifestSource(loaded), cache, progress: counting, backend }, { workers: opts.workers });
    }
    // In this process: every stage with 0 workers; otherwise this only reads them back.
    const executor = createStageExecutor(plan, cache, counting);
    try {
      for (const stage of mine) await executor.complete(stage);
    } finally {
      executor.dispose();
    }
  } finally {
    progress.finish();
  }

  const outRoot = join(resultsDir(loaded, opts.output), 'shards');
  const dir = join(outRoot, shardDirName(shard));
  await removeDeadWritersTemps(outRoot);
  const record: ShardRecord = {
    format: 'w2s-shard',
    version: 1,
    experiment: loaded.manifest.name,
    shard,
    manifest: manifestSource(loaded),
    backend: backend.name,
    stages: mine.map((s) => ({ key: s.key, label: s.label })),
  };
  await publishDirAtomic(
    dir,
    async (tmp) => {
      for (const stage of mine) {
        const to = join(tmp, 'stages', stage.key);
        await mkdir(to, { recursive: true });
        // With its marker: the checksums travel with the artifact and `w2s merge` verifies them.
        for (const name of await readdir(cache.dir(stage.key))) await cp(join(cache.dir(stage.key), name), join(to, name), { recursive: true });
      }
      await writeFile(join(tmp, SHARD_FILE), `${JSON.stringify(record, null, 2)}\n`);
    },
    { replace: true },
  );
  return { dir, stages: mine.length, computed, cached };
}
