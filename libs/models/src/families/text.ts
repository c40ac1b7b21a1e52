import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { classIdCrossEntropy, Rng, TrainConfigSchema, trainLoop, UserError, type ArtifactCache } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';
import type { Backbone, BackboneContext } from '../backbone.js';
import { formatBudget, type PretrainBudget } from '../budget.js';
import { assertTextDisjoint, textCorpusFingerprint, type TextCorpus } from '../corpus.js';
import type { Family, LadderEntry } from '../family.js';
import { addDense, cloneParams, disposeParams, normalParam, onesParam, param, zerosParam, type Params } from '../init.js';
import { dense, embedLookup, gatherRows, gelu, layerNorm, meanEmbeddingBag, selfAttention } from '../ops.js';
import { cachedPretrain, disposeOnError, lossSummary, progressReporter, type LossSummary } from '../pretrain.js';
import { asTextCorpus, textCorpusFor } from '../pretraining-data.js';
import type { ModelSpec } from '../spec.js';
import { buildVocab, MASK, Tokenizer, UNK } from '../tokenizer.js';

/**
 * A text encoder size. `bag`: the mean of the document's word embeddings (optionally followed by
 * one ReLU layer of width `hidden`), pretrained CBOW-style (predict a word from the bag of its
 * ±4 neighbours, Mikolov et al. 2013). `transformer`: a pre-LN transformer encoder over chunks of
 * `seqLen` tokens (up to `maxChunks` per document), mean-pooled, pretrained by masked-token
 * prediction (15 % of tokens, Devlin et al. 2019). `budget.examples` counts CBOW windows or MLM
 * sequences.
 */
export interface TextSize {
  kind: 'bag' | 'transformer';
  vocab: number;
  dim: number;
  hidden?: number;
  layers?: number;
  heads?: number;
  seqLen?: number;
  maxChunks?: number;
  budget: PretrainBudget;
}

export const TEXT_LADDER: Record<string, TextSize> = {
  xs: { kind: 'bag', vocab: 500, dim: 8, budget: { examples: 5000, epochs: 1, batchSize: 128, lr: 1e-2 } },
  s: { kind: 'bag', vocab: 2000, dim: 32, budget: { examples: 20000, epochs: 2, batchSize: 128, lr: 5e-3 } },
  m: { kind: 'bag', vocab: 4000, dim: 64, hidden: 64, budget: { examples: 40000, epochs: 2, batchSize: 128, lr: 3e-3 } },
  l: { kind: 'transformer', vocab: 4000, dim: 64, layers: 1, heads: 4, seqLen: 64, maxChunks: 4, budget: { examples: 2000, epochs: 3, batchSize: 32, lr: 2e-3 } },
  xl: { kind: 'transformer', vocab: 4000, dim: 64, layers: 2, heads: 4, seqLen: 64, maxChunks: 4, budget: { examples: 4000, epochs: 3, batchSize: 32, lr: 2e-3 } },
};

/** Tokens kept per document by bag encoders (long emails are cut). */
const BAG_MAX_TOKENS = 1024;
const CBOW_WINDOW = 4;
const MASK_PROB = 0.15;

export function textFeatureDim(size: TextSize): number {
  return size.kind === 'bag' ? (size.hidden ?? size.dim) : size.dim;
}

function maxTokens(size: TextSize): number {
  return size.kind === 'bag' ? BAG_MAX_TOKENS : size.seqLen! * size.maxChunks!;
}

