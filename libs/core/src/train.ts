import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam.js';
import { UserError } from './errors.js';
import { accumulateGradients } from './grad-accum.js';
import { minibatches } from './minibatch.js';
import type { Rng } from './rng.js';
import { learningRate, stepsPerEpoch, type TrainConfig } from './schedule.js';

/** One optimizer step of a training curve. */
export interface CurvePoint {
  /** Optimizer steps completed, 1..totalSteps (this point follows step number `step`). */
  step: number;
  /** 0-based epoch the step belongs to. */
  epoch: number;
  /** Training loss of the step's examples, before its update (mean over the accumulated minibatches). */
  loss: number;
  /** Learning rate the step used. */
  lr: number;
  /** What `onEval` returned, if it ran after this step. */
  metrics?: Record<string, number>;
}

export interface EarlyStopping {
  /** Key of the `onEval` result to watch. */
  metric: string;
  mode: 'max' | 'min';
  /** Stop after this many evaluations in a row without a strict improvement; unset = never stop early. */
  patience?: number;
  /** At the end, put back the parameters of the best evaluation. */
  restoreBest: boolean;
}

export interface TrainLoopOptions {
  params: tf.Variable[];
  numExamples: number;
  /** Already parsed with TrainConfigSchema. */
  config: TrainConfig;
  /** Each epoch's reshuffle draws from it. */
  rng: Rng;
  /**
   * Loss of the minibatch made of these example indices, reduced by mean over the examples
   * (gradient accumulation weights batches by size, which is exact only for a mean).
   * stepFrac = (optimizer steps completed) / totalSteps, in [0, (T-1)/T]; every minibatch of one
   * accumulated step gets the same value. Called inside tf.variableGrads; must return a scalar.
   */
  lossFn: (indices: Int32Array, stepFrac: number) => tf.Scalar;
  /**
   * Called once per optimizer step, before lossFn runs on its minibatches, with all of them
   * (`gradAccumSteps` minibatches, fewer at the end of an epoch): for a loss whose target depends
   * on statistics of the whole batch (logconf's threshold), which must not be computed per
   * minibatch. Must leave no tensors behind.
   */
  beginStep?: (batches: Int32Array[]) => void;
  /**
   * Evaluation hook, called after every `evalEvery` optimizer steps and after the last step
   * (default: once per epoch). `step` counts completed steps, stepFrac = step / totalSteps (1 at
   * the end). Its metrics go into the curve point of that step.
   */
  onEval?: (ctx: { step: number; epoch: number; stepFrac: number }) => Record<string, number> | void;
  evalEvery?: number;
  /** Tracks the best evaluation of `metric`; stops after `patience` evaluations without improvement. */
  earlyStopping?: EarlyStopping;
  onProgress?: (step: number, totalSteps: number, loss: number) => void;
}

export interface TrainResult {
  curve: CurvePoint[];
  /** Planned optimizer steps: epochs * ceil(ceil(numExamples / batchSize) / gradAccumSteps). */
  totalSteps: number;
  /** Steps actually run (fewer than totalSteps if early stopping fired). */
  stepsRun: number;
  /** With early stopping: the step of the best evaluation and its metric value. */
  bestStep?: number;
  bestMetric?: number;
}

/**
 * Minibatch training with our Adam(W), an explicit LR schedule and gradient accumulation.
 * Each epoch reshuffles the examples (minibatches()); every `gradAccumSteps` consecutive minibatches
 * make one optimizer step, whose gradient is their size-weighted mean (= the gradient of the union
 * batch). The loop frees every tensor it makes, including the Adam moments and best-param snapshots.
 */
