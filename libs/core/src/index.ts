// @w2s/core: the ground every other lib stands on.
export * from './base.js';
export { expectNoTensorLeak } from './leak-guard.js';
export * from './backend.js';
export * from './kernels/index.js';
export { TrainConfigSchema, type TrainConfig, learningRate, stepsPerEpoch, totalSteps } from './schedule.js';
export { minibatches } from './minibatch.js';
export { classIdCrossEntropy, perExampleCrossEntropy, softCrossEntropy, type LossFn } from './losses.js';
export { Adam, type AdamOptions } from './adam.js';
export { accumulateGradients } from './grad-accum.js';
export { trainLoop, type CurvePoint, type EarlyStopping, type TrainLoopOptions, type TrainResult } from './train.js';
export { fileIOHandler, saveWeights, loadWeights, MODEL_JSON, MODEL_WEIGHTS, TENSORS_JSON, TENSORS_BIN } from './checkpoint.js';
