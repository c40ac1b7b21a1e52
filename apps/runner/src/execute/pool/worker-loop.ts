// The body of a worker process (entry: worker-main.ts): runs stages one at a time for a parent
// (the local pool or `w2s worker`), which sends {manifest, stageKey, cacheDir, backend} and gets
// back done/failed. The artifact itself goes to the shared cache.
import * as tf from '@tensorflow/tfjs';
import { ArtifactCache, initBackend, isUserError, storageErrorMessage, UserError } from '@w2s/core';
import { createStageExecutor } from '../stage-executor.js';
import { loadManifestSource, type ManifestSource } from '../../manifest/manifest-source.js';
import { planExperiment, type Plan } from '../../plan/plan.js';
import type { Progress } from '../progress.js';
import type { FromWorker, MemoryReport, StageJob, ToWorker } from './worker-protocol.js';

/** A message to the parent; none once it is gone (a write to the closed channel would crash us with EPIPE). */
const send = (message: FromWorker) => {
  if (process.connected) process.send?.(message, undefined, {}, () => undefined);
};

/** Plans by manifest hash: planning loads the data sets, so a worker does it once per manifest. */
const plans = new Map<string, Plan>();
const PLANS_KEPT = 4;

function planOf(manifest: ManifestSource): Plan {
  let plan = plans.get(manifest.hash);
  if (!plan) {
    plan = planExperiment(loadManifestSource(manifest));
    if (plans.size >= PLANS_KEPT) plans.delete(plans.keys().next().value!);
    plans.set(manifest.hash, plan);
  }
  return plan;
}

function memory(): MemoryReport {
  return { tensors: tf.memory().numTensors, rssBytes: process.memoryUsage().rss };
}

async function runJob(job: StageJob): Promise<void> {
  const plan = planOf(job.manifest);
  const stage = plan.stages.find((s) => s.key === job.stageKey);
  if (!stage) {
    throw new UserError(
      `stage ${job.stageKey} is not in the plan of ${job.manifest.path} on this worker: its data files or w2s version differ from the orchestrator's`,
    );
  }
  let cached = false;
  const progress: Progress = {
    stageStart: () => undefined,
    step: () => undefined,
    note: (message, frac) => send({ type: 'note', message, frac }),
    stageDone: (s, info) => {
      if (s.key === stage.key) cached = info.cached;
    },
    log: () => undefined,
    finish: () => undefined,
  };
  // A fresh executor per stage, disposed after it: the worker holds no backbone between stages,
  // so its tensor count returns to the baseline (backbones reload from the cache, cheaply).
  const executor = createStageExecutor(plan, new ArtifactCache(job.cacheDir), progress);
  let seconds: number;
  try {
    seconds = (await executor.complete(stage)).seconds;
  } finally {
    executor.dispose();
  }
  await new Promise((resolve) => setImmediate(resolve)); // let the disposals run
  send({ type: 'done', stageKey: stage.key, seconds, cached, ...memory() });
}

function failure(e: unknown, stageKey?: string): FromWorker {
  if (isUserError(e)) return { type: 'failed', stageKey, userError: true, message: e.message };
  // A full disk is not retried as if the stage had crashed: the run ends with its one line.
  const storage = storageErrorMessage(e);
  if (storage) return { type: 'failed', stageKey, userError: true, message: storage };
  return { type: 'failed', stageKey, userError: false, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

/** Serves the parent until it disconnects (worker-main.ts has set up exiting on that). */
export async function serveParent(): Promise<void> {
  // The parent may have died while this module loaded, before the disconnect event was watched.
  if (!process.connected) process.exit(0);
  let queue = Promise.resolve();
  process.on('message', (message: ToWorker) => {
    if (message.type === 'prepare') {
      // A manifest that fails to plan is not reported here: its first stage plans again and
      // reports the error as that stage's failure, as without prepare.
      queue = queue.then(() => void planOf(message.manifest)).catch(() => undefined);
      return;
    }
    if (message.type !== 'run') return;
    queue = queue.then(() => runJob(message.job).catch((e: unknown) => void send(failure(e, message.job.stageKey))));
  });
  try {
    await initBackend(process.env.W2S_BACKEND);
  } catch (e) {
    send(failure(e));
    process.disconnect();
    return;
  }
  send({ type: 'ready', ...memory() });
}
