import { mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ArtifactCache, findWorkspaceRoot, initBackend, type BackendInfo } from '@w2s/core';
import { tableFromRows, writeArrowFile } from '../results/arrow.js';
import { createStageExecutor } from './stage-executor.js';
import type { LoadedManifest } from '../manifest/manifest.js';
import { manifestSource } from '../manifest/manifest-source.js';
import { dataWarnings, planExperiment, type Plan } from '../plan/plan.js';
import { createProgress, type Progress } from './progress.js';
import { fillDroppedSeeds, summarize, summaryTable, type SummaryRow } from '../results/report.js';
import { writeReport } from '../results/write-report.js';
import { RUN_INFO_FILE, softwareVersions, writeRunInfo } from '../results/run-info.js';
import { removeDeadWritersTemps, removeStaleResults } from './stale-temps.js';
import { StageArrivals } from './arrivals.js';
import {
  curveColumns,
  curveRows,
  predictionColumns,
  predictionRows,
  runColumns,
  runRow,
  transcriptColumns,
  transcriptRows,
  type CurveRow,
  type PredictionRow,
  type RunRow,
  type TranscriptRow,
} from '../results/rows.js';

/** What a run has done so far, kept up to date by runExperiment for this message. */
export interface RunStatus {
  stagesComputed: number;
  stagesCached: number;
  cacheDir?: string;
  outDir?: string;
}

export interface RunOptions {
  /** Backend override (CLI flag / W2S_BACKEND); else the manifest's. */
  backend?: string;
  cacheDir?: string;
  /** Results directory override. */
  output?: string;
  log?: (line: string) => void;
  /**
   * Computes the plan's stages elsewhere (worker processes, a Redis queue) before the tables are
   * assembled from the cache; without it, stages run in this process, cell by cell.
   */
  computeStages?: ComputeStages;
  /** Kept up to date as stages finish (for the message when the run is stopped). */
  status?: RunStatus;
}

/** A way to compute every stage of a plan into the cache (see pool.ts, queue.ts). */
export interface ComputeStages {
  (ctx: { loaded: LoadedManifest; plan: Plan; cache: ArtifactCache; progress: Progress; backend: BackendInfo }): Promise<void>;
  /** Called before planning, once the backend is known: start what can start early (worker processes). */
  prepare?(ctx: { loaded: LoadedManifest; backend: BackendInfo }): void;
  /** Stops what prepare started and the computation did not take over (idempotent). */
  release?(): void;
}

export interface RunOutcome {
  outDir: string;
  rows: RunRow[];
  summary: SummaryRow[];
  backend: BackendInfo;
  stagesComputed: number;
  stagesCached: number;
  /** The tables written, e.g. runs.arrow, predictions.arrow, curves.arrow (+ transcripts.arrow with debate). */
  tables: string[];
}

/** With worker processes, the shortest gap between two rewrites of runs.arrow during a run (W2S_RUNS_WRITE_SECONDS, default 5). */
function runsWriteGapMs(): number {
  const seconds = Number(process.env.W2S_RUNS_WRITE_SECONDS ?? 5);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 5_000;
}

/**
 * Where a run's tables go: `--out` (relative to the current directory, like any command-line
 * path), else the manifest's `output` (relative to the manifest's folder, like every path in a
 * manifest), else `results/<name>` in the workspace.
 */
export function resultsDir(loaded: LoadedManifest, override?: string): string {
  if (override !== undefined) return resolve(override);
  if (loaded.manifest.output !== undefined) return resolve(loaded.baseDir, loaded.manifest.output);
  return join(findWorkspaceRoot(), 'results', loaded.manifest.name);
}

/**
 * One warning line when the manifest's `output` puts the results outside the workspace (e.g.
 * `output: ../elsewhere`), which a user reading a shared manifest may not expect; else undefined.
 * An explicit --out is the user's own choice and is not warned about.
 */
export function outputOutsideWorkspaceWarning(loaded: LoadedManifest, override?: string): string | undefined {
  const { output } = loaded.manifest;
  if (output === undefined || override !== undefined) return undefined;
  const root = findWorkspaceRoot();
  const out = resultsDir(loaded);
  const rel = relative(root, out);
  if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return undefined;
  return `w2s: warning: ${loaded.path}: output "${output}" is outside the workspace ${root}; results go to ${out}`;
}

