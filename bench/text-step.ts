/**
 * Text-transformer train steps (part of `npm run bench`, see train-step.ts): the text family's
 * sizes `l` and `xl` (TEXT_LADDER) at the ladder's real shapes, timed with the model code of
 * libs/models (initText, maskedTokenLoss, textForward, headForward) on the wasm path
 * (wasm+matmul-fix) and on wasm+blas with one thread, against the same steps in PyTorch
 * (bench/torch_text_step.py, one thread) in the same run.
 *
 *   mlm:      one masked-token pretraining step: 32 sequences of 64 tokens, 15 % masked, logits
 *             over the 4000-word vocabulary at the masked positions, Adam (the pretraining step).
 *   finetune: one finetune step: 16 documents of 40–256 tokens (1–4 chunks of 64), mean-pooled
 *             features, linear 2-class head, cross-entropy, Adam (defaultTrainConfig's batch).
 *   cbow:     text-m's pretraining step (the bag encoder the quickstart pretrains next to text-l):
 *             128 windows of 8 context words, mean embedding → 64 ReLU → vocabulary logits, Adam.
 *
 * Token ids are uniform over the vocabulary (the work per step does not depend on which words).
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, Rng, softCrossEntropy } from '@w2s/core';
import { cbowLoss, disposeParams, headForward, initHead, initPretrainOutput, initText, maskedTokenLoss, textForward, TEXT_LADDER, type Params } from '@w2s/models';

export type TextStepKind = 'mlm' | 'finetune' | 'cbow';
export const TEXT_CASES: { size: 'm' | 'l' | 'xl'; step: TextStepKind }[] = [
  { size: 'm', step: 'cbow' },
  { size: 'l', step: 'mlm' },
  { size: 'xl', step: 'mlm' },
  { size: 'l', step: 'finetune' },
  { size: 'xl', step: 'finetune' },
];
const MLM_BATCH = 32; // TEXT_LADDER[l|xl].budget.batchSize
const FINETUNE_BATCH = 16; // defaultTrainConfig for transformer finetuning
const FINETUNE_CLASSES = 2;
const CBOW_BATCH = 128; // TEXT_LADDER.m.budget.batchSize
const CBOW_CONTEXT = 8; // ±4 words
const FIRST_WORD = 4; // after the special tokens [PAD] [UNK] [MASK] [SEP]

/** Document lengths of the finetune batch (shared with torch_text_step.py): 40–256 tokens. */
export function finetuneLengths(): number[] {
  return Array.from({ length: FINETUNE_BATCH }, (_, i) => 40 + ((i * 61) % 217));
}

function randomIds(rng: Rng, n: number, vocab: number): Int32Array {
  return Int32Array.from({ length: n }, () => FIRST_WORD + rng.int(vocab - FIRST_WORD));
}

/** One model and its optimizer; `step()` takes one Adam step and returns the loss before it. */
export interface TextStepper {
  step(): number;
  dispose(): void;
}

export function makeTextStepper(sizeName: 'm' | 'l' | 'xl', kind: TextStepKind, seed = 7): TextStepper {
  const size = TEXT_LADDER[sizeName]!;
  const rng = new Rng(seed);
  const params = initText(size, rng.fork('init'));
  const dataRng = rng.fork('data');
  let extra: Params;
  let lossFn: () => tf.Scalar;
  const constants: tf.Tensor[] = [];
  if (kind === 'cbow') {
    extra = initPretrainOutput(size, rng);
    const contexts = Array.from({ length: CBOW_BATCH }, () => randomIds(dataRng, CBOW_CONTEXT, size.vocab));
    const centres = randomIds(dataRng, CBOW_BATCH, size.vocab);
    lossFn = () => cbowLoss(params, extra, size, contexts, centres);
  } else if (kind === 'mlm') {
    extra = initPretrainOutput(size, rng);
    const batch = Array.from({ length: MLM_BATCH }, () => randomIds(dataRng, size.seqLen!, size.vocab));
    const maskRng = rng.fork('masks');
    lossFn = () => maskedTokenLoss(params, extra, size, batch, maskRng);
  } else {
    extra = initHead('linear', size.dim, FINETUNE_CLASSES, rng.fork('head'));
    // The head starts at zero (as in trainClassifier); a random start gives the backbone gradients from step 1.
    extra.get('head.out.w')!.assign(tf.tidy(() => tf.mul(tf.tensor2d(rng.fork('head-start').normalArray(size.dim * FINETUNE_CLASSES), [size.dim, FINETUNE_CLASSES]), 0.1)));
    const docs = finetuneLengths().map((n) => randomIds(dataRng, n, size.vocab));
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(docs.map((_, i) => i % FINETUNE_CLASSES), 'int32'), FINETUNE_CLASSES).toFloat() as tf.Tensor2D);
    constants.push(labels);
    lossFn = () => softCrossEntropy(headForward(extra, 'linear', textForward(params, size, docs)), labels);
  }
  const lr = kind === 'finetune' ? 5e-4 : size.budget.lr;
  const trained = [...params.values(), ...extra.values()];
  const adam = new Adam(trained);
  return {
    step: () => {
      const { value, grads } = tf.variableGrads(lossFn, trained);
      adam.step(trained.map((p) => grads[p.name]), lr);
      tf.dispose(grads);
      const loss = value.dataSync()[0]!;
      value.dispose();
      return loss;
    },
    dispose: () => {
      adam.dispose();
      disposeParams(params);
      disposeParams(extra);
      tf.dispose(constants);
    },
  };
}
