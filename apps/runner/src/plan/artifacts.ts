import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactCache, CurvePoint } from '@w2s/core';
import type { DebateSelectionRecord, StoredTranscript } from '@w2s/weak-teacher';

/** What every training stage stores in the cache: predictions, accuracy, curve, its own cost. */
export interface StageArtifact {
  /** Probability rows per split, row-major [n × K]. */
  probs: Record<string, Float32Array>;
  numClasses: number;
  testAcc: number;
  curve: CurvePoint[];
  /** Wall seconds the stage took when it was computed (a cache hit reports the original cost). */
  seconds: number;
  usesGtForSelection?: boolean;
  /** Weak labels: test accuracy of each ensemble member. */
  memberTestAcc?: number[];
  /** Weak labels with debate: every debate sample the weak models read. */
  transcripts?: StoredTranscript[];
  /** Weak labels with `select`: the debate setting chosen on val. */
  selection?: DebateSelectionRecord;
  /** Weak labels with `cosupervise`: how many weak-train examples each specialist trained on (their labels of transfer: probs `teacher<m>.transfer`). */
  teacherTrainSizes?: number[];
  selectedStep?: number;
  /**
   * The tensor backend and kernel path of the process that computed the stage (e.g. wasm,
   * wasm+blas): results can differ in the last digits between kernel paths, and a cache can hold
   * stages from several. Absent in artifacts cached before w2s recorded it.
   */
  backend?: string;
  kernels?: string;
}

const FILE = 'stage.json';

export function writeArtifact(dir: string, artifact: StageArtifact): void {
  const probs = Object.fromEntries(Object.entries(artifact.probs).map(([k, v]) => [k, Array.from(v)]));
  writeFileSync(join(dir, FILE), JSON.stringify({ ...artifact, probs }));
}

export function readArtifact(cache: ArtifactCache, key: string): StageArtifact {
  const raw = JSON.parse(readFileSync(join(cache.dir(key), FILE), 'utf8')) as Omit<StageArtifact, 'probs'> & {
    probs: Record<string, number[]>;
  };
  const probs = Object.fromEntries(Object.entries(raw.probs).map(([k, v]) => [k, Float32Array.from(v)]));
  return { ...raw, probs };
}

/** Probs key of specialist m's labels of transfer in a co-supervision weak-gt artifact. */
export const teacherTransferKey = (m: number) => `teacher${m}.transfer`;

/** A co-supervision weak-gt artifact's specialists' labels of transfer, in teacher order (undefined otherwise). */
export function teacherTransfers(artifact: StageArtifact): Float32Array[] | undefined {
  const count = artifact.teacherTrainSizes?.length ?? 0;
  return count > 0 ? Array.from({ length: count }, (_, m) => artifact.probs[teacherTransferKey(m)]!) : undefined;
}