/** Parameter shapes of the encoder (the pretraining output layer is not part of it). */
export function textShapes(size: TextSize): Record<string, number[]> {
  const { vocab: v, dim: d } = size;
  const shapes: Record<string, number[]> = { 'emb.w': [v, d] };
  if (size.kind === 'bag') {
    if (size.hidden) Object.assign(shapes, { 'fc.w': [d, size.hidden], 'fc.b': [size.hidden] });
    return shapes;
  }
  shapes['pos.w'] = [size.seqLen!, d];
  for (let l = 0; l < size.layers!; l++) {
    Object.assign(shapes, {
      [`b${l}.ln1.g`]: [d], [`b${l}.ln1.b`]: [d],
      [`b${l}.qkv.w`]: [d, 3 * d], [`b${l}.qkv.b`]: [3 * d],
      [`b${l}.proj.w`]: [d, d], [`b${l}.proj.b`]: [d],
      [`b${l}.ln2.g`]: [d], [`b${l}.ln2.b`]: [d],
      [`b${l}.ff1.w`]: [d, 2 * d], [`b${l}.ff1.b`]: [2 * d],
      [`b${l}.ff2.w`]: [2 * d, d], [`b${l}.ff2.b`]: [d],
    });
  }
  Object.assign(shapes, { 'lnf.g': [d], 'lnf.b': [d] });
  return shapes;
}

export function initText(size: TextSize, rng: Rng): Params {
  const params: Params = new Map();
  for (const [name, shape] of Object.entries(textShapes(size))) {
    const r = rng.fork(name);
    if (name.endsWith('.g')) params.set(name, onesParam(shape));
    else if (shape.length === 1) params.set(name, zerosParam(shape));
    else if (name === 'emb.w' || name === 'pos.w') params.set(name, normalParam(r, shape, size.kind === 'bag' ? 0.1 : 0.02));
    else params.set(name, normalParam(r, shape, Math.sqrt((name.includes('fc.') ? 2 : 1) / shape[0]!)));
  }
  return params;
}

/** Bag encoder: mean word embedding, then the optional ReLU layer. */
function bagForward(params: Params, size: TextSize, docs: Int32Array[]): tf.Tensor2D {
  const mean = meanEmbeddingBag(param(params, 'emb.w') as tf.Tensor2D, docs);
  return size.hidden ? tf.relu(dense(mean, param(params, 'fc.w'), param(params, 'fc.b'))) : mean;
}

/**
 * Transformer blocks over token ids [C, T] with mask [C, T]; returns the final hidden states [C, T, d].
 * `embed` is the embedding lookup (tests pass the one-hot product it replaced, as a reference).
 */
export function transformerHidden(params: Params, size: TextSize, ids: Int32Array, mask: tf.Tensor2D, embed = embedLookup): tf.Tensor3D {
  const [c, t] = mask.shape;
  const d = size.dim;
  const emb = embed(param(params, 'emb.w') as tf.Tensor2D, ids); // [C·T, d]
  let h = tf.add(tf.reshape(emb, [c, t, d]), param(params, 'pos.w')) as tf.Tensor3D;
  for (let l = 0; l < size.layers!; l++) {
    const p = (n: string) => param(params, `b${l}.${n}`);
    const a = selfAttention(layerNorm(h, p('ln1.g'), p('ln1.b')), mask, p('qkv.w'), p('qkv.b'), p('proj.w'), p('proj.b'), size.heads!);
    h = tf.add(h, a);
    const flat = tf.reshape(layerNorm(h, p('ln2.g'), p('ln2.b')), [c * t, d]) as tf.Tensor2D;
    const ff = dense(gelu(dense(flat, p('ff1.w'), p('ff1.b'))), p('ff2.w'), p('ff2.b'));
    h = tf.add(h, tf.reshape(ff, [c, t, d]));
  }
  return layerNorm(h, param(params, 'lnf.g'), param(params, 'lnf.b'));
}

/** Pads/cuts token sequences to [n, T] ids and a 0/1 mask. */
function padBatch(seqs: Int32Array[], t: number): { ids: Int32Array; mask: Float32Array } {
  const ids = new Int32Array(seqs.length * t);
  const mask = new Float32Array(seqs.length * t);
  seqs.forEach((s, i) => {
    for (let j = 0; j < Math.min(s.length, t); j++) {
      ids[i * t + j] = s[j]!;
      mask[i * t + j] = 1;
    }
  });
  return { ids, mask };
}

