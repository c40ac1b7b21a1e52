/** What the scheduler needs of a stage: its key and the keys of the stages it reads. */
export interface DagNode {
  key: string;
  inputs: readonly string[];
}

export interface DagOptions<S extends DagNode> {
  /** How many stages may run at once (Infinity: all ready stages, e.g. to a queue). */
  concurrency: number;
  /** Runs one stage; resolves once its artifact is stored. */
  run: (stage: S) => Promise<void>;
  /** Keys of stages already done (cached): they satisfy inputs and are not run. */
  done?: ReadonlySet<string>;
  /**
   * A label for what a stage loads first (its backbone). The first stage of each group goes
   * before other ready stages, so backbones are pretrained early rather than in the last minutes;
   * while it runs, its siblings wait if other work is ready, so that one stage pretrains the
   * backbone and the rest load it from the cache instead of all pretraining it at once.
   */
  groupOf?: (stage: S) => string;
  /** Called once, at the first failure, so the caller can stop the stages still running. */
  onFailure?: (error: unknown) => void;
}

/**
 * Runs a DAG of stages with bounded concurrency. A stage starts once all its inputs are done.
 * Among ready stages: the first of a group not started yet, then the others (stages of a group
 * whose first stage is still running last); within each, those that unlock the most stages
 * first, then plan order. At the first failure no new stage starts; the promise rejects with
 * that error once running stages settle.
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
  const group = opts.groupOf ?? (() => '');
  const started = new Set<string>(); // groups with a stage started
  const warm = new Set<string>(); // groups with a finished stage
  const warming = new Set<string>(); // groups whose first stage runs now
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  const launch = (stage: S) => {
    const g = group(stage);
    started.add(g);
    if (!warm.has(g)) warming.add(g);
    const p = opts.run(stage).then(
      () => {
        done.add(stage.key);
        warm.add(g);
        warming.delete(g);
      },
      (error: unknown) => {
        warming.delete(g);
        if (!failure) {
          failure = { error };
          opts.onFailure?.(error);
        }
      },
    );
    const tracked = p.finally(() => running.delete(tracked));
    running.add(tracked);
  };

  for (;;) {
    while (!failure && running.size < opts.concurrency) {
      const ready = pending.filter((s) => s.inputs.every((k) => done.has(k)));
      if (ready.length === 0) break;
      const next = ready.find((s) => !started.has(group(s))) ?? ready.find((s) => !warming.has(group(s))) ?? ready[0]!;
      pending.splice(pending.indexOf(next), 1);
      launch(next);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (failure) throw failure.error;
  if (pending.length > 0) throw new Error(`stages never became ready: ${pending.map((s) => s.key).join(', ')}`);
}

/** Stable sort: more transitive dependents first, then the given order. */
function orderByDependents<S extends DagNode>(stages: S[]): S[] {
  const dependents = new Map<string, S[]>();
  for (const s of stages) for (const k of s.inputs) dependents.set(k, [...(dependents.get(k) ?? []), s]);
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
    .sort((a, b) => count.get(b.s.key)! - count.get(a.s.key)! || a.i - b.i)
    .map(({ s }) => s);
}
