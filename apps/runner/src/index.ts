// @w2s/runner: manifest → plan → execute → Arrow tables and report (the `w2s` CLI is src/cli.ts).
export { ManifestSchema, MethodSchema, LadderSchema, loadManifest, manifestJsonSchema } from './manifest.js';
export type { Manifest, Method, Ladder, LoadedManifest } from './manifest.js';
export { planExperiment, type Plan, type Cell, type Stage } from './plan.js';
export { runExperiment, resultsDir, type RunOptions, type RunOutcome } from './run.js';
export { runColumns, predictionColumns, curveColumns, type RunRow } from './results.js';
// Scale-out: worker processes, a BullMQ queue on Redis, static shards (see README "Scale-out").
export type { ComputeStages } from './run.js';
export { runDag, type DagNode, type DagOptions } from './scheduler.js';
export { computeInWorkers, runStagesInWorkers, defaultWorkers, type PoolOptions } from './pool.js';
export { computeOnQueue, QUEUE_NAME, type QueueOptions, type QueueJobData, type QueueJobResult } from './queue.js';
export { serveQueue, type QueueWorkerOptions } from './queue-worker.js';
export { parseRedisUrl, checkRedis, type RedisTarget } from './redis.js';
export { parseShard, shardStages, partitionStages, runShard, type ShardSpec, type ShardOutcome } from './shard.js';
export { mergeShards } from './merge.js';