/**
 * Transformer encoder of whole documents: each document is cut into chunks of T tokens (at most
 * maxChunks), all chunks run as one batch, and a document's feature is the mean of the final
 * hidden states over all its real tokens (a [docs, chunks] averaging matrix, no gather).
 */
function transformerForward(params: Params, size: TextSize, docs: Int32Array[]): tf.Tensor2D {
  const t = size.seqLen!;
  const chunks: Int32Array[] = [];
  const owner: number[] = [];
  docs.forEach((doc, i) => {
    const d = doc.length > 0 ? doc : Int32Array.of(UNK); // an empty document reads as one unknown token
    for (let s = 0; s < d.length; s += t) {
      chunks.push(d.subarray(s, s + t));
      owner.push(i);
    }
  });
  const { ids, mask } = padBatch(chunks, t);
  const average = new Float32Array(docs.length * chunks.length);
  const tokens = new Float32Array(docs.length);
  chunks.forEach((c, j) => (tokens[owner[j]!]! += c.length));
  chunks.forEach((_, j) => (average[owner[j]! * chunks.length + j] = 1 / tokens[owner[j]!]!));
  const maskT = tf.tensor2d(mask, [chunks.length, t]);
  const hidden = transformerHidden(params, size, ids, maskT);
  const chunkSums = tf.sum(tf.mul(hidden, tf.expandDims(maskT, 2)), 1) as tf.Tensor2D; // [C, d]
  return tf.matMul(tf.tensor2d(average, [docs.length, chunks.length]), chunkSums);
}

export function textForward(params: Params, size: TextSize, docs: Int32Array[]): tf.Tensor2D {
  return size.kind === 'bag' ? bagForward(params, size, docs) : transformerForward(params, size, docs);
}

// Token ids of a task's texts, per tokenizer: computed once per (task, vocabulary).
const tokenCache = new WeakMap<object, Map<string, Int32Array[]>>();

function taskTokens(task: Dataset, tokenizer: Tokenizer, vocabKey: string, limit: number): Int32Array[] {
  const texts = task.examples.text;
  if (!texts) throw new UserError(`task "${task.name}" (${task.modality}) has no text for the text family`, 'model.family');
  let perVocab = tokenCache.get(task.examples);
  if (!perVocab) tokenCache.set(task.examples, (perVocab = new Map()));
  const key = `${vocabKey}/${limit}`;
  let ids = perVocab.get(key);
  if (!ids) perVocab.set(key, (ids = texts.map((s) => tokenizer.encode(s, limit))));
  return ids;
}

/** CBOW windows: `count` centre tokens drawn uniformly over the corpus, each with its ±w context. */
function cbowWindows(streams: Int32Array[], count: number, rng: Rng): { contexts: Int32Array[]; centres: Int32Array } {
  const starts: number[] = [];
  let total = 0;
  for (const s of streams) {
    starts.push(total);
    total += s.length;
  }
  if (total === 0) throw new UserError('the text pretraining corpus has no tokens', 'pretraining');
  const contexts: Int32Array[] = [];
  const centres: number[] = [];
  for (let tries = 0; contexts.length < count && tries < count * 20; tries++) {
    const g = rng.int(total);
    let doc = 0;
    for (let lo = 0, hi = streams.length - 1; lo <= hi; ) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= g) {
        doc = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const s = streams[doc]!;
    const pos = g - starts[doc]!;
    if (s[pos] === UNK || s.length < 2) continue; // nothing to learn from predicting [UNK]
    const ctx = [...s.subarray(Math.max(0, pos - CBOW_WINDOW), pos), ...s.subarray(pos + 1, pos + 1 + CBOW_WINDOW)];
    contexts.push(Int32Array.from(ctx));
    centres.push(s[pos]!);
  }
  return { contexts, centres: Int32Array.from(centres) };
}

