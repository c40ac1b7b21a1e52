import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { nativeBlasStatus, UserError, writeJsonAtomic } from '@w2s/core';
import { z } from 'zod';

/**
 * What a run knew that its tables do not say: the resolved manifest, the bootstrap size, the
 * software versions and the wall time. Written as run.json beside the tables (not into them, so
 * the tables of two runs stay byte-identical); `w2s report` reads it back when it is there.
 */
export const RunInfoSchema = z.object({
  experiment: z.string(),
  /** The manifest file, relative to the workspace root. */
  manifestPath: z.string(),
  /** The manifest as the run used it, defaults filled in. */
  manifest: z.unknown(),
  backend: z.string(),
  kernels: z.string(),
  /** Bootstrap resamples per cell (the manifest's bootstrap.resamples). */
  resamples: z.number(),
  versions: z.record(z.string(), z.string()),
  startedAt: z.string(),
  wallSeconds: z.number(),
});
export type RunInfo = z.infer<typeof RunInfoSchema>;

export const RUN_INFO_FILE = 'run.json';

/**
 * Versions that can change a result or a figure: w2s, Node, tfjs, and with native BLAS the
 * library and the kernels it runs (they set the last bits of every product); figure libraries
 * are added by the report.
 */
export function softwareVersions(): Record<string, string> {
  const runner = createRequire(import.meta.url)('../../package.json') as { version: string };
  const blas = nativeBlasStatus();
  return {
    w2s: runner.version,
    node: process.version,
    tfjs: tf.version.tfjs,
    ...(blas.available && { blas: blas.core ? `${blas.blas} ${blas.core}` : blas.blas! }),
  };
}

export async function writeRunInfo(dir: string, info: RunInfo): Promise<void> {
  await writeJsonAtomic(join(dir, RUN_INFO_FILE), info);
}

/** run.json of a results folder, or undefined when there is none (results of an older w2s). */
export function readRunInfo(dir: string): RunInfo | undefined {
  const file = join(dir, RUN_INFO_FILE);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`not valid JSON (${(e as Error).message}); delete it or rerun the experiment`, file);
  }
  const parsed = RunInfoSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${issue.path.join('.') || '(root)'}: ${issue.message}; delete it or rerun the experiment`, file);
  }
  return parsed.data;
}
