import type { ArtifactCache } from '@w2s/core';
import type { StageExecutor } from './stage-executor.js';

/**
 * Lets the tables be assembled while stages are still computed elsewhere (worker processes, a
 * queue): the executor it wraps waits until a stage was in the cache from the start or has been
 * reported done, so the cells done early become rows while later stages run, instead of all rows
 * at the end. (Waiting for the report, not just the file, keeps "computed" and "from cache"
 * counts exact.)
 */
export class StageArrivals {
  private readonly waiters = new Map<string, { resolve: () => void; reject: (e: unknown) => void }[]>();
  private ended: { error?: unknown } | undefined;
  private readonly present: Set<string>;

  constructor(cache: ArtifactCache, keys: readonly string[]) {
    this.present = new Set(keys.filter((k) => cache.has(k)));
  }

  /** Follows the computation: when it ends every waiter is released, or rejected with its error. */
  follow(computing: Promise<void>): void {
    computing.then(
      () => this.end({}),
      (error: unknown) => this.end({ error }),
    );
  }

  /** A stage was stored in the cache. */
  arrived(key: string): void {
    this.present.add(key);
    for (const w of this.waiters.get(key) ?? []) w.resolve();
    this.waiters.delete(key);
  }

  /** Resolves once the stage is in the cache (or the computation ended). */
  wait(key: string): Promise<void> {
    if (this.present.has(key)) return Promise.resolve();
    if (this.ended) return this.ended.error === undefined ? Promise.resolve() : Promise.reject(this.ended.error);
    return new Promise((resolve, reject) => this.waiters.set(key, [...(this.waiters.get(key) ?? []), { resolve, reject }]));
  }

  /** `inner`, with run(stage) waiting for the stage to arrive first. */
  executor(inner: StageExecutor): StageExecutor {
    return { ...inner, run: async (stage) => (await this.wait(stage.key), inner.run(stage)) };
  }

  private end(how: { error?: unknown }): void {
    this.ended = how;
    for (const list of this.waiters.values()) {
      for (const w of list) {
        if (how.error === undefined) w.resolve();
        else w.reject(how.error);
      }
    }
    this.waiters.clear();
  }
}
