/** What the scheduler needs of a stage: its key and the keys of the stages it reads. */
export interface DagNode {
  key: string;
  inputs: readonly string[];
  /** Estimated work, any unit (pretrain stages: @w2s/models' pretrainWork); absent = 0. */
  cost?: number;
  /**
   * Stages with the same value compute one shared artifact first (probe features of a backbone on
   * a seed's splits) under a lease: while one runs, another would wait on that lease, so a ready
   * stage of another group starts first when there is one.
   */
  shares?: string;
}

export interface DagOptions<S extends DagNode> {
  /** How many stages may run at once (Infinity: all ready stages, e.g. to a queue). */
  concurrency: number;
  /** Runs one stage; resolves once its artifact is stored. */
  run: (stage: S) => Promise<void>;
  /** Keys of stages already done (cached): they satisfy inputs and are not run. */
  done?: ReadonlySet<string>;
  /** Called once, at the first failure, so the caller can stop the stages still running. */
  onFailure?: (error: unknown) => void;
}

/**
 * Runs a DAG of stages with bounded concurrency. A stage starts once all its inputs are done.
 * Among ready stages: the longest estimated path of work from the stage to the end first (so the
 * longest pretraining starts at once rather than finishing the run alone), then those that
 * unlock the most stages (pretrain stages, which every training stage of their backbone reads),
 * then plan order; a stage whose `shares` group is already running waits behind ready stages of
 * other groups. At the first failure no new stage starts; the promise rejects with that error
 * once running stages settle.
 */
export async function runDag<S extends DagNode>(stages: readonly S[], opts: DagOptions<S>): Promise<void> {
  const done = new Set(opts.done ?? []);
  const byKey = new Map(stages.map((s) => [s.key, s]));
  for (const s of stages) {
    for (const input of s.inputs) {
      if (!byKey.has(input) && !done.has(input)) throw new Error(`stage ${s.key} reads ${input}, which is neither planned nor done`);
    }
  }
  const pending = orderByDependents(stages.filter((s) => !done.has(s.key)));
  const running = new Set<Promise<void>>();
  const runningGroups = new Map<string, number>();
  let failure: { error: unknown } | undefined;

  const launch = (stage: S) => {
    if (stage.shares !== undefined) runningGroups.set(stage.shares, (runningGroups.get(stage.shares) ?? 0) + 1);
    const p = opts.run(stage).then(
      () => {
        done.add(stage.key);
      },
      (error: unknown) => {
        if (!failure) {
          failure = { error };
          opts.onFailure?.(error);
        }
      },
    );
    const tracked = p.finally(() => {
      running.delete(tracked);
      if (stage.shares !== undefined) runningGroups.set(stage.shares, runningGroups.get(stage.shares)! - 1);
    });
    running.add(tracked);
  };

  for (;;) {
    while (!failure && running.size < opts.concurrency) {
      const ready = pending.filter((s) => s.inputs.every((k) => done.has(k)));
      if (ready.length === 0) break;
      const next = ready.find((s) => s.shares === undefined || !runningGroups.get(s.shares)) ?? ready[0]!;
      pending.splice(pending.indexOf(next), 1);
      launch(next);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (failure) throw failure.error;
  if (pending.length > 0) throw new Error(`stages never became ready: ${pending.map((s) => s.key).join(', ')}`);
}

/** Stable sort: longer path of estimated work to the end first, then more transitive dependents, then the given order. */
function orderByDependents<S extends DagNode>(stages: S[]): S[] {
  const dependents = new Map<string, S[]>();
  for (const s of stages) for (const k of s.inputs) dependents.set(k, [...(dependents.get(k) ?? []), s]);
  // The work on the heaviest path from a stage to the end, itself included (memoized; the graph is acyclic).
  const pathWork = new Map<string, number>();
  const workFrom = (s: S): number => {
    let w = pathWork.get(s.key);
    if (w === undefined) {
      w = (s.cost ?? 0) + Math.max(0, ...(dependents.get(s.key) ?? []).map(workFrom));
      pathWork.set(s.key, w);
    }
    return w;
  };
  const count = new Map<string, number>();
  const reach = (key: string, seen: Set<string>): void => {
    for (const d of dependents.get(key) ?? []) {
      if (!seen.has(d.key)) {
        seen.add(d.key);
        reach(d.key, seen);
      }
    }
  };
  for (const s of stages) {
    const seen = new Set<string>();
    reach(s.key, seen);
    count.set(s.key, seen.size);
  }
  return stages
    .map((s, i) => ({ s, i }))
    .sort((a, b) => workFrom(b.s) - workFrom(a.s) || count.get(b.s.key)! - count.get(a.s.key)! || a.i - b.i)
    .map(({ s }) => s);
}
