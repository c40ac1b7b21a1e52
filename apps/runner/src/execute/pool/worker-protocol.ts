import type { ManifestSource } from '../../manifest/manifest-source.js';

/** One stage to run: the worker plans the manifest itself and runs the stage with this key. */
export interface StageJob {
  manifest: ManifestSource;
  stageKey: string;
  /** The artifact cache shared by the orchestrator and all workers. */
  cacheDir: string;
  /** The backend the orchestrator resolved (so every stage of a run uses the same one). */
  backend: string;
}

/**
 * run: one stage. prepare: plan this manifest now, before any stage of it arrives (the pool sends
 * it as the process starts, so the worker loads the data sets while the orchestrator plans too).
 */
export type ToWorker = { type: 'run'; job: StageJob } | { type: 'prepare'; manifest: ManifestSource };

/** Tensor count and resident memory of a worker process, reported after each stage. */
export interface MemoryReport {
  tensors: number;
  rssBytes: number;
}

export type FromWorker =
  | ({ type: 'ready' } & MemoryReport)
  | { type: 'note'; message: string; frac: number }
  | ({ type: 'done'; stageKey: string; seconds: number; cached: boolean } & MemoryReport)
  | { type: 'failed'; stageKey?: string; userError: boolean; message: string };