export async function trainLoop(opts: TrainLoopOptions): Promise<TrainResult> {
  const { params, numExamples, config, rng, lossFn, beginStep, onEval, earlyStopping, onProgress } = opts;
  if (!Number.isInteger(numExamples) || numExamples <= 0) {
    throw new UserError(`cannot train on ${numExamples} examples: the training set is empty`, 'trainLoop');
  }
  if (params.length === 0) throw new Error('trainLoop: no parameters to train');
  const perEpoch = stepsPerEpoch(numExamples, config);
  const totalSteps = config.epochs * perEpoch;
  const evalEvery = opts.evalEvery ?? perEpoch;
  if (!Number.isInteger(evalEvery) || evalEvery <= 0) {
    throw new UserError(`must be a positive integer, got ${evalEvery}`, 'evalEvery');
  }
  if (earlyStopping) checkEarlyStopping(earlyStopping, onEval !== undefined);

  const adam = new Adam(params, { weightDecay: config.weightDecay });
  const curve: CurvePoint[] = [];
  const tracker = earlyStopping ? new BestTracker(earlyStopping, params) : null;
  let step = 0;
  try {
    training: for (let epoch = 0; epoch < config.epochs; epoch++) {
      const batches = minibatches(numExamples, config.batchSize, rng);
      for (let start = 0; start < batches.length; start += config.gradAccumSteps) {
        const group = batches.slice(start, start + config.gradAccumSteps);
        const stepFrac = step / totalSteps;
        const lr = learningRate(config, step, totalSteps);
        beginStep?.(group);
        const { loss, grads } = accumulateGradients(params, group, (indices) => lossFn(indices, stepFrac));
        try {
          adam.step(grads, lr);
        } finally {
          for (const g of grads) g?.dispose();
        }
        const lossValue = (await loss.data())[0]!;
        loss.dispose();
        if (!Number.isFinite(lossValue)) {
          throw new UserError(`training diverged: loss is ${lossValue} at step ${step + 1} (lr ${lr}); try a lower lr`, 'trainLoop');
        }
        step += 1;
        const point: CurvePoint = { step, epoch, loss: lossValue, lr };
        curve.push(point);
        onProgress?.(step, totalSteps, lossValue);

        if (onEval && (step % evalEvery === 0 || step === totalSteps)) {
          const metrics = onEval({ step, epoch, stepFrac: step / totalSteps });
          if (metrics) point.metrics = { ...metrics };
          if (tracker?.observe(step, metrics ?? {})) break training;
        }
      }
    }
    tracker?.restoreBest();
    return { curve, totalSteps, stepsRun: step, bestStep: tracker?.bestStep, bestMetric: tracker?.bestMetric };
  } finally {
    adam.dispose();
    tracker?.dispose();
  }
}

function checkEarlyStopping(es: EarlyStopping, hasEval: boolean): void {
  if (!hasEval) throw new UserError('needs an onEval hook that returns the metric', 'earlyStopping');
  if (es.patience !== undefined && !(Number.isInteger(es.patience) && es.patience > 0)) {
    throw new UserError(`must be a positive integer, got ${es.patience}`, 'earlyStopping.patience');
  }
}

/** Best evaluation so far, a copy of the parameters at that point (if restoreBest), and patience. */
class BestTracker {
  bestStep?: number;
  bestMetric?: number;
  private snapshot: tf.Tensor[] | null = null;
  private evalsWithoutImprovement = 0;

  constructor(
    private readonly es: EarlyStopping,
    private readonly params: tf.Variable[],
  ) {}

  /** Records one evaluation; returns true when training should stop. */
  observe(step: number, metrics: Record<string, number>): boolean {
    const value = metrics[this.es.metric];
    if (typeof value !== 'number') {
      const known = Object.keys(metrics).join(', ') || 'none';
      throw new UserError(`metric "${this.es.metric}" is not among the evaluation metrics (${known})`, 'earlyStopping.metric');
    }
    const best = this.bestMetric;
    const improved = best === undefined ? !Number.isNaN(value) : this.es.mode === 'max' ? value > best : value < best;
    if (improved) {
      this.bestStep = step;
      this.bestMetric = value;
      this.evalsWithoutImprovement = 0;
      if (this.es.restoreBest) {
        this.disposeSnapshot();
        this.snapshot = this.params.map((p) => p.clone());
      }
      return false;
    }
    this.evalsWithoutImprovement += 1;
    return this.es.patience !== undefined && this.evalsWithoutImprovement >= this.es.patience;
  }

  restoreBest(): void {
    if (!this.snapshot) return;
    this.params.forEach((p, i) => p.assign(this.snapshot![i]!));
  }

  dispose(): void {
    this.disposeSnapshot();
  }

  private disposeSnapshot(): void {
    for (const t of this.snapshot ?? []) t.dispose();
    this.snapshot = null;
  }
}
