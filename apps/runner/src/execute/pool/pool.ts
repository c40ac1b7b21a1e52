import { UserError, type ArtifactCache, type BackendInfo } from '@w2s/core';
import { manifestSource, type ManifestSource } from '../../manifest/manifest-source.js';
import type { Stage } from '../../plan/plan.js';
import type { Progress } from '../progress.js';
import type { ComputeStages } from '../run.js';
import { runDag } from '../scheduler.js';
import { WorkerProcess, type StageOutcome } from './worker-process.js';
import { defaultWorkers } from './worker-count.js';

export interface PoolOptions {
  /** Worker processes (default: the number of cores; on tensorflow-gpu $W2S_GPU_WORKERS, default 1). */
  workers?: number;
  /** Attempts per stage when its worker process dies (default 3); other failures are not retried. */
  maxAttempts?: number;
  /** First retry delay in ms, doubled after each attempt (default 1000). */
  retryDelayMs?: number;
  /** Lines for the user (retries); default stderr. */
  log?: (line: string) => void;
  /** Debug lines: which process runs what, tensors and resident memory after each stage (default: $W2S_DEBUG). */
  debug?: boolean;
  /** Processes started early (computeInWorkers' prepare), used first; any left over are stopped. */
  started?: WorkerProcess[];
}

export { defaultWorkers } from './worker-count.js';

export function debugEnabled(): boolean {
  const v = process.env.W2S_DEBUG;
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

export const oneLine = (label: string) => label.replace(/\s+/g, ' ').trim();

const stderrLine = (line: string) => void process.stderr.write(`${line}\n`);

/**
 * `w2s run --workers N`: the stages run in N worker processes, the tables are assembled here.
 * The processes start (and plan the manifest) before the orchestrator plans: start-up overlaps
 * with planning. When every stage turns out to be cached, they are stopped unused.
 */
export function computeInWorkers(opts: PoolOptions = {}): ComputeStages {
  let started: WorkerProcess[] = [];
  const compute: ComputeStages = async ({ loaded, plan, cache, progress, backend }) => {
    const early = started;
    started = [];
    await runStagesInWorkers(plan.stages, { source: manifestSource(loaded), cache, progress, backend }, { ...opts, started: early });
  };
  compute.prepare = ({ loaded, backend }) => {
    const size = Math.max(1, opts.workers ?? defaultWorkers(backend.name));
    if (opts.debug ?? debugEnabled()) (opts.log ?? stderrLine)(`debug: ${size} worker process${size > 1 ? 'es start' : ' starts'} before planning`);
    started = Array.from({ length: size }, (_, i) => new WorkerProcess(i + 1, { backend: backend.name }));
    const source = manifestSource(loaded);
    for (const w of started) w.prepare(source);
  };
  compute.release = () => {
    for (const w of started) w.kill();
    started = [];
  };
  return compute;
}

/**
 * Runs `stages` (closed under inputs, or with their inputs cached) in a pool of worker processes,
 * respecting the stage DAG. A stage whose process dies is retried in a fresh process, up to
 * maxAttempts; a UserError ends the run with its message; any other error ends it as a bug.
 */
export async function runStagesInWorkers(
  stages: readonly Stage[],
  ctx: { source: ManifestSource; cache: ArtifactCache; progress: Progress; backend: BackendInfo },
  opts: PoolOptions = {},
): Promise<void> {
  const { cache, progress } = ctx;
  const log = opts.log ?? stderrLine;
  const debug = opts.debug ?? debugEnabled();
  const maxAttempts = opts.maxAttempts ?? 3;
  const retryDelayMs = opts.retryDelayMs ?? 1000;
  const done = new Set(stages.filter((s) => cache.has(s.key)).map((s) => s.key));
  for (const s of stages) for (const k of s.inputs) if (cache.has(k)) done.add(k);
  const todo = stages.filter((s) => !done.has(s.key));
  const started = opts.started ?? [];
  const size = Math.max(1, Math.min(opts.workers ?? defaultWorkers(ctx.backend.name), todo.length));
  const unused = todo.length === 0 ? started : started.slice(size);
  for (const w of unused) w.kill();
  if (debug && unused.length > 0) log(`debug: ${unused.length} worker process${unused.length > 1 ? 'es' : ''} started before planning stop unused (${todo.length} stages to run)`);
  if (todo.length === 0) return;

  const onNote = (message: string, frac: number) => progress.note(message, frac);
  const workers = Array.from({ length: size }, (_, i) => started[i] ?? new WorkerProcess(i + 1, { backend: ctx.backend.name }));
  for (const w of workers) w.onNote = onNote;
  const idle = [...workers].reverse();
  let aborted = false;
  if (debug) log(`debug: ${todo.length} stages to run in ${size} worker processes`);

  const runOne = async (stage: Stage): Promise<void> => {
    const worker = idle.pop()!;
    const where = `stage ${oneLine(stage.label)}`;
    try {
      for (let attempt = 1; ; attempt++) {
        progress.stageStart(stage);
        const job = { manifest: ctx.source, stageKey: stage.key, cacheDir: cache.root, backend: ctx.backend.name };
        const outcome: StageOutcome = await worker.run(job, (pid) => {
          if (debug) log(`debug: worker ${worker.id} (pid ${pid}) starts ${oneLine(stage.label)} (${stage.key}), attempt ${attempt}`);
        });
        if (aborted) throw new Error('stopped after another stage failed');
        if (outcome.ok) {
          if (debug) log(`debug: worker ${worker.id} finished ${oneLine(stage.label)}: ${memoryLine(outcome)}`);
          progress.stageDone(stage, { seconds: outcome.seconds, cached: outcome.cached });
          return;
        }
        if (outcome.reason === 'user') throw new UserError(outcome.message, where);
        if (outcome.reason === 'internal') throw new Error(`${where} failed in worker ${worker.id}: ${outcome.message}`);
        if (attempt >= maxAttempts) {
          throw new UserError(`its worker process died ${attempt} times (last: ${outcome.message}); if memory ran out, try fewer --workers`, where, 1);
        }
        const delay = retryDelayMs * 2 ** (attempt - 1);
        log(`w2s: ${outcome.message}; retrying ${oneLine(stage.label)} (attempt ${attempt + 1} of ${maxAttempts}) in ${delay / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    } finally {
      idle.push(worker);
    }
  };

  try {
    await runDag(todo, {
      concurrency: size,
      done,
      run: runOne,
      onFailure: () => {
        aborted = true;
        for (const w of workers) w.kill();
      },
    });
  } finally {
    for (const w of workers) w.kill();
  }
}

/** "tensors 0 (baseline 0) · rss 412 MB": what a worker holds after a stage. */
export function memoryLine(m: { tensors: number; rssBytes: number; baseline: { tensors: number } }): string {
  return `tensors ${m.tensors} (baseline ${m.baseline.tensors}) · rss ${Math.round(m.rssBytes / 2 ** 20)} MB`;
}