/**
 * Runs an experiment: plan the cells, run (or read from the cache) every stage, and after each
 * cell rewrite runs/predictions/curves.arrow atomically; at the end write report.md and plots.
 */
export async function runExperiment(loaded: LoadedManifest, opts: RunOptions = {}): Promise<RunOutcome> {
  const { manifest } = loaded;
  const startedAt = new Date();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const backend = await initBackend(opts.backend ?? process.env.W2S_BACKEND ?? manifest.backend);
  const cache = new ArtifactCache(opts.cacheDir);
  // Worker processes start now, so that their start-up and data loading overlap with the planning
  // here; unless a run of this manifest has completed on this cache: its stages are then most
  // likely all cached, and the workers would be stopped unused after taking the cores this
  // planning needs. (Only speed depends on the guess.)
  const allCachedKey = cache.key('all-cached', { manifest: manifestSource(loaded).hash });
  if (!cache.has(allCachedKey)) opts.computeStages?.prepare?.({ loaded, backend });
  try {
    const outcome = await runPlanned(loaded, backend, cache, startedAt, log, opts);
    await cache.getOrCreate(allCachedKey, async () => undefined);
    return outcome;
  } finally {
    opts.computeStages?.release?.();
  }
}

/** runExperiment once the backend is up: plan, compute or read every stage, write the tables. */
async function runPlanned(
  loaded: LoadedManifest,
  backend: BackendInfo,
  cache: ArtifactCache,
  startedAt: Date,
  log: (line: string) => void,
  opts: RunOptions,
): Promise<RunOutcome> {
  const { manifest } = loaded;
  const plan = planExperiment(loaded);
  await cache.cleanStaleTemps(); // temp dirs of writers that crashed on this host
  const outDir = resultsDir(loaded, opts.output);
  if (opts.status) Object.assign(opts.status, { cacheDir: cache.root, outDir });
  const outsideWarning = outputOutsideWorkspaceWarning(loaded, opts.output);
  if (outsideWarning) log(outsideWarning);
  log(`w2s: ${manifest.name}: ${plan.cells.length} cells, ${plan.stages.length} stages · backend ${backend.name} (${backend.kernels}) · cache ${cache.root}`);
  for (const warning of dataWarnings(plan)) log(warning);

  const progress = createProgress(plan.stages.length);
  let computed = 0;
  let cached = 0;
  const counted = new Set<string>(); // a stage computed by computeStages is read back later: count it once
  // With computeStages, cells become rows as their stages arrive in the cache, while others run.
  const arrivals = opts.computeStages ? new StageArrivals(cache, plan.stages.map((s) => s.key)) : undefined;
  const counting = {
    ...progress,
    stageDone: (stage: Parameters<typeof progress.stageDone>[0], info: { seconds: number; cached: boolean }) => {
      arrivals?.arrived(stage.key);
      if (counted.has(stage.key)) return;
      counted.add(stage.key);
      if (info.cached) cached++;
      else computed++;
      if (opts.status) Object.assign(opts.status, { stagesComputed: computed, stagesCached: cached });
      progress.stageDone(stage, info);
    },
  };
  const inProcess = createStageExecutor(plan, cache, counting);
  const executor = arrivals ? arrivals.executor(inProcess) : inProcess;
  const rows: RunRow[] = [];
  const predictions: PredictionRow[] = [];
  const curves: CurveRow[] = [];
  const transcripts: TranscriptRow[] = [];
  // transcripts.arrow exists only for experiments where some method debates.
  const debates = manifest.methods.some((m) => m.weak?.debate);
  const writeRuns = () => {
    fillDroppedSeeds(rows); // a group count: the group may have grown since the last write
    return writeArrowFile(join(outDir, 'runs.arrow'), tableFromRows(rows, runColumns));
  };
  const writeTables = async () => {
    await writeRuns();
    await writeArrowFile(join(outDir, 'predictions.arrow'), tableFromRows(predictions, predictionColumns));
    await writeArrowFile(join(outDir, 'curves.arrow'), tableFromRows(curves, curveColumns));
    if (debates) await writeArrowFile(join(outDir, 'transcripts.arrow'), tableFromRows(transcripts, transcriptColumns));
  };
  let lastRunsWrite = performance.now();
  const lastWrite = { at: 0, took: 0 };
  let computedAtLastWrite = 0;
  const runsWriteGap = runsWriteGapMs();
  mkdirSync(outDir, { recursive: true });
  await removeDeadWritersTemps(outDir); // half-written tables of a runner that was killed
  try {
    // Backbones already in the cache are reported as such up front: a stage that reads one may be
    // cached itself and never ask for it. (This reads a small record; no backbone is loaded.)
    for (const stage of plan.stages) if (stage.kind === 'pretrain' && cache.has(stage.key)) await inProcess.complete(stage);
    const computing = opts.computeStages?.({ loaded, plan, cache, progress: counting, backend });
    if (computing) arrivals!.follow(computing);
    for (const cell of plan.cells) {
      const stages = plan.stagesOf(cell);
      const plainWeak = await executor.run(stages.plainWeak);
      const weak = stages['weak-gt'] === stages.plainWeak ? plainWeak : await executor.run(stages['weak-gt']);
      const ceiling = await executor.run(stages.ceiling);
      const transfer = await executor.run(stages.transfer);
      const splits = executor.splitsOf(cell);
      const chain = stages.chain ? await Promise.all(stages.chain.map((link) => executor.run(link))) : undefined;
      const artifacts = { stages, weak, plainWeak, ceiling, transfer, ...(chain && { chain }) };
      rows.push(runRow(manifest.name, cell, splits, artifacts, manifest.bootstrap.resamples));
      predictions.push(...predictionRows(cell, splits, artifacts));
      curves.push(...curveRows(cell, artifacts));
      transcripts.push(...transcriptRows(cell, splits, artifacts));
      // Tables are rewritten during the run so that a crash leaves the last complete version.
      // In-process: every table after each cell that computed something, unless the last rewrite
      // took more than 1/20 of the time since (rewriting ~100 MB of predictions can cost more
      // than a cell); cells read from the cache are written once, at the end. With worker
      // processes the writer shares the cores with the workers (rewriting every table as cells
      // arrived slowed the ladder benchmark by 6 %): only runs.arrow, every few seconds.
      if (!opts.computeStages) {
        if (computed > computedAtLastWrite && performance.now() - lastWrite.at >= 20 * lastWrite.took) {
          const started = performance.now();
          await writeTables();
          lastWrite.at = performance.now();
          lastWrite.took = lastWrite.at - started;
          computedAtLastWrite = computed;
        }
      } else if (performance.now() - lastRunsWrite >= runsWriteGap) {
        await writeRuns();
        lastRunsWrite = performance.now();
      }
    }
    if (computing) await computing;
    await writeTables();
  } finally {
    executor.dispose();
    progress.finish();
  }
  const foreign = rows.filter((r) => r.backend !== backend.name || r.kernels !== backend.kernels).length;
  if (foreign > 0) {
    log(
      `w2s: note: ${foreign} of ${rows.length} cells use cached stages computed on another backend or kernel path than this run's ` +
        `${backend.name} (${backend.kernels}); see the backend and kernels columns, or use another --cache to keep them apart`,
    );
  }
  const summary = summarize(rows, manifest.bootstrap.resamples);
  const tables = ['runs.arrow', 'predictions.arrow', 'curves.arrow', ...(debates ? ['transcripts.arrow'] : [])];
  const run = {
    experiment: manifest.name,
    manifestPath: relative(findWorkspaceRoot(), loaded.path),
    manifest,
    backend: backend.name,
    kernels: backend.kernels,
    resamples: manifest.bootstrap.resamples,
    versions: softwareVersions(),
    startedAt: startedAt.toISOString(),
    wallSeconds: (Date.now() - startedAt.getTime()) / 1000,
  };
  const reportFiles = await writeReport(outDir, { runs: rows, curves, summary, tables, run });
  await writeRunInfo(outDir, run);
  const stale = await removeStaleResults(outDir, [...tables, ...reportFiles, RUN_INFO_FILE]);
  if (stale.length > 0) log(`w2s: removed ${stale.length} result file${stale.length > 1 ? 's' : ''} this run did not write from ${relative(process.cwd(), outDir) || '.'}/: ${stale.join(', ')}`);
  return { outDir, rows, summary, backend, stagesComputed: computed, stagesCached: cached, tables };
}

export { summaryTable };
