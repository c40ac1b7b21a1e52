// Scale-out on the command line: `w2s run --workers/--queue/--shard`, `w2s worker`, `w2s merge`.
// The pool, the queue (bullmq, ioredis) and sharding load only when a command uses them.
import { relative } from 'node:path';
import { UserError } from '@w2s/core/base';
import type { Command } from './command.js';
import type { LoadedManifest } from '../manifest/manifest.js';
import { intOption, parseOptions } from './options.js';
import { defaultWorkers } from '../execute/pool/worker-count.js';
import type { ComputeStages } from '../execute/run.js';
import type { ShardSpec } from '../execute/shard/shard.js';

export const runScaleOptions = {
  workers: { type: 'string' },
  queue: { type: 'string' },
  shard: { type: 'string' },
} as const;

export const runScaleUsage = `        [--workers N] [--queue redis://[:password@]host:port[/db]] [--shard i/N]

  --workers N   run stages in N worker processes (default: the number of cores, ${defaultWorkers()} here; on
                tensorflow-gpu one per GPU: $W2S_GPU_WORKERS, default 1); 0 = in this process
  --queue URL   send stages to a BullMQ queue on Redis (rediss:// for TLS) and wait; \`w2s worker\` runs them
  --shard i/N   compute shard i (0-based) of N and write results/<name>/shards/i-of-N/ for \`w2s merge\``;

export interface ScaleChoice {
  computeStages?: ComputeStages;
  shard?: { spec: ShardSpec; workers: number | undefined };
}

/** How `w2s run` computes its stages, from --workers, --queue and --shard. */
export async function scaleChoice(values: { workers?: string; queue?: string; shard?: string }): Promise<ScaleChoice> {
  if (values.queue !== undefined && values.workers !== undefined) {
    throw new UserError('--workers and --queue do not go together: with --queue, stages run in `w2s worker` processes', 'w2s run');
  }
  if (values.queue !== undefined && values.shard !== undefined) {
    throw new UserError('--shard and --queue do not go together: a queue already spreads the stages over workers', 'w2s run');
  }
  // undefined: the pool picks once the backend is known (one per core, or per GPU).
  const workers = values.workers === undefined ? undefined : intOption(values.workers, '--workers', 0);
  if (values.shard !== undefined) {
    const { parseShard } = await import('../execute/shard/shard.js');
    return { shard: { spec: parseShard(values.shard), workers } };
  }
  if (values.queue !== undefined) {
    const { computeOnQueue } = await import('../execute/queue/queue.js');
    return { computeStages: computeOnQueue({ url: values.queue }) };
  }
  if (workers === 0) return {};
  const { computeInWorkers } = await import('../execute/pool/pool.js');
  return { computeStages: computeInWorkers({ workers }) };
}

export async function runShardCommand(
  loaded: LoadedManifest,
  shard: { spec: ShardSpec; workers: number | undefined },
  values: { backend?: string; cache?: string; out?: string },
): Promise<number> {
  const { runShard } = await import('../execute/shard/shard.js');
  const started = performance.now();
  const outcome = await runShard(loaded, shard.spec, { backend: values.backend, cacheDir: values.cache, output: values.out, workers: shard.workers });
  console.log(
    `shard ${shard.spec.index}/${shard.spec.count}: ${outcome.stages} stages (${outcome.computed} computed, ${outcome.cached} from cache) · ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s · in ${relative(process.cwd(), outcome.dir) || '.'}/; when all shards are done: w2s merge <their directories>`,
  );
  return 0;
}

export const workerCommand: Command = {
  summary: 'run stages from a Redis queue (for `w2s run --queue`), until stopped',
  usage: `w2s worker --queue redis://[:password@]host:port[/db] [--cache DIR] [--concurrency N] [--lock-seconds S]

  --queue URL         the Redis the orchestrator (\`w2s run --queue URL\`) uses; rediss:// for TLS
  --cache DIR         the shared artifact cache as mounted on this machine (default: the orchestrator's path)
  --concurrency N     stages at once, each in its own process (default 1)
  --lock-seconds S    a stage whose worker dies goes to another worker after about S seconds (default 30)`,
  async run(args) {
    const { values, positionals } = parseOptions('worker', args, {
      queue: { type: 'string' },
      cache: { type: 'string' },
      concurrency: { type: 'string' },
      'lock-seconds': { type: 'string' },
    });
    if (values.help) {
      console.log(`${workerCommand.usage}\n\n${workerCommand.summary}`);
      return 0;
    }
    if (positionals.length > 0) throw new UserError(`unexpected argument "${positionals[0]}"`, 'w2s worker');
    if (values.queue === undefined) throw new UserError('--queue redis://host:port is required', 'w2s worker');
    const { serveQueue } = await import('../execute/queue/queue-worker.js');
    await serveQueue({
      url: values.queue,
      cacheDir: values.cache,
      concurrency: values.concurrency === undefined ? 1 : intOption(values.concurrency, '--concurrency', 1),
      lockSeconds: values['lock-seconds'] === undefined ? 30 : intOption(values['lock-seconds'], '--lock-seconds', 1),
    });
    return 0;
  },
};

export const mergeCommand: Command = {
  summary: 'assemble the tables of a sharded run (`w2s run --shard i/N`) from its shard directories',
  usage: 'w2s merge <shard dir | dir of shard dirs>... [--cache DIR] [--out DIR]',
  async run(args) {
    const { values, positionals } = parseOptions('merge', args, { cache: { type: 'string' }, out: { type: 'string' } });
    if (values.help) {
      console.log(`${mergeCommand.usage}\n\n${mergeCommand.summary}`);
      return 0;
    }
    if (positionals.length === 0) throw new UserError('name the shard directories (results/<name>/shards/*)', 'w2s merge');
    const [{ mergeShards }, { summaryTable }] = await Promise.all([import('../execute/shard/merge.js'), import('../execute/run.js')]);
    const outcome = await mergeShards(positionals, { cacheDir: values.cache, output: values.out });
    console.log(summaryTable(outcome.summary));
    const rel = relative(process.cwd(), outcome.outDir) || '.';
    console.log(`\n${outcome.rows.length} cells merged · results in ${rel}/ (${[...outcome.tables, 'report.md', 'report.html'].join(', ')})`);
    return 0;
  },
};
