import type { ArtifactCache, CurvePoint, TrainConfig } from '@w2s/core';
import { makeLoss } from '@w2s/confidence-loss';
import { accuracy } from '@w2s/metrics';
import { trainClassifier, type Backbone, type Classifier, type ModelSpec } from '@w2s/models';
import type { Dataset, Splits } from '@w2s/tasks';
import { labelsOf, oneHotRows } from './labels.js';

export interface WeakTeacherOptions {
  task: Dataset;
  splits: Splits;
  spec: ModelSpec;
  backbone: Backbone;
  train: TrainConfig;
  seed: number;
  /** Where probe features are cached. */
  cache?: ArtifactCache;
  onProgress?: (step: number, totalSteps: number, loss: number) => void;
}

/** The weak teacher's soft labels: probability rows [n × K] for each split it labels. */
export interface WeakLabels {
  numClasses: number;
  transfer: Float32Array;
  val: Float32Array;
  test: Float32Array;
  /** Accuracy of the weak teacher on the test split (ground truth). */
  testAcc: number;
  curve: CurvePoint[];
}

/**
 * Trains the weak model on the ground truth of `weak-train` (cross-entropy on one-hot labels),
 * then labels `transfer`, `val` and `test` with its predicted probabilities (soft labels, as in
 * Burns et al. 2023: the student learns from probabilities, not from hard argmax labels).
 */
export async function trainWeakTeacher(opts: WeakTeacherOptions): Promise<WeakLabels> {
  const { task, splits, spec, backbone } = opts;
  const k = task.numClasses;
  const { classifier, curve } = await trainClassifier({
    backbone,
    spec,
    task,
    indices: splits['weak-train'],
    targets: oneHotRows(task.examples.labels, splits['weak-train'], k),
    loss: makeLoss({ name: 'xent' }),
    train: opts.train,
    seed: opts.seed,
    cache: opts.cache,
    onProgress: opts.onProgress,
  });
  return softLabelsOf(classifier, task, splits, curve);
}

/**
 * A trained model's soft labels of transfer, val and test, and its test accuracy (the only read of
 * test labels); frees the classifier. Shared by the weak teacher and the links of a chain.
 */
export function softLabelsOf(classifier: Classifier, task: Dataset, splits: Splits, curve: CurvePoint[]): WeakLabels {
  const k = task.numClasses;
  try {
    const test = classifier.predict(task, splits.test);
    return {
      numClasses: k,
      transfer: classifier.predict(task, splits.transfer),
      val: splits.val.length > 0 ? classifier.predict(task, splits.val) : new Float32Array(0),
      test,
      testAcc: accuracy({ values: test, numClasses: k }, labelsOf(task.examples.labels, splits.test)),
      curve,
    };
  } finally {
    classifier.dispose();
  }
}
