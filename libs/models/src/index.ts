// @w2s/models: model families, size ladders, cached pretraining, probe and finetune.
export { ModelSpecSchema, specLabel } from './spec.js';
export type { ModelSpec, ModelSpecInput } from './spec.js';
export type { Backbone, BackboneContext } from './backbone.js';
export type { Family, LadderEntry } from './family.js';
export type { TextCorpus, VectorCorpus } from './corpus.js';
export { pretrainingDataOf, pretrainsOnTaskInputs, pretrainSource, vectorCorpusFor } from './pretraining-data.js';
export { checkModelFor, families, familyOf, ladder, getBackbone, parseModelSpec } from './registry.js';
export { defaultTrainConfig, defaultModels, embeddingColumnsBySize, CONTROL_GAP_POINTS, CONTROL_TASKS } from './defaults.js';
export type { DefaultModels } from './defaults.js';
export { trainClassifier } from './classifier.js';
export type { Classifier, EvalContext, TrainClassifierOptions } from './classifier.js';
export { cachedFeatures, computeFeatures, featuresKey } from './features.js';
export { LADDER_SPLIT_SEED, runLadder, formatLadderReport, formatLadderTable, ladderSpecs, risesWithSize, defaultGap } from './ladder.js';
export type { LadderOptions, LadderRow } from './ladder.js';
export { wilsonInterval, accuracyWithInterval } from './wilson.js';
export { MLP_LADDER } from './families/mlp.js';
export { CNN_LADDER } from './families/cnn.js';
export { TEXT_LADDER } from './families/text.js';
// The text family's train-step pieces, for bench/train-step.ts (the model code it times).
export { cbowLoss, initText, initPretrainOutput, maskedTokenLoss, textForward, type TextSize } from './families/text.js';
export { initHead, headForward } from './head.js';
export { disposeParams, type Params } from './init.js';
export { modelDirFingerprint } from './families/tfjs.js';
export { Tokenizer, buildVocab, tokenize } from './tokenizer.js';
export { datasetInputsFingerprint } from './fingerprint.js';
export { main as ladderCommand } from './ladder-cli.js';
export { PRETRAIN_RECIPE_VERSION } from './pretrain.js';
export { adaptationIndices, adaptBackbone, AdaptConfigSchema, checkAdaptFor, type AdaptConfig } from './adapt.js';
