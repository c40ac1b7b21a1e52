// @w2s/metrics: evaluation metrics for weak-to-strong experiments, over plain number arrays.
export { binaryProbs, ROW_SUM_TOLERANCE } from './probs.js';
export type { Probs, ProbRows, FlatProbs } from './probs.js';
export type { MaybeMetric } from './result.js';
export { accuracy, agreement } from './accuracy.js';
export { auroc } from './auroc.js';
export { ece, reliabilityBins } from './calibration.js';
export type { CalibrationOptions, ReliabilityBin } from './calibration.js';
export { misfit } from './misfit.js';
export { pgr } from './pgr.js';
export type { PgrInput } from './pgr.js';
export { bootstrapCell } from './bootstrap.js';
export type {
  CellPredictions,
  BootstrapOptions,
  Interval,
  PgrInterval,
  CellBootstrap,
} from './bootstrap.js';
export { aggregateSeeds, seedResult } from './seeds.js';
export type { SeedResult, SeedAggregate, SeedPgrInterval, SeedIntervalMethod } from './seeds.js';
export { studentTCdf, studentTQuantile } from './distributions.js';
export { medianPgrBy } from './group.js';
export type { PgrGroup, GroupKeyValue } from './group.js';
export { median, percentileInterval } from './stats.js';