/** MLM sequences: every document cut into chunks of T tokens (≥ 8 tokens each), shuffled, first `count`. */
function mlmSequences(streams: Int32Array[], t: number, count: number, rng: Rng): Int32Array[] {
  const seqs: Int32Array[] = [];
  for (const s of streams) for (let i = 0; i + 8 <= s.length; i += t) seqs.push(s.subarray(i, i + t));
  return rng.shuffle(seqs).slice(0, count);
}

/** The pretraining output layer (features → vocabulary logits); not part of the encoder. */
export function initPretrainOutput(size: TextSize, rng: Rng): Params {
  const out: Params = new Map();
  addDense(out, rng.fork('pretrain-out'), 'out', textFeatureDim(size), size.vocab, 1);
  return out;
}

/** The CBOW loss of one batch (one bag pretraining step): predict each centre word from its context bag. */
export function cbowLoss(params: Params, out: Params, size: TextSize, contexts: Int32Array[], centres: Int32Array): tf.Scalar {
  const logits = dense(bagForward(params, size, contexts), param(out, 'out.w'), param(out, 'out.b'));
  return classIdCrossEntropy(logits, centres);
}

/**
 * The masked-token loss of one batch of sequences (one transformer pretraining step): 15 % of
 * the real tokens (at least one per batch) are drawn from `maskRng` and replaced by [MASK]; the
 * loss is the mean cross-entropy of the vocabulary logits at those positions.
 */
export function maskedTokenLoss(params: Params, out: Params, size: TextSize, batch: Int32Array[], maskRng: Rng): tf.Scalar {
  const t = size.seqLen!;
  const { ids, mask } = padBatch(batch, t);
  // Choose masked positions (at least one per batch); the model sees [MASK] there.
  const masked: number[] = [];
  for (let i = 0; i < ids.length; i++) if (mask[i] === 1 && maskRng.uniform() < MASK_PROB) masked.push(i);
  if (masked.length === 0) masked.push(0);
  const targets = Int32Array.from(masked, (i) => ids[i]!);
  const input = ids.slice();
  for (const i of masked) input[i] = MASK;
  const hidden = transformerHidden(params, size, input, tf.tensor2d(mask, [batch.length, t]));
  // Only the masked positions are scored: their rows, then logits over the vocabulary.
  const picked = gatherRows(tf.reshape(hidden, [ids.length, size.dim]) as tf.Tensor2D, Int32Array.from(masked));
  const logits = dense(picked, param(out, 'out.w'), param(out, 'out.b'));
  return classIdCrossEntropy(logits, targets);
}

/**
 * Trains `params` with the size's self-supervised objective on `streams` (token ids): CBOW windows
 * for bags, masked-token sequences for transformers, `budget.examples` of them, through a temporary
 * output layer. `decoderFirst` (adaptation): the pretraining output layer is not kept with a
 * backbone, so a fresh one is first fitted for one pass with the encoder frozen — a random decoder
 * would otherwise send noise into the pretrained encoder — and then everything trains.
 */
