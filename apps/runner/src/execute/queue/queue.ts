import { UserError } from '@w2s/core';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { manifestSource } from '../../manifest/manifest-source.js';
import type { Stage } from '../../plan/plan.js';
import { oneLine } from '../pool/pool.js';
import { bullConnection, checkRedis, parseRedisUrl } from './redis.js';
import type { ComputeStages } from '../run.js';
import { runDag } from '../scheduler.js';
import type { StageJob } from '../pool/worker-protocol.js';

/** The BullMQ queue every orchestrator and `w2s worker` uses (one Redis database = one pool). */
export const QUEUE_NAME = 'w2s-stages';

/** A queued stage: what a worker process needs, plus a label for logs. */
export type QueueJobData = StageJob & { label: string };
/** What a worker returns for a finished stage. */
export interface QueueJobResult {
  seconds: number;
  cached: boolean;
  /** host:pid of the `w2s worker` that ran it. */
  worker: string;
}

export interface QueueOptions {
  /** redis://… or rediss://… */
  url: string;
  /** Attempts per stage when a stage's worker process crashes (default 3), with exponential backoff. */
  attempts?: number;
  backoffMs?: number;
  log?: (line: string) => void;
}

/**
 * `w2s run --queue URL`: each stage becomes a BullMQ job (job id = stage key) that any
 * `w2s worker` on the same Redis runs; this process only orders them and waits. The DAG is kept
 * here rather than as BullMQ parent/child flows, because a weak teacher feeds several transfer
 * stages (flows are trees): a stage is enqueued once all the stages it reads are done. Workers
 * write artifacts into the shared cache; the tables are then assembled here, from that cache.
 */
export function computeOnQueue(opts: QueueOptions): ComputeStages {
  const target = parseRedisUrl(opts.url);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return async ({ loaded, plan, cache, progress, backend }) => {
    const done = new Set(plan.stages.filter((s) => cache.has(s.key)).map((s) => s.key));
    const todo = plan.stages.filter((s) => !done.has(s.key));
    if (todo.length === 0) return;
    await checkRedis(target);
    const connection = bullConnection(target);
    const queue = new Queue<QueueJobData, QueueJobResult>(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    const reportError = (e: Error) => log(`w2s: Redis ${target.display}: ${e.message}`);
    queue.on('error', reportError);
    events.on('error', reportError);
    const source = manifestSource(loaded);
    const jobs: Job<QueueJobData, QueueJobResult>[] = [];
    let failed = false;
    log(`w2s: ${todo.length} stages go to the queue at ${target.display}; \`w2s worker --queue <that URL>\` runs them on any machine that shares the cache ${cache.root}`);
    try {
      await events.waitUntilReady();
      await runDag(todo, {
        concurrency: Infinity,
        done,
        onFailure: () => {
          failed = true;
        },
        run: async (stage: Stage) => {
          const where = `stage ${oneLine(stage.label)}`;
          const data: QueueJobData = { manifest: source, stageKey: stage.key, cacheDir: cache.root, backend: backend.name, label: oneLine(stage.label) };
          const job = await enqueue(queue, data, opts);
          jobs.push(job);
          progress.stageStart(stage);
          let result: QueueJobResult;
          try {
            result = await job.waitUntilFinished(events);
          } catch (e) {
            throw new UserError(failureText((e as Error).message), where);
          }
          if (!cache.has(stage.key)) {
            throw new UserError(
              `worker ${result.worker} finished it, but its artifact is not in ${cache.root} here: the orchestrator and every worker must share the cache directory (--cache or W2S_CACHE_DIR on shared storage)`,
              where,
            );
          }
          progress.stageDone(stage, { seconds: result.seconds, cached: result.cached });
        },
      });
    } finally {
      // A failed run withdraws the stages nobody has started (running ones finish and stay cached).
      if (failed) await Promise.all(jobs.map((j) => j.isWaiting().then((w) => (w ? j.remove() : undefined)).catch(() => undefined)));
      await events.close();
      await queue.close();
    }
  };
}

/**
 * Adds the stage's job, or joins the same stage's job if it is already queued or running (another
 * orchestrator's run of an overlapping manifest); a finished job of an earlier run is replaced.
 */
async function enqueue(queue: Queue<QueueJobData, QueueJobResult>, data: QueueJobData, opts: QueueOptions): Promise<Job<QueueJobData, QueueJobResult>> {
  const existing = await queue.getJob(data.stageKey);
  if (existing) {
    const state = await existing.getState();
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return existing;
    await existing.remove();
  }
  return queue.add(data.label.split(' ')[0]!, data, {
    jobId: data.stageKey,
    attempts: opts.attempts ?? 3,
    backoff: { type: 'exponential', delay: opts.backoffMs ?? 2000 },
    removeOnComplete: { age: 3600 },
    removeOnFail: { age: 24 * 3600 },
  });
}

function failureText(reason: string): string {
  if (/stalled more than allowable limit/.test(reason)) {
    return 'its workers died (or lost Redis) while running it too many times; see the `w2s worker` logs';
  }
  return reason;
}
