import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { UnrecoverableError, Worker } from 'bullmq';
import { memoryLine } from '../pool/pool.js';
import { QUEUE_NAME, type QueueJobData, type QueueJobResult } from './queue.js';
import { bullConnection, checkRedis, parseRedisUrl } from './redis.js';
import { WorkerProcess } from '../pool/worker-process.js';

export interface QueueWorkerOptions {
  /** redis://… or rediss://… */
  url: string;
  /** The shared cache as mounted here (default: the path each job names). */
  cacheDir?: string;
  /** Stages run at once, each in its own worker process (default 1). */
  concurrency?: number;
  /**
   * Seconds a job's lock lasts without renewal (default 30): a worker that dies mid-stage has
   * its stage handed to another worker about this long after.
   */
  lockSeconds?: number;
  log?: (line: string) => void;
  /** Resolves when the worker should stop (default: on SIGINT or SIGTERM). */
  until?: Promise<unknown>;
}

/**
 * `w2s worker --queue URL`: takes stage jobs from the queue and runs each in a worker process of
 * its own (so a crash of the stage's process fails the attempt, not this worker, and BullMQ
 * retries it with backoff). A UserError fails the job for good. If this whole worker dies, its
 * job's lock expires and BullMQ hands the stage to another worker (at most twice).
 */
export async function serveQueue(opts: QueueWorkerOptions): Promise<void> {
  const target = parseRedisUrl(opts.url);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  await checkRedis(target);
  const concurrency = opts.concurrency ?? 1;
  const lockDuration = (opts.lockSeconds ?? 30) * 1000;
  const me = `${hostname()}:${process.pid}`;
  const slots: { proc?: WorkerProcess }[] = Array.from({ length: concurrency }, () => ({}));
  let nextId = 1;

  const worker = new Worker<QueueJobData, QueueJobResult>(
    QUEUE_NAME,
    async (job) => {
      const slot = slots.pop()!;
      try {
        const data = { ...job.data, cacheDir: opts.cacheDir ? resolve(opts.cacheDir) : job.data.cacheDir };
        if (!slot.proc || slot.proc.backend !== data.backend) {
          slot.proc?.kill();
          slot.proc = new WorkerProcess(nextId++, { backend: data.backend });
        }
        const outcome = await slot.proc.run(data, (pid) => log(`start  ${data.label} (${data.stageKey}), attempt ${job.attemptsMade + 1}, process ${pid}`));
        if (outcome.ok) {
          log(`done   ${data.label} (${outcome.seconds.toFixed(1)} s${outcome.cached ? ', was cached' : ''}) · ${memoryLine(outcome)}`);
          return { seconds: outcome.seconds, cached: outcome.cached, worker: me };
        }
        log(`failed ${data.label}: ${outcome.message}`);
        if (outcome.reason === 'user') throw new UnrecoverableError(outcome.message);
        if (outcome.reason === 'internal') throw new UnrecoverableError(`internal error on worker ${me}: ${outcome.message}`);
        throw new Error(`${outcome.message} (worker ${me})`); // a crash: BullMQ retries it
      } finally {
        slots.push(slot);
      }
    },
    { connection: bullConnection(target), concurrency, lockDuration, stalledInterval: lockDuration, maxStalledCount: 2 },
  );
  worker.on('error', (e) => log(`w2s worker: Redis ${target.display}: ${e.message}`));
  await worker.waitUntilReady();
  log(`w2s worker ${me}: serving ${QUEUE_NAME} at ${target.display}, ${concurrency} stage${concurrency > 1 ? 's' : ''} at a time`);

  // The first SIGINT/SIGTERM stops gracefully (the stages in progress finish); a second one now.
  let signals = 0;
  const stop =
    opts.until ??
    new Promise<string>((resolveStop) => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (++signals > 1) process.exit(130);
        resolveStop(signal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
  const why = await stop;
  log(`w2s worker ${me}: ${typeof why === 'string' ? `${why}: ` : ''}finishing the stages in progress, then stopping`);
  await worker.close();
  for (const slot of slots) slot.proc?.kill();
}