async function pretrainText(
  params: Params,
  size: TextSize,
  streams: Int32Array[],
  rng: Rng,
  onProgress?: (step: number, total: number, loss: number) => void,
  budget: PretrainBudget = size.budget,
  opts: { decoderFirst?: boolean } = {},
): Promise<LossSummary> {
  const out = initPretrainOutput(size, rng);
  const config = TrainConfigSchema.parse({ epochs: budget.epochs, batchSize: budget.batchSize, lr: budget.lr, warmupFrac: 0.05 });
  const all = [...params.values(), ...out.values()];
  try {
    let numExamples: number;
    let lossFn: (rows: Int32Array) => tf.Scalar;
    if (size.kind === 'bag') {
      const { contexts, centres } = cbowWindows(streams, budget.examples, rng.fork('windows'));
      numExamples = contexts.length;
      lossFn = (rows) => cbowLoss(params, out, size, Array.from(rows, (r) => contexts[r]!), Int32Array.from(rows, (r) => centres[r]!));
    } else {
      const t = size.seqLen!;
      const seqs = mlmSequences(streams, t, budget.examples, rng.fork('sequences'));
      if (seqs.length === 0) throw new UserError('the text pretraining corpus has no sequence of 8 or more tokens', 'pretraining');
      const maskRng = rng.fork('masks');
      numExamples = seqs.length;
      lossFn = (rows) => maskedTokenLoss(params, out, size, Array.from(rows, (r) => seqs[r]!), maskRng);
    }
    if (opts.decoderFirst) {
      await trainLoop({ params: [...out.values()], numExamples, config: { ...config, epochs: 1 }, rng: rng.fork('decoder-batches'), lossFn });
    }
    const result = await trainLoop({ params: all, numExamples, config, rng: rng.fork('batches'), onProgress, lossFn });
    return lossSummary(result.curve);
  } finally {
    disposeParams(out);
  }
}

/** The backbone of a text encoder's weights: features of a task's documents with the pretraining vocabulary. */
function textBackbone(opts: { key: string; spec: Pick<ModelSpec, 'size'>; size: TextSize; params: Params; meta: Record<string, unknown>; pretrainedNow: boolean }): Backbone {
  const { key, size, params, meta } = opts;
  const tokenizer = new Tokenizer(meta.vocab as string[]);
  const limit = maxTokens(size);
  const encode = (p: Params, t: Dataset, indices: Int32Array) => {
    const docs = taskTokens(t, tokenizer, key, limit);
    return tf.tidy(() => textForward(p, size, Array.from(indices, (i) => docs[i]!)));
  };
  return {
    key,
    spec: { family: 'text', size: opts.spec.size },
    featureDim: textFeatureDim(size),
    params,
    finetunable: true,
    pretrainedNow: opts.pretrainedNow,
    pretraining: meta,
    encode,
    features: (t, indices) => encode(params, t, indices),
    dispose: () => disposeParams(params),
  };
}

/** The self-supervised objective a text size pretrains (and adapts) with. */
export function textObjective(sizeName: string): 'cbow' | 'masked-token' | undefined {
  const size = TEXT_LADDER[sizeName];
  return size && (size.kind === 'bag' ? 'cbow' : 'masked-token');
}

/**
 * Strong-model adaptation for the text family (Burns et al. 2023 §5.2.2): a copy of `backbone`
 * whose own pretraining objective (CBOW for bags, masked tokens for transformers) continues for
 * `epochs` passes of up to the size's `budget.examples` windows or sequences, drawn from the texts
 * of `indices` only (the runner passes weak-train and transfer; labels are never read), with the
 * pretraining vocabulary. Cached under the backbone's key, the token ids read, the config and the seed.
 */
export async function adaptText(
  backbone: Backbone,
  task: Dataset,
  indices: Int32Array,
  config: { epochs: number; batchSize: number; lr: number },
  ctx: { cache: ArtifactCache; seed: number; onProgress?: (msg: string, frac: number) => void },
): Promise<Backbone> {
  const size = TEXT_LADDER[backbone.spec.size];
  const texts = task.examples.text;
  if (!size || !texts) throw new UserError(`adaptation of text-${backbone.spec.size} needs a text size of the ladder and a task with text`, 'adapt');
  const tokenizer = new Tokenizer(backbone.pretraining.vocab as string[]);
  const streams = Array.from(indices, (i) => tokenizer.encode(texts[i]!));
  const digest = createHash('sha256');
  for (const s of streams) digest.update(new Uint8Array(s.buffer, s.byteOffset, s.byteLength)).update('|');
  const label = `adapt text-${backbone.spec.size}`;
  const { key, params, meta, hit } = await cachedPretrain({
    cache: ctx.cache,
    keyConfig: { adaptOf: backbone.key, inputs: digest.digest('hex'), config, seed: ctx.seed },
    train: async () => {
      const params = cloneParams(backbone.params);
      const budget = { examples: size.budget.examples, epochs: config.epochs, batchSize: config.batchSize, lr: config.lr };
      const losses = await disposeOnError(params, () =>
        pretrainText(params, size, streams, new Rng(ctx.seed).fork(label), progressReporter(label, ctx.onProgress), budget, { decoderFirst: true }),
      );
      return { params, meta: { ...backbone.pretraining, adapted: { documents: indices.length, objective: textObjective(backbone.spec.size), ...config, ...losses } } };
    },
  });
  return textBackbone({ key, spec: backbone.spec, size, params, meta, pretrainedNow: !hit });
}

