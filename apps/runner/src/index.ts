// @w2s/runner: manifest → plan → execute → Arrow tables and report (the `w2s` CLI is src/cli/main.ts).
export { ManifestSchema, MethodSchema, LadderSchema, loadManifest, manifestJsonSchema } from './manifest/manifest.js';
export type { Manifest, Method, Ladder, LoadedManifest } from './manifest/manifest.js';
export { planExperiment, type Plan, type Cell, type Stage } from './plan/plan.js';
export { runExperiment, resultsDir, type RunOptions, type RunOutcome } from './execute/run.js';
export { runColumns, predictionColumns, curveColumns, transcriptColumns, type RunRow } from './results/rows.js';
export { tableFromRows, writeArrowFile } from './results/arrow.js';
// Results folders: read them back, summarize, rebuild the report (what `w2s report` / `w2s show` do).
export { readResultsFolder, type ResultsFolder } from './results/read-results.js';
export { summarize, summaryTable, type SummaryRow } from './results/report.js';
export { writeReport, type ReportInput } from './results/write-report.js';
export { figureSpecs, renderFigures, type Figure } from './results/figures/figure-set.js';
export { renderSvg } from './results/figures/render.js';
// Scale-out: worker processes, a BullMQ queue on Redis, static shards (see README "Scale-out").
export type { ComputeStages } from './execute/run.js';
export { runDag, type DagNode, type DagOptions } from './execute/scheduler.js';
export { computeInWorkers, runStagesInWorkers, defaultWorkers, type PoolOptions } from './execute/pool/pool.js';
export { computeOnQueue, QUEUE_NAME, type QueueOptions, type QueueJobData, type QueueJobResult } from './execute/queue/queue.js';
export { serveQueue, type QueueWorkerOptions } from './execute/queue/queue-worker.js';
export { parseRedisUrl, checkRedis, type RedisTarget } from './execute/queue/redis.js';
export { parseShard, shardStages, partitionStages, runShard, type ShardSpec, type ShardOutcome } from './execute/shard/shard.js';
export { mergeShards } from './execute/shard/merge.js';
