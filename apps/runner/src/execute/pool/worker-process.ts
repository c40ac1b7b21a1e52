import { ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ManifestSource } from '../../manifest/manifest-source.js';
import type { FromWorker, MemoryReport, StageJob, ToWorker } from './worker-protocol.js';

/** How a stage ended in a worker process. */
export type StageOutcome =
  | ({ ok: true; seconds: number; cached: boolean; baseline: MemoryReport } & MemoryReport)
  /** user: a UserError (not retried); internal: a bug (stack in message); crash: the process died. */
  | { ok: false; reason: 'user' | 'internal' | 'crash'; message: string };

export interface WorkerProcessOptions {
  /** The backend the process initializes (W2S_BACKEND). */
  backend: string;
  /** Progress notes from inside a stage (pretraining). */
  onNote?: (message: string, frac: number) => void;
}

const fromSource = import.meta.url.endsWith('.ts');
const ENTRY = fileURLToPath(new URL(`./worker-main.${fromSource ? 'ts' : 'js'}`, import.meta.url));

/** Node flags that let a child run the TypeScript sources, as bin/w2s.js does. */
function execArgv(): string[] {
  if (!fromSource) return [];
  return ['--conditions=w2s-source', '--import', import.meta.resolve('tsx')];
}

/**
 * One worker process (worker-main.ts) with its own tensor backend, running one stage at a time.
 * It is started on first use and again after it dies. A stage it was running when it died comes
 * back as a `crash` outcome; whether to retry is the caller's choice.
 */
export class WorkerProcess {
  /** The ready process. */
  private child: ChildProcess | undefined;
  /** The process being started or running, for kill(). */
  private spawned: ChildProcess | undefined;
  private starting: Promise<ChildProcess | StageOutcome> | undefined;
  private baseline: MemoryReport = { tensors: 0, rssBytes: 0 };
  /** Where progress notes go (settable: a process started early gets its run's progress later). */
  onNote: ((message: string, frac: number) => void) | undefined;

  constructor(
    readonly id: number,
    private readonly opts: WorkerProcessOptions,
  ) {
    this.onNote = opts.onNote;
  }

  get pid(): number | undefined {
    return this.spawned?.pid;
  }

  get backend(): string {
    return this.opts.backend;
  }

  /** Starts the process if needed and waits until its backend is ready. */
  private start(): Promise<ChildProcess | StageOutcome> {
    if (this.child) return Promise.resolve(this.child);
    if (this.starting) return this.starting;
    this.starting = new Promise((resolve) => {
      const child = fork(ENTRY, [], {
        execArgv: execArgv(),
        // One BLAS thread per process: parallelism comes from the processes.
        env: { ...process.env, W2S_BACKEND: this.opts.backend, OPENBLAS_NUM_THREADS: '1', W2S_BLAS_THREADS: '1' },
        // The worker's stdout goes to our stderr: stdout is for the summary table.
        stdio: ['ignore', 2, 2, 'ipc'],
      });
      this.spawned = child;
      // A send to a process that just died fails here; its 'exit' reports the crash.
      child.on('error', () => undefined);
      child.once('exit', () => {
        if (this.spawned === child) this.spawned = undefined;
        if (this.child === child) this.child = undefined;
      });
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') {
          cleanup();
          this.child = child;
          this.baseline = { tensors: m.tensors, rssBytes: m.rssBytes };
          resolve(child);
        } else if (m.type === 'failed') {
          cleanup();
          child.kill();
          resolve({ ok: false, reason: m.userError ? 'user' : 'internal', message: m.message });
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        cleanup();
        resolve({ ok: false, reason: 'crash', message: `worker process ${child.pid} ${exitText(code, signal)} while starting` });
      };
      const cleanup = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        this.starting = undefined;
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
    return this.starting;
  }

  /**
   * Starts the process now and has it plan `manifest` as soon as it is up, so that its start-up
   * and data loading overlap with the caller's own planning; stages sent later find the plan made.
   */
  prepare(manifest: ManifestSource): void {
    void this.start().then((started) => {
      if (started instanceof ChildProcess) started.send({ type: 'prepare', manifest } satisfies ToWorker);
    });
  }

  /** Runs one stage in the process (starting it if needed); `onStart` gets its pid as the stage starts. */
  async run(job: StageJob, onStart?: (pid: number) => void): Promise<StageOutcome> {
    const started = await this.start();
    if (!(started instanceof ChildProcess)) return started;
    const child = started;
    return new Promise((resolve) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'note') this.onNote?.(m.message, m.frac);
        else if (m.type === 'done' && m.stageKey === job.stageKey) {
          cleanup();
          resolve({ ok: true, seconds: m.seconds, cached: m.cached, tensors: m.tensors, rssBytes: m.rssBytes, baseline: this.baseline });
        } else if (m.type === 'failed') {
          cleanup();
          resolve({ ok: false, reason: m.userError ? 'user' : 'internal', message: m.message });
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        cleanup();
        resolve({ ok: false, reason: 'crash', message: `worker process ${child.pid} ${exitText(code, signal)} while running the stage` });
      };
      const cleanup = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      onStart?.(child.pid!);
      child.send({ type: 'run', job } satisfies ToWorker);
    });
  }

  /** Stops the process (a stage it is running ends as a crash). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.spawned?.kill(signal);
    this.child = undefined;
    this.spawned = undefined;
  }
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}