export async function loadText(
  spec: Pick<ModelSpec, 'family' | 'size'>,
  task: Dataset,
  corpus: TextCorpus,
  ctx: BackboneContext,
  ladder: Record<string, TextSize> = TEXT_LADDER,
): Promise<Backbone> {
  const size = ladder[spec.size];
  if (!size) throw new UserError(`unknown text size "${spec.size}"; sizes: ${Object.keys(ladder).join(', ')}`, 'model.size');
  if (!task.examples.text) throw new UserError(`task "${task.name}" (${task.modality}) has no text for the text family`, 'model.family');
  assertTextDisjoint(corpus, task);
  const label = `text-${spec.size}`;
  const { key, params, meta, hit } = await cachedPretrain({
    cache: ctx.cache,
    keyConfig: { family: 'text', size: spec.size, arch: size, corpus: textCorpusFingerprint(corpus), seed: ctx.seed },
    train: async () => {
      const rng = new Rng(ctx.seed).fork(label);
      const vocab = buildVocab(corpus.texts, size.vocab);
      const tokenizer = new Tokenizer(vocab);
      const streams = corpus.texts.map((s) => tokenizer.encode(s));
      // A corpus with fewer distinct words than the vocabulary leaves the tail unused: shapes stay fixed.
      const params = initText(size, rng.fork('init'));
      const losses = await disposeOnError(params, () => pretrainText(params, size, streams, rng, progressReporter(label, ctx.onProgress)));
      return { params, meta: { family: 'text', size: spec.size, corpus: corpus.name, documents: corpus.texts.length, ...losses, objective: size.kind === 'bag' ? 'cbow' : 'masked-token', vocab } };
    },
  });
  return textBackbone({ key, spec, size, params, meta, pretrainedNow: !hit });
}

function textParamCount(size: TextSize): number {
  return Object.values(textShapes(size)).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
}

export const textFamily: Family = {
  name: 'text',
  description: 'word tokenizer + encoder: embedding bags (CBOW-pretrained) at the bottom, small transformers (masked-token-pretrained) at the top; pretrained on unlabelled corpora only',
  modalities: ['text'],
  sizes: Object.keys(TEXT_LADDER),
  reference: 'the vocabulary sizes listed',
  ladder: (): LadderEntry[] =>
    Object.entries(TEXT_LADDER).map(([size, s]) => ({
      size,
      params: textParamCount(s),
      pretrainBudget: formatBudget(s.budget, s.kind === 'bag' ? 'windows' : 'seqs'),
      arch:
        s.kind === 'bag'
          ? `bag V=${s.vocab} d=${s.dim}${s.hidden ? ` → fc ${s.hidden}` : ''}`
          : `transformer V=${s.vocab} d=${s.dim} ${s.layers}×layer ${s.heads} heads T=${s.seqLen}×${s.maxChunks}`,
    })),
  load: async (spec, task, ctx) => loadText(spec, task, ctx.pretrainCorpus ? asTextCorpus(ctx.pretrainCorpus) : textCorpusFor(task), ctx),
};
